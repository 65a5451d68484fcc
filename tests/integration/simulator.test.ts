import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { Agent } from 'undici';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { streamedReply } from '../helpers/sdk.js';
import { exchange, failure, messagesBody, parseSse, STREAM_ORDER } from '../helpers/sim-http.js';

const KEY = 'sk-sim-0123456789';
const DEFAULT_TEXT = 'Hello! This is a simulated reply from the qcc upstream simulator.';

describe('simulator with the official Anthropic SDK', () => {
  let sim: Simulator;
  let client: Anthropic;
  before(async () => {
    // SDK 1.x sends its apiKey as `Authorization: Bearer`.
    sim = await startSimulator({ name: 'alpha', apiKey: KEY, authStyle: 'bearer' });
    client = new Anthropic({ baseURL: sim.url, apiKey: KEY, maxRetries: 0, timeout: 5_000 });
  });
  after(() => sim.close());

  it('answers messages.create with the text, the echoed model and non-zero usage', async () => {
    const message = await client.messages.create({
      model: 'claude-test-1',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    assert.match(message.id, /^msg_alpha_\d+$/);
    assert.equal(message.model, 'claude-test-1');
    assert.equal(message.stop_reason, 'end_turn');
    assert.deepEqual(message.content, [{ type: 'text', text: DEFAULT_TEXT }]);
    assert.ok(message.usage.input_tokens > 0);
    assert.equal(message.usage.output_tokens, Math.ceil(DEFAULT_TEXT.length / 4));
    assert.equal(message.usage.cache_read_input_tokens, 0);
  });

  it('streams the real event order through messages.stream, and finalMessage has text and usage', async () => {
    const stream = client.messages.stream({
      model: 'claude-test-1',
      max_tokens: 64,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    const seen: string[] = [];
    for await (const event of stream) seen.push(event.type);
    // The SDK drops `ping`; the raw order, ping included, is pinned below.
    assert.deepEqual(seen, STREAM_ORDER.filter((name) => name !== 'ping'));
    const final = await stream.finalMessage();
    assert.deepEqual(final.content, [{ type: 'text', text: DEFAULT_TEXT }]);
    assert.equal(final.usage.output_tokens, Math.ceil(DEFAULT_TEXT.length / 4));
    assert.ok(final.usage.input_tokens > 0);
    assert.ok((final.usage.cache_read_input_tokens ?? 0) > 0, 'cache_control in the body means cache reads');
    assert.ok((final.usage.cache_creation_input_tokens ?? 0) > 0);
  });

  it('streams for create({ stream: true }) although the SDK sends accept: application/json', async () => {
    const text = await streamedReply(client);
    assert.equal(text, DEFAULT_TEXT);
    const seen = sim.requests.at(-1);
    assert.equal(seen?.headers.accept, 'application/json');
    assert.equal((seen?.body as { stream?: boolean }).stream, true);
  });

  it('rejects a wrong key with an Anthropic authentication_error', async () => {
    const wrong = new Anthropic({ baseURL: sim.url, apiKey: 'sk-wrong', maxRetries: 0, timeout: 5_000 });
    const error = await failure(wrong.messages.create({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }));
    assert.ok(error instanceof Anthropic.AuthenticationError, String(error));
    assert.equal(error.status, 401);
    assert.deepEqual(error.error, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
  });
});

describe('simulator HTTP surface', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ name: 'beta', apiKey: KEY, chunks: 5 });
  });
  after(() => sim.close());
  const auth = { 'x-api-key': KEY };

  it('streams from the body, not from accept, in the exact order with ping, each event complete', async () => {
    const res = await exchange(sim.url, {
      path: '/v1/messages?beta=true',
      headers: { ...auth, accept: 'application/json' },
      body: messagesBody({ stream: true }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers['x-sim-name'], 'beta');
    assert.match(String(res.headers['request-id']), /^req_beta_\d+$/);
    assert.equal(res.error, undefined);
    assert.match(res.text, /^event: message_start\ndata: \{.*\}\n\n/);
    const events = parseSse(res.text);
    assert.deepEqual(events.map((event) => event.event), STREAM_ORDER);
    assert.ok(res.text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
    const start = events[0]?.data as { message: { usage: Record<string, number>; content: unknown[] } };
    assert.deepEqual(start.message.content, []);
    assert.equal(start.message.usage.output_tokens, 1);
    assert.ok((start.message.usage.input_tokens ?? 0) > 0);
    const delta = events.at(-2)?.data;
    assert.deepEqual(delta, {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: Math.ceil(DEFAULT_TEXT.length / 4) },
    });
  });

  it('records every request in order, with path, headers, parsed body and completion', async () => {
    sim.reset();
    const body = messagesBody({ metadata: { user_id: 'u' } });
    await exchange(sim.url, { path: '/v1/messages?beta=true', headers: auth, body });
    await exchange(sim.url, { method: 'GET', path: '/v1/models', headers: auth });
    await sim.waitFor((s) => s.requests.every((request) => request.completed), 2_000);
    const [first, second] = sim.requests;
    assert.equal(sim.requests.length, 2);
    assert.equal(first?.method, 'POST');
    assert.equal(first?.path, '/v1/messages?beta=true');
    assert.equal(first?.headers['x-api-key'], KEY);
    assert.deepEqual(first?.body, body);
    assert.equal(first?.rawBodyBytes, Buffer.byteLength(JSON.stringify(body)));
    assert.equal(first?.aborted, false);
    assert.equal(second?.path, '/v1/models');
    assert.ok((second?.receivedAt ?? 0) >= (first?.receivedAt ?? Infinity));
  });

  it('answers count_tokens, models, HEAD / and 404 for anything else', async () => {
    const count = await exchange(sim.url, { path: '/v1/messages/count_tokens', headers: auth, body: messagesBody() });
    assert.deepEqual(JSON.parse(count.text), { input_tokens: Math.ceil(JSON.stringify(messagesBody()).length / 4) });
    const models = await exchange(sim.url, { method: 'GET', path: '/v1/models', headers: auth });
    const list = JSON.parse(models.text) as { data: { id: string; type: string }[]; has_more: boolean };
    assert.ok(list.data.length > 0 && list.data.every((model) => model.type === 'model'));
    assert.equal(list.has_more, false);
    const head = await exchange(sim.url, { method: 'HEAD', path: '/' });
    assert.equal(head.status, 200);
    assert.equal(head.bytes.length, 0);
    const missing = await exchange(sim.url, { method: 'GET', path: '/v1/nothing', headers: auth });
    assert.equal(missing.status, 404);
    assert.equal((JSON.parse(missing.text) as { error: { type: string } }).error.type, 'not_found_error');
  });

  it('wants the key in x-api-key when so configured, and says so in Anthropic shape', async () => {
    const bearer = await exchange(sim.url, { headers: { authorization: `Bearer ${KEY}` }, body: messagesBody() });
    assert.equal(bearer.status, 401);
    assert.deepEqual(JSON.parse(bearer.text), {
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
  });

  it('lets a reply function echo something from the request', async () => {
    const echo = await startSimulator({
      replyText: (request) => `code ${(request.body as { metadata?: { code?: string } }).metadata?.code ?? 'none'}`,
    });
    try {
      const res = await exchange(echo.url, { body: messagesBody({ metadata: { code: 'K7Q2' } }) });
      assert.equal((JSON.parse(res.text) as { content: { text: string }[] }).content[0]?.text, 'code K7Q2');
    } finally {
      await echo.close();
    }
  });
});

describe('simulator lifecycle', () => {
  it('refuses connections while stopped and serves again on the same port after start', async () => {
    const sim = await startSimulator({ name: 'phoenix' });
    // A new pool, so a new connection, for each request: connections kept alive across stop() are the next test's.
    const pools: Agent[] = [];
    const send = (): ReturnType<typeof exchange> => {
      const pool = new Agent();
      pools.push(pool);
      return exchange(sim.url, { body: messagesBody(), dispatcher: pool });
    };
    try {
      const port = sim.port;
      assert.equal((await send()).status, 200);
      await sim.stop();
      assert.equal((await failure(send())).code, 'ECONNREFUSED');
      await sim.start();
      assert.equal(sim.port, port);
      assert.equal((await send()).status, 200);
      assert.equal(sim.requests.length, 2, 'state survives stop/start; the refused attempt never arrived');
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
      await sim.close();
    }
  });

  it('lets a stream in flight finish after stop, then resets the next request on that connection', async () => {
    const sim = await startSimulator({ eventGapMs: 30 });
    const pool = new Agent({ connections: 1 });
    try {
      let stopped: Promise<void> | undefined;
      const inFlight = await exchange(sim.url, {
        body: messagesBody({ stream: true }),
        dispatcher: pool,
        onChunk: () => (stopped ??= sim.stop()),
      });
      await stopped;
      assert.equal(inFlight.error, undefined);
      assert.equal(parseSse(inFlight.text).at(-1)?.event, 'message_stop');
      const error = await failure(exchange(sim.url, { body: messagesBody(), dispatcher: pool }));
      assert.equal(error.code, 'ECONNRESET');
      assert.equal(sim.requests.length, 1);
    } finally {
      await pool.close();
      await sim.close();
    }
  });

  it('marks a request aborted when the client leaves mid-stream', async () => {
    const sim = await startSimulator({ eventGapMs: 100 });
    try {
      const controller = new AbortController();
      const error = await failure(
        exchange(sim.url, { body: messagesBody({ stream: true }), signal: controller.signal, onChunk: () => controller.abort() }).then(
          (res) => {
            if (res.error) throw res.error;
          },
        ),
      );
      assert.equal(error.name, 'AbortError');
      await sim.waitFor((s) => s.requests[0]?.aborted === true, 2_000);
      assert.equal(sim.requests[0]?.completed, false);
    } finally {
      await sim.close();
    }
  });

  it('does not take its own fault teardown for a client abort, and reset() forgets requests', async () => {
    const sim = await startSimulator();
    try {
      sim.fault({ kind: 'reset' }, { times: 1 });
      await failure(exchange(sim.url, { body: messagesBody() }));
      // Give a wrongly counted abort time to show up.
      await assert.rejects(sim.waitFor((s) => s.requests[0]?.aborted === true, 200), /not met within 200 ms/);
      assert.equal(sim.requests.length, 1);
      assert.equal(sim.requests[0]?.completed, false);
      sim.reset();
      assert.equal(sim.requests.length, 0);
      assert.equal((await exchange(sim.url, { body: messagesBody() })).status, 200);
      assert.equal(sim.requests.length, 1);
    } finally {
      await sim.close();
    }
  });
});
