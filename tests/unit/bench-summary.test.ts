import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, type BenchOptions } from '../../src/bench/options.js';
import type { Round, TargetRound } from '../../src/bench/schedule.js';
import { summarize } from '../../src/bench/summary.js';

const options = parseOptions([], {}) as BenchOptions;

/** One target's figures in a round: every figure the same except those given. */
function figures(ttfbP50Ms: number, rssKb?: number): TargetRound {
  const json = { requests: 100, errors: 0, rps: 1000, cpuMsPerRequest: 0.2, p50Ms: 1, p99Ms: 2 };
  return {
    c1: json,
    cN: json,
    stream: { requests: 100, errors: 0, rps: 120, cpuMsPerRequest: 2, ttfbP50Ms, ttfbP99Ms: ttfbP50Ms + 1, gapMeanMs: 20, gapP99Ms: 21, bunchedPercent: 0 },
    ...(rssKb === undefined ? {} : { rss: { idleKb: rssKb, openKb: rssKb, open: options.streams } }),
  };
}

function round(direct: number, passthrough: number, qcc: number): Round {
  return {
    order: ['direct', 'passthrough', 'qcc'],
    targets: { direct: figures(direct), passthrough: figures(passthrough, 100_000), qcc: figures(qcc, 110_000) },
  };
}

const check = (summary: ReturnType<typeof summarize>, start: string) => {
  const found = summary.checks.find((entry) => entry.name.startsWith(start));
  assert.ok(found, `a check named ${start}…`);
  return found;
};

describe('bench summary', () => {
  it('takes the RSS just after start as the median of the starts, so that one unlucky start does not decide', () => {
    const rounds = [round(1, 1.4, 1.6)];
    const starts = [
      { passthrough: 75_000, qcc: 94_000 },
      { passthrough: 74_000, qcc: 83_000 },
      { passthrough: 76_000, qcc: 84_000 },
    ];
    const summary = summarize(rounds, starts, options);
    assert.equal(summary.targets.qcc.rssIdleKb, 84_000);
    assert.equal(summary.targets.passthrough.rssIdleKb, 75_000);
    const idle = check(summary, 'RSS idle');
    assert.equal(idle.pass, true);
    assert.match(idle.detail, /median of 3 starts/);
    assert.deepEqual(summary.idleStarted, starts, 'every sample is kept for the results file');

    const one = check(summarize(rounds, [starts[0] as (typeof starts)[0]], options), 'RSS idle');
    assert.equal(one.pass, false, 'the unlucky start alone fails: 94 MB is over 1.2 × 75 MB');
  });

  it('prints a negative difference over direct with its own sign', () => {
    const summary = summarize([round(1, 0.9, 1.5)], [{ passthrough: 75_000, qcc: 80_000 }], options);
    const ttfb = check(summary, 'streaming TTFB added at c=100, p50');
    assert.match(ttfb.detail, /^qcc \+0\.500 ms over direct \(pass-through -0\.100 ms\)$/);
  });
});
