import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EndpointState } from '../../src/core/gateway-status.js';
import type { FailureReason } from '../../src/core/outcome.js';
import type { Simulator } from '../../src/simulator/index.js';
import { anthropicError, startRawUpstream, withGateway, type HarnessOptions } from '../helpers/gateway-harness.js';
import { messagesBody, parseSse, STREAM_ORDER, type RawExchange } from '../helpers/sim-http.js';

/** A primary that misbehaves and a secondary that answers: every fault must end on the secondary, in one request. */
const pair: HarnessOptions = {
  upstreams: [{ name: 'a', priority: 1 }, { name: 'b', priority: 2 }],
};

const MESSAGE_START =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x_1","type":"message","role":"assistant",' +
  '"model":"claude-test-1","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n';

const eventNames = (text: string): string[] => parseSse(text).map((event) => event.event);

function assertCompleteStream(res: RawExchange, from: string): void {
  assert.equal(res.error, undefined, `the stream ended in ${String(res.error?.code)}`);
  assert.deepEqual(eventNames(res.text), STREAM_ORDER);
  const start = parseSse(res.text)[0]?.data as { message: { id: string } };
  assert.match(start.message.id, new RegExp(`^msg_${from}_`));
}

function assertCompleteMessage(res: RawExchange, from: string): void {
  assert.equal(res.error, undefined);
  const message = JSON.parse(res.text) as { type: string; id: string; stop_reason: string };
  assert.equal(message.type, 'message');
  assert.equal(message.stop_reason, 'end_turn');
  assert.match(message.id, new RegExp(`^msg_${from}_`));
}

/** A stream that broke after its commit: what arrived is a prefix of the real order, then an `event: error`. */
function assertBrokenStream(res: RawExchange, endpointId: string, before: readonly string[]): void {
  const events = parseSse(res.text);
  assert.deepEqual(events.map((event) => event.event), [...before, 'error'], res.text);
  assert.ok(!res.text.includes('event: message_stop'), 'a broken stream must never carry message_stop');
  const error = events.at(-1)?.data as { type: string; error: { type: string; message: string } };
  assert.equal(error.type, 'error');
  assert.equal(error.error.type, 'api_error');
  assert.ok(error.error.message.includes(endpointId), `the error names the endpoint: ${error.error.message}`);
}

interface RetriableFault {
  readonly name: string;
  readonly inject: (sim: Simulator) => Promise<void> | void;
  readonly reason: FailureReason;
  /** Requests the primary recorded (0 when the connection never carried one). */
  readonly primarySaw: number;
  /** The primary's state after the one failure. */
  readonly state: EndpointState;
  readonly settings?: HarnessOptions['settings'];
  /** The request to the primary was aborted by the gateway (a timeout). */
  readonly aborted?: boolean;
  readonly modes?: readonly ('stream' | 'json')[];
}

const retriable: readonly RetriableFault[] = [
  {
    name: 'refuse (reset on accept)',
    inject: (sim) => sim.fault({ kind: 'refuse' }, { times: 1 }),
    reason: 'connection-reset',
    primarySaw: 0,
    state: 'closed',
  },
  { name: 'stopped upstream (ECONNREFUSED)', inject: (sim) => sim.stop(), reason: 'connect-refused', primarySaw: 0, state: 'closed' },
  { name: 'reset mid-request', inject: (sim) => sim.fault({ kind: 'reset' }, { times: 1 }), reason: 'connection-reset', primarySaw: 1, state: 'closed' },
  ...[500, 502, 503].map(
    (status): RetriableFault => ({
      name: `HTTP ${status}`,
      inject: (sim) => sim.fault({ kind: 'status', status }, { times: 1 }),
      reason: 'status-5xx',
      primarySaw: 1,
      state: 'closed',
    }),
  ),
  { name: 'HTTP 529', inject: (sim) => sim.fault({ kind: 'status', status: 529 }, { times: 1 }), reason: 'overloaded', primarySaw: 1, state: 'closed' },
  {
    name: 'HTTP 429 with Retry-After',
    inject: (sim) => sim.fault({ kind: 'status', status: 429, retryAfter: '30' }, { times: 1 }),
    reason: 'rate-limited',
    primarySaw: 1,
    state: 'cooling',
  },
  { name: 'HTTP 401', inject: (sim) => sim.fault({ kind: 'status', status: 401 }, { times: 1 }), reason: 'auth', primarySaw: 1, state: 'open' },
  { name: 'HTTP 403', inject: (sim) => sim.fault({ kind: 'status', status: 403 }, { times: 1 }), reason: 'auth', primarySaw: 1, state: 'open' },
  {
    name: 'hang before headers',
    inject: (sim) => sim.fault({ kind: 'hang' }, { times: 1 }),
    reason: 'first-byte-timeout',
    primarySaw: 1,
    state: 'closed',
    aborted: true,
    settings: { proxy: { firstByteTimeoutMs: 300, responseTimeoutMs: 300 } },
    modes: ['stream'],
  },
  {
    name: 'hang before headers',
    inject: (sim) => sim.fault({ kind: 'hang' }, { times: 1 }),
    reason: 'response-timeout',
    primarySaw: 1,
    state: 'closed',
    aborted: true,
    settings: { proxy: { firstByteTimeoutMs: 300, responseTimeoutMs: 300 } },
    modes: ['json'],
  },
  {
    name: 'event: error as the first event',
    inject: (sim) => sim.fault({ kind: 'error-event' }, { times: 1 }),
    reason: 'stream-error-event',
    primarySaw: 1,
    state: 'closed',
  },
  {
    name: 'stream cut before its first event',
    inject: (sim) => sim.fault({ kind: 'cut', afterEvents: 0 }, { times: 1 }),
    reason: 'connection-reset',
    primarySaw: 1,
    state: 'closed',
    modes: ['stream'],
  },
  {
    name: '"200" JSON whose body is not JSON',
    inject: (sim) => sim.fault({ kind: 'status', status: 200, body: 'OK' }, { times: 1 }),
    reason: 'not-anthropic',
    primarySaw: 1,
    state: 'closed',
  },
  {
    name: '"200" JSON whose body is blank',
    inject: (sim) => sim.fault({ kind: 'status', status: 200, body: ' \n ' }, { times: 1 }),
    reason: 'empty-body',
    primarySaw: 1,
    state: 'closed',
  },
  {
    name: 'HTTP 302 (a wrong base URL, not a bad request)',
    inject: (sim) => sim.fault({ kind: 'status', status: 302 }, { times: 1 }),
    reason: 'unexpected-status',
    primarySaw: 1,
    state: 'closed',
  },
  { name: 'HTTP 402 (the account ran dry)', inject: (sim) => sim.fault({ kind: 'status', status: 402 }, { times: 1 }), reason: 'payment-required', primarySaw: 1, state: 'open' },
  { name: 'HTTP 408', inject: (sim) => sim.fault({ kind: 'status', status: 408 }, { times: 1 }), reason: 'request-timeout', primarySaw: 1, state: 'closed' },
  { name: 'HTTP 504', inject: (sim) => sim.fault({ kind: 'status', status: 504 }, { times: 1 }), reason: 'status-5xx', primarySaw: 1, state: 'closed' },
  { name: 'HTML "200"', inject: (sim) => sim.fault({ kind: 'html' }, { times: 1 }), reason: 'not-anthropic', primarySaw: 1, state: 'closed' },
  { name: 'empty 200', inject: (sim) => sim.fault({ kind: 'empty' }, { times: 1 }), reason: 'empty-body', primarySaw: 1, state: 'closed' },
];

describe('gateway: a fault before the commit moves the request to the next endpoint', () => {
  for (const fault of retriable) {
    for (const mode of fault.modes ?? (['stream', 'json'] as const)) {
      it(`${fault.name} (${mode}): the secondary answers in the same request, the primary got one attempt`, async () => {
        await withGateway({ ...pair, ...(fault.settings ? { settings: fault.settings } : {}) }, async (h) => {
          const a = h.sim('a');
          await fault.inject(a);
          const res = await h.send({ body: messagesBody(mode === 'stream' ? { stream: true } : {}) });

          assert.equal(res.status, 200);
          assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
          assert.equal(res.headers['x-qcc-attempts'], '2');
          assert.equal(res.headers['x-sim-name'], 'b');
          if (mode === 'stream') assertCompleteStream(res, 'b');
          else assertCompleteMessage(res, 'b');

          assert.equal(a.requests.length, fault.primarySaw, 'requests the primary recorded');
          if (fault.name.startsWith('refuse')) assert.equal(a.refusedConnections, 1);
          assert.equal(h.sim('b').requests.length, 1);
          if (fault.aborted) await a.waitFor((sim) => sim.requests[0]?.aborted === true, 2_000);

          const [record] = await h.waitForRecords(1);
          assert.equal(record?.outcome, 'ok');
          assert.equal(record?.endpointId, h.id('b'));
          assert.equal(record?.attempts, 2);
          assert.equal(record?.status, 200);
          assert.deepEqual(
            h.failures.map((event) => [event.route.id, event.attempt, event.failure.reason]),
            [[h.id('a'), 1, fault.reason]],
          );
          assert.equal(h.endpoint('a').state, fault.state);
          assert.equal(h.endpoint('a').failures, 1);
          assert.equal(h.endpoint('b').state, 'closed');
          assert.equal(h.gateway.status().requests.retries, 1);
          assert.equal(h.endpoint('a').inflight, 0);
          assert.equal(h.endpoint('b').inflight, 0);
          assert.equal(h.gateway.inflight, 0);
        });
      });
    }
  }
});

describe('gateway: faults on a connection the gateway keeps alive', () => {
  it('a request reset on a kept-alive connection moves to the next endpoint', async () => {
    await withGateway(pair, async (h) => {
      assert.equal((await h.send({ body: messagesBody() })).headers['x-qcc-endpoint'], h.id('a'));
      h.sim('a').fault({ kind: 'refuse' }, { times: 1 });
      const res = await h.send({ body: messagesBody({ stream: true }) });
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
      assert.equal(res.headers['x-qcc-attempts'], '2');
      assertCompleteStream(res, 'b');
      assert.equal(h.sim('a').refusedConnections, 1);
      assert.deepEqual(h.counts(), { a: 2, b: 1 }, 'the refused request was recorded on the kept-alive connection');
      assert.equal(h.sim('a').requests[1]?.fault?.kind, 'refuse');
    });
  });
});

describe('gateway: a stream whose headers come but whose first event does not', () => {
  it('fails over within proxy.firstByteTimeoutMs: the timeout runs to the first event, not the headers', async () => {
    const silent = await startRawUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    });
    try {
      await withGateway(
        { upstreams: [{ name: 'silent', baseUrl: silent.url }, { name: 'b', priority: 2 }], settings: { proxy: { firstByteTimeoutMs: 300 } } },
        async (h) => {
          const res = await h.send({ body: messagesBody({ stream: true }) });
          assertCompleteStream(res, 'b');
          assert.equal(res.headers['x-qcc-attempts'], '2');
          assert.equal(silent.handled, 1);
          assert.deepEqual(h.failures.map((event) => [h.nameOf(event.route.id), event.failure.reason]), [['silent', 'first-byte-timeout']]);
        },
      );
    } finally {
      await silent.close();
    }
  });
});

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
});

describe('gateway: when every endpoint fails', () => {
  it('the last upstream answer is relayed, with the attempts it took', async () => {
    await withGateway(pair, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 500 });
      h.sim('b').fault({ kind: 'status', status: 503 });
      const res = await h.send({ body: messagesBody({ stream: true }) });
      assert.equal(res.status, 503);
      assert.equal(res.headers['x-qcc-attempts'], '2');
      assert.equal(res.headers['x-sim-name'], 'b');
      assert.equal(res.headers['x-qcc-error'], undefined, 'an upstream answer is not qcc error');
      assert.equal(anthropicError(res.text).type, 'api_error');
      assert.deepEqual(h.counts(), { a: 1, b: 1 });
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'failed');
      assert.equal(record?.attempts, 2);
    });
  });

  it('no answer at all gives qcc own 502 with x-qcc-error', async () => {
    await withGateway(pair, async (h) => {
      await h.sim('a').stop();
      await h.sim('b').stop();
      const res = await h.send({ body: messagesBody() });
      assert.equal(res.status, 502);
      assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_UPSTREAM_FAILED');
      assert.equal(anthropicError(res.text).type, 'api_error');
      assert.deepEqual(h.failures.map((event) => event.failure.reason), ['connect-refused', 'connect-refused']);
    });
  });
});
