import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { assertBrokenStream, assertCompleteMessage, assertCompleteStream, eventNames, pair, sleep, startRawUpstream, withGateway } from '../helpers/gateway-harness.js';
import { messagesBody, parseSse, STREAM_ORDER, type RawExchange } from '../helpers/sim-http.js';

const MESSAGE_START =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x_1","type":"message","role":"assistant",' +
  '"model":"claude-test-1","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n';

describe('gateway: after the commit a broken upstream is never a clean end', () => {
  it('a stream cut mid-way ends with an Anthropic event: error naming the endpoint, and is not retried', async () => {
    await withGateway(pair, async (h) => {
      h.sim('a').fault({ kind: 'cut', afterEvents: 4 }, { times: 1 });
      const res = await h.send({ body: messagesBody({ stream: true }) });
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-qcc-endpoint'], h.id('a'));
      assert.equal(res.headers['x-qcc-attempts'], '1');
      assertBrokenStream(res, h.id('a'), STREAM_ORDER.slice(0, 4));
      assert.deepEqual(h.counts(), { a: 1, b: 0 });

      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'stream-broken');
      assert.equal(record?.endpointId, h.id('a'));
      assert.equal(record?.attempts, 1);
      assert.deepEqual(h.failures.map((event) => event.failure.reason), ['stream-broken']);
      assert.equal(h.endpoint('a').failures, 1);
      assert.notEqual(h.endpoint('a').lastError, null);
    });
  });

  it('a stream that ends without message_stop (drop-stop) gets an event: error instead of a clean end', async () => {
    await withGateway(pair, async (h) => {
      h.sim('a').fault({ kind: 'drop-stop' }, { times: 1 });
      const res = await h.send({ body: messagesBody({ stream: true }) });
      assert.equal(res.status, 200);
      assertBrokenStream(res, h.id('a'), STREAM_ORDER.slice(0, -1));
      assert.deepEqual(h.counts(), { a: 1, b: 0 });
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'stream-broken');
      assert.deepEqual(h.failures.map((event) => event.failure.reason), ['stream-broken']);
    });
  });

  it('an upstream event: error mid-stream reaches the client as sent, and is a failure of the endpoint', async () => {
    const overloaded = await startRawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(MESSAGE_START);
      res.end('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    });
    try {
      await withGateway({ upstreams: [{ name: 'x', baseUrl: overloaded.url }, { name: 'b', priority: 2 }] }, async (h) => {
        const res = await h.send({ body: messagesBody({ stream: true }) });
        assert.equal(res.status, 200);
        assert.deepEqual(eventNames(res.text), ['message_start', 'error'], 'the upstream’s own error event, and no second one');
        assert.equal((parseSse(res.text)[1]?.data as { error: { type: string } }).error.type, 'overloaded_error');
        assert.equal(h.sim('b').requests.length, 0, 'after the commit nothing is retried');
        const [record] = await h.waitForRecords(1);
        assert.equal(record?.outcome, 'stream-broken');
        assert.equal(h.endpoint('x').failures, 1);
        assert.match(String(h.endpoint('x').lastError), /overloaded_error/);
      });
    } finally {
      await overloaded.close();
    }
  });

  it('a gzip stream that ends without message_stop is cut, since qcc cannot add an event to it', async () => {
    const relay = await startRawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      res.end(gzipSync(MESSAGE_START));
    });
    try {
      await withGateway({ upstreams: [{ name: 'x', baseUrl: relay.url }, { name: 'b', priority: 2 }] }, async (h) => {
        const res = await h.send({ body: messagesBody({ stream: true }), headers: { 'accept-encoding': 'gzip' } });
        assert.equal(res.headers['content-encoding'], 'gzip');
        assert.ok(res.error !== undefined, 'the connection must be cut, not ended as if complete');
        const [record] = await h.waitForRecords(1);
        assert.equal(record?.outcome, 'stream-broken');
        assert.equal(h.endpoint('x').failures, 1);
      });
    } finally {
      await relay.close();
    }
  });

  it('drop-stop on a non-streaming request is the normal answer', async () => {
    await withGateway(pair, async (h) => {
      h.sim('a').fault({ kind: 'drop-stop' }, { times: 1 });
      const res = await h.send({ body: messagesBody() });
      assertCompleteMessage(res, 'a');
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'ok');
    });
  });

  it('a JSON body cut in half never reaches the client as a complete answer', async () => {
    await withGateway(pair, async (h) => {
      h.sim('a').fault({ kind: 'cut', afterEvents: 0 }, { times: 1 });
      const res = await h.send({ body: messagesBody() });
      if (res.headers['x-qcc-endpoint'] === h.id('b')) {
        // The cut came before the first byte was committed: the secondary answered instead.
        assertCompleteMessage(res, 'b');
        assert.equal(res.headers['x-qcc-attempts'], '2');
      } else {
        assert.equal(res.headers['x-qcc-endpoint'], h.id('a'));
        assert.ok(res.error !== undefined, 'a truncated JSON body must end in an error, not a clean end');
        assert.throws(() => JSON.parse(res.text) as unknown);
        assert.equal(h.sim('b').requests.length, 0);
      }
      assert.equal(h.sim('a').requests.length, 1);
      const [record] = await h.waitForRecords(1);
      assert.ok(record?.outcome === 'ok' || record?.outcome === 'stream-broken', record?.outcome);
      assert.equal(h.endpoint('a').failures, 1);
    });
  });

  it('a stream that falls silent past proxy.streamIdleTimeoutMs ends with event: error', async () => {
    await withGateway({ ...pair, settings: { proxy: { streamIdleTimeoutMs: 1_000 } } }, async (h) => {
      h.sim('a').fault({ kind: 'slow', gapMs: 4_000 }, { times: 1 });
      const res = await h.send({ body: messagesBody({ stream: true }) });
      assertBrokenStream(res, h.id('a'), STREAM_ORDER.slice(0, 1));
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'stream-broken');
      assert.deepEqual(h.failures.map((event) => event.failure.reason), ['stream-idle-timeout']);
      await h.sim('a').waitFor((sim) => sim.requests[0]?.aborted === true, 2_000);
    });
  });
});

describe('gateway: answers that are slow or encoded pass through whole', () => {
  for (const mode of ['stream', 'json'] as const) {
    it(`slow drip (${mode}) is piped piece by piece, not buffered, and arrives complete`, async () => {
      await withGateway(pair, async (h) => {
        h.sim('a').fault({ kind: 'slow', gapMs: 40 }, { times: 1 });
        const res = await h.send({ body: messagesBody(mode === 'stream' ? { stream: true } : {}) });
        if (mode === 'stream') assertCompleteStream(res, 'a');
        else assertCompleteMessage(res, 'a');
        assert.ok(res.chunkTimes.length >= 3, `arrived in ${res.chunkTimes.length} pieces`);
        assert.equal(res.headers['x-qcc-attempts'], '1');
        assert.deepEqual(h.counts(), { a: 1, b: 0 });
        const [record] = await h.waitForRecords(1);
        assert.equal(record?.outcome, 'ok');
        assert.equal(record?.bytesOut, res.bytes.length);
      });
    });

    it(`gzip (${mode}) goes to the client as the upstream encoded it, and decodes to the whole answer`, async () => {
      await withGateway(pair, async (h) => {
        h.sim('a').fault({ kind: 'gzip' }, { times: 1 });
        const res = await h.send({
          body: messagesBody(mode === 'stream' ? { stream: true } : {}),
          headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
        });
        assert.equal(res.status, 200);
        assert.equal(res.error, undefined);
        assert.equal(res.headers['content-encoding'], 'gzip');
        assert.equal(res.headers['x-qcc-endpoint'], h.id('a'));
        const decoded: RawExchange = { ...res, text: gunzipSync(res.bytes).toString('utf8') };
        if (mode === 'stream') assertCompleteStream(decoded, 'a');
        else assertCompleteMessage(decoded, 'a');
        assert.equal(h.sim('a').requests[0]?.headers['accept-encoding'], 'identity');
        const [record] = await h.waitForRecords(1);
        assert.equal(record?.outcome, 'ok');
      });
    });
  }

  it('an informational 103 before the answer is not taken for the answer', async () => {
    const MESSAGE_END = 'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}\n\n' +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    const hinting = await startRawUpstream((_req, res) => {
      res.writeEarlyHints({ link: '</styles.css>; rel=preload; as=style' });
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(MESSAGE_START + MESSAGE_END);
      }, 50);
    });
    try {
      await withGateway({ upstreams: [{ name: 'x', baseUrl: hinting.url }, { name: 'b', priority: 2 }] }, async (h) => {
        const res = await h.send({ body: messagesBody({ stream: true }) });
        assert.equal(res.status, 200);
        assert.equal(res.error, undefined);
        assert.equal(res.headers['x-qcc-endpoint'], h.id('x'));
        assert.deepEqual(eventNames(res.text), ['message_start', 'message_delta', 'message_stop']);
        const [record] = await h.waitForRecords(1);
        assert.equal(record?.outcome, 'ok');
        assert.equal(record?.outputTokens, 3);
        assert.equal(h.sim('b').requests.length, 0);
      });
    } finally {
      await hinting.close();
    }
  });
});

describe('gateway: backpressure', () => {
  it('a client that does not read holds the upstream back: the gateway does not buffer the answer', async () => {
    // 16 MiB: more than the loopback socket buffers between the three of them can hold.
    const replyText = 'x'.repeat(16 * 1024 * 1024);
    await withGateway({ upstreams: [{ name: 'a', sim: { replyText, chunks: 1_000 } }] }, async (h) => {
      const res = await request(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(messagesBody({ stream: true })),
        dispatcher: h.client,
        headersTimeout: 5_000,
        bodyTimeout: 10_000,
      });
      assert.equal(res.statusCode, 200);
      await sleep(1_000);
      assert.equal(h.sim('a').requests[0]?.completed, false, 'the upstream finished although the client read nothing');
      const text = await res.body.text();
      assert.ok(text.length > replyText.length);
      assert.ok(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
      await h.sim('a').waitFor((sim) => sim.requests[0]?.completed === true, 2_000);
    });
  });
});

