import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, type BenchOptions } from '../../src/bench/options.js';
import type { RssFigures, Round, TargetRound } from '../../src/bench/schedule.js';
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

function round(direct: number, passthrough: number, qcc: number, passRssKb = 100_000, qccRssKb = 110_000): Round {
  return {
    order: ['direct', 'passthrough', 'qcc'],
    targets: { direct: figures(direct), passthrough: figures(passthrough, passRssKb), qcc: figures(qcc, qccRssKb) },
  };
}

const check = (summary: ReturnType<typeof summarize>, start: string) => {
  const found = summary.checks.find((entry) => entry.name.startsWith(start));
  assert.ok(found, `a check named ${start}…`);
  return found;
};

/** One start of both proxies: RSS idle and with the streams open, in KB. */
function start(idle: [number, number], open: [number, number], opened = options.streams): Record<'passthrough' | 'qcc', RssFigures> {
  return {
    passthrough: { idleKb: idle[0], openKb: open[0], open: opened },
    qcc: { idleKb: idle[1], openKb: open[1], open: opened },
  };
}

describe('bench summary', () => {
  it('takes the RSS after start as the median of the starts, so that one unlucky start does not decide', () => {
    const rounds = [round(1, 1.4, 1.6)];
    const starts = [
      start([75_000, 94_000], [97_000, 121_000]),
      start([74_000, 83_000], [96_000, 104_000]),
      start([76_000, 84_000], [98_000, 105_000]),
    ];
    const summary = summarize(rounds, starts, options);
    assert.equal(summary.targets.qcc.rssIdleKb, 84_000);
    assert.equal(summary.targets.passthrough.rssIdleKb, 75_000);
    assert.equal(summary.targets.qcc.rssOpenKb, 105_000);
    assert.equal(summary.targets.passthrough.rssOpenKb, 97_000);
    const idle = check(summary, 'RSS idle');
    assert.equal(idle.pass, true);
    assert.match(idle.detail, /median of 3 starts/);
    const open = check(summary, 'RSS with 256 open streams');
    assert.equal(open.pass, true);
    assert.match(open.detail, /median of 3 starts, no load yet; open: qcc 256, pass-through 256/);
    assert.deepEqual(summary.started, starts, 'every sample is kept for the results file');

    const one = summarize(rounds, [starts[0] as (typeof starts)[0]], options);
    assert.equal(check(one, 'RSS idle').pass, false, 'the unlucky start alone fails: 94 MB is over 1.2 × 75 MB');
    assert.equal(check(one, 'RSS with 256 open streams').pass, false, 'and 121 MB is over 1.2 × 97 MB');
  });

  it('judges the RSS with streams open before any load, and reports the one after load beside it', () => {
    // After load, each process holds what its busiest moment took: 150 MB against 120 MB says nothing of the streams.
    const summary = summarize([round(1, 1.4, 1.6, 120_000, 150_000)], [start([75_000, 82_000], [97_000, 104_000])], options);
    assert.equal(summary.targets.qcc.rssOpenAfterLoadKb, 150_000);
    assert.equal(summary.targets.passthrough.rssOpenAfterLoadKb, 120_000);
    assert.equal(check(summary, 'RSS with 256 open streams').pass, true);
  });

  it('fails the streams check when a start could not open them all', () => {
    const summary = summarize([round(1, 1.4, 1.6)], [start([75_000, 82_000], [97_000, 90_000], 200)], options);
    assert.equal(check(summary, 'RSS with 256 open streams').pass, false);
  });

  it('prints a negative difference over direct with its own sign', () => {
    const summary = summarize([round(1, 0.9, 1.5)], [start([75_000, 80_000], [97_000, 100_000])], options);
    const ttfb = check(summary, 'streaming TTFB added at c=100, p50');
    assert.match(ttfb.detail, /^qcc \+0\.500 ms over direct \(pass-through -0\.100 ms\)$/);
  });

  it('says when the pass-through is over an absolute TTFB limit too, and judges qcc alone', () => {
    // direct 1 ms, pass-through 2.2 ms, qcc 2.1 ms: both add more than 1 ms at the median.
    const both = check(summarize([round(1, 2.2, 2.1)], [start([75_000, 80_000], [97_000, 100_000])], options), 'streaming TTFB added at c=100, p50');
    assert.equal(both.pass, false);
    assert.match(both.detail, /^qcc \+1\.100 ms over direct \(pass-through \+1\.200 ms, over the limit as well\)$/);
    // The pass-through within the limit and qcc over it: nothing is said of the baseline.
    const alone = check(summarize([round(1, 1.8, 2.1)], [start([75_000, 80_000], [97_000, 100_000])], options), 'streaming TTFB added at c=100, p50');
    assert.equal(alone.pass, false);
    assert.match(alone.detail, /^qcc \+1\.100 ms over direct \(pass-through \+0\.800 ms\)$/);
    // p99 (TTFB + 1 ms in these figures) is judged against its own limit of 5 ms.
    assert.equal(check(summarize([round(1, 2.2, 2.1)], [start([75_000, 80_000], [97_000, 100_000])], options), 'streaming TTFB added at c=100, p99').pass, true);
  });
});
