import type { BreakerConfig, BreakerState } from './circuit-breaker.js';
import * as breaker from './circuit-breaker.js';
import type { AttemptFailure, AttemptOutcome, FailureReason } from './outcome.js';

/**
 * Everything qcc knows about one endpoint from its traffic: breaker, 429/529 cool-down and statistics in one plain,
 * JSON-safe record. It is what `/_qcc/status` shows and what the state store keeps (§13), so every function here is
 * a pure transition: the record in, a new record out (the same one when nothing changed).
 *
 * An attempt is `beginAttempt`, then one verdict (`recordSuccess`, `recordFailure` or `abandonAttempt`; a stream may
 * add a late `recordFailure` when it breaks after its commit), then `endAttempt` when its bytes are done.
 */

export interface HealthConfig extends BreakerConfig {
  /** Outcomes kept in the sliding window. @default 100 */
  readonly windowSize?: number;
  /** Weight of a new sample in the moving averages. @default 0.25 */
  readonly ewmaAlpha?: number;
}

export interface EndpointHealth {
  readonly breaker: BreakerState;
  /** A 429/529 cool-down: out of rotation until then (ms), apart from the breaker's verdict. 0 when none. */
  readonly coolingUntil: number;
  readonly inflight: number;
  /** Moving average of time to first byte of served attempts (ms); null before the first. */
  readonly ttfbMs: number | null;
  /** Moving average of total time of served attempts (ms); null before the first. */
  readonly latencyMs: number | null;
  /** The last `windowSize` verdicts, oldest first: '1' served, '0' failed. */
  readonly recent: string;
  /** The '0's in `recent`. */
  readonly recentFailures: number;
  readonly lastError: string | null;
  readonly lastErrorReason: FailureReason | null;
  readonly lastSuccessAt: number | null;
  readonly lastFailureAt: number | null;
}

export interface HealthAttempt {
  readonly record: EndpointHealth;
  readonly admitted: boolean;
  /** This attempt is the breaker's half-open trial: hand `trial: true` back with its verdict. */
  readonly trial: boolean;
}

export interface VerdictInfo {
  readonly trial: boolean;
}

export interface SuccessInfo extends VerdictInfo {
  /** Time to first byte (for a stream: to its first complete event). */
  readonly ttfbMs?: number;
}

/** What of a failure the record needs; an `AttemptFailure` from outcome.ts is one. */
export type FailureEffects = Pick<AttemptFailure, 'reason' | 'detail' | 'breaker' | 'forceOpen' | 'coolUntil' | 'minOpenMs'>;

export const DEFAULT_WINDOW_SIZE = 100;
export const DEFAULT_EWMA_ALPHA = 0.25;

export function newEndpointHealth(now: number): EndpointHealth {
  return {
    breaker: breaker.closedBreaker(now),
    coolingUntil: 0,
    inflight: 0,
    ttfbMs: null,
    latencyMs: null,
    recent: '',
    recentFailures: 0,
    lastError: null,
    lastErrorReason: null,
    lastSuccessAt: null,
    lastFailureAt: null,
  };
}

/** May be picked now: not cooling down, and the breaker is closed or has a trial free. */
export function isAvailable(record: EndpointHealth, now: number): boolean {
  return now >= record.coolingUntil && breaker.breakerAvailability(record.breaker, now).state !== 'unavailable';
}

/**
 * When the endpoint becomes available by itself (ms; a time not after `now` means it is), so that a held request
 * knows how long to wait; undefined when only a verdict can tell (its half-open trial is in flight).
 */
export function availableAt(record: EndpointHealth): number | undefined {
  const state = record.breaker;
  if (state.phase === 'half-open' && state.trialInFlight && state.trialExpiresAt === null) return undefined;
  return Math.max(breaker.nextChangeAt(state) ?? 0, record.coolingUntil);
}

/** Share of served attempts in the window; undefined before any verdict. */
export function successRate(record: EndpointHealth): number | undefined {
  const total = record.recent.length;
  return total === 0 ? undefined : (total - record.recentFailures) / total;
}

export function beginAttempt(record: EndpointHealth, now: number, config: HealthConfig): HealthAttempt {
  if (now < record.coolingUntil) return { record, admitted: false, trial: false };
  const attempt = breaker.beginAttempt(record.breaker, now, config);
  if (!attempt.admitted) return { record, admitted: false, trial: false };
  return { record: { ...record, breaker: attempt.state, inflight: record.inflight + 1 }, admitted: true, trial: attempt.trial };
}

/** The endpoint served the request (a client error counts too: the endpoint answered it properly). */
export function recordSuccess(record: EndpointHealth, now: number, config: HealthConfig, info: SuccessInfo): EndpointHealth {
  const alpha = config.ewmaAlpha ?? DEFAULT_EWMA_ALPHA;
  return {
    ...record,
    breaker: breaker.recordSuccess(record.breaker, now, config, info),
    ttfbMs: info.ttfbMs === undefined ? record.ttfbMs : ewma(record.ttfbMs, info.ttfbMs, alpha),
    ...pushVerdict(record, true, config.windowSize ?? DEFAULT_WINDOW_SIZE),
    lastSuccessAt: now,
  };
}

export function recordFailure(
  record: EndpointHealth,
  now: number,
  config: HealthConfig,
  failure: FailureEffects,
  info: VerdictInfo,
): EndpointHealth {
  const next = failure.breaker
    ? breaker.recordFailure(record.breaker, now, config, {
        trial: info.trial,
        forceOpen: failure.forceOpen,
        ...(failure.minOpenMs === undefined ? {} : { minOpenMs: failure.minOpenMs }),
      })
    : // A rate limit is no verdict on the endpoint's health: a trial that met one is handed to the next attempt.
      breaker.abandonAttempt(record.breaker, info);
  return {
    ...record,
    breaker: next,
    coolingUntil: Math.max(record.coolingUntil, failure.coolUntil ?? 0),
    ...pushVerdict(record, false, config.windowSize ?? DEFAULT_WINDOW_SIZE),
    lastError: failure.detail,
    lastErrorReason: failure.reason,
    lastFailureAt: now,
  };
}

/** The attempt ended without a verdict (the client left, qcc aborted it): its trial, if any, is released. */
export function abandonAttempt(record: EndpointHealth, info: VerdictInfo): EndpointHealth {
  const next = breaker.abandonAttempt(record.breaker, info);
  return next === record.breaker ? record : { ...record, breaker: next };
}

/** One verdict from an outcome of outcome.ts. */
export function recordOutcome(
  record: EndpointHealth,
  outcome: AttemptOutcome,
  now: number,
  config: HealthConfig,
  info: SuccessInfo,
): EndpointHealth {
  switch (outcome.kind) {
    case 'success':
    case 'client-error':
      return recordSuccess(record, now, config, info);
    case 'failure':
      return recordFailure(record, now, config, outcome, info);
    case 'aborted':
      return abandonAttempt(record, info);
  }
}

export interface EndInfo {
  /** Total time of an attempt that served; leave it out for one that failed, or failures would look fast. */
  readonly latencyMs?: number;
}

/** The attempt's bytes are done (or it failed): it no longer counts as in flight. */
export function endAttempt(record: EndpointHealth, config: HealthConfig, info: EndInfo = {}): EndpointHealth {
  const alpha = config.ewmaAlpha ?? DEFAULT_EWMA_ALPHA;
  return {
    ...record,
    inflight: Math.max(0, record.inflight - 1),
    latencyMs: info.latencyMs === undefined ? record.latencyMs : ewma(record.latencyMs, info.latencyMs, alpha),
  };
}

/** Exponentially weighted moving average; the first sample sets it. */
export function ewma(previous: number | null, sample: number, alpha: number): number {
  return previous === null ? sample : previous + alpha * (sample - previous);
}

function pushVerdict(
  record: EndpointHealth,
  served: boolean,
  size: number,
): Pick<EndpointHealth, 'recent' | 'recentFailures'> {
  let recent = record.recent + (served ? '1' : '0');
  let recentFailures = record.recentFailures + (served ? 0 : 1);
  const excess = recent.length - Math.max(1, size);
  if (excess > 0) {
    for (let index = 0; index < excess; index += 1) if (recent.charCodeAt(index) === 0x30) recentFailures -= 1;
    recent = recent.slice(excess);
  }
  return { recent, recentFailures };
}
