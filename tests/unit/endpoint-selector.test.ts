import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EndpointSelector,
  SessionAffinity,
  type SelectableEndpoint,
  type SelectionStrategy,
} from '../../src/core/endpoint-selector.js';

function endpoint(id: string, weight = 100, extra: Partial<SelectableEndpoint> = {}): SelectableEndpoint {
  return { id, weight, inflight: 0, latencyMs: undefined, ...extra };
}

/** A seeded generator (mulberry32), so the random strategy's tests are repeatable. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function selector(strategy: SelectionStrategy, random: () => number = () => 0.5): EndpointSelector {
  return new EndpointSelector({ strategy, random });
}

function picks(chooser: EndpointSelector, tier: readonly SelectableEndpoint[], count: number): string[] {
  return Array.from({ length: count }, () => chooser.pick(tier)?.id ?? '-');
}

function tally(ids: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

function longestRun(ids: readonly string[]): number {
  let longest = 0;
  let run = 0;
  ids.forEach((id, index) => {
    run = index > 0 && ids[index - 1] === id ? run + 1 : 1;
    longest = Math.max(longest, run);
  });
  return longest;
}

describe('EndpointSelector', () => {
  it('returns undefined only for an empty tier', () => {
    for (const strategy of ['weighted', 'round-robin', 'random', 'least-latency', 'least-inflight'] as const) {
      const chooser = selector(strategy);
      assert.equal(chooser.pick([]), undefined, strategy);
      assert.equal(chooser.pick([endpoint('a')])?.id, 'a', strategy);
    }
  });

  describe('weighted (smooth weighted round-robin)', () => {
    it('splits 1000 picks over weights 100/300 exactly 250/750', () => {
      const sequence = picks(selector('weighted'), [endpoint('a', 100), endpoint('b', 300)], 1000);
      assert.deepEqual(tally(sequence), { a: 250, b: 750 });
      assert.ok(longestRun(sequence) <= 3, 'b never runs longer than its share allows');
    });

    it('interleaves as nginx does: 5/1/1 gives a a b a c a a', () => {
      const tier = [endpoint('a', 5), endpoint('b', 1), endpoint('c', 1)];
      const sequence = picks(selector('weighted'), tier, 14);
      assert.deepEqual(sequence, ['a', 'a', 'b', 'a', 'c', 'a', 'a', 'a', 'a', 'b', 'a', 'c', 'a', 'a']);
    });

    it('follows weights that change mid-run', () => {
      const chooser = selector('weighted');
      picks(chooser, [endpoint('a', 100), endpoint('b', 300)], 401);
      const after = tally(picks(chooser, [endpoint('a', 300), endpoint('b', 100)], 400));
      assert.ok(Math.abs((after.a ?? 0) - 300) <= 2, JSON.stringify(after));
      assert.ok(Math.abs((after.b ?? 0) - 100) <= 2, JSON.stringify(after));
    });

    it('keeps its state by id while the candidate set shrinks and grows', () => {
      const chooser = selector('weighted');
      const all = [endpoint('a'), endpoint('b'), endpoint('c')];
      picks(chooser, all, 5);
      const shrunk = picks(chooser, [endpoint('a'), endpoint('c')], 100);
      assert.equal(shrunk.includes('b'), false, 'an absent endpoint is never picked');
      const counts = tally(shrunk);
      assert.ok(Math.abs((counts.a ?? 0) - 50) <= 1 && (counts.a ?? 0) + (counts.c ?? 0) === 100, JSON.stringify(counts));
      const grown = tally(picks(chooser, all, 300));
      for (const id of ['a', 'b', 'c']) assert.ok(Math.abs((grown[id] ?? 0) - 100) <= 2, JSON.stringify(grown));
    });

    it('starts afresh for forgotten endpoints', () => {
      const chooser = selector('weighted');
      const tier = [endpoint('a'), endpoint('b')];
      assert.equal(chooser.pick(tier)?.id, 'a');
      chooser.forget(['a', 'b']);
      assert.equal(chooser.pick(tier)?.id, 'a', 'without forget, b would be next');
    });
  });

  describe('round-robin', () => {
    it('cycles through the tier ignoring weights', () => {
      const tier = [endpoint('a', 1), endpoint('b', 900), endpoint('c', 1)];
      assert.deepEqual(picks(selector('round-robin'), tier, 6), ['a', 'b', 'c', 'a', 'b', 'c']);
    });

    it('skips an absent endpoint and takes it back in turn', () => {
      const chooser = selector('round-robin');
      const all = [endpoint('a'), endpoint('b'), endpoint('c')];
      assert.deepEqual(picks(chooser, all, 2), ['a', 'b']);
      assert.deepEqual(picks(chooser, [endpoint('a'), endpoint('c')], 3), ['c', 'a', 'c']);
      assert.deepEqual(picks(chooser, all, 3), ['b', 'a', 'c']);
    });
  });

  describe('random', () => {
    it('draws by weight with the injected random', () => {
      const tier = [endpoint('a', 100), endpoint('b', 300)];
      assert.equal(selector('random', () => 0.2).pick(tier)?.id, 'a');
      assert.equal(selector('random', () => 0.25).pick(tier)?.id, 'b');
      assert.equal(selector('random', () => 0.999999).pick(tier)?.id, 'b');
    });

    it('lands 1000 picks over 100/300 within ±5 % of 25 %/75 %', () => {
      const counts = tally(picks(selector('random', seeded(42)), [endpoint('a', 100), endpoint('b', 300)], 1000));
      assert.ok(Math.abs((counts.a ?? 0) - 250) <= 50, JSON.stringify(counts));
    });
  });

  describe('least-latency', () => {
    it('tries never-measured endpoints first, spreading them by weight', () => {
      const tier = [endpoint('fast', 100, { latencyMs: 50 }), endpoint('new1'), endpoint('new2')];
      assert.deepEqual(picks(selector('least-latency'), tier, 4), ['new1', 'new2', 'new1', 'new2']);
    });

    it('prefers the lowest average', () => {
      const tier = [endpoint('slow', 900, { latencyMs: 800 }), endpoint('fast', 1, { latencyMs: 120 })];
      assert.deepEqual(picks(selector('least-latency'), tier, 3), ['fast', 'fast', 'fast']);
    });

    it('breaks ties by weighted round-robin', () => {
      const tier = [endpoint('a', 100, { latencyMs: 100 }), endpoint('b', 300, { latencyMs: 100 }), endpoint('c', 100, { latencyMs: 200 })];
      assert.deepEqual(tally(picks(selector('least-latency'), tier, 400)), { a: 100, b: 300 });
    });
  });

  describe('least-inflight', () => {
    it('picks the endpoint with the fewest requests in flight', () => {
      const tier = [endpoint('busy', 1000, { inflight: 5 }), endpoint('idle', 1, { inflight: 1 })];
      assert.deepEqual(picks(selector('least-inflight'), tier, 3), ['idle', 'idle', 'idle']);
    });

    it('breaks ties by weighted round-robin', () => {
      const tier = [endpoint('a', 100, { inflight: 2 }), endpoint('b', 300, { inflight: 2 }), endpoint('c', 100, { inflight: 3 })];
      assert.deepEqual(tally(picks(selector('least-inflight'), tier, 400)), { a: 100, b: 300 });
    });
  });

  it('switches strategy', () => {
    const chooser = selector('weighted');
    chooser.setStrategy('least-inflight');
    assert.equal(chooser.strategy, 'least-inflight');
    assert.equal(chooser.pick([endpoint('a', 100, { inflight: 3 }), endpoint('b', 1)])?.id, 'b');
  });
});

describe('SessionAffinity', () => {
  function affinity(options: { maxEntries?: number; ttlMs?: number } = {}) {
    const clock = { now: 0 };
    return { clock, sessions: new SessionAffinity({ clock: () => clock.now, ...options }) };
  }

  it('remembers, replaces and deletes a session', () => {
    const { sessions } = affinity();
    assert.equal(sessions.get('s1'), undefined);
    sessions.set('s1', 'aaaa0001');
    assert.equal(sessions.get('s1'), 'aaaa0001');
    sessions.set('s1', 'bbbb0002');
    assert.equal(sessions.get('s1'), 'bbbb0002');
    assert.equal(sessions.delete('s1'), true);
    assert.equal(sessions.get('s1'), undefined);
  });

  it('evicts the least recently used session when full', () => {
    const { sessions } = affinity({ maxEntries: 2 });
    sessions.set('s1', 'e1');
    sessions.set('s2', 'e2');
    assert.equal(sessions.get('s1'), 'e1');
    sessions.set('s3', 'e3');
    assert.equal(sessions.size, 2);
    assert.equal(sessions.get('s2'), undefined);
    assert.equal(sessions.get('s1'), 'e1');
    assert.equal(sessions.get('s3'), 'e3');
  });

  it('forgets a session unused for the TTL, and each use extends it', () => {
    const { clock, sessions } = affinity({ ttlMs: 1_000 });
    sessions.set('s1', 'e1');
    sessions.set('s2', 'e2');
    clock.now = 900;
    assert.equal(sessions.get('s1'), 'e1');
    clock.now = 1_000;
    assert.equal(sessions.get('s2'), undefined, 'expired');
    assert.equal(sessions.get('s1'), 'e1', 'the use at 900 extended it');
    clock.now = 3_000;
    sessions.set('s3', 'e3');
    assert.equal(sessions.size, 1, 'expired entries are dropped when a new one is added');
  });

  it('defaults to 10 000 sessions', () => {
    const { sessions } = affinity();
    for (let index = 0; index < 10_050; index += 1) sessions.set(`s${index}`, 'e');
    assert.equal(sessions.size, 10_000);
    assert.equal(sessions.get('s49'), undefined);
    assert.equal(sessions.get('s50'), 'e');
  });

  it('forgets the sessions of removed endpoints', () => {
    const { sessions } = affinity();
    sessions.set('s1', 'gone');
    sessions.set('s2', 'kept');
    sessions.forgetEndpoints(['gone']);
    assert.equal(sessions.get('s1'), undefined);
    assert.equal(sessions.get('s2'), 'kept');
  });
});
