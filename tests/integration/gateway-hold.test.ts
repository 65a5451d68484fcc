import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anthropicError, withGateway, type GatewayHarness, type HarnessOptions } from '../helpers/gateway-harness.js';
import { messagesBody, parseSse } from '../helpers/sim-http.js';

/** Two attempts at most: the request that meets both rate limits ends with the last 429 instead of waiting. */
const both: HarnessOptions = { upstreams: [{ name: 'a' }, { name: 'b' }], settings: { proxy: { maxAttempts: 2 } } };

/** Rate-limits both endpoints once; the request that meets both limits (and may try no more) gets the last 429. */
async function coolBoth(h: GatewayHarness, retryAfter: string): Promise<void> {
  h.sim('a').fault({ kind: 'status', status: 429, retryAfter }, { times: 1 });
  h.sim('b').fault({ kind: 'status', status: 429, retryAfter }, { times: 1 });
  const limited = await h.send({ body: messagesBody() });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers['x-qcc-attempts'], '2');
  assert.deepEqual(h.counts(), { a: 1, b: 1 });
  assert.equal(h.endpoint('a').state, 'cooling');
  assert.equal(h.endpoint('b').state, 'cooling');
}

describe('gateway: hold instead of failing (DESIGN §4.8)', () => {
  it('with every endpoint cooling, a request waits without a byte sent and succeeds when the cool-down ends', async () => {
    await withGateway(both, async (h) => {
      await coolBoth(h, '1');
      const availableAt = Math.min(...['a', 'b'].map((name) => Date.parse(String(h.endpoint(name).availableAt))));
      let answered = false;
      const pending = h.send({ body: messagesBody({ stream: true }), headersTimeoutMs: 10_000 }).finally(() => {
        answered = true;
      });
      await h.waitFor(() => h.gateway.status().requests.held === 1, 2_000, 'the request to be held');
      assert.equal(answered, false, 'nothing reaches the client while it is held');
      assert.deepEqual(h.counts(), { a: 1, b: 1 }, 'no upstream is asked while every endpoint cools');

      const res = await pending;
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-qcc-attempts'], '1');
      assert.equal(parseSse(res.text).at(-1)?.event, 'message_stop');
      const served = h.sim(h.nameOf(res.headers['x-qcc-endpoint']));
      const receivedAt = served.requests.at(-1)?.receivedAt ?? 0;
      assert.ok(receivedAt >= availableAt - 20, `asked ${availableAt - receivedAt} ms before the cool-down ended`);
      assert.equal(h.gateway.status().requests.held, 0);
      const records = await h.waitForRecords(2);
      assert.equal(records[1]?.outcome, 'ok');
    });
  });

  it('a request that meets a 429 on every endpoint waits out the cool-down and is served (DESIGN §4.8)', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }] }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 429, retryAfter: '1' }, { times: 1 });
      h.sim('b').fault({ kind: 'status', status: 429, retryAfter: '1' }, { times: 1 });
      const res = await h.send({ body: messagesBody({ stream: true }), headersTimeoutMs: 10_000 });
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-qcc-attempts'], '3');
      assert.equal(parseSse(res.text).at(-1)?.event, 'message_stop');
      assert.equal(h.sim('a').requests.length + h.sim('b').requests.length, 3);
    });
  });

  it('a key refused on the only endpoint is answered at once: waiting would not mend it', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 401 });
      const res = await h.send({ body: messagesBody(), headersTimeoutMs: 10_000 });
      assert.equal(res.status, 401);
      assert.equal(h.gateway.status().requests.held, 0);
      assert.equal(h.sim('a').requests.length, 1);
    });
  });

  it('when nothing becomes available within queue.holdTimeoutMs, the client gets 503 overloaded_error from qcc', async () => {
    await withGateway({ ...both, settings: { proxy: { maxAttempts: 2 }, queue: { holdTimeoutMs: 300 } } }, async (h) => {
      await coolBoth(h, '60');
      const res = await h.send({ body: messagesBody({ stream: true }) });
      assert.equal(res.status, 503);
      assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_NO_ENDPOINT');
      assert.equal(res.headers['content-type'], 'application/json');
      const error = anthropicError(res.text);
      assert.equal(error.type, 'overloaded_error');
      assert.match(error.message, /300 ms/);
      assert.deepEqual(h.counts(), { a: 1, b: 1 });
      const records = await h.waitForRecords(2);
      assert.equal(records[1]?.outcome, 'no-endpoint');
      assert.equal(records[1]?.attempts, 0);
      assert.equal(h.gateway.status().requests.noEndpoint, 1);
    });
  });

  it('with no profile to serve there is nothing to wait for: 503 at once, saying how to fix it', async () => {
    await withGateway({ upstreams: [], settings: { queue: { holdTimeoutMs: 60_000 } } }, async (h) => {
      const sent = h.send({ body: messagesBody() });
      // Answered long before the hold timeout: the test's own time limit would end it otherwise.
      const res = await Promise.race([sent, new Promise<undefined>((resolve) => setTimeout(resolve, 20_000, undefined))]);
      assert.ok(res, 'answered without holding');
      assert.equal(res.status, 503);
      assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_NOTHING_TO_SERVE');
      assert.equal(anthropicError(res.text).type, 'overloaded_error');
      assert.match(anthropicError(res.text).message, /qcc use PROFILE/);
      assert.equal(h.gateway.status().requests.held, 0);
      const records = await h.waitForRecords(1);
      assert.equal(records[0]?.outcome, 'no-endpoint');
    });
  });

  it('an open breaker holds too, and its half-open time wakes the request', async () => {
    await withGateway(
      { upstreams: [{ name: 'a' }], settings: { proxy: { maxAttempts: 1 }, health: { failureThreshold: 1, openBaseMs: 500 } } },
      async (h) => {
        h.sim('a').fault({ kind: 'status', status: 500 }, { times: 1 });
        assert.equal((await h.send({ body: messagesBody() })).status, 500);
        assert.equal(h.endpoint('a').state, 'open');
        const res = await h.send({ body: messagesBody() });
        assert.equal(res.status, 200);
        assert.equal(res.headers['x-qcc-attempts'], '1');
        assert.equal(h.endpoint('a').state, 'closed');
        assert.equal(h.sim('a').requests.length, 2);
      },
    );
  });

  it('a client that leaves while held is recorded as client-closed, and no upstream is asked', async () => {
    await withGateway(both, async (h) => {
      await coolBoth(h, '60');
      const leave = new AbortController();
      const pending = h.send({ body: messagesBody(), signal: leave.signal, headersTimeoutMs: 10_000 });
      await h.waitFor(() => h.gateway.status().requests.held === 1, 2_000, 'the request to be held');
      leave.abort();
      await assert.rejects(pending);
      const records = await h.waitForRecords(2);
      assert.equal(records[1]?.outcome, 'client-closed');
      assert.equal(h.gateway.status().requests.held, 0);
      assert.deepEqual(h.counts(), { a: 1, b: 1 });
    });
  });

  it('a held request gives up with 503 QCC_ERR_DRAINING when the gateway drains', async () => {
    await withGateway(both, async (h) => {
      await coolBoth(h, '60');
      const pending = h.send({ body: messagesBody(), headersTimeoutMs: 10_000 });
      await h.waitFor(() => h.gateway.status().requests.held === 1, 2_000, 'the request to be held');
      const drained = h.gateway.drain(5_000);
      const res = await pending;
      assert.equal(res.status, 503);
      assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_DRAINING');
      assert.equal(anthropicError(res.text).type, 'overloaded_error');
      await drained;
      assert.deepEqual(h.counts(), { a: 1, b: 1 });
    });
  });
});
