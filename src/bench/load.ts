import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import type { BenchRequest } from './body.js';

/**
 * The load generator: a closed loop of `concurrency` workers, each sending its next request when the previous one
 * has been read to the end. One undici Pool per target, one connection per worker, kept alive between requests.
 * The loop runs in untimed for `warmupMs` (connections open, workers spread out), then records the requests sent
 * during the `durationMs` window; it stops sending when the window closes and waits for the last answers.
 */

export interface Phase {
  readonly concurrency: number;
  /** Untimed run-in before the window. @default 0 */
  readonly warmupMs?: number;
  /**
   * Workers start evenly spread over this time. Streams that all last the same time would otherwise start and end
   * in waves of `concurrency`, and the time to first byte would measure how a burst of 100 requests queues.
   * @default 0
   */
  readonly spreadMs?: number;
  /** The measured window. */
  readonly durationMs: number;
  /** Requests sent at most, window or not. */
  readonly maxRequests: number;
  /** Called as the window opens and as it closes (the proxy's CPU time is read there). */
  readonly onWindow?: (edge: 'open' | 'close') => void;
}

export interface Outcome {
  /** Successful requests sent inside the window. */
  readonly requests: number;
  /** Failed requests, window or not. */
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly windowMs: number;
}

export interface JsonOutcome extends Outcome {
  /** Request sent to last byte read, per successful request of the window. */
  readonly latenciesMs: number[];
}

export interface StreamOutcome extends Outcome {
  /** Request sent to the first bytes of the first SSE event. */
  readonly ttfbMs: number[];
  /** Arrival time between consecutive events of a stream (0 when two arrive in one chunk). */
  readonly gapsMs: number[];
}

/** Bounds the wait for headers and the silence between body chunks; a phase cannot hang for longer. */
const REQUEST_TIMEOUT_MS = 30_000;
const NEWLINE = 0x0a;

export function openPool(origin: string, connections: number): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
}

function send(pool: Pool, request: BenchRequest, extraHeaders?: Record<string, string>, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
  return pool.request({
    path: request.path,
    method: 'POST',
    headers: extraHeaders ? { ...request.headers, ...extraHeaders } : request.headers,
    body: request.body,
    ...(signal ? { signal } : {}),
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `once` from `concurrency` workers; `once(record)` is told whether its request falls in the window, and
 * returns an error text or undefined.
 */
async function closedLoop(phase: Phase, once: (record: boolean) => Promise<string | undefined>): Promise<Outcome> {
  let issued = 0;
  let recorded = 0;
  let errors = 0;
  let firstError: string | undefined;
  const opens = performance.now() + (phase.warmupMs ?? 0);
  const closes = opens + phase.durationMs;
  const fired = new Set<'open' | 'close'>();
  const fire = (edge: 'open' | 'close'): void => {
    if (fired.has(edge)) return;
    fired.add(edge);
    phase.onWindow?.(edge);
  };
  const edges = [
    setTimeout(() => fire('open'), Math.max(0, opens - performance.now())),
    setTimeout(() => fire('close'), Math.max(0, closes - performance.now())),
  ];
  const worker = async (index: number): Promise<void> => {
    const delay = ((phase.spreadMs ?? 0) * index) / phase.concurrency;
    if (delay > 0) await sleep(delay);
    while (issued < phase.maxRequests && performance.now() < closes) {
      issued += 1;
      const record = performance.now() >= opens;
      let error: string | undefined;
      try {
        error = await once(record);
      } catch (thrown) {
        error = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
      }
      if (error !== undefined) {
        errors += 1;
        firstError ??= error;
      } else if (record) {
        recorded += 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: phase.concurrency }, (_, index) => worker(index)));
  } finally {
    // A loop that ended early (the request count ran out) still opens and closes its window, in that order.
    for (const edge of edges) clearTimeout(edge);
    fire('open');
    fire('close');
  }
  return { requests: recorded, errors, firstError, windowMs: phase.durationMs };
}

/** Non-streaming requests: latency to the last byte of the JSON answer. */
export async function jsonLoad(pool: Pool, request: BenchRequest, phase: Phase): Promise<JsonOutcome> {
  const latenciesMs: number[] = [];
  const outcome = await closedLoop(phase, async (record) => {
    const sent = performance.now();
    const response = await send(pool, request);
    const bytes = await readAll(response.body);
    if (response.statusCode !== 200) return `HTTP ${response.statusCode}`;
    if (bytes === 0) return 'empty body';
    if (record) latenciesMs.push(performance.now() - sent);
    return undefined;
  });
  return { ...outcome, latenciesMs };
}

/**
 * Streaming requests: time to the first event bytes, and the time between events as they arrive. A stream counts
 * as an error unless it brings `expectedEvents` events and ends with `message_stop`.
 */
export async function streamLoad(
  pool: Pool,
  request: BenchRequest,
  phase: Phase,
  gapMs: number,
  expectedEvents: number,
): Promise<StreamOutcome> {
  const ttfbMs: number[] = [];
  const gapsMs: number[] = [];
  const outcome = await closedLoop(phase, async (record) => {
    const sent = performance.now();
    const response = await send(pool, request, { 'x-bench-gap-ms': String(gapMs) });
    let first = -1;
    let lastEvent = -1;
    let events = 0;
    let previousEndsInNewline = false;
    let tail = '';
    const gaps: number[] = [];
    await readAll(response.body, (chunk) => {
      const now = performance.now();
      if (first < 0) first = now - sent;
      const ended = countEventEnds(chunk, previousEndsInNewline);
      previousEndsInNewline = chunk[chunk.length - 1] === NEWLINE;
      for (let i = 0; i < ended; i++) {
        if (lastEvent >= 0) gaps.push(now - lastEvent);
        lastEvent = now;
      }
      events += ended;
      tail = chunk.toString('latin1', Math.max(0, chunk.length - 64));
    });
    if (response.statusCode !== 200) return `HTTP ${response.statusCode}`;
    if (events !== expectedEvents || !tail.includes('message_stop')) {
      return `stream of ${events} events (expected ${expectedEvents}) ending ${JSON.stringify(tail.slice(-24))}`;
    }
    if (record) {
      ttfbMs.push(first);
      for (const gap of gaps) gapsMs.push(gap);
    }
    return undefined;
  });
  return { ...outcome, ttfbMs, gapsMs };
}

/** Streams held open (the upstream waits minutes between events) until `release()`. */
export interface HeldStreams {
  /** Streams whose first event has arrived and that have not ended. */
  open(): number;
  /** Streams that ended or failed while they should have been open. */
  ended(): number;
  release(): Promise<void>;
}

/** Opens `count` streams and resolves once each has brought its first event, or after `timeoutMs`. */
export async function holdStreams(pool: Pool, request: BenchRequest, count: number, holdGapMs: number, timeoutMs: number): Promise<HeldStreams> {
  const abort = new AbortController();
  const states: ('waiting' | 'open' | 'ended')[] = [];
  const firstEvents: Promise<void>[] = [];
  const finished: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    states.push('waiting');
    let firstEvent!: () => void;
    firstEvents.push(new Promise<void>((resolve) => (firstEvent = resolve)));
    const onChunk = (): void => {
      if (states[i] === 'waiting') states[i] = 'open';
      firstEvent();
    };
    const stream = send(pool, request, { 'x-bench-gap-ms': String(holdGapMs) }, abort.signal)
      .then((response) => readAll(response.body, onChunk))
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (!abort.signal.aborted) states[i] = 'ended';
        firstEvent();
      });
    finished.push(stream);
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(firstEvents), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  const counted = (state: 'open' | 'ended') => (): number => states.filter((value) => value === state).length;
  return {
    open: counted('open'),
    ended: counted('ended'),
    release: async () => {
      abort.abort();
      await Promise.all(finished);
    },
  };
}

/** Reads a body to its end; resolves with its size. */
function readAll(body: Dispatcher.ResponseData['body'], onChunk?: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      onChunk?.(chunk);
    });
    body.once('end', () => resolve(bytes));
    body.once('error', reject);
  });
}

/** `\n\n` ends an SSE event (the simulator sends LF only); one may straddle two chunks. */
function countEventEnds(chunk: Buffer, previousEndsInNewline: boolean): number {
  const straddles = previousEndsInNewline && chunk[0] === NEWLINE;
  let count = straddles ? 1 : 0;
  let at = chunk.indexOf('\n\n', straddles ? 1 : 0);
  while (at !== -1) {
    count += 1;
    at = chunk.indexOf('\n\n', at + 2);
  }
  return count;
}
