import { parseArgs } from 'node:util';

/** What one benchmark run does; every loop it drives is bounded by these counts and times. */
export interface BenchOptions {
  /** Interleaved repetitions; every reported figure is the median over them. An even count balances the order (`roundOrder`). @default 6 (4 with --quick) */
  readonly rounds: number;
  /** Concurrency of the "c=100" phases. @default 100 */
  readonly concurrency: number;
  /** Length of one non-streaming c=1 measurement window. @default 800 ms (500 with --quick) */
  readonly c1Ms: number;
  /** Length of one non-streaming c=100 measurement window. @default 1200 ms (800 with --quick) */
  readonly loadMs: number;
  /**
   * Length of one streaming c=100 measurement window. A stream lasts (chunks + 5) × the event gap, 800 ms by default:
   * 100 of them keep the proxies relaying ~5000 events/s while new streams start at ~125/s, far from saturating the
   * CPUs, so that the time to first byte measures the proxy rather than a queue. @default 1500 ms (1000 with --quick)
   */
  readonly streamMs: number;
  /** Warm-up of each target before the first round (JIT, connection pools). @default 1500 ms (1000 with --quick) */
  readonly warmupMs: number;
  /**
   * Untimed run-in of each measurement before its window opens (after the workers of a streaming measurement have
   * spread out over one stream's length), so that it starts on open connections in a steady state. @default 200 ms
   */
  readonly primeMs: number;
  /** Requests of one measurement at most, whatever its length. @default 200000 */
  readonly maxRequests: number;
  /** Streams held open for the RSS measurement. @default 256 */
  readonly streams: number;
  /** Gap the upstream leaves between SSE events in the streaming phase. @default 20 ms */
  readonly eventGapMs: number;
  /** `content_block_delta` events per stream (a stream has chunks + 6 events). @default 35 */
  readonly chunks: number;
  /** Size of the request body. @default 50 KiB */
  readonly bodyKb: number;
  /** `proxy.logLevel` of the gateway; `info` logs a line per request. @default 'warn' */
  readonly gatewayLog: 'error' | 'warn' | 'info' | 'debug';
  /** Start the gateway and the pass-through with `--cpu-prof`, profiles written under `<out>/profiles`. */
  readonly cpuProf: boolean;
  /** Folder of the results files. @default '.bench' */
  readonly out: string;
  /** The whole run is abandoned (an error) after this long. @default 600 s */
  readonly maxSeconds: number;
}

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

const FLAGS = {
  quick: { type: 'boolean' },
  rounds: { type: 'string' },
  concurrency: { type: 'string' },
  'c1-ms': { type: 'string' },
  'load-ms': { type: 'string' },
  'stream-ms': { type: 'string' },
  'warmup-ms': { type: 'string' },
  'prime-ms': { type: 'string' },
  'max-requests': { type: 'string' },
  streams: { type: 'string' },
  'event-gap-ms': { type: 'string' },
  chunks: { type: 'string' },
  'body-kb': { type: 'string' },
  'gateway-log': { type: 'string' },
  'cpu-prof': { type: 'boolean' },
  out: { type: 'string' },
  'max-seconds': { type: 'string' },
  help: { type: 'boolean' },
} as const;

export const USAGE = `usage: npm run bench -- [--quick] [--rounds N] [--concurrency N] [--c1-ms MS] [--load-ms MS]
  [--stream-ms MS] [--warmup-ms MS] [--prime-ms MS] [--max-requests N] [--streams N] [--event-gap-ms MS] [--chunks N] [--body-kb KB]
  [--gateway-log error|warn|info|debug] [--cpu-prof] [--out DIR] [--max-seconds S]
Every flag can also be given as QCC_BENCH_<FLAG> in the environment (QCC_BENCH_QUICK=1, QCC_BENCH_ROUNDS=3, …).`;

/** Flags win over `QCC_BENCH_*` variables, which win over the defaults. Throws a one-line error on a bad value. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false });
  if (values.help) return 'help';
  const text = (name: keyof typeof FLAGS): string | undefined => {
    const flag = values[name];
    if (typeof flag === 'string') return flag;
    if (flag === true) return 'true';
    const variable = env[`QCC_BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
    return variable === undefined || variable === '' ? undefined : variable;
  };
  const flag = (name: keyof typeof FLAGS): boolean => ['1', 'true', 'yes'].includes((text(name) ?? '').toLowerCase());
  const int = (name: keyof typeof FLAGS, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const quick = flag('quick');
  const gatewayLog = text('gateway-log') ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(gatewayLog)) {
    throw new RangeError(`--gateway-log must be one of ${LOG_LEVELS.join(', ')}, got "${gatewayLog}"`);
  }
  return {
    rounds: int('rounds', quick ? 4 : 6, 1, 50),
    concurrency: int('concurrency', 100, 1, 1000),
    c1Ms: int('c1-ms', quick ? 500 : 800, 50, 60_000),
    loadMs: int('load-ms', quick ? 800 : 1200, 50, 60_000),
    streamMs: int('stream-ms', quick ? 1000 : 1500, 50, 60_000),
    warmupMs: int('warmup-ms', quick ? 1000 : 1500, 0, 60_000),
    primeMs: int('prime-ms', 200, 0, 10_000),
    maxRequests: int('max-requests', 200_000, 1, 10_000_000),
    streams: int('streams', 256, 0, 4096),
    eventGapMs: int('event-gap-ms', 20, 1, 1000),
    chunks: int('chunks', 35, 1, 1000),
    bodyKb: int('body-kb', 50, 1, 16 * 1024),
    gatewayLog: gatewayLog as BenchOptions['gatewayLog'],
    cpuProf: flag('cpu-prof'),
    out: text('out') ?? '.bench',
    maxSeconds: int('max-seconds', 600, 10, 3600),
  };
}
