import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  abandonAttempt,
  availableAt,
  beginAttempt,
  endAttempt,
  ewma,
  isAvailable,
  newEndpointHealth,
  recordFailure,
  recordOutcome,
  recordSuccess,
  successRate,
  type EndpointHealth,
  type HealthConfig,
} from '../../src/core/endpoint-health.js';
import { classifyResponse, type AttemptFailure } from '../../src/core/outcome.js';

const config: HealthConfig = { failureThreshold: 3, successThreshold: 1, openBaseMs: 30_000, openMaxMs: 600_000 };
const plain = { trial: false };

function failure(overrides: Partial<AttemptFailure> = {}): AttemptFailure {
  return {
    kind: 'failure',
    reason: 'status-5xx',
    detail: 'HTTP 503',
    breaker: true,
    forceOpen: false,
    mayHaveBeenProcessed: false,
    ...overrides,
  };
}

function fail(record: EndpointHealth, times: number, now: number, effects = failure()): EndpointHealth {
  let next = record;
  for (let index = 0; index < times; index += 1) next = recordFailure(next, now, config, effects, plain);
  return next;
}

describe('endpoint health', () => {
  it('starts available, closed and unmeasured', () => {
    const record = newEndpointHealth(0);
    assert.equal(isAvailable(record, 0), true);
    assert.equal(availableAt(record), 0);
    assert.equal(record.ttfbMs, null);
    assert.equal(successRate(record), undefined);
  });

  it('counts attempts in flight from begin to end, never below zero', () => {
    let record = beginAttempt(newEndpointHealth(0), 0, config).record;
    record = beginAttempt(record, 0, config).record;
    assert.equal(record.inflight, 2);
    record = endAttempt(endAttempt(endAttempt(record, config), config), config);
    assert.equal(record.inflight, 0);
  });

  it('goes out of rotation when its breaker opens, until the open time has passed', () => {
    const record = fail(newEndpointHealth(0), 3, 1_000);
    assert.equal(record.breaker.phase, 'open');
    assert.equal(isAvailable(record, 30_999), false);
    assert.equal(availableAt(record), 31_000);
    assert.equal(isAvailable(record, 31_000), true, 'available for a trial');
    const trial = beginAttempt(record, 31_000, config);
    assert.equal(trial.trial, true);
    assert.equal(isAvailable(trial.record, 31_001), false, 'one trial at a time');
    assert.equal(availableAt(trial.record), undefined, 'only the trial verdict can tell');
    assert.equal(beginAttempt(trial.record, 31_001, config).admitted, false);
    const closed = recordSuccess(trial.record, 31_500, config, { trial: true, ttfbMs: 200 });
    assert.equal(closed.breaker.phase, 'closed');
    assert.equal(isAvailable(closed, 31_500), true);
  });

  it('cools down after a 429 without touching the breaker', () => {
    const rateLimited = classifyResponse({ status: 429, contentType: 'application/json', retryAfter: '10', now: 0, cooldownMaxMs: 300_000 });
    assert.equal(rateLimited.kind, 'failure');
    let record = newEndpointHealth(0);
    for (let index = 0; index < 5; index += 1) record = recordOutcome(record, rateLimited, 0, config, plain);
    assert.equal(record.breaker.phase, 'closed');
    assert.equal(record.breaker.failures, 0);
    assert.equal(record.coolingUntil, 10_000);
    assert.equal(isAvailable(record, 9_999), false);
    assert.equal(beginAttempt(record, 9_999, config).admitted, false);
    assert.equal(availableAt(record), 10_000);
    assert.equal(isAvailable(record, 10_000), true);
    assert.equal(record.lastErrorReason, 'rate-limited');
  });

  it('hands a trial that met a rate limit on to the next attempt', () => {
    const open = fail(newEndpointHealth(0), 3, 0);
    const trial = beginAttempt(open, 30_000, config);
    const limited = recordFailure(trial.record, 30_000, config, failure({ reason: 'rate-limited', breaker: false, coolUntil: 35_000 }), { trial: true });
    assert.equal(limited.breaker.phase, 'half-open');
    assert.equal(limited.breaker.trialInFlight, false);
    assert.equal(availableAt(limited), 35_000);
  });

  it('keeps the later of cool-down and open time', () => {
    const overloaded = failure({ reason: 'overloaded', coolUntil: 90_000, minOpenMs: 90_000 });
    const cooled = recordFailure(newEndpointHealth(0), 0, config, overloaded, plain);
    const record = fail(cooled, 2, 0);
    assert.equal(record.breaker.openUntil, 30_000, 'the opening failures carried no Retry-After');
    assert.equal(availableAt(record), 90_000, 'but the earlier one still holds through the cool-down');
    assert.equal(isAvailable(record, 60_000), false);
    assert.equal(recordFailure(record, 1, config, failure({ coolUntil: 5_000 }), plain).coolingUntil, 90_000);
    const openedByIt = recordFailure(fail(newEndpointHealth(0), 2, 0), 0, config, overloaded, plain);
    assert.equal(openedByIt.breaker.openUntil, 90_000, 'a Retry-After on the opening failure outlasts 30 s');
  });

  it('opens at once on a refused key', () => {
    const auth = classifyResponse({ status: 401, contentType: 'application/json', retryAfter: undefined, now: 0, cooldownMaxMs: 1 });
    const record = recordOutcome(newEndpointHealth(0), auth, 0, config, plain);
    assert.equal(record.breaker.phase, 'open');
    assert.equal(record.lastError, 'HTTP 401');
  });

  it('counts a client error as served, and an abort as nothing', () => {
    let record = fail(newEndpointHealth(0), 2, 0);
    record = recordOutcome(record, { kind: 'client-error', status: 400 }, 5, config, plain);
    assert.equal(record.breaker.failures, 0);
    assert.equal(record.lastSuccessAt, 5);
    const aborted = recordOutcome(record, { kind: 'aborted' }, 6, config, plain);
    assert.equal(aborted, record);
  });

  it('releases the trial of an abandoned attempt', () => {
    const trial = beginAttempt(fail(newEndpointHealth(0), 3, 0), 30_000, config);
    const released = abandonAttempt(trial.record, { trial: true });
    assert.equal(released.breaker.trialInFlight, false);
    assert.equal(isAvailable(released, 30_001), true);
  });

  it('keeps a sliding window of the last verdicts', () => {
    const small = { ...config, windowSize: 4 };
    let record = newEndpointHealth(0);
    for (const served of [false, true, true, false, true, true]) {
      record = served
        ? recordSuccess(record, 0, small, plain)
        : recordFailure(record, 0, small, failure(), plain);
    }
    assert.equal(record.recent, '1011');
    assert.equal(record.recentFailures, 1);
    assert.equal(successRate(record), 0.75);
  });

  it('defaults the window to the last 100 verdicts', () => {
    let record = fail(newEndpointHealth(0), 10, 0);
    for (let index = 0; index < 100; index += 1) record = recordSuccess(record, 0, config, plain);
    assert.equal(record.recent.length, 100);
    assert.equal(record.recentFailures, 0);
  });

  it('averages first-byte time and latency of served attempts, the first sample setting them', () => {
    let record = recordSuccess(newEndpointHealth(0), 0, config, { trial: false, ttfbMs: 400 });
    assert.equal(record.ttfbMs, 400);
    record = recordSuccess(record, 0, config, { trial: false, ttfbMs: 800 });
    assert.equal(record.ttfbMs, 500);
    record = endAttempt(record, config, { latencyMs: 2_000 });
    record = endAttempt(record, { ...config, ewmaAlpha: 0.5 }, { latencyMs: 3_000 });
    assert.equal(record.latencyMs, 2_500);
    assert.equal(endAttempt(record, config).latencyMs, 2_500, 'an attempt without a latency leaves it');
    assert.equal(ewma(null, 7, 0.25), 7);
  });

  it('records the last error and the times of the last success and failure', () => {
    let record = recordSuccess(newEndpointHealth(0), 100, config, plain);
    record = recordFailure(record, 200, config, failure({ reason: 'connect-refused', detail: 'ECONNREFUSED' }), plain);
    assert.equal(record.lastSuccessAt, 100);
    assert.equal(record.lastFailureAt, 200);
    assert.equal(record.lastError, 'ECONNREFUSED');
    assert.equal(record.lastErrorReason, 'connect-refused');
  });

  it('is plain JSON-safe data', () => {
    const record = beginAttempt(fail(newEndpointHealth(0), 3, 0), 30_000, config).record;
    assert.deepEqual(JSON.parse(JSON.stringify(record)), record);
  });
});
