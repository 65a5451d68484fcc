import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, beforeEach, describe, it } from 'node:test';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { Agent } from 'undici';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { exchange, failure, messagesBody, parseSse, STREAM_ORDER } from '../helpers/sim-http.js';

const streaming = messagesBody({ stream: true });

describe('simulator faults at the HTTP level', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ name: 'faulty' });
  });
  beforeEach(() => sim.reset());
  after(() => sim.close());

  const statuses: [number, string][] = [
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'api_error'],
    [529, 'overloaded_error'],
    [429, 'rate_limit_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [400, 'invalid_request_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
  ];
  for (const [status, type] of statuses) {
    it(`status ${status} answers with an Anthropic ${type} body and a request-id`, async () => {
      sim.fault({ kind: 'status', status, ...(status === 429 ? { retryAfter: '7' } : {}) }, { times: 1 });
      const res = await exchange(sim.url, { body: messagesBody() });
      assert.equal(res.status, status);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.match(String(res.headers['request-id']), /^req_faulty_\d+$/);
      const body = JSON.parse(res.text) as { type: string; error: { type: string; message: string } };
      assert.deepEqual(Object.keys(body), ['type', 'error']);
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, type);
      assert.equal(typeof body.error.message, 'string');
      assert.equal(res.headers['retry-after'], status === 429 ? '7' : undefined);
      assert.equal(sim.requests[0]?.fault?.kind, 'status');
    });
  }

  it('status sends a given body verbatim', async () => {
    sim.fault({ kind: 'status', status: 503, body: '{"type":"error","error":{"type":"api_error","message":"relay down"}}' });
    const res = await exchange(sim.url, { body: messagesBody() });
    assert.equal(res.text, '{"type":"error","error":{"type":"api_error","message":"relay down"}}');
  });

  it('refuse resets a new connection before reading anything, and records no request', async () => {
    const pool = new Agent();
    try {
      sim.fault({ kind: 'refuse' }, { times: 1 });
      const error = await failure(exchange(sim.url, { body: messagesBody(), dispatcher: pool }));
      assert.equal(error.code, 'ECONNRESET');
      assert.equal(sim.refusedConnections, 1);
      assert.equal(sim.requests.length, 0);
      const next = await exchange(sim.url, { body: messagesBody(), dispatcher: pool });
      assert.equal(next.status, 200, 'times: 1 means one refusal');
    } finally {
      await pool.close();
    }
  });

  it('refuse resets a request that arrives on a kept-alive connection', async () => {
    const pool = new Agent({ connections: 1 });
    try {
      assert.equal((await exchange(sim.url, { body: messagesBody(), dispatcher: pool })).status, 200);
      sim.fault({ kind: 'refuse' }, { times: 1 });
      const error = await failure(exchange(sim.url, { body: messagesBody(), dispatcher: pool }));
      assert.equal(error.code, 'ECONNRESET');
      assert.equal(sim.refusedConnections, 1);
      assert.equal(sim.requests[1]?.fault?.kind, 'refuse');
    } finally {
      await pool.close();
    }
  });

  it('refuse decided by a script resets the request it was asked about', async () => {
    sim.script(() => ({ kind: 'refuse' }));
    const error = await failure(exchange(sim.url, { body: messagesBody() }));
    assert.equal(error.code, 'ECONNRESET');
    assert.equal(sim.requests[0]?.fault?.kind, 'refuse');
  });

  it('reset reads the whole request, then resets the connection without answering', async () => {
    sim.fault({ kind: 'reset' }, { times: 1 });
    const body = messagesBody({ padding: 'x'.repeat(100_000) });
    const error = await failure(exchange(sim.url, { body }));
    assert.equal(error.code, 'ECONNRESET');
    assert.equal(sim.requests[0]?.rawBodyBytes, Buffer.byteLength(JSON.stringify(body)));
    assert.equal(sim.requests[0]?.completed, false);
  });

  it('hang never sends headers; the client times out and the request shows as aborted', async () => {
    sim.fault({ kind: 'hang' }, { times: 1 });
    const started = performance.now();
    const error = await failure(exchange(sim.url, { body: messagesBody(), headersTimeoutMs: 300 }));
    assert.equal(error.code, 'UND_ERR_HEADERS_TIMEOUT');
    assert.ok(performance.now() - started >= 250);
    await sim.waitFor((s) => s.requests[0]?.aborted === true, 2_000);
  });

  it('slow drips the events in order, piece by piece, slower than a fast stream', async () => {
    sim.fault({ kind: 'slow', gapMs: 30 }, { times: 1 });
    const slow = await exchange(sim.url, { body: streaming });
    const fast = await exchange(sim.url, { body: streaming });
    assert.deepEqual(parseSse(slow.text).map((event) => event.event), STREAM_ORDER);
    assert.deepEqual(parseSse(fast.text).map((event) => event.event), STREAM_ORDER);
    assert.ok(slow.chunkTimes.length >= 5, `arrived in ${slow.chunkTimes.length} pieces`);
    const slowMs = slow.endedAt - slow.startedAt;
    assert.ok(slowMs >= 150, `10 gaps of 30 ms took ${slowMs} ms`);
    assert.ok(fast.endedAt - fast.startedAt < slowMs);
  });

  it('slow drips a non-streaming body too, and it stays whole', async () => {
    sim.fault({ kind: 'slow', gapMs: 20 }, { times: 1 });
    const res = await exchange(sim.url, { body: messagesBody() });
    assert.equal(res.error, undefined);
    assert.ok(res.chunkTimes.length >= 2);
    assert.equal((JSON.parse(res.text) as { type: string }).type, 'message');
  });

  it('cut sends N complete events, then the socket ends without the chunked end', async () => {
    sim.fault({ kind: 'cut', afterEvents: 3 }, { times: 1 });
    const res = await exchange(sim.url, { body: streaming });
    assert.equal(res.status, 200);
    assert.equal(res.error?.code, 'UND_ERR_SOCKET');
    assert.ok(res.text.endsWith('\n\n'));
    assert.deepEqual(parseSse(res.text).map((event) => event.event), STREAM_ORDER.slice(0, 3));
    assert.equal(sim.requests[0]?.aborted, false);
  });

  it('cut of a non-streaming answer delivers half of the announced length', async () => {
    sim.fault({ kind: 'cut', afterEvents: 0 }, { times: 1 });
    const res = await exchange(sim.url, { body: messagesBody() });
    assert.ok(res.error, 'the body must end in an error');
    assert.ok(res.bytes.length < Number(res.headers['content-length']));
    assert.ok(res.bytes.length > 0);
  });

  it('error-event sends 200 event-stream whose first event is an overloaded error', async () => {
    sim.fault({ kind: 'error-event' }, { times: 1 });
    const res = await exchange(sim.url, { body: streaming });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.deepEqual(parseSse(res.text)[0], {
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
  });

  it('html answers 200 text/html, and empty answers 200 JSON without a body', async () => {
    sim.fault({ kind: 'html' }, { times: 1 });
    sim.fault({ kind: 'empty' }, { times: 1 });
    const html = await exchange(sim.url, { body: messagesBody() });
    assert.equal(html.status, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    assert.match(html.text, /^<!DOCTYPE html>/);
    const empty = await exchange(sim.url, { body: messagesBody() });
    assert.equal(empty.status, 200);
    assert.equal(empty.headers['content-type'], 'application/json');
    assert.equal(empty.bytes.length, 0);
    assert.equal(empty.error, undefined);
  });

  it('gzip encodes JSON and streams whatever accept-encoding says, and decodes to the normal answer', async () => {
    sim.fault({ kind: 'gzip' }, { times: 2 });
    const json = await exchange(sim.url, { body: messagesBody(), headers: { 'accept-encoding': 'identity' } });
    assert.equal(json.headers['content-encoding'], 'gzip');
    const message = JSON.parse(gunzipSync(json.bytes).toString('utf8')) as { type: string; usage: object };
    assert.equal(message.type, 'message');
    const stream = await exchange(sim.url, { body: streaming });
    assert.equal(stream.headers['content-encoding'], 'gzip');
    assert.deepEqual(parseSse(gunzipSync(stream.bytes).toString('utf8')).map((event) => event.event), STREAM_ORDER);
  });

  it('drop-stop ends the stream cleanly but without message_stop', async () => {
    sim.fault({ kind: 'drop-stop' }, { times: 1 });
    const res = await exchange(sim.url, { body: streaming });
    assert.equal(res.error, undefined);
    assert.deepEqual(parseSse(res.text).map((event) => event.event), STREAM_ORDER.slice(0, -1));
  });
});

describe('simulator gzip streams', () => {
  it('flushes each event, so the first one decodes long before the stream ends', async () => {
    const sim = await startSimulator({ eventGapMs: 40 });
    try {
      sim.fault({ kind: 'gzip' });
      const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
      let decoded = '';
      let firstEventAt = Infinity;
      gunzip.on('data', (chunk: Buffer) => {
        decoded += chunk.toString('utf8');
        if (firstEventAt === Infinity && decoded.includes('\n\n')) firstEventAt = performance.now();
      });
      const res = await exchange(sim.url, { body: streaming, onChunk: (chunk) => gunzip.write(chunk) });
      await new Promise((resolve) => gunzip.end(resolve));
      assert.ok(decoded.startsWith('event: message_start\n'));
      assert.ok(res.endedAt - firstEventAt >= 100, `first event ${res.endedAt - firstEventAt} ms before the end`);
    } finally {
      await sim.close();
    }
  });
});

describe('simulator fault plans', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  beforeEach(() => sim.reset());
  after(() => sim.close());

  const statusesOf = async (count: number, body: unknown = messagesBody()): Promise<number[]> => {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) seen.push((await exchange(sim.url, { body })).status);
    return seen;
  };

  it('applies queued faults in call order, each for its number of requests', async () => {
    sim.fault({ kind: 'status', status: 503 }, { times: 2 });
    sim.fault({ kind: 'status', status: 529 }, { times: 1 });
    assert.deepEqual(await statusesOf(4), [503, 503, 529, 200]);
  });

  it('keeps a fault without times until clearFaults', async () => {
    sim.fault({ kind: 'status', status: 500 });
    assert.deepEqual(await statusesOf(3), [500, 500, 500]);
    sim.clearFaults();
    assert.deepEqual(await statusesOf(1), [200]);
  });

  it('asks the script with the request and its index, after queued faults', async () => {
    sim.script((request, index) => {
      if ((request.body as { max_tokens?: number }).max_tokens === 8) return { kind: 'status', status: 401 };
      return index % 2 === 1 ? { kind: 'status', status: 502 } : undefined;
    });
    sim.fault({ kind: 'status', status: 429, retryAfter: '1' }, { times: 1 });
    assert.deepEqual(await statusesOf(4), [429, 502, 200, 502]);
    assert.deepEqual(await statusesOf(1, messagesBody({ max_tokens: 8 })), [401]);
  });

  it('rejects a fault that cannot be served', () => {
    assert.throws(() => sim.fault({ kind: 'status', status: 99 }), RangeError);
    assert.throws(() => sim.fault({ kind: 'cut', afterEvents: -1 }), RangeError);
    assert.throws(() => sim.fault({ kind: 'html' }, { times: 0 }), RangeError);
  });
});
