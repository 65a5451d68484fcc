import type { BenchOptions } from './options.js';
import type { RssFigures, Round } from './schedule.js';
import { median } from './stats.js';
import { TARGETS, type ProxyName, type TargetName } from './targets.js';

/** Medians over rounds of one target's figures (NaN where a figure does not apply, e.g. the RSS of `direct`). */
export interface TargetSummary {
  readonly c1P50Ms: number;
  readonly c1P99Ms: number;
  readonly c1Rps: number;
  readonly cNP50Ms: number;
  readonly cNP99Ms: number;
  readonly cNRps: number;
  readonly cNCpuMsPerRequest: number;
  readonly ttfbP50Ms: number;
  readonly ttfbP99Ms: number;
  readonly gapMeanMs: number;
  readonly gapP99Ms: number;
  readonly bunchedPercent: number;
  readonly streamRps: number;
  readonly streamCpuMsPerRequest: number;
  /** Medians over starts, before any load (the targets). */
  readonly rssIdleKb: number;
  readonly rssOpenKb: number;
  /** The fewest streams that were open while `rssOpenKb` was sampled, over the starts. */
  readonly openStreams: number;
  /** Medians over rounds, after each round's load (reported). */
  readonly rssIdleAfterLoadKb: number;
  readonly rssOpenAfterLoadKb: number;
  readonly errors: number;
}

/** Differences to `direct` taken within each round (the targets ran back to back), then the median. */
export interface Added {
  readonly c1P50Ms: number;
  readonly ttfbP50Ms: number;
  readonly ttfbP99Ms: number;
}

export interface Check {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
  /** One of the targets; the others are reported, not judged. */
  readonly target: boolean;
}

export interface Summary {
  readonly targets: Readonly<Record<TargetName, TargetSummary>>;
  readonly added: Readonly<Record<ProxyName, Added>>;
  /** Median over rounds of qcc's c=100 throughput divided by the pass-through's in the same round. */
  readonly throughputRatio: number;
  readonly checks: readonly Check[];
  /** The RSS of each proxy after each start, idle and with streams open (`rssIdleKb`, `rssOpenKb` are their medians). */
  readonly started: readonly Readonly<Record<ProxyName, RssFigures>>[];
}

const fixed = (value: number, digits = 3): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
/** A difference, with its sign either way: `+0.693`, `-0.139`. */
const signed = (value: number): string => (value >= 0 ? `+${fixed(value)}` : fixed(value));
const mb = (kb: number): string => `${fixed(kb / 1024, 1)} MB`;

/** `started`: the RSS of each proxy after a start, before any load, one sample per start. */
export function summarize(rounds: readonly Round[], started: readonly Readonly<Record<ProxyName, RssFigures>>[], options: BenchOptions): Summary {
  const of = (target: TargetName, pick: (round: Round) => number | undefined): number =>
    median(rounds.map((round) => pick(round) ?? Number.NaN));
  const targets = {} as Record<TargetName, TargetSummary>;
  for (const target of TARGETS) {
    const at = (round: Round) => round.targets[target];
    targets[target] = {
      c1P50Ms: of(target, (r) => at(r).c1.p50Ms),
      c1P99Ms: of(target, (r) => at(r).c1.p99Ms),
      c1Rps: of(target, (r) => at(r).c1.rps),
      cNP50Ms: of(target, (r) => at(r).cN.p50Ms),
      cNP99Ms: of(target, (r) => at(r).cN.p99Ms),
      cNRps: of(target, (r) => at(r).cN.rps),
      cNCpuMsPerRequest: of(target, (r) => at(r).cN.cpuMsPerRequest),
      ttfbP50Ms: of(target, (r) => at(r).stream.ttfbP50Ms),
      ttfbP99Ms: of(target, (r) => at(r).stream.ttfbP99Ms),
      gapMeanMs: of(target, (r) => at(r).stream.gapMeanMs),
      gapP99Ms: of(target, (r) => at(r).stream.gapP99Ms),
      bunchedPercent: of(target, (r) => at(r).stream.bunchedPercent),
      streamRps: of(target, (r) => at(r).stream.rps),
      streamCpuMsPerRequest: of(target, (r) => at(r).stream.cpuMsPerRequest),
      rssIdleKb: target === 'direct' ? Number.NaN : median(started.map((sample) => sample[target].idleKb)),
      rssOpenKb: target === 'direct' ? Number.NaN : median(started.map((sample) => sample[target].openKb)),
      openStreams: target === 'direct' ? Number.NaN : Math.min(...started.map((sample) => sample[target].open)),
      rssIdleAfterLoadKb: of(target, (r) => at(r).rss?.idleKb),
      rssOpenAfterLoadKb: of(target, (r) => at(r).rss?.openKb),
      errors: rounds.reduce((sum, r) => sum + at(r).c1.errors + at(r).cN.errors + at(r).stream.errors, 0),
    };
  }
  const paired = (proxy: ProxyName, pick: (figures: Round['targets'][TargetName]) => number): number =>
    median(rounds.map((round) => pick(round.targets[proxy]) - pick(round.targets.direct)));
  const added = {} as Record<ProxyName, Added>;
  for (const proxy of ['passthrough', 'qcc'] as const) {
    added[proxy] = {
      c1P50Ms: paired(proxy, (t) => t.c1.p50Ms),
      ttfbP50Ms: paired(proxy, (t) => t.stream.ttfbP50Ms),
      ttfbP99Ms: paired(proxy, (t) => t.stream.ttfbP99Ms),
    };
  }
  const throughputRatio = median(rounds.map((round) => round.targets.qcc.cN.rps / round.targets.passthrough.cN.rps));
  return { targets, added, throughputRatio, checks: checks(targets, added, throughputRatio, started.length, options), started };
}

/**
 * An absolute limit on what qcc adds over direct. The pass-through's figure is judged against the same limit and
 * said beside it: when the baseline a proxy cannot beat is over the limit too, the run measured the host's floor.
 */
function addedAtMost(name: string, qcc: number, pass: number, limitMs: number): Check {
  const baseline = pass > limitMs ? ', over the limit as well' : '';
  return {
    name: `${name} <= ${limitMs} ms`,
    pass: qcc <= limitMs,
    detail: `qcc ${signed(qcc)} ms over direct (pass-through ${signed(pass)} ms${baseline})`,
    target: true,
  };
}

function checks(
  targets: Readonly<Record<TargetName, TargetSummary>>,
  added: Readonly<Record<ProxyName, Added>>,
  throughputRatio: number,
  starts: number,
  options: BenchOptions,
): Check[] {
  const { qcc, passthrough: pass, direct } = targets;
  const c = options.concurrency;
  const list: Check[] = [
    {
      name: `non-streaming throughput at c=${c} >= 0.9x pass-through`,
      pass: throughputRatio >= 0.9,
      detail: `qcc ${fixed(qcc.cNRps, 0)} req/s, pass-through ${fixed(pass.cNRps, 0)} req/s: ${fixed(throughputRatio, 2)}x (median of per-round ratios)`,
      target: true,
    },
    {
      name: 'added latency at c=1 (p50) <= 2x the pass-through\'s',
      pass: added.qcc.c1P50Ms <= 2 * added.passthrough.c1P50Ms,
      detail: `qcc ${signed(added.qcc.c1P50Ms)} ms, pass-through ${signed(added.passthrough.c1P50Ms)} ms over direct (limit ${fixed(2 * added.passthrough.c1P50Ms)} ms)`,
      target: true,
    },
    addedAtMost(`streaming TTFB added at c=${c}, p50`, added.qcc.ttfbP50Ms, added.passthrough.ttfbP50Ms, 1),
    addedAtMost(`streaming TTFB added at c=${c}, p99`, added.qcc.ttfbP99Ms, added.passthrough.ttfbP99Ms, 5),
    {
      name: 'RSS idle <= 1.2x pass-through',
      pass: qcc.rssIdleKb <= 1.2 * pass.rssIdleKb,
      detail: `qcc ${mb(qcc.rssIdleKb)}, pass-through ${mb(pass.rssIdleKb)}: ${fixed(qcc.rssIdleKb / pass.rssIdleKb, 2)}x (median of ${starts} starts, one request of each kind, no load yet)`,
      target: true,
    },
  ];
  if (options.streams > 0) {
    list.push({
      name: `RSS with ${options.streams} open streams <= 1.2x pass-through`,
      pass: qcc.rssOpenKb <= 1.2 * pass.rssOpenKb && qcc.openStreams === options.streams && pass.openStreams === options.streams,
      detail:
        `qcc ${mb(qcc.rssOpenKb)}, pass-through ${mb(pass.rssOpenKb)}: ${fixed(qcc.rssOpenKb / pass.rssOpenKb, 2)}x` +
        ` (median of ${starts} starts, no load yet; open: qcc ${qcc.openStreams}, pass-through ${pass.openStreams})`,
      target: true,
    });
  }
  // The gap is preserved when qcc's events arrive as spaced as the upstream's do without a proxy.
  const gapDrift = Math.abs(qcc.gapMeanMs - direct.gapMeanMs);
  list.push({
    name: `gap between events preserved (configured ${options.eventGapMs} ms)`,
    pass: gapDrift <= Math.max(0.5, 0.1 * options.eventGapMs) && qcc.bunchedPercent <= direct.bunchedPercent + 1,
    detail:
      `mean gap qcc ${fixed(qcc.gapMeanMs)} ms, pass-through ${fixed(pass.gapMeanMs)} ms, direct ${fixed(direct.gapMeanMs)} ms; ` +
      `bunched qcc ${fixed(qcc.bunchedPercent, 1)} %, direct ${fixed(direct.bunchedPercent, 1)} %`,
    target: false,
  });
  list.push({
    name: 'no request failed',
    pass: TARGETS.every((target) => targets[target].errors === 0),
    detail: TARGETS.map((target) => `${target} ${targets[target].errors}`).join(', '),
    target: false,
  });
  return list;
}
