import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchOptions } from './options.js';
import type { Round } from './schedule.js';
import type { Summary, TargetSummary } from './summary.js';
import { TARGETS } from './targets.js';

export interface RunInfo {
  readonly startedAt: string;
  readonly durationS: number;
  readonly node: string;
  readonly platform: string;
  readonly cpus: string;
  readonly commit: string;
  readonly bodyBytes: number;
  /** The machine's 1-minute load average when the run started. */
  readonly loadAverage: number;
  /** Share of all CPUs' time that other processes used during the run (Linux), null when unknown. */
  readonly foreignCpuPercent: number | null;
}

/** A figure of the table; `ratios: false` for shares whose ratio means nothing (0.1 % vs 5 % is not "50x"). */
type Row = readonly [label: string, pick: (target: TargetSummary) => number, format: (value: number) => string, ratios?: false];

const ms = (value: number): string => (!Number.isFinite(value) ? '—' : value < 10 ? value.toFixed(3) : value.toFixed(1));
const int = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
const one = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '—');
/** KiB as MB with one decimal, for tables and progress lines. */
export const mb = (kb: number): string => (Number.isFinite(kb) ? (kb / 1024).toFixed(1) : '—');

/** A row label: the group (shown on its first row only) and the figure. */
const label = (group: string, figure: string): string => `${group.padEnd(14)}${figure}`;

function rows(options: BenchOptions): Row[] {
  const c = options.concurrency;
  return [
    [label('JSON c=1', 'p50 ms'), (t) => t.c1P50Ms, ms],
    [label('', 'p99 ms'), (t) => t.c1P99Ms, ms],
    [label('', 'req/s'), (t) => t.c1Rps, int],
    [label(`JSON c=${c}`, 'p50 ms'), (t) => t.cNP50Ms, ms],
    [label('', 'p99 ms'), (t) => t.cNP99Ms, ms],
    [label('', 'req/s'), (t) => t.cNRps, int],
    [label('', 'proxy CPU ms/req'), (t) => t.cNCpuMsPerRequest, ms],
    [label(`stream c=${c}`, 'TTFB p50 ms'), (t) => t.ttfbP50Ms, ms],
    [label('', 'TTFB p99 ms'), (t) => t.ttfbP99Ms, ms],
    [label('', `gap mean ms (${options.eventGapMs})`), (t) => t.gapMeanMs, ms],
    [label('', 'gap p99 ms'), (t) => t.gapP99Ms, ms],
    [label('', 'bunched %'), (t) => t.bunchedPercent, one, false],
    [label('', 'streams/s'), (t) => t.streamRps, int],
    [label('', 'proxy CPU ms/req'), (t) => t.streamCpuMsPerRequest, ms],
    [label('RSS MB', 'idle (started)'), (t) => t.rssIdleKb, mb],
    [label('', `${options.streams} open (started)`), (t) => t.rssOpenKb, mb],
    [label('', 'idle (after load)'), (t) => t.rssIdleAfterLoadKb, mb],
    [label('', `${options.streams} open (after load)`), (t) => t.rssOpenAfterLoadKb, mb],
  ];
}

const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : '—');

/** The report for a terminal: medians per target, ratios of qcc to direct and to the pass-through, then the checks. */
export function renderReport(summary: Summary, rounds: readonly Round[], options: BenchOptions, info: RunInfo): string {
  const out: string[] = [];
  out.push(
    `qcc benchmark · ${info.startedAt} · commit ${info.commit} · node ${info.node} · ${info.platform} · ${info.cpus}`,
    `${options.rounds} interleaved rounds (medians) · body ${info.bodyBytes.toLocaleString('en-US')} B · ` +
      `c=${options.concurrency} · stream ${options.chunks + 6} events, gap ${options.eventGapMs} ms · ` +
      `qcc proxy.logLevel=${options.gatewayLog} · ${info.durationS.toFixed(0)} s`,
    `load average ${info.loadAverage.toFixed(2)} at start · other processes used ` +
      `${info.foreignCpuPercent === null ? 'an unknown share' : `${info.foreignCpuPercent.toFixed(0)} %`} of the CPUs during the run` +
      ((info.foreignCpuPercent ?? 0) > 10 ? ': the machine was shared, trust the ratios more than the absolute figures' : ''),
    '',
  );
  const header = ['', 'direct', 'pass-through', 'qcc', 'qcc/direct', 'qcc/pass'];
  const table: string[][] = [header];
  for (const [label, pick, format, ratios] of rows(options)) {
    const [direct, pass, qcc] = TARGETS.map((target) => pick(summary.targets[target])) as [number, number, number];
    const [toDirect, toPass] = ratios === false ? ['', ''] : [ratio(qcc, direct), ratio(qcc, pass)];
    table.push([label, format(direct), format(pass), format(qcc), toDirect, toPass]);
  }
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  for (const row of table) {
    out.push(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd());
  }
  const { added } = summary;
  out.push(
    '',
    'added over direct (median of per-round differences)   pass-through        qcc',
    `  JSON c=1 p50                                     ${ms(added.passthrough.c1P50Ms).padStart(12)} ms ${ms(added.qcc.c1P50Ms).padStart(8)} ms`,
    `  stream TTFB p50                                  ${ms(added.passthrough.ttfbP50Ms).padStart(12)} ms ${ms(added.qcc.ttfbP50Ms).padStart(8)} ms`,
    `  stream TTFB p99                                  ${ms(added.passthrough.ttfbP99Ms).padStart(12)} ms ${ms(added.qcc.ttfbP99Ms).padStart(8)} ms`,
    '',
    'checks',
  );
  for (const check of summary.checks) {
    const verdict = check.pass ? 'PASS' : 'FAIL';
    const mark = check.target ? verdict : verdict.toLowerCase();
    out.push(`  ${mark}  ${check.name}${check.target ? '' : ' (reported, not a target)'}`, `        ${check.detail}`);
  }
  const failures = rounds.flatMap((round, index) =>
    TARGETS.flatMap((target) => {
      const figures = round.targets[target];
      return (['c1', 'cN', 'stream'] as const)
        .filter((phase) => figures[phase].errors > 0)
        .map((phase) => `  round ${index + 1} ${target} ${phase}: ${figures[phase].errors} failed, first: ${figures[phase].firstError ?? '?'}`);
    }),
  );
  if (failures.length > 0) out.push('', 'failed requests', ...failures.slice(0, 20));
  return `${out.join('\n')}\n`;
}

/** `<out>/results-<timestamp>.json`: options, every round's raw figures, the medians and the checks. */
export async function writeResults(folder: string, summary: Summary, rounds: readonly Round[], options: BenchOptions, info: RunInfo): Promise<string> {
  await mkdir(folder, { recursive: true });
  const file = join(folder, `results-${info.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ info, options, summary, rounds }, null, 2)}\n`);
  return file;
}
