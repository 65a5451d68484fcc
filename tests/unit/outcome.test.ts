import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyError,
  classifyFirstEvent,
  classifyResponse,
  parseRetryAfter,
  streamBrokenFailure,
  timeoutFailure,
  type AttemptOutcome,
  type ResponseFacts,
} from '../../src/core/outcome.js';

const now = Date.UTC(2026, 0, 1, 12, 0, 0);
const base: ResponseFacts = {
  status: 200,
  contentType: 'application/json',
  retryAfter: undefined,
  now,
  cooldownMaxMs: 300_000,
};

function respond(facts: Partial<ResponseFacts>): AttemptOutcome {
  return classifyResponse({ ...base, ...facts });
}

function failureOf(outcome: AttemptOutcome) {
  assert.equal(outcome.kind, 'failure');
  return outcome as Extract<AttemptOutcome, { kind: 'failure' }>;
}

/** An error shaped like undici's: a class with a stable `code`. */
function coded(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('some message that must not matter'), { code }, extra);
}

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
  });

  it('reads an HTTP-date, a past one as 0', () => {
    assert.equal(parseRetryAfter(new Date(now + 90_000).toUTCString(), now), 90_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now), 0);
    assert.equal(parseRetryAfter('Thursday, 01-Jan-26 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Thu Jan  1 12:01:00 2026', now), 60_000);
  });

  it('gives undefined for anything else', () => {
    for (const value of [undefined, '', '-5', '1.5', 'soon', '12abc', 'a 5']) {
      assert.equal(parseRetryAfter(value, now), undefined, String(value));
    }
  });
});

describe('classifyResponse', () => {
  it('passes 2xx JSON and event streams as success, and says which', () => {
    assert.deepEqual(respond({}), { kind: 'success', stream: false });
    assert.deepEqual(respond({ contentType: 'application/json; charset=utf-8' }), { kind: 'success', stream: false });
    assert.deepEqual(respond({ contentType: 'Text/Event-Stream; charset=utf-8' }), { kind: 'success', stream: true });
    assert.deepEqual(respond({ status: 204, contentType: undefined }), { kind: 'success', stream: false });
  });

  it('returns 400, 404, 413, 422 and other client errors unchanged, with no penalty', () => {
    for (const status of [400, 404, 405, 409, 413, 422, 499]) {
      assert.deepEqual(respond({ status, retryAfter: '60' }), { kind: 'client-error', status }, String(status));
    }
  });

  it('counts 5xx as a breaker failure', () => {
    for (const status of [500, 502, 503]) {
      const failure = failureOf(respond({ status }));
      assert.equal(failure.reason, 'status-5xx');
      assert.equal(failure.breaker, true);
      assert.equal(failure.forceOpen, false);
      assert.equal(failure.coolUntil, undefined);
      assert.equal(failure.mayHaveBeenProcessed, false);
    }
  });

  it('flags 504 and 524 as possibly processed', () => {
    assert.equal(failureOf(respond({ status: 504 })).mayHaveBeenProcessed, true);
    assert.equal(failureOf(respond({ status: 524 })).mayHaveBeenProcessed, true);
  });

  it('counts 529 as a failure and cools it down for its Retry-After, which also bounds the open time', () => {
    const without = failureOf(respond({ status: 529 }));
    assert.equal(without.reason, 'overloaded');
    assert.equal(without.breaker, true);
    assert.equal(without.coolUntil, undefined);
    const withRetry = failureOf(respond({ status: 529, retryAfter: '20' }));
    assert.equal(withRetry.coolUntil, now + 20_000);
    assert.equal(withRetry.minOpenMs, 20_000);
  });

  it('cools a 429 down without a breaker failure', () => {
    const failure = failureOf(respond({ status: 429, retryAfter: '7' }));
    assert.equal(failure.reason, 'rate-limited');
    assert.equal(failure.breaker, false);
    assert.equal(failure.forceOpen, false);
    assert.equal(failure.coolUntil, now + 7_000);
  });

  it('gives a 429 without Retry-After the default cool-down, and caps every cool-down', () => {
    assert.equal(failureOf(respond({ status: 429 })).coolUntil, now + 30_000);
    assert.equal(failureOf(respond({ status: 429, defaultCooldownMs: 5_000 })).coolUntil, now + 5_000);
    assert.equal(failureOf(respond({ status: 429, retryAfter: '86400' })).coolUntil, now + 300_000);
    const overloaded = failureOf(respond({ status: 529, retryAfter: '86400', cooldownMaxMs: 60_000 }));
    assert.equal(overloaded.coolUntil, now + 60_000);
    assert.equal(overloaded.minOpenMs, 60_000);
  });

  it('blames the endpoint for 401/403 and opens its breaker at once', () => {
    for (const status of [401, 403]) {
      const failure = failureOf(respond({ status }));
      assert.equal(failure.reason, 'auth');
      assert.equal(failure.forceOpen, true);
      assert.equal(failure.breaker, true);
    }
  });

  it('blames the endpoint account for 402', () => {
    const failure = failureOf(respond({ status: 402 }));
    assert.equal(failure.reason, 'payment-required');
    assert.equal(failure.forceOpen, true);
  });

  it('counts 408 as a failure', () => {
    assert.equal(failureOf(respond({ status: 408 })).reason, 'request-timeout');
  });

  it('refuses a "200" that is not an Anthropic response', () => {
    for (const contentType of ['text/html; charset=utf-8', 'text/plain', undefined]) {
      const failure = failureOf(respond({ contentType }));
      assert.equal(failure.reason, 'not-anthropic');
      assert.equal(failure.breaker, true);
    }
    assert.equal(failureOf(respond({ contentLength: '0' })).reason, 'empty-body');
  });

  it('counts a redirect as a failure, not a client error', () => {
    assert.equal(failureOf(respond({ status: 302, contentType: 'text/html' })).reason, 'unexpected-status');
  });
});

describe('classifyFirstEvent', () => {
  const facts = { now, cooldownMaxMs: 300_000 };
  const errorEvent = (type: string) => ({
    event: 'error',
    data: JSON.stringify({ type: 'error', error: { type, message: 'Overloaded' } }),
  });

  it('commits any event that is not an error', () => {
    const start = { event: 'message_start', data: '{"type":"message_start","message":{}}' };
    assert.deepEqual(classifyFirstEvent(start, facts), { kind: 'success', stream: true });
    assert.deepEqual(classifyFirstEvent({ event: 'ping', data: '{}' }, facts), { kind: 'success', stream: true });
  });

  it('fails over on overloaded_error like a 529', () => {
    const failure = failureOf(classifyFirstEvent(errorEvent('overloaded_error'), facts));
    assert.equal(failure.reason, 'stream-error-event');
    assert.equal(failure.breaker, true);
    assert.equal(failure.coolUntil, undefined);
    assert.match(failure.detail, /overloaded_error: Overloaded/);
    const withRetry = failureOf(classifyFirstEvent(errorEvent('overloaded_error'), { ...facts, retryAfter: '10' }));
    assert.equal(withRetry.coolUntil, now + 10_000);
  });

  it('cools down on rate_limit_error like a 429, without a breaker failure', () => {
    const failure = failureOf(classifyFirstEvent(errorEvent('rate_limit_error'), facts));
    assert.equal(failure.reason, 'stream-error-event');
    assert.equal(failure.breaker, false);
    assert.equal(failure.coolUntil, now + 30_000);
  });

  it('counts api_error, unknown types and unreadable error data as breaker failures', () => {
    for (const event of [errorEvent('api_error'), errorEvent('brand_new_error'), { event: 'error', data: 'oops' }]) {
      const failure = failureOf(classifyFirstEvent(event, facts));
      assert.equal(failure.breaker, true);
      assert.equal(failure.forceOpen, false);
    }
  });

  it('reads an error from a relay that leaves out the event line', () => {
    const event = { event: 'message', data: JSON.stringify({ type: 'error', error: { type: 'api_error' } }) };
    assert.equal(failureOf(classifyFirstEvent(event, facts)).reason, 'stream-error-event');
  });

  it('keeps the upstream’s message short, and masks a key it echoes (the detail reaches logs and status)', () => {
    const key = 'sk-ant-api03-echoed-0123456789abcdef';
    const message = `invalid key ${key} ${'x'.repeat(1_000)}`;
    const event = { event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'api_error', message } }) };
    const { detail } = failureOf(classifyFirstEvent(event, facts));
    assert.ok(!detail.includes(key), detail);
    assert.ok(detail.includes('sk-ant…cdef'), detail);
    assert.ok(detail.length < 260, `${detail.length} characters`);
  });

  it('treats an error type named like an Object.prototype key as an unknown one', () => {
    assert.equal(failureOf(classifyFirstEvent(errorEvent('constructor'), facts)).breaker, true);
  });

  it('passes a client error event through without blame', () => {
    assert.deepEqual(classifyFirstEvent(errorEvent('invalid_request_error'), facts), {
      kind: 'client-error',
      status: 200,
    });
  });
});

describe('classifyError', () => {
  it('classifies connect-phase failures as never processed', () => {
    const cases: Array<[string, string]> = [
      ['ECONNREFUSED', 'connect-refused'],
      ['ENOTFOUND', 'dns'],
      ['EAI_AGAIN', 'dns'],
      ['UND_ERR_CONNECT_TIMEOUT', 'connect-timeout'],
      ['ETIMEDOUT', 'connect-timeout'],
      ['EHOSTUNREACH', 'network'],
      ['CERT_HAS_EXPIRED', 'tls'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ];
    for (const [code, reason] of cases) {
      const failure = failureOf(classifyError(coded(code), { requestSent: true }));
      assert.equal(failure.reason, reason, code);
      assert.equal(failure.mayHaveBeenProcessed, false, code);
      assert.equal(failure.breaker, true, code);
      assert.equal(failure.detail, code);
    }
  });

  it('flags header and body timeouts as possibly processed', () => {
    const headers = failureOf(classifyError(coded('UND_ERR_HEADERS_TIMEOUT')));
    assert.equal(headers.reason, 'response-timeout');
    assert.equal(headers.mayHaveBeenProcessed, true);
    const body = failureOf(classifyError(coded('UND_ERR_BODY_TIMEOUT')));
    assert.equal(body.reason, 'body-timeout');
    assert.equal(body.mayHaveBeenProcessed, true);
  });

  it('flags a reset as possibly processed unless the request is known not to have been sent', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']) {
      assert.equal(failureOf(classifyError(coded(code))).reason, 'connection-reset');
      assert.equal(failureOf(classifyError(coded(code))).mayHaveBeenProcessed, true);
      assert.equal(failureOf(classifyError(coded(code), { requestSent: false })).mayHaveBeenProcessed, false);
    }
  });

  it('does not blame the endpoint when qcc closed its own pool', () => {
    const failure = failureOf(classifyError(coded('UND_ERR_CLOSED')));
    assert.equal(failure.reason, 'client-closed');
    assert.equal(failure.breaker, false);
    assert.equal(failure.mayHaveBeenProcessed, false);
  });

  it('classifies HTTP parser errors as protocol failures', () => {
    assert.equal(failureOf(classifyError(coded('HPE_INVALID_CONSTANT'))).reason, 'protocol');
  });

  it('finds the code along the cause chain and in an AggregateError', () => {
    const wrapped = new TypeError('fetch failed', { cause: coded('ECONNREFUSED') });
    assert.equal(failureOf(classifyError(wrapped)).reason, 'connect-refused');
    const aggregate = new AggregateError([coded('ECONNREFUSED'), coded('ENETUNREACH')], 'all failed');
    assert.equal(failureOf(classifyError(aggregate)).reason, 'connect-refused');
  });

  it('branches on the code, never on the message', () => {
    const misleading = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ENOTFOUND' });
    assert.equal(failureOf(classifyError(misleading)).reason, 'dns');
    const uncoded = new Error('ECONNREFUSED');
    const failure = failureOf(classifyError(uncoded));
    assert.equal(failure.reason, 'network');
    assert.equal(failure.detail, 'Error');
  });

  it('gives no verdict for an abort', () => {
    for (const error of [
      coded('UND_ERR_ABORTED'),
      coded('ABORT_ERR'),
      Object.assign(new Error('x'), { name: 'AbortError' }),
      new TypeError('x', { cause: coded('UND_ERR_ABORTED') }),
    ]) {
      assert.deepEqual(classifyError(error), { kind: 'aborted' });
    }
  });

  it('does not mistake a code named like an Object.prototype key for a known one', () => {
    assert.equal(failureOf(classifyError(coded('constructor'))).reason, 'network');
  });

  it('survives values that are not errors', () => {
    for (const value of [undefined, null, 'boom', 42, {}]) {
      assert.equal(failureOf(classifyError(value)).reason, 'network');
    }
  });
});

describe('gateway-made failures', () => {
  it('flags the gateway timers and broken streams as possibly processed breaker failures', () => {
    const timeout = timeoutFailure('first-byte-timeout', 60_000);
    assert.equal(timeout.reason, 'first-byte-timeout');
    assert.equal(timeout.mayHaveBeenProcessed, true);
    assert.equal(timeout.breaker, true);
    assert.match(timeout.detail, /60000 ms/);
    const broken = streamBrokenFailure('socket closed after 1200 bytes');
    assert.equal(broken.reason, 'stream-broken');
    assert.equal(broken.mayHaveBeenProcessed, true);
  });
});
