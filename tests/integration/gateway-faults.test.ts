import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointState } from '../../src/core/gateway-status.js';
import type { FailureReason } from '../../src/core/outcome.js';
import type { Simulator } from '../../src/simulator/index.js';
import { anthropicError, assertCompleteMessage, assertCompleteStream, pair, startRawUpstream, withGateway, type HarnessOptions } from '../helpers/gateway-harness.js';
import { messagesBody } from '../helpers/sim-http.js';

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
