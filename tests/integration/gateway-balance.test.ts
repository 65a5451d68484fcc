import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withGateway, type GatewayHarness, type HarnessOptions } from '../helpers/gateway-harness.js';
import { messagesBody, type RawExchange } from '../helpers/sim-http.js';

/** Sends `count` requests, `concurrency` at a time; every one must succeed. */
async function sendMany(h: GatewayHarness, count: number, concurrency = 1, headers: Record<string, string> = {}): Promise<RawExchange[]> {
  const results: RawExchange[] = [];
  for (let sent = 0; sent < count; sent += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - sent) }, () => h.send({ body: messagesBody(), headers }));
    for (const res of await Promise.all(batch)) {
      assert.equal(res.status, 200, res.text);
      results.push(res);
    }
  }
  return results;
}

const servedBy = (h: GatewayHarness, results: readonly RawExchange[]): string[] =>
  results.map((res) => h.nameOf(res.headers['x-qcc-endpoint']));

describe('gateway: strategies inside a tier', () => {
  it('weighted: 1000 requests over weights 100/300 land within ±5 % of 25/75 %', async () => {
    await withGateway(
      { upstreams: [{ name: 'a', weight: 100 }, { name: 'b', weight: 300 }], settings: { loadbalancer: { strategy: 'weighted' } } },
      async (h) => {
        await sendMany(h, 1_000, 20);
        const { a = 0, b = 0 } = h.counts();
        assert.equal(a + b, 1_000);
        assert.ok(a >= 200 && a <= 300, `a got ${a} of 1000`);
        assert.ok(b >= 700 && b <= 800, `b got ${b} of 1000`);
      },
    );
  });

  it('weighted is the default, and spreads the picks out rather than bunching them', async () => {
    await withGateway({ upstreams: [{ name: 'a', weight: 100 }, { name: 'b', weight: 300 }] }, async (h) => {
      assert.equal(h.gateway.status().strategy, 'weighted');
      const order = servedBy(h, await sendMany(h, 8));
      assert.deepEqual(order.filter((name) => name === 'a').length, 2);
      assert.ok(!order.join('').includes('aa'), `two picks of the light endpoint in a row: ${order.join('')}`);
    });
  });

  it('round-robin alternates', async () => {
    await withGateway(
      { upstreams: [{ name: 'a', weight: 100 }, { name: 'b', weight: 900 }], settings: { loadbalancer: { strategy: 'round-robin' } } },
      async (h) => {
        assert.deepEqual(servedBy(h, await sendMany(h, 6)), ['a', 'b', 'a', 'b', 'a', 'b']);
      },
    );
  });

  it('random spreads the traffic over the tier by weight', async () => {
    await withGateway(
      { upstreams: [{ name: 'a' }, { name: 'b' }], settings: { loadbalancer: { strategy: 'random' } } },
      async (h) => {
        await sendMany(h, 200, 10);
        const { a = 0, b = 0 } = h.counts();
        assert.ok(a > 50 && b > 50, `a ${a}, b ${b}`);
      },
    );
  });

  it('least-inflight prefers the idle endpoint while the other one streams', async () => {
    await withGateway(
      {
        upstreams: [{ name: 'a', sim: { eventGapMs: 80 } }, { name: 'b' }],
        settings: { loadbalancer: { strategy: 'least-inflight' } },
      },
      async (h) => {
        const long = h.send({ body: messagesBody({ stream: true }) });
        await h.sim('a').waitFor((sim) => sim.requests.length === 1, 2_000);
        await h.waitFor(() => h.endpoint('a').inflight === 1, 2_000, 'a to count its stream');
        const during = await sendMany(h, 4);
        assert.deepEqual(servedBy(h, during), ['b', 'b', 'b', 'b']);
        assert.equal((await long).headers['x-qcc-endpoint'], h.id('a'));
        await h.waitFor(() => h.endpoint('a').inflight === 0, 2_000, 'a to be idle');
        const after = servedBy(h, await sendMany(h, 2));
        assert.ok(after.includes('a'), `an idle a is picked again: ${after.join(',')}`);
      },
    );
  });

  it('least-latency tries each endpoint once, then prefers the faster', async () => {
    await withGateway(
      {
        upstreams: [{ name: 'a', sim: { latencyMs: 150 } }, { name: 'b' }],
        settings: { loadbalancer: { strategy: 'least-latency' } },
      },
      async (h) => {
        const order = servedBy(h, await sendMany(h, 6));
        assert.deepEqual(order.slice(0, 2).sort(), ['a', 'b'], 'each unmeasured endpoint is tried once');
        assert.deepEqual(order.slice(2), ['b', 'b', 'b', 'b']);
      },
    );
  });

  it('80 concurrent streams over two endpoints all complete, and nothing stays in flight', async () => {
    await withGateway({ upstreams: [{ name: 'a', sim: { eventGapMs: 5 } }, { name: 'b', sim: { eventGapMs: 5 } }] }, async (h) => {
      const results = await Promise.all(Array.from({ length: 80 }, () => h.send({ body: messagesBody({ stream: true }) })));
      for (const res of results) {
        assert.equal(res.status, 200);
        assert.equal(res.error, undefined);
        assert.ok(res.text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
      }
      assert.deepEqual(h.counts(), { a: 40, b: 40 });
      const records = await h.waitForRecords(80);
      assert.ok(records.every((record) => record.outcome === 'ok' && record.attempts === 1));
      assert.equal(h.gateway.inflight, 0);
      assert.equal(h.endpoint('a').inflight + h.endpoint('b').inflight, 0);
    });
  });

  it('a disabled endpoint gets no traffic', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b', enabled: false }] }, async (h) => {
      await sendMany(h, 10);
      assert.deepEqual(h.counts(), { a: 10, b: 0 });
      assert.deepEqual(h.gateway.status().endpoints.map((endpoint) => h.nameOf(endpoint.id)), ['a']);
    });
  });
});

describe('gateway: session affinity', () => {
  const session = (id: string): Record<string, string> => ({ 'x-claude-code-session-id': id });

  it('with loadbalancer.sticky, requests of one session stay on one endpoint', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }] }, async (h) => {
      const one = servedBy(h, await sendMany(h, 6, 1, session('session-one')));
      const two = servedBy(h, await sendMany(h, 6, 1, session('session-two')));
      assert.equal(new Set(one).size, 1, `session one moved: ${one.join(',')}`);
      assert.equal(new Set(two).size, 1, `session two moved: ${two.join(',')}`);
      assert.notEqual(one[0], two[0], 'new sessions are still balanced');
    });
  });

  it('reads the session from metadata.user_id when the header is missing', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }] }, async (h) => {
      const userId = JSON.stringify({ device_id: 'dev', account_uuid: '', session_id: '7d1c2b3a-0000-4000-8000-000000000001' });
      const results: RawExchange[] = [];
      for (let i = 0; i < 6; i++) results.push(await h.send({ body: messagesBody({ metadata: { user_id: userId } }) }));
      assert.equal(new Set(servedBy(h, results)).size, 1);
    });
  });

  it('a session moves when its endpoint becomes unavailable, and stays where it moved', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }] }, async (h) => {
      const [home] = servedBy(h, await sendMany(h, 3, 1, session('s')));
      const away = home === 'a' ? 'b' : 'a';
      await h.sim(String(home)).stop();
      const moved = await h.send({ body: messagesBody(), headers: session('s') });
      assert.equal(moved.status, 200);
      assert.equal(h.nameOf(moved.headers['x-qcc-endpoint']), away);
      assert.equal(moved.headers['x-qcc-attempts'], '2');
      await h.sim(String(home)).start();
      const later = servedBy(h, await sendMany(h, 4, 1, session('s')));
      assert.deepEqual(later, [away, away, away, away]);
    });
  });

  it('with sticky off, one session’s requests spread like any others', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }], settings: { loadbalancer: { sticky: false } } }, async (h) => {
      await sendMany(h, 10, 1, session('s'));
      assert.deepEqual(h.counts(), { a: 5, b: 5 });
    });
  });
});

/** Three profiles of one endpoint each, one per priority group. */
const THREE_GROUPS: HarnessOptions = {
  upstreams: [
    { name: 'a', profile: 'first' },
    { name: 'b', profile: 'second' },
    { name: 'c', profile: 'third' },
  ],
  priorityGroups: { primary: ['first'], secondary: ['second'], fallback: ['third'] },
};

describe('gateway: tiers and priority groups', () => {
  it('secondaries get traffic only when every primary is unavailable', async () => {
    await withGateway(
      { upstreams: [{ name: 'a' }, { name: 'b' }, { name: 'c', priority: 2 }], settings: { health: { failureThreshold: 3 } } },
      async (h) => {
        await sendMany(h, 20, 4);
        assert.equal(h.sim('c').requests.length, 0);
        await h.sim('a').stop();
        await sendMany(h, 10);
        assert.equal(h.sim('c').requests.length, 0, 'one primary left is enough');
        await h.sim('b').stop();
        const attempts: string[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await h.send({ body: messagesBody() });
          assert.equal(res.headers['x-qcc-endpoint'], h.id('c'));
          attempts.push(String(res.headers['x-qcc-attempts']));
        }
        assert.equal(attempts.at(-1), '1', `once both primaries are open, c is asked first: ${attempts.join(',')}`);
        assert.equal(h.endpoint('a').state, 'open');
        assert.equal(h.endpoint('b').state, 'open');
      },
    );
  });

  it('priority groups fall through to the next group’s profiles', async () => {
    await withGateway(
      { ...THREE_GROUPS, settings: { health: { failureThreshold: 1 } } },
      async (h) => {
        assert.equal((await h.send({ body: messagesBody() })).headers['x-qcc-endpoint'], h.id('a'));
        await h.sim('a').stop();
        const second = await h.send({ body: messagesBody({ stream: true }) });
        assert.equal(second.headers['x-qcc-endpoint'], h.id('b'));
        await h.sim('b').stop();
        const third = await h.send({ body: messagesBody() });
        assert.equal(third.headers['x-qcc-endpoint'], h.id('c'));
        assert.equal(third.headers['x-qcc-attempts'], '2', 'a is open, b refused, c answered');
        const records = await h.waitForRecords(3);
        assert.deepEqual(records.map((record) => record.profile), ['first', 'second', 'third']);
      },
    );
  });

  it('an active profile in a lower group is served first, and higher groups are not tried', async () => {
    await withGateway(
      { ...THREE_GROUPS, activeProfile: 'second' },
      async (h) => {
        assert.equal((await h.send({ body: messagesBody() })).headers['x-qcc-endpoint'], h.id('b'));
        await h.sim('b').stop();
        assert.equal((await h.send({ body: messagesBody() })).headers['x-qcc-endpoint'], h.id('c'));
        assert.equal(h.sim('a').requests.length, 0);
      },
    );
  });
});
