import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anthropicError, pair, withGateway, type GatewayHarness } from '../helpers/gateway-harness.js';
import { messagesBody } from '../helpers/sim-http.js';

const states = (h: GatewayHarness): Record<string, string> =>
  Object.fromEntries(h.gateway.status().endpoints.map((endpoint) => [h.nameOf(endpoint.id), endpoint.state]));

describe('gateway: client errors are the client’s', () => {
  for (const status of [400, 404, 413, 422]) {
    it(`HTTP ${status} is returned unchanged, tried once, and marks no endpoint`, async () => {
      await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }] }, async (h) => {
        h.sim('a').fault({ kind: 'status', status });
        h.sim('b').fault({ kind: 'status', status });
        for (let i = 0; i < 12; i++) {
          const res = await h.send({ body: messagesBody(i % 2 === 0 ? { stream: true } : {}) });
          assert.equal(res.status, status);
          assert.equal(res.headers['x-qcc-attempts'], '1');
          assert.equal(res.headers['x-qcc-error'], undefined);
          assert.match(String(res.headers['request-id']), /^req_[ab]_\d+$/, 'the upstream answer itself');
          assert.equal(anthropicError(res.text).type, status === 404 ? 'not_found_error' : status === 413 ? 'request_too_large' : 'invalid_request_error');
        }
        assert.equal(h.sim('a').requests.length + h.sim('b').requests.length, 12, 'one attempt per request');
        const records = await h.waitForRecords(12);
        assert.ok(records.every((record) => record.outcome === 'client-error' && record.attempts === 1));
        assert.deepEqual(states(h), { a: 'closed', b: 'closed' });
        assert.deepEqual(h.failures, []);
        for (const name of ['a', 'b']) {
          assert.equal(h.endpoint(name).failures, 0);
          assert.equal(h.endpoint(name).lastError, null);
        }

        h.sim('a').clearFaults();
        h.sim('b').clearFaults();
        const next = await h.send({ body: messagesBody({ stream: true }) });
        assert.equal(next.status, 200);
        assert.equal(next.headers['x-qcc-attempts'], '1');
      });
    });
  }

  it('a client error after a failover is returned as it came, with the attempts it took', async () => {
    await withGateway(pair, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 500 }, { times: 1 });
      h.sim('b').fault({ kind: 'status', status: 422 }, { times: 1 });
      const res = await h.send({ body: messagesBody() });
      assert.equal(res.status, 422);
      assert.equal(res.headers['x-qcc-attempts'], '2');
      assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
      assert.equal(h.endpoint('b').failures, 0);
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'client-error');
    });
  });
});

describe('gateway: passive health', () => {
  for (const status of [401, 403]) {
    it(`HTTP ${status} opens the endpoint’s breaker at once; traffic stops going there`, async () => {
      await withGateway(pair, async (h) => {
        h.sim('a').fault({ kind: 'status', status });
        const first = await h.send({ body: messagesBody() });
        assert.equal(first.status, 200);
        assert.equal(first.headers['x-qcc-endpoint'], h.id('b'));
        assert.equal(h.endpoint('a').state, 'open');
        assert.notEqual(h.endpoint('a').availableAt, null);
        for (let i = 0; i < 5; i++) {
          const res = await h.send({ body: messagesBody() });
          assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
          assert.equal(res.headers['x-qcc-attempts'], '1');
        }
        assert.deepEqual(h.counts(), { a: 1, b: 6 });
      });
    });
  }

  it('a real 401 (the configured key is wrong) is the endpoint’s fault, not the client’s', async () => {
    await withGateway(
      { upstreams: [{ name: 'a', apiKey: 'sk-wrong-key-for-a', simulatorKey: 'sk-right-key-for-a' }, { name: 'b', priority: 2 }] },
      async (h) => {
        const res = await h.send({ body: messagesBody({ stream: true }) });
        assert.equal(res.status, 200);
        assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
        assert.equal(h.sim('a').requests[0]?.headers['x-api-key'], 'sk-wrong-key-for-a');
        assert.equal(h.endpoint('a').state, 'open');
      },
    );
  });

  it('429 cools the endpoint for Retry-After capped by proxy.cooldownMaxMs, without a breaker failure, then takes it back', async () => {
    await withGateway({ ...pair, settings: { proxy: { cooldownMaxMs: 1_000 } } }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 429, retryAfter: '3600' }, { times: 1 });
      const sentAt = Date.now();
      const first = await h.send({ body: messagesBody() });
      assert.equal(first.headers['x-qcc-endpoint'], h.id('b'));
      const cooling = h.endpoint('a');
      assert.equal(cooling.state, 'cooling');
      const until = Date.parse(String(cooling.availableAt));
      assert.ok(until - sentAt <= 1_000 + 500, `cool-down capped at 1 s, ends ${until - sentAt} ms after the request`);
      assert.ok(until > Date.now() - 50);
      assert.equal(cooling.lastError, 'HTTP 429');

      const during = await h.send({ body: messagesBody() });
      assert.equal(during.headers['x-qcc-endpoint'], h.id('b'));
      assert.equal(during.headers['x-qcc-attempts'], '1');
      assert.equal(h.sim('a').requests.length, 1, 'a cooling endpoint gets no traffic');

      await h.waitFor(() => h.endpoint('a').state === 'closed', 3_000, 'the cool-down to end');
      const after = await h.send({ body: messagesBody() });
      assert.equal(after.headers['x-qcc-endpoint'], h.id('a'));
      assert.equal(h.sim('a').requests.length, 2);
    });
  });

  it('429s never open the breaker, however many come', async () => {
    await withGateway({ ...pair, settings: { proxy: { cooldownMaxMs: 1_000 }, health: { failureThreshold: 2 } } }, async (h) => {
      for (let i = 0; i < 3; i++) {
        h.sim('a').fault({ kind: 'status', status: 429, retryAfter: '0' }, { times: 1 });
        const res = await h.send({ body: messagesBody() });
        assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
        assert.notEqual(h.endpoint('a').state, 'open');
      }
      assert.equal(h.sim('a').requests.length, 3);
    });
  });

  it('failureThreshold consecutive 500s open the breaker; after openBaseMs a half-open trial readmits it', async () => {
    await withGateway({ ...pair, settings: { health: { failureThreshold: 3, openBaseMs: 400 } } }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 500 });
      for (let i = 0; i < 3; i++) {
        assert.equal(h.endpoint('a').state, 'closed');
        const res = await h.send({ body: messagesBody() });
        assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
        assert.equal(res.headers['x-qcc-attempts'], '2');
      }
      assert.equal(h.endpoint('a').state, 'open');
      for (let i = 0; i < 3; i++) {
        const res = await h.send({ body: messagesBody() });
        assert.equal(res.headers['x-qcc-attempts'], '1', 'an open endpoint is not tried');
      }
      assert.deepEqual(h.counts(), { a: 3, b: 6 });

      h.sim('a').clearFaults();
      await h.waitFor(() => h.endpoint('a').state === 'half-open', 3_000, 'the breaker to become half-open');
      const trial = await h.send({ body: messagesBody({ stream: true }) });
      assert.equal(trial.headers['x-qcc-endpoint'], h.id('a'), 'the half-open trial goes to the primary');
      assert.equal(h.endpoint('a').state, 'closed', 'successThreshold 1: one good trial closes it');
      const next = await h.send({ body: messagesBody() });
      assert.equal(next.headers['x-qcc-endpoint'], h.id('a'));
    });
  });

  it('a half-open breaker lets one trial through; concurrent requests go elsewhere meanwhile', async () => {
    await withGateway(
      { upstreams: [{ name: 'a', sim: { latencyMs: 600 } }, { name: 'b', priority: 2 }], settings: { health: { failureThreshold: 1, openBaseMs: 300 } } },
      async (h) => {
        h.sim('a').fault({ kind: 'status', status: 500 }, { times: 1 });
        await h.send({ body: messagesBody() });
        await h.waitFor(() => h.endpoint('a').state === 'half-open', 3_000, 'half-open');
        const results = await Promise.all([0, 1, 2, 3].map(() => h.send({ body: messagesBody() })));
        assert.ok(results.every((res) => res.status === 200));
        const served = results.map((res) => h.nameOf(res.headers['x-qcc-endpoint'])).sort();
        assert.deepEqual(served, ['a', 'b', 'b', 'b']);
        assert.equal(h.sim('a').requests.length, 2, 'the first failure and one trial');
        assert.equal(h.endpoint('a').state, 'closed');
      },
    );
  });

  it('a failed half-open trial opens the breaker again for longer (openBaseMs × n)', async () => {
    await withGateway({ ...pair, settings: { health: { failureThreshold: 1, openBaseMs: 300 } } }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 502 });
      await h.send({ body: messagesBody() });
      const first = h.endpoint('a');
      assert.equal(first.state, 'open');
      assert.equal(Date.parse(String(first.availableAt)) - Date.parse(String(first.lastFailureAt)), 300);

      await h.waitFor(() => h.endpoint('a').state === 'half-open', 3_000, 'half-open');
      const trial = await h.send({ body: messagesBody() });
      assert.equal(trial.headers['x-qcc-endpoint'], h.id('b'));
      assert.equal(trial.headers['x-qcc-attempts'], '2');
      const second = h.endpoint('a');
      assert.equal(second.state, 'open');
      assert.equal(Date.parse(String(second.availableAt)) - Date.parse(String(second.lastFailureAt)), 600);
      assert.equal(h.sim('a').requests.length, 2);
    });
  });

  it('a dead endpoint stops getting traffic after failureThreshold failures, in a balanced tier too', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }], settings: { health: { failureThreshold: 3 } } }, async (h) => {
      await h.sim('a').stop();
      for (let i = 0; i < 20; i++) {
        const res = await h.send({ body: messagesBody() });
        assert.equal(res.status, 200);
        assert.equal(res.headers['x-qcc-endpoint'], h.id('b'));
      }
      assert.equal(h.endpoint('a').state, 'open');
      assert.equal(h.failures.length, 3, 'exactly failureThreshold attempts reached the dead endpoint');
      assert.ok(h.failures.every((event) => event.route.id === h.id('a') && event.failure.reason === 'connect-refused'));
    });
  });
});

describe('gateway: bounded work', () => {
  it('proxy.maxAttempts bounds the endpoints tried for one request', async () => {
    const upstreams = ['a', 'b', 'c', 'd'].map((name) => ({ name }));
    await withGateway({ upstreams, settings: { proxy: { maxAttempts: 2 } } }, async (h) => {
      for (const name of ['a', 'b', 'c', 'd']) h.sim(name).fault({ kind: 'status', status: 500 });
      const res = await h.send({ body: messagesBody() });
      assert.equal(res.status, 500);
      assert.equal(res.headers['x-qcc-attempts'], '2');
      const counts = Object.values(h.counts());
      assert.equal(counts.reduce((sum, count) => sum + count, 0), 2);
      assert.ok(counts.every((count) => count <= 1), 'never the same endpoint twice');
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.attempts, 2);
      assert.equal(record?.outcome, 'failed');
    });
  });

  it('a zero retry budget gives the first answer: no second endpoint is asked', async () => {
    await withGateway({ ...pair, settings: { proxy: { retryBudgetPercent: 0, retryBudgetMin: 0 } } }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 500 }, { times: 1 });
      const res = await h.send({ body: messagesBody() });
      assert.equal(res.status, 500);
      assert.equal(res.headers['x-sim-name'], 'a');
      assert.equal(res.headers['x-qcc-attempts'], '1');
      assert.deepEqual(h.counts(), { a: 1, b: 0 });
    });
  });

  it('the retry budget allows retryBudgetMin retries in flight; the requests beyond it fail without a retry', async () => {
    await withGateway(
      {
        upstreams: [{ name: 'a' }, { name: 'b', priority: 2, sim: { latencyMs: 1_000 } }],
        settings: { proxy: { retryBudgetPercent: 0, retryBudgetMin: 1 }, health: { failureThreshold: 10 } },
      },
      async (h) => {
        h.sim('a').fault({ kind: 'status', status: 503 });
        const results = await Promise.all([0, 1, 2].map(() => h.send({ body: messagesBody() })));
        const statuses = results.map((res) => res.status).sort();
        assert.deepEqual(statuses, [200, 503, 503]);
        assert.equal(h.sim('a').requests.length, 3);
        assert.equal(h.sim('b').requests.length, 1, 'one retry in flight at a time');
        for (const res of results.filter((r) => r.status === 503)) assert.equal(res.headers['x-qcc-attempts'], '1');
        assert.equal(h.gateway.status().requests.retries, 1);
      },
    );
  });
});
