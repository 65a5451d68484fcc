import type { Pool } from 'undici';
import type { BenchRequest } from './body.js';
import { holdStreams, jsonLoad, openPool, streamLoad, type Outcome, type Phase } from './load.js';
import type { BenchOptions } from './options.js';
import { cpuMs, rssKb } from './processes.js';
import { mean, median, percentile, sorted } from './stats.js';
import { PROXIES, TARGETS, type Proxies, type ProxyName, type TargetName, type Targets } from './targets.js';

/** One measurement of one target: what the load generator saw, and the proxy's CPU time when it is a proxy. */
export interface Counted {
  readonly requests: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly rps: number;
  /** CPU time of the proxy process per request (user + system); absent for `direct`. */
  readonly cpuMsPerRequest?: number;
}

export interface JsonFigures extends Counted {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface StreamFigures extends Counted {
  readonly ttfbP50Ms: number;
  readonly ttfbP99Ms: number;
  readonly gapMeanMs: number;
  readonly gapP99Ms: number;
  /** Share of event gaps under half the configured gap: events that arrived bunched together. */
  readonly bunchedPercent: number;
}

export interface RssFigures {
  /** Idle, right before the held streams open. */
  readonly idleKb: number;
  readonly openKb: number;
  /** Streams that were open while `openKb` was sampled. */
  readonly open: number;
}

export interface TargetRound {
  readonly c1: JsonFigures;
  readonly cN: JsonFigures;
  readonly stream: StreamFigures;
  readonly rss?: RssFigures;
}

export interface Round {
  readonly order: readonly TargetName[];
  readonly targets: Readonly<Record<TargetName, TargetRound>>;
}

export interface Requests {
  readonly json: BenchRequest;
  readonly stream: BenchRequest;
}

const SETTLE_MS = 300;
const RSS_SAMPLES = 5;
const HOLD_GAP_MS = 120_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The order of the targets in round `index`. Which target runs first in a round matters on a small machine (over 118
 * rounds of this benchmark, qcc measured 0.978× the pass-through's throughput when it ran before it, 0.953–0.962×
 * after it), so the order is balanced: rotating one order (direct → pass-through → qcc) alone would put the
 * pass-through before qcc in two rounds of three whatever the count. Each rotation is followed by its reverse, so
 * that after every even number of rounds each target has run before each other as often as after it; six rounds go
 * through all six orders, each target twice in each place.
 */
export function roundOrder(index: number): TargetName[] {
  const shift = Math.floor(index / 2) % TARGETS.length;
  const rotated = TARGETS.map((_, i) => TARGETS[(i + shift) % TARGETS.length] as TargetName);
  return index % 2 === 0 ? rotated : rotated.reverse();
}

/** Events of one simulated stream: message_start, content_block_start, ping, the deltas, then three closing events. */
export const eventsPerStream = (chunks: number): number => chunks + 6;

/** RSS sampled a few times 50 ms apart; the median, so one GC at the wrong moment does not decide. */
export async function sampleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) {
    if (i > 0) await sleep(50);
    samples.push(await rssKb(pid));
  }
  return median(samples);
}

export class Schedule {
  readonly #targets: Targets;
  readonly #options: BenchOptions;
  readonly #requests: Requests;
  readonly #pools = new Map<string, Pool>();

  constructor(targets: Targets, options: BenchOptions, requests: Requests) {
    this.#targets = targets;
    this.#options = options;
    this.#requests = requests;
  }

  #pool(target: TargetName, connections: number): Pool {
    const key = `${target}/${connections}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = openPool(this.#targets.urls[target], connections);
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** A measurement: workers starting over `spreadMs`, a run-in of `primeMs` more, then the window. */
  #phase(concurrency: number, durationMs: number, spreadMs = 0, onWindow?: Phase['onWindow']): Phase {
    const warmupMs = spreadMs + this.#options.primeMs;
    return { concurrency, durationMs, warmupMs, spreadMs, maxRequests: this.#options.maxRequests, ...(onWindow ? { onWindow } : {}) };
  }

  /** How long one stream of the streaming phase lasts at the upstream. */
  get #streamLengthMs(): number {
    return (eventsPerStream(this.#options.chunks) - 1) * this.#options.eventGapMs;
  }

  /** JIT, connection pools and lazily loaded modules of every target, before anything is measured. */
  async warmUp(): Promise<void> {
    const { concurrency, warmupMs, eventGapMs, chunks } = this.#options;
    const phase = (c: number, ms: number): Phase => ({ concurrency: c, durationMs: ms, maxRequests: this.#options.maxRequests });
    for (const target of TARGETS) {
      await jsonLoad(this.#pool(target, 1), this.#requests.json, phase(1, warmupMs / 4));
      await jsonLoad(this.#pool(target, concurrency), this.#requests.json, phase(concurrency, warmupMs / 2));
      const pool = this.#pool(target, concurrency);
      await streamLoad(pool, this.#requests.stream, phase(concurrency, warmupMs / 4), eventGapMs, eventsPerStream(chunks));
    }
  }

  async round(index: number): Promise<Round> {
    const order = roundOrder(index);
    const c1 = {} as Record<TargetName, JsonFigures>;
    const cN = {} as Record<TargetName, JsonFigures>;
    const stream = {} as Record<TargetName, StreamFigures>;
    for (const target of order) c1[target] = await this.#json(target, 1, this.#options.c1Ms);
    for (const target of order) cN[target] = await this.#json(target, this.#options.concurrency, this.#options.loadMs);
    for (const target of order) stream[target] = await this.#stream(target);
    const rss = {} as Record<ProxyName, RssFigures | undefined>;
    for (const target of order) {
      if (target !== 'direct') rss[target] = await this.#rss(target);
    }
    const targets = {} as Record<TargetName, TargetRound>;
    for (const target of TARGETS) {
      const held = target === 'direct' ? undefined : rss[target];
      targets[target] = { c1: c1[target], cN: cN[target], stream: stream[target], ...(held ? { rss: held } : {}) };
    }
    return { order, targets };
  }

  /**
   * RSS of each proxy just after start, before any load: idle, after one JSON and one streaming request (so that the
   * code of the request path is loaded), then with `streams` streams held open. The benchmark's own proxies by
   * default, or a fresh pair. A process's RSS never falls back below what its busiest moment took (V8 keeps its
   * grown young generation, malloc what was freed), so once the load phases have run, the RSS with streams open
   * says more about that load than about the streams; it is measured here, and again after each round's load.
   */
  async startedRss(proxies: Proxies = this.#targets): Promise<Record<ProxyName, RssFigures>> {
    const { eventGapMs, chunks, streams } = this.#options;
    const one = { concurrency: 1, durationMs: 60_000, maxRequests: 1 };
    for (const target of PROXIES) {
      const pool = openPool(proxies[target].url, 1);
      try {
        await jsonLoad(pool, this.#requests.json, one);
        await streamLoad(pool, this.#requests.stream, one, eventGapMs, eventsPerStream(chunks));
      } finally {
        await pool.close();
      }
    }
    await sleep(2 * SETTLE_MS);
    const idle = {} as Record<ProxyName, number>;
    for (const target of PROXIES) idle[target] = await sampleRss(proxies[target].pid);
    const figures = {} as Record<ProxyName, RssFigures>;
    for (const target of PROXIES) {
      const pool = openPool(proxies[target].url, Math.max(1, streams));
      try {
        figures[target] = await this.#heldRss(pool, proxies[target].pid, idle[target]);
      } finally {
        await pool.close();
      }
    }
    return figures;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy()));
    this.#pools.clear();
  }

  async #json(target: TargetName, concurrency: number, durationMs: number): Promise<JsonFigures> {
    const pool = this.#pool(target, concurrency);
    const cpu = this.#cpuWindow(target);
    const outcome = await jsonLoad(pool, this.#requests.json, this.#phase(concurrency, durationMs, 0, cpu.onWindow));
    const latencies = sorted(outcome.latenciesMs);
    return { ...counted(outcome, await cpu.ms()), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  }

  async #stream(target: TargetName): Promise<StreamFigures> {
    const { concurrency, streamMs, eventGapMs, chunks } = this.#options;
    const pool = this.#pool(target, concurrency);
    const cpu = this.#cpuWindow(target);
    const phase = this.#phase(concurrency, streamMs, this.#streamLengthMs, cpu.onWindow);
    const outcome = await streamLoad(pool, this.#requests.stream, phase, eventGapMs, eventsPerStream(chunks));
    const ttfb = sorted(outcome.ttfbMs);
    const gaps = sorted(outcome.gapsMs);
    const bunched = outcome.gapsMs.filter((gap) => gap < eventGapMs / 2).length;
    return {
      ...counted(outcome, await cpu.ms()),
      ttfbP50Ms: percentile(ttfb, 50),
      ttfbP99Ms: percentile(ttfb, 99),
      gapMeanMs: mean(outcome.gapsMs),
      gapP99Ms: percentile(gaps, 99),
      bunchedPercent: gaps.length === 0 ? Number.NaN : (100 * bunched) / gaps.length,
    };
  }

  /** The proxy's CPU time over a measurement window; nothing for `direct`. */
  #cpuWindow(target: TargetName): { onWindow?: Phase['onWindow']; ms(): Promise<number | undefined> } {
    if (target === 'direct') return { ms: async () => undefined };
    const pid = this.#targets[target].pid;
    let open: Promise<number> | undefined;
    let close: Promise<number> | undefined;
    return {
      onWindow: (edge) => {
        if (edge === 'open') open = cpuMs(pid);
        else close = cpuMs(pid);
      },
      ms: async () => (open && close ? (await close) - (await open) : undefined),
    };
  }

  /** Idle RSS after this round's load, then `streams` streams held open through the proxy and its RSS while they are. */
  async #rss(target: ProxyName): Promise<RssFigures | undefined> {
    if (this.#options.streams === 0) return undefined;
    const pid = this.#targets[target].pid;
    await sleep(SETTLE_MS);
    return this.#heldRss(this.#pool(target, this.#options.streams), pid, await sampleRss(pid));
  }

  /** `streams` streams held open through `pool`, and the proxy's RSS while they are (NaN when none are asked for). */
  async #heldRss(pool: Pool, pid: number, idleKb: number): Promise<RssFigures> {
    const { streams } = this.#options;
    if (streams === 0) return { idleKb, openKb: Number.NaN, open: 0 };
    const held = await holdStreams(pool, this.#requests.stream, streams, HOLD_GAP_MS, 10_000);
    try {
      await sleep(SETTLE_MS);
      return { idleKb, openKb: await sampleRss(pid), open: held.open() };
    } finally {
      await held.release();
    }
  }
}

function counted(outcome: Outcome, cpuMs: number | undefined): Counted {
  return {
    requests: outcome.requests,
    errors: outcome.errors,
    ...(outcome.firstError ? { firstError: outcome.firstError } : {}),
    rps: (outcome.requests * 1000) / outcome.windowMs,
    ...(cpuMs !== undefined && outcome.requests > 0 ? { cpuMsPerRequest: cpuMs / outcome.requests } : {}),
  };
}
