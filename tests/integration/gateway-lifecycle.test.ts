import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { eventNames, withGateway, type GatewayHarness, type HarnessOptions } from '../helpers/gateway-harness.js';
import { messagesBody, parseSse, STREAM_ORDER, type RawExchange } from '../helpers/sim-http.js';

describe('gateway: reload (apply) under traffic', () => {
  it('a stream in flight is not dropped when the configuration changes under it; a new endpoint gets traffic', async () => {
    const before: HarnessOptions = { upstreams: [{ name: 'a', sim: { eventGapMs: 60 } }] };
    await withGateway(before, async (h) => {
      await h.addUpstream({ name: 'c' });
      const { streaming, events } = sendStream(h);
      await h.waitFor(() => events() >= 2, 3_000, 'the stream to flow');
      h.apply({ upstreams: [{ name: 'c' }], settings: { loadbalancer: { strategy: 'round-robin' } } });
      assert.ok(events() < STREAM_ORDER.length, 'the configuration changed while the stream was still flowing');
      assert.equal(h.gateway.status().strategy, 'round-robin');
      assert.deepEqual(h.gateway.status().endpoints.map((endpoint) => h.nameOf(endpoint.id)), ['c']);

      const next = await h.send({ body: messagesBody() });
      assert.equal(next.headers['x-qcc-endpoint'], h.id('c'), 'the new endpoint gets the new traffic');

      const res = await streaming;
      assert.equal(res.error, undefined);
      assert.deepEqual(eventNames(res.text), STREAM_ORDER, 'the old stream finished on the old endpoint');
      assert.equal(res.headers['x-qcc-endpoint'], h.id('a'));
      const records = await h.waitForRecords(2);
      assert.deepEqual(records.map((record) => record.outcome).sort(), ['ok', 'ok']);
      assert.equal(h.sim('a').requests.length, 1);
      assert.equal(h.gateway.inflight, 0);
    });
  });

  it('an endpoint whose URL and key are unchanged keeps its health; one with a new key starts afresh', async () => {
    const upstreams = [
      { name: 'a', weight: 100 },
      { name: 'b', simulatorKey: null },
      { name: 'c', priority: 2 as const },
    ];
    await withGateway({ upstreams }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 401 }, { times: 1 });
      h.sim('b').fault({ kind: 'status', status: 403 }, { times: 1 });
      await h.send({ body: messagesBody() });
      await h.send({ body: messagesBody() });
      assert.equal(h.endpoint('a').state, 'open');
      assert.equal(h.endpoint('b').state, 'open');

      h.apply({ upstreams: [{ name: 'a', weight: 500 }, { name: 'b', apiKey: 'sk-rotated-key-for-b', simulatorKey: null }, upstreams[2] as never] });
      assert.equal(h.endpoint('a').state, 'open', 'same URL and key: the breaker stays open');
      assert.equal(h.endpoint('a').weight, 500);
      assert.equal(h.endpoint('b').state, 'closed', 'a new key is a new upstream');
      const res = await h.send({ body: messagesBody() });
      assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
      assert.equal(h.sim('b').requests.at(-1)?.headers['x-api-key'], 'sk-rotated-key-for-b');
    });
  });

  it('a reload that makes an endpoint available wakes a held request', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      await h.addUpstream({ name: 'b' });
      h.sim('a').fault({ kind: 'status', status: 401 }, { times: 1 });
      assert.equal((await h.send({ body: messagesBody() })).status, 401);
      const pending = h.send({ body: messagesBody(), headersTimeoutMs: 10_000 });
      await h.waitFor(() => h.gateway.status().requests.held === 1, 2_000, 'the request to be held');
      h.apply({ upstreams: [{ name: 'a' }, { name: 'b' }] });
      const res = await pending;
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
    });
  });
});

/** Sends a streaming request; `events` counts the SSE events that have arrived so far. */
function sendStream(h: GatewayHarness): { streaming: Promise<RawExchange>; events: () => number } {
  let count = 0;
  const streaming = h.send({
    body: messagesBody({ stream: true }),
    onChunk: (chunk) => {
      count += chunk.toString('utf8').split('\n\n').length - 1;
    },
  });
  return { streaming, events: () => count };
}

/** Sends the request line and some headers of a request, and the rest when asked; collects the raw answer. */
function partialRequest(port: number, body: string, requestLine = 'POST /v1/messages'): { finish: () => void; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.write(`${requestLine} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n`);
  const answer = new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of the answer within 5 s: ${text}`));
    }, 5_000);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on('error', () => undefined);
  });
  return { finish: () => socket.write(`content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`), answer };
}

describe('gateway: drain', () => {
  it('new requests get 503 QCC_ERR_DRAINING while a stream in flight finishes within the deadline', async () => {
    await withGateway({ upstreams: [{ name: 'a', sim: { eventGapMs: 60 } }] }, async (h) => {
      const port = Number(new URL(h.url).port);
      const late = partialRequest(port, JSON.stringify(messagesBody()));
      const status = partialRequest(port, '', 'GET /_qcc/status');
      const { streaming, events } = sendStream(h);
      await h.waitFor(() => events() >= 1, 3_000, 'the stream to flow');

      const drained = h.gateway.drain(10_000);
      assert.ok(events() < STREAM_ORDER.length, 'the drain began while the stream was still flowing');
      assert.equal(h.gateway.status().draining, true);
      late.finish();
      const answer = await late.answer;
      assert.match(answer, /^HTTP\/1\.1 503 /);
      assert.match(answer, /\r\nx-qcc-error: QCC_ERR_DRAINING\r\n/i);
      assert.match(answer, /\r\nconnection: close\r\n/i);
      assert.match(answer, /"type":"overloaded_error"/);
      // The status is still answered, and says so: `qcc proxy status` shows a gateway that is draining.
      status.finish();
      const statusAnswer = await status.answer;
      assert.match(statusAnswer, /^HTTP\/1\.1 200 /);
      assert.match(statusAnswer, /"draining":true/);
      // On a new connection too: the gateway listens until the drain ends, and says why it refuses.
      const fresh = await fetch(`${h.url}/_qcc/status`);
      assert.equal(((await fresh.json()) as { draining: boolean }).draining, true);
      const refused = await fetch(`${h.url}/v1/messages`, { method: 'POST', body: JSON.stringify(messagesBody()) });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('x-qcc-error'), 'QCC_ERR_DRAINING');
      await refused.arrayBuffer();

      const res = await streaming;
      assert.equal(res.error, undefined);
      assert.deepEqual(eventNames(res.text), STREAM_ORDER);
      await drained;
      assert.equal(h.sim('a').requests.length, 1, 'the late request reached no upstream');
      const records = await h.waitForRecords(1);
      assert.equal(records[0]?.outcome, 'ok');
    });
  });

  it('a stream that outlives the deadline ends with event: error, never cleanly, and the upstream is aborted', async () => {
    await withGateway({ upstreams: [{ name: 'a', sim: { eventGapMs: 400 } }] }, async (h) => {
      const { streaming, events } = sendStream(h);
      await h.waitFor(() => events() >= 1, 3_000, 'the stream to flow');
      await h.gateway.drain(300);
      const res = await streaming;
      const names = eventNames(res.text);
      assert.equal(names.at(-1), 'error', res.text);
      assert.ok(!names.includes('message_stop'));
      const error = parseSse(res.text).at(-1)?.data as { error: { type: string; message: string } };
      assert.equal(error.error.type, 'api_error');
      assert.match(error.error.message, /shut down/);
      await h.sim('a').waitFor((sim) => sim.requests[0]?.aborted === true, 3_000);
      const records = await h.waitForRecords(1);
      assert.equal(records[0]?.outcome, 'stream-broken');
    });
  });

  it('a request still waiting for its first byte at the deadline gets 503 QCC_ERR_DRAINING, not a cut connection', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      h.sim('a').fault({ kind: 'hang' });
      const waiting = h.send({ body: messagesBody({ stream: true }), headersTimeoutMs: 10_000 });
      await h.sim('a').waitFor((sim) => sim.requests.length === 1, 3_000);
      await h.gateway.drain(300);
      const res = await waiting;
      assert.equal(res.status, 503);
      assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_DRAINING');
      assert.match(res.text, /"type":"overloaded_error"/);
      await h.sim('a').waitFor((sim) => sim.requests[0]?.aborted === true, 3_000);
      const records = await h.waitForRecords(1);
      assert.deepEqual([records[0]?.outcome, records[0]?.status], ['failed', 503]);
      assert.equal(h.endpoint('a').failures, 0, 'qcc gave up on it, the endpoint did nothing wrong');
    });
  });
});
