import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  abandonAttempt,
  beginAttempt,
  breakerAvailability,
  closedBreaker,
  nextChangeAt,
  openDuration,
  recordFailure,
  recordSuccess,
  type BreakerConfig,
  type BreakerState,
} from '../../src/core/circuit-breaker.js';

const config: BreakerConfig = { failureThreshold: 3, successThreshold: 1, openBaseMs: 30_000, openMaxMs: 600_000 };
const plain = { trial: false };
const trial = { trial: true };

function failTimes(state: BreakerState, times: number, now: number): BreakerState {
  let next = state;
  for (let index = 0; index < times; index += 1) next = recordFailure(next, now, config, plain);
  return next;
}

/** Opens a fresh breaker at `now`, then runs `cycles` failed trials; returns the state and the time. */
function reopened(cycles: number): { state: BreakerState; now: number } {
  let now = 0;
  let state = failTimes(closedBreaker(now), 3, now);
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    now = state.openUntil;
    const attempt = beginAttempt(state, now, config);
    assert.equal(attempt.trial, true);
    state = recordFailure(attempt.state, now, config, trial);
  }
  return { state, now };
}

describe('circuit breaker', () => {
  it('stays closed below the failure threshold and opens on reaching it', () => {
    const two = failTimes(closedBreaker(0), 2, 10);
    assert.equal(two.phase, 'closed');
    assert.equal(two.failures, 2);
    assert.deepEqual(breakerAvailability(two, 10), { state: 'available' });
    const three = recordFailure(two, 10, config, plain);
    assert.equal(three.phase, 'open');
    assert.equal(three.openings, 1);
    assert.equal(three.openUntil, 10 + 30_000);
    assert.deepEqual(breakerAvailability(three, 11), { state: 'unavailable', until: 30_010 });
  });

  it('counts consecutive failures only: a success in between starts the count again', () => {
    let state = failTimes(closedBreaker(0), 2, 0);
    state = recordSuccess(state, 0, config, plain);
    assert.equal(state.failures, 0);
    state = failTimes(state, 2, 0);
    assert.equal(state.phase, 'closed');
  });

  it('returns the same object when a transition changes nothing', () => {
    const state = closedBreaker(0);
    assert.equal(recordSuccess(state, 5, config, plain), state);
    assert.equal(beginAttempt(state, 5, config).state, state);
    assert.equal(abandonAttempt(state, trial), state);
  });

  it('opens at once on forceOpen (a refused key)', () => {
    const state = recordFailure(closedBreaker(0), 0, config, { trial: false, forceOpen: true });
    assert.equal(state.phase, 'open');
    assert.equal(state.openUntil, 30_000);
  });

  it('refuses attempts while open and turns the first one after openUntil into the trial', () => {
    const open = failTimes(closedBreaker(0), 3, 0);
    assert.deepEqual(beginAttempt(open, 29_999, config), { state: open, admitted: false, trial: false });
    assert.deepEqual(breakerAvailability(open, 30_000), { state: 'trial' });
    const attempt = beginAttempt(open, 30_000, config);
    assert.equal(attempt.admitted, true);
    assert.equal(attempt.trial, true);
    assert.equal(attempt.state.phase, 'half-open');
    assert.equal(attempt.state.trialInFlight, true);
  });

  it('gives a half-open breaker exactly one trial at a time', () => {
    const open = failTimes(closedBreaker(0), 3, 0);
    const first = beginAttempt(open, 30_000, config);
    const second = beginAttempt(first.state, 30_001, config);
    assert.equal(second.admitted, false);
    assert.equal(second.trial, false);
    assert.equal(second.state, first.state);
    assert.deepEqual(breakerAvailability(first.state, 30_001), { state: 'unavailable', until: undefined });
  });

  it('closes after successThreshold successful trials and resets the opening count', () => {
    const twice = { ...config, successThreshold: 2 };
    let state = failTimes(closedBreaker(0), 3, 0);
    state = beginAttempt(state, 30_000, twice).state;
    state = recordSuccess(state, 30_100, twice, trial);
    assert.equal(state.phase, 'half-open');
    assert.equal(state.successes, 1);
    assert.equal(state.trialInFlight, false, 'the trial slot is free for the second trial');
    state = beginAttempt(state, 30_200, twice).state;
    state = recordSuccess(state, 30_300, twice, trial);
    assert.equal(state.phase, 'closed');
    assert.equal(state.openings, 0);
    assert.equal(state.failures, 0);
    const reopened = failTimes(state, 3, 40_000);
    assert.equal(reopened.openUntil, 40_000 + 30_000, 'a full close starts the open time from the base again');
  });

  it('grows the open time 30 s, 60 s, 90 s… with each re-opening and caps it', () => {
    const durations = [0, 1, 2, 3, 25].map((cycles) => {
      const { state, now } = reopened(cycles);
      assert.equal(state.phase, 'open');
      return state.openUntil - now;
    });
    assert.deepEqual(durations, [30_000, 60_000, 90_000, 120_000, 600_000]);
    assert.equal(openDuration(100, config), 600_000);
  });

  it('lets a Retry-After longer than the open time win, and not a shorter one', () => {
    const long = recordFailure(failTimes(closedBreaker(0), 2, 0), 0, config, { trial: false, minOpenMs: 120_000 });
    assert.equal(long.openUntil, 120_000);
    const short = recordFailure(failTimes(closedBreaker(0), 2, 0), 0, config, { trial: false, minOpenMs: 5_000 });
    assert.equal(short.openUntil, 30_000);
  });

  it('extends an open breaker to a Retry-After that a late failure carries, without counting a re-opening', () => {
    const open = failTimes(closedBreaker(0), 3, 0);
    const later = recordFailure(open, 10_000, config, { trial: false, minOpenMs: 60_000 });
    assert.equal(later.openUntil, 70_000);
    assert.equal(later.openings, 1);
    assert.equal(recordFailure(open, 10_000, config, plain), open);
  });

  it('ignores outcomes of attempts that are not the trial while open or half-open', () => {
    const open = failTimes(closedBreaker(0), 3, 0);
    assert.equal(recordSuccess(open, 1, config, plain), open);
    const half = beginAttempt(open, 30_000, config).state;
    assert.equal(recordSuccess(half, 30_001, config, plain), half);
    assert.equal(recordFailure(half, 30_001, config, plain), half);
    assert.equal(abandonAttempt(half, plain), half, 'a stale attempt cannot free the trial slot');
  });

  it('releases the trial of an abandoned attempt without a verdict', () => {
    const half = beginAttempt(failTimes(closedBreaker(0), 3, 0), 30_000, config).state;
    const released = abandonAttempt(half, trial);
    assert.equal(released.phase, 'half-open');
    assert.equal(released.trialInFlight, false);
    assert.equal(released.openings, 1);
    assert.equal(beginAttempt(released, 30_001, config).trial, true);
  });

  it('says when an unavailable breaker changes by itself', () => {
    const open = failTimes(closedBreaker(0), 3, 0);
    assert.equal(nextChangeAt(open), 30_000);
    const half = beginAttempt(open, 30_000, config).state;
    assert.equal(nextChangeAt(half), undefined, 'only the trial outcome can change it');
    assert.equal(nextChangeAt(closedBreaker(0)), undefined);
  });

  it('lets another trial start once a lost trial outlives its lease', () => {
    const leased = { ...config, trialLeaseMs: 5_000 };
    const half = beginAttempt(failTimes(closedBreaker(0), 3, 0), 30_000, leased).state;
    assert.equal(half.trialExpiresAt, 35_000);
    assert.equal(nextChangeAt(half), 35_000);
    assert.deepEqual(breakerAvailability(half, 34_999), { state: 'unavailable', until: 35_000 });
    assert.equal(beginAttempt(half, 34_999, leased).admitted, false);
    const again = beginAttempt(half, 35_000, leased);
    assert.equal(again.trial, true);
    assert.equal(again.state.trialExpiresAt, 40_000);
  });

  it('keeps plain JSON-safe data', () => {
    const { state } = reopened(2);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  });
});
