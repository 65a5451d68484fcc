/**
 * Passive health of one endpoint (DESIGN §5): a circuit breaker as plain data and pure transitions. The state is
 * what the state store keeps (§13: on SQLite now, later shared between gateways), so it holds only JSON-safe values
 * and absolute times in ms; time always comes in as `now`. A transition that changes nothing returns the very same
 * object, so a caller can skip the write when `next === previous`.
 *
 * closed ──(failureThreshold consecutive failures, or forceOpen)──▶ open
 * open ──(openUntil passed, an attempt begins)──▶ half-open, one trial in flight
 * half-open ──(successThreshold successful trials)──▶ closed      half-open ──(failed trial)──▶ open, n + 1
 */

export interface BreakerConfig {
  /** Consecutive failures that open a closed breaker (`health.failureThreshold`). */
  readonly failureThreshold: number;
  /** Successful trials that close a half-open breaker (`health.successThreshold`). */
  readonly successThreshold: number;
  /** Open time of the first opening; the n-th opening without a full close stays open n × this. */
  readonly openBaseMs: number;
  /** Longest open time, whatever n. */
  readonly openMaxMs: number;
  /**
   * How long a trial may stay in flight before another may start. A trial whose outcome never arrives (a gateway
   * that crashed mid-trial while sharing this state, a lost callback) would otherwise keep the endpoint out forever.
   * @default undefined — a trial holds until its outcome or abandonment is recorded
   */
  readonly trialLeaseMs?: number;
}

export type BreakerPhase = 'closed' | 'open' | 'half-open';

export interface BreakerState {
  readonly phase: BreakerPhase;
  /** When the phase last changed (ms). */
  readonly since: number;
  /** Consecutive failures while closed. */
  readonly failures: number;
  /** Successful trials while half-open. */
  readonly successes: number;
  /** Openings since the last full close: the n of `min(openBaseMs × n, openMaxMs)`. 0 while closed. */
  readonly openings: number;
  /** While open: when a trial becomes allowed (ms). 0 otherwise. */
  readonly openUntil: number;
  /** While half-open: whether the one trial is in flight. */
  readonly trialInFlight: boolean;
  /** While a trial is in flight under a lease: when the lease runs out (ms). null without a lease. */
  readonly trialExpiresAt: number | null;
}

export type BreakerAvailability =
  | { readonly state: 'available' }
  /** Half-open (or open and due) with no trial in flight: the next attempt becomes the trial. */
  | { readonly state: 'trial' }
  /** `until` is undefined when only an outcome can change it (a trial in flight without a lease). */
  | { readonly state: 'unavailable'; readonly until: number | undefined };

export interface BreakerAttempt {
  readonly state: BreakerState;
  /** False when the breaker refuses the attempt: open, or half-open with its trial taken. */
  readonly admitted: boolean;
  /** This attempt is the half-open trial: hand `trial: true` back with its outcome. */
  readonly trial: boolean;
}

export interface AttemptOutcomeInfo {
  /** Whether the attempt was the trial (from `beginAttempt`). Outcomes of other attempts that were in flight
   * when the breaker opened are stale evidence and do not move an open or half-open breaker. */
  readonly trial: boolean;
}

export interface FailureInfo extends AttemptOutcomeInfo {
  /** The upstream's Retry-After (ms): an opening lasts at least this long. */
  readonly minOpenMs?: number;
  /** Open at once (401/403: the endpoint's key is bad, more attempts only repeat the refusal). */
  readonly forceOpen?: boolean;
}

const AVAILABLE: BreakerAvailability = Object.freeze({ state: 'available' });
const TRIAL: BreakerAvailability = Object.freeze({ state: 'trial' });

export function closedBreaker(now: number): BreakerState {
  return {
    phase: 'closed',
    since: now,
    failures: 0,
    successes: 0,
    openings: 0,
    openUntil: 0,
    trialInFlight: false,
    trialExpiresAt: null,
  };
}

/** How long the n-th opening lasts: `min(openBaseMs × n, openMaxMs)`, but never less than the upstream asked. */
export function openDuration(openings: number, config: BreakerConfig, minOpenMs = 0): number {
  return Math.max(Math.min(config.openBaseMs * Math.max(openings, 1), config.openMaxMs), minOpenMs);
}

function trialLeaseOver(state: BreakerState, now: number): boolean {
  return state.trialExpiresAt !== null && now >= state.trialExpiresAt;
}

export function breakerAvailability(state: BreakerState, now: number): BreakerAvailability {
  switch (state.phase) {
    case 'closed':
      return AVAILABLE;
    case 'open':
      return now >= state.openUntil ? TRIAL : { state: 'unavailable', until: state.openUntil };
    case 'half-open':
      if (!state.trialInFlight || trialLeaseOver(state, now)) return TRIAL;
      return { state: 'unavailable', until: state.trialExpiresAt ?? undefined };
  }
}

/**
 * When an unavailable breaker becomes trial-available by itself, so that a held request knows how long to wait;
 * undefined when only a recorded outcome can change it, or when it is not waiting on time at all.
 */
export function nextChangeAt(state: BreakerState): number | undefined {
  if (state.phase === 'open') return state.openUntil;
  if (state.phase === 'half-open' && state.trialInFlight) return state.trialExpiresAt ?? undefined;
  return undefined;
}

/** Claims an attempt. Taking the trial is part of the transition, so two concurrent attempts cannot both get it. */
export function beginAttempt(state: BreakerState, now: number, config: BreakerConfig): BreakerAttempt {
  switch (state.phase) {
    case 'closed':
      return { state, admitted: true, trial: false };
    case 'open':
      if (now < state.openUntil) return { state, admitted: false, trial: false };
      return {
        state: startTrial({ ...state, phase: 'half-open', since: now, successes: 0, openUntil: 0 }, now, config),
        admitted: true,
        trial: true,
      };
    case 'half-open':
      if (state.trialInFlight && !trialLeaseOver(state, now)) return { state, admitted: false, trial: false };
      return { state: startTrial(state, now, config), admitted: true, trial: true };
  }
}

function startTrial(state: BreakerState, now: number, config: BreakerConfig): BreakerState {
  const trialExpiresAt = config.trialLeaseMs === undefined ? null : now + config.trialLeaseMs;
  return { ...state, trialInFlight: true, trialExpiresAt };
}

export function recordSuccess(
  state: BreakerState,
  now: number,
  config: BreakerConfig,
  info: AttemptOutcomeInfo,
): BreakerState {
  switch (state.phase) {
    case 'closed':
      return state.failures === 0 ? state : { ...state, failures: 0 };
    case 'open':
      return state;
    case 'half-open': {
      if (!info.trial) return state;
      const successes = state.successes + 1;
      if (successes >= config.successThreshold) return closedBreaker(now);
      return { ...state, successes, trialInFlight: false, trialExpiresAt: null };
    }
  }
}

export function recordFailure(
  state: BreakerState,
  now: number,
  config: BreakerConfig,
  info: FailureInfo,
): BreakerState {
  switch (state.phase) {
    case 'closed': {
      const failures = state.failures + 1;
      if (info.forceOpen !== true && failures < config.failureThreshold) return { ...state, failures };
      return open(state, now, config, 1, info.minOpenMs);
    }
    case 'open': {
      // A late failure from before the opening is no new verdict, but a Retry-After it carries still holds.
      const until = info.minOpenMs === undefined ? 0 : now + info.minOpenMs;
      return until > state.openUntil ? { ...state, openUntil: until } : state;
    }
    case 'half-open':
      if (!info.trial) return state;
      return open(state, now, config, state.openings + 1, info.minOpenMs);
  }
}

function open(state: BreakerState, now: number, config: BreakerConfig, openings: number, minOpenMs?: number): BreakerState {
  return {
    phase: 'open',
    since: now,
    failures: state.phase === 'closed' ? state.failures + 1 : state.failures,
    successes: 0,
    openings,
    openUntil: now + openDuration(openings, config, minOpenMs),
    trialInFlight: false,
    trialExpiresAt: null,
  };
}

/** The attempt ended without a verdict (the client left): a trial it held is released for the next attempt. */
export function abandonAttempt(state: BreakerState, info: AttemptOutcomeInfo): BreakerState {
  if (state.phase !== 'half-open' || !info.trial || !state.trialInFlight) return state;
  return { ...state, trialInFlight: false, trialExpiresAt: null };
}
