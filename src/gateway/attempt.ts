import type { Dispatcher } from 'undici';
import {
  classifyError,
  classifyFirstEvent,
  classifyResponse,
  timeoutFailure,
  type AttemptFailure,
} from '../core/outcome.js';
import { clientHeaders, upstreamHeaders, type HeaderList } from '../upstream/headers.js';
import type { RequestStop } from './request-stop.js';
import { ResponseInspector, type FirstSign } from './response-inspector.js';
import type { Route } from './router.js';
import { UpstreamCall } from './upstream-call.js';

/** What one request asks of an upstream; the body is kept so that the next endpoint can be sent the same bytes. */
export interface UpstreamRequest {
  readonly method: string;
  /** Path and query as the client sent them (`/v1/messages?beta=true`). */
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** The body asked for a stream: the first-byte timeout runs to the first event. */
  readonly stream: boolean;
}

export interface AttemptTimeouts {
  readonly firstByteTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly streamIdleTimeoutMs: number;
  readonly cooldownMaxMs: number;
}

/** An upstream answer to hand to the client: the bytes read so far are held, the rest is still to come from `call`. */
export interface Committed {
  readonly kind: 'commit';
  readonly status: number;
  readonly headers: HeaderList;
  readonly held: readonly Buffer[];
  readonly call: UpstreamCall;
  readonly inspector: ResponseInspector;
  /** A client error (4xx): relayed unchanged, and no failure of the endpoint. */
  readonly clientError: boolean;
  readonly stream: boolean;
  readonly ttfbMs: number;
}

/** An upstream answer that is a failure but may still be the best thing to give the client if every endpoint fails. */
export interface Relayable {
  readonly status: number;
  readonly headers: HeaderList;
  readonly body: Buffer;
}

export type AttemptResult =
  | Committed
  | { readonly kind: 'failure'; readonly failure: AttemptFailure; readonly relay?: Relayable }
  | { readonly kind: 'aborted' };

/** An error body is read up to this size, to be relayed if it turns out to be the last answer. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * One attempt on one endpoint, up to the commit point (DESIGN §4.5–4.6): the response's status and headers are
 * classified, and a success is held until its first complete SSE event (or, for JSON, its first character) shows
 * that it really is an Anthropic answer. Nothing reaches the client here, so a failure can still move on.
 */
export async function attemptUpstream(
  dispatcher: Dispatcher,
  route: Route,
  request: UpstreamRequest,
  timeouts: AttemptTimeouts,
  stop: RequestStop,
  clock: () => number,
): Promise<AttemptResult> {
  const started = clock();
  const call = new UpstreamCall(dispatcher, {
    origin: route.origin,
    path: route.basePath + request.url,
    method: request.method as Dispatcher.HttpMethod,
    headers: upstreamHeaders(request.rawHeaders, route.endpoint),
    body: request.method === 'GET' || request.method === 'HEAD' ? null : request.body,
    // The timer below owns the time to the commit point; after it, a stream may flow for as long as it flows,
    // but not fall silent for longer than streamIdleTimeoutMs (Anthropic sends pings).
    headersTimeout: 0,
    bodyTimeout: timeouts.streamIdleTimeoutMs,
  });
  const deadlineMs = request.stream ? timeouts.firstByteTimeoutMs : timeouts.responseTimeoutMs;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    call.abort(new Error(`no answer within ${deadlineMs} ms`));
  }, deadlineMs);
  const onStop = (): void => call.abort(new Error('the request was stopped'));
  stop.listen(onStop);
  const settle = (): void => {
    clearTimeout(timer);
    stop.unlisten(onStop);
  };
  const failed = (error: unknown): AttemptResult => {
    settle();
    if (stop.stopped) return { kind: 'aborted' };
    if (timedOut) {
      return { kind: 'failure', failure: timeoutFailure(request.stream ? 'first-byte-timeout' : 'response-timeout', deadlineMs) };
    }
    const classified = classifyError(error);
    return classified.kind === 'aborted' ? { kind: 'aborted' } : { kind: 'failure', failure: classified };
  };

  const head = await call.head;
  if (head instanceof Error) return failed(head);
  const { status, headers } = head;
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const verdict = classifyResponse({
    status,
    contentType: header('content-type'),
    retryAfter: header('retry-after'),
    contentLength: header('content-length'),
    now: clock(),
    cooldownMaxMs: timeouts.cooldownMaxMs,
  });
  const forClient = clientHeaders(headers);

  if (verdict.kind === 'failure') {
    const text = await readSome(call, MAX_ERROR_BODY);
    settle();
    // An error body too large to hold is not relayed cut short as if it were whole: qcc answers for itself then.
    return text === undefined
      ? { kind: 'failure', failure: verdict }
      : { kind: 'failure', failure: verdict, relay: { status, headers: forClient, body: text } };
  }
  const stream = verdict.kind === 'success' && verdict.stream;
  const inspector = new ResponseInspector(stream, header('content-encoding'));
  const commit = (held: readonly Buffer[], clientError: boolean): Committed => {
    settle();
    return { kind: 'commit', status, headers: forClient, held, call, inspector, clientError, stream, ttfbMs: clock() - started };
  };
  if (verdict.kind === 'client-error') return commit([], true);
  // No body by definition (RFC 9110 §9.3.2, §15.3.5): nothing to wait for, and its absence is no fault.
  if (request.method === 'HEAD' || status === 204 || status === 205) return commit([], false);

  const held: Buffer[] = [];
  const sign = await firstSign(call, inspector, held);
  if (sign instanceof Error) {
    inspector.dispose();
    return failed(sign);
  }
  if (sign.kind === 'opaque') return commit(held, false);
  // Not the answer to relay: the rest of it is not read.
  const drop = (detail: string): void => {
    settle();
    call.abort(new Error(detail));
    inspector.dispose();
  };
  const notAnthropic = (reason: 'empty-body' | 'not-anthropic', detail: string): AttemptResult => {
    drop(detail);
    return { kind: 'failure', failure: { kind: 'failure', reason, detail, status, breaker: true, forceOpen: false, mayHaveBeenProcessed: false } };
  };
  if (sign.kind === 'end') return notAnthropic('empty-body', `HTTP ${status} with an empty body`);
  if (sign.kind === 'text') {
    return sign.char === '{' ? commit(held, false) : notAnthropic('not-anthropic', `HTTP ${status} body is not JSON`);
  }
  const first = classifyFirstEvent(sign.event, { now: clock(), cooldownMaxMs: timeouts.cooldownMaxMs, retryAfter: header('retry-after') });
  if (first.kind === 'failure') {
    drop(first.detail);
    return { kind: 'failure', failure: first, relay: { status, headers: forClient, body: Buffer.concat(held) } };
  }
  return commit(held, first.kind === 'client-error');
}

/**
 * Reads the body into `held` until the inspector sees its first sign. Whatever arrives after it is held too, until
 * the relay takes over the call.
 */
function firstSign(call: UpstreamCall, inspector: ResponseInspector, held: Buffer[]): Promise<FirstSign | Error> {
  return new Promise((resolve) => {
    let signalled = false;
    const finish = (value: FirstSign | Error): void => {
      if (signalled) return;
      signalled = true;
      resolve(value);
    };
    void inspector.first().then(finish);
    call.read({
      data(chunk) {
        held.push(chunk);
        inspector.write(chunk);
      },
      end() {
        void inspector.end().then(() => inspector.first().then(finish));
      },
      error(error) {
        // After the sign, an error is the relay's to hear: the call keeps it for the next reader.
        finish(error);
      },
    });
  });
}

/** The whole body if it fits in `limit` bytes (what arrived, if it broke off); undefined when it is larger. */
function readSome(call: UpstreamCall, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | undefined): void => {
      if (done) return;
      done = true;
      resolve(value);
    };
    call.read({
      data(chunk) {
        size += chunk.length;
        if (size > limit) {
          finish(undefined);
          call.abort(new Error('the error body is too large to hold'));
          return;
        }
        chunks.push(chunk);
      },
      end: () => finish(Buffer.concat(chunks)),
      // A broken error body is still an error: what arrived is enough.
      error: () => finish(Buffer.concat(chunks)),
    });
  });
}
