import { maskKeyLikes } from './mask.js';
import type { SseEvent } from './sse-parser.js';

/**
 * What one upstream attempt means for the request and for the endpoint (DESIGN §4.5). Real traffic and probes are
 * classified by these same functions, so the two never disagree on what "failed" means (§5).
 */

export type FailureReason =
  | 'connect-refused'
  | 'connect-timeout'
  | 'connection-reset'
  | 'dns'
  | 'tls'
  | 'network'
  | 'client-closed'
  | 'protocol'
  | 'first-byte-timeout'
  | 'response-timeout'
  | 'body-timeout'
  | 'stream-idle-timeout'
  | 'status-5xx'
  | 'overloaded'
  | 'rate-limited'
  | 'request-timeout'
  | 'auth'
  | 'payment-required'
  | 'unexpected-status'
  | 'not-anthropic'
  | 'empty-body'
  | 'stream-error-event'
  | 'stream-broken';

export interface AttemptSuccess {
  readonly kind: 'success';
  /** The upstream answered `text/event-stream`: hold it until the first complete event (§4.6). */
  readonly stream: boolean;
}

/** The request's own fault (400, 404, 413, 422…): returned unchanged, and the endpoint counts as healthy. */
export interface AttemptClientError {
  readonly kind: 'client-error';
  readonly status: number;
}

/** The endpoint failed this request: try the next endpoint. */
export interface AttemptFailure {
  readonly kind: 'failure';
  readonly reason: FailureReason;
  /** One line for logs, status and `lastError`; never a header or a key. */
  readonly detail: string;
  readonly status?: number;
  /** Counts as a breaker failure. False for a rate limit: the endpoint is busy, not broken, and cools down. */
  readonly breaker: boolean;
  /** Open the breaker at once: the endpoint's key or account is refused. */
  readonly forceOpen: boolean;
  /** Keep the endpoint out until then (ms), apart from the breaker: a 429/529 Retry-After. */
  readonly coolUntil?: number;
  /** Should this failure open the breaker, it stays open at least this long (ms): the upstream's Retry-After. */
  readonly minOpenMs?: number;
  /** The whole request may have reached the upstream and been processed (and billed): never retried unattended. */
  readonly mayHaveBeenProcessed: boolean;
}

/** The attempt was aborted by qcc (the client left, or a timer of the gateway): no verdict on the endpoint. */
export interface AttemptAborted {
  readonly kind: 'aborted';
}

export type AttemptOutcome = AttemptSuccess | AttemptClientError | AttemptFailure | AttemptAborted;

/** Cool-down of a 429 that says nothing about when to come back. */
export const DEFAULT_RATE_LIMIT_COOLDOWN_MS = 30_000;

export interface ResponseFacts {
  readonly status: number;
  readonly contentType: string | undefined;
  /** The `retry-after` header as received. */
  readonly retryAfter: string | undefined;
  /** The `content-length` header, when there is one: a 2xx declaring an empty body is no answer. */
  readonly contentLength?: string | undefined;
  readonly now: number;
  /** `proxy.cooldownMaxMs`: the longest cool-down or Retry-After honoured, whatever the upstream says. */
  readonly cooldownMaxMs: number;
  /** @default DEFAULT_RATE_LIMIT_COOLDOWN_MS */
  readonly defaultCooldownMs?: number;
}

const SUCCESS_JSON: AttemptSuccess = Object.freeze({ kind: 'success', stream: false });
const SUCCESS_STREAM: AttemptSuccess = Object.freeze({ kind: 'success', stream: true });
const ABORTED: AttemptAborted = Object.freeze({ kind: 'aborted' });

/**
 * Retry-After (RFC 9110 §10.2.3) as a delay in ms from `now`: delta-seconds or an HTTP-date; a date in the past is
 * 0; anything else is undefined.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // The three HTTP-date forms all open with a day name; Date.parse alone would also take strings like "a 5".
  if (!/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,? /i.test(text)) return undefined;
  // asctime carries no zone and is GMT by definition; Date.parse would read it as local time.
  const at = Date.parse(/gmt$/i.test(text) ? text : `${text} GMT`);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

function failure(
  reason: FailureReason,
  detail: string,
  extra: Partial<Omit<AttemptFailure, 'kind' | 'reason' | 'detail'>> = {},
): AttemptFailure {
  return { kind: 'failure', reason, detail, breaker: true, forceOpen: false, mayHaveBeenProcessed: false, ...extra };
}

/** Classifies a response from its status and headers, before any of its body is read. */
export function classifyResponse(facts: ResponseFacts): AttemptOutcome {
  const { status } = facts;
  if (status >= 200 && status < 300) return classifySuccessStatus(facts);
  const retryAfterMs = parseRetryAfter(facts.retryAfter, facts.now);
  const capped = retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, facts.cooldownMaxMs);
  const detail = `HTTP ${status}`;
  if (status === 429) {
    const coolMs = capped ?? Math.min(facts.defaultCooldownMs ?? DEFAULT_RATE_LIMIT_COOLDOWN_MS, facts.cooldownMaxMs);
    return failure('rate-limited', detail, { status, breaker: false, coolUntil: facts.now + coolMs });
  }
  if (status === 401 || status === 403) return failure('auth', detail, { status, forceOpen: true });
  // A relay answers 402 when the endpoint's account has run dry: that account, not the request, is at fault.
  if (status === 402) return failure('payment-required', detail, { status, forceOpen: true });
  if (status === 408) return failure('request-timeout', detail, { status });
  if (status >= 400 && status < 500) return { kind: 'client-error', status };
  if (status >= 500 && status < 600) {
    // An upstream that names a time to come back (529, or a 503 with Retry-After) is taken at its word.
    const wait = capped === undefined ? {} : { coolUntil: facts.now + capped, minOpenMs: capped };
    // A gateway timeout in front of the upstream (504, Cloudflare's 524) may come after the model has run (§7).
    const mayHaveBeenProcessed = status === 504 || status === 524;
    return failure(status === 529 ? 'overloaded' : 'status-5xx', detail, { status, mayHaveBeenProcessed, ...wait });
  }
  // 1xx/3xx: undici follows no redirects, and a redirect to Claude Code means a wrong base URL, not a bad request.
  return failure('unexpected-status', detail, { status });
}

function classifySuccessStatus(facts: ResponseFacts): AttemptOutcome {
  const { status } = facts;
  if (status === 204 || status === 205) return SUCCESS_JSON;
  const type = mediaType(facts.contentType);
  const stream = type === 'text/event-stream';
  if (!stream && type !== 'application/json' && !type.endsWith('+json')) {
    // An HTML login or captcha page from a relay or a captive portal, served as "200".
    return failure('not-anthropic', `HTTP ${status} with content-type ${type === '' ? 'none' : type}`, { status });
  }
  if (facts.contentLength !== undefined && facts.contentLength.trim() === '0') {
    return failure('empty-body', `HTTP ${status} with an empty body`, { status });
  }
  return stream ? SUCCESS_STREAM : SUCCESS_JSON;
}

export interface AnthropicError {
  readonly type: string;
  readonly message: string;
}

/** The `error` of an Anthropic error body or `error` event (`{"type":"error","error":{type,message}}`). */
export function anthropicErrorOf(body: unknown): AnthropicError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, message } = error as { type?: unknown; message?: unknown };
  return {
    type: typeof type === 'string' ? type : 'unknown',
    message: typeof message === 'string' ? message : '',
  };
}

export interface FirstEventFacts {
  readonly now: number;
  readonly cooldownMaxMs: number;
  /** The stream's `retry-after` header, if it had one. */
  readonly retryAfter?: string | undefined;
  /** @default DEFAULT_RATE_LIMIT_COOLDOWN_MS */
  readonly defaultCooldownMs?: number;
}

/** The status an Anthropic error type stands for (https://docs.anthropic.com/en/api/errors). */
const statusOfErrorType: ReadonlyMap<string, number> = new Map([
  ['invalid_request_error', 400],
  ['authentication_error', 401],
  ['billing_error', 402],
  ['permission_error', 403],
  ['not_found_error', 404],
  ['request_too_large', 413],
  ['rate_limit_error', 429],
  ['api_error', 500],
  ['timeout_error', 504],
  ['overloaded_error', 529],
]);

/**
 * The stream commit point (§4.6): a first event `error` is the upstream failing after its 200. It has the effects
 * of the status its error type stands for — `overloaded_error` those of a 529 (a breaker failure, cooling only
 * with a Retry-After), `rate_limit_error` those of a 429 (a cool-down, no breaker failure), an auth error those of a
 * 401 — under the one reason `stream-error-event`. An error type of the client's own (`invalid_request_error`…) is
 * a client error like its status: the stream goes to the client unchanged and no endpoint is blamed.
 */
export function classifyFirstEvent(event: SseEvent, facts: FirstEventFacts): AttemptOutcome {
  let error: AnthropicError | undefined;
  if (event.event === 'error') {
    error = parseEventError(event.data) ?? { type: 'unknown', message: '' };
  } else if (event.event === 'message' && event.data.startsWith('{"type":"error"')) {
    // A relay that leaves out the `event:` line still sends Anthropic's `type` first.
    error = parseEventError(event.data);
  }
  if (error === undefined) return SUCCESS_STREAM;
  const status = statusOfErrorType.get(error.type) ?? 500;
  const as = classifyResponse({
    status,
    contentType: 'application/json',
    retryAfter: facts.retryAfter,
    now: facts.now,
    cooldownMaxMs: facts.cooldownMaxMs,
    ...(facts.defaultCooldownMs === undefined ? {} : { defaultCooldownMs: facts.defaultCooldownMs }),
  });
  if (as.kind !== 'failure') return { kind: 'client-error', status: 200 };
  return { ...as, reason: 'stream-error-event', detail: streamErrorDetail(error), status: 200 };
}

/**
 * How an upstream's `event: error` is described in logs, status and state.db, first event or mid-stream. The message
 * is the upstream's own text, so it is kept short and no key in it shows.
 */
export function streamErrorDetail(error: AnthropicError): string {
  const message = maskKeyLikes(error.message).slice(0, 200);
  return `stream error ${error.type}${message === '' ? '' : `: ${message}`}`;
}

function parseEventError(data: string): AnthropicError | undefined {
  try {
    return anthropicErrorOf(JSON.parse(data));
  } catch {
    return undefined;
  }
}

export interface TransportContext {
  /**
   * Whether the whole request had been written when the error came. Unknown (undefined) counts as possibly sent
   * for errors that can happen either way (a reset), since a retry that bills twice is worse than one left to the
   * user.
   */
  readonly requestSent?: boolean;
}

type TransportClass = readonly [FailureReason, 'before-send' | 'after-send' | 'either', breaker?: false];

// Node's system errors (errno names) and undici's error classes (lib/core/errors.js), by their stable `code`.
// A Map, since a code is foreign input and must not reach Object.prototype's keys.
const transportCodes: ReadonlyMap<string, TransportClass> = new Map(
  Object.entries({
    ECONNREFUSED: ['connect-refused', 'before-send'],
    ENOTFOUND: ['dns', 'before-send'],
    EAI_AGAIN: ['dns', 'before-send'],
    EAI_FAIL: ['dns', 'before-send'],
    EAI_NONAME: ['dns', 'before-send'],
    EAI_NODATA: ['dns', 'before-send'],
    EHOSTUNREACH: ['network', 'before-send'],
    ENETUNREACH: ['network', 'before-send'],
    EHOSTDOWN: ['network', 'before-send'],
    ENETDOWN: ['network', 'before-send'],
    EADDRNOTAVAIL: ['network', 'before-send'],
    EPROTO: ['tls', 'before-send'],
    ETIMEDOUT: ['connect-timeout', 'before-send'],
    UND_ERR_CONNECT_TIMEOUT: ['connect-timeout', 'before-send'],
    ECONNRESET: ['connection-reset', 'either'],
    ECONNABORTED: ['connection-reset', 'either'],
    EPIPE: ['connection-reset', 'either'],
    UND_ERR_SOCKET: ['connection-reset', 'either'],
    UND_ERR_HEADERS_TIMEOUT: ['response-timeout', 'after-send'],
    UND_ERR_BODY_TIMEOUT: ['body-timeout', 'after-send'],
    UND_ERR_HEADERS_OVERFLOW: ['protocol', 'after-send'],
    UND_ERR_RES_CONTENT_LENGTH_MISMATCH: ['protocol', 'after-send'],
    UND_ERR_INFO: ['protocol', 'after-send'],
    // qcc's own pool was closed under the request (a reload): the endpoint did nothing wrong.
    UND_ERR_CLOSED: ['client-closed', 'before-send', false],
    UND_ERR_DESTROYED: ['client-closed', 'before-send', false],
  } satisfies Record<string, TransportClass>),
);

const abortCodes = new Set(['UND_ERR_ABORTED', 'UND_ERR_ABORT', 'ABORT_ERR']);

function transportClass(code: string): TransportClass | undefined {
  const known = transportCodes.get(code);
  if (known !== undefined) return known;
  // OpenSSL and certificate verification codes, e.g. ERR_SSL_WRONG_VERSION_NUMBER, CERT_HAS_EXPIRED.
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code)) return ['tls', 'before-send'];
  if (code.startsWith('HPE_')) return ['protocol', 'after-send'];
  return undefined;
}

/**
 * Classifies an error thrown by undici or Node before a response arrived. The code is looked for along the `cause`
 * chain (fetch wraps it in a TypeError) and in an AggregateError's first error (Happy Eyeballs connects).
 */
export function classifyError(error: unknown, context: TransportContext = {}): AttemptFailure | AttemptAborted {
  let firstCode: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, name, cause, errors } = current as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (name === 'AbortError' || (typeof code === 'string' && abortCodes.has(code))) return ABORTED;
    if (typeof code === 'string') {
      firstCode ??= code;
      const known = transportClass(code);
      if (known !== undefined) {
        const [reason, phase, breaker] = known;
        const mayHaveBeenProcessed = phase === 'after-send' || (phase === 'either' && context.requestSent !== false);
        return failure(reason, code, { mayHaveBeenProcessed, ...(breaker === false ? { breaker } : {}) });
      }
    }
    if (name === 'TimeoutError') {
      return failure('response-timeout', 'TimeoutError', { mayHaveBeenProcessed: context.requestSent !== false });
    }
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  const detail = firstCode ?? (typeof name === 'string' ? name : 'unknown error');
  return failure('network', detail, { mayHaveBeenProcessed: context.requestSent !== false });
}

/** A timer of the gateway ran out after the request was sent: the upstream may be working on it still. */
export function timeoutFailure(
  reason: 'first-byte-timeout' | 'response-timeout' | 'stream-idle-timeout',
  afterMs: number,
): AttemptFailure {
  return failure(reason, `no ${reason === 'stream-idle-timeout' ? 'data' : 'answer'} within ${afterMs} ms`, {
    mayHaveBeenProcessed: true,
  });
}

/** A committed stream broke off before `message_stop` (§4.6): counted against the endpoint, never retried. */
export function streamBrokenFailure(detail: string): AttemptFailure {
  return failure('stream-broken', detail, { mayHaveBeenProcessed: true });
}
