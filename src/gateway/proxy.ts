import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Settings } from '../config/schema.js';
import { isQccError, QccError } from '../core/errors.js';
import type { AttemptFailure } from '../core/outcome.js';
import type { RequestOutcome, RequestRecord } from '../core/request-record.js';
import type { RetryBudget } from '../core/retry-budget.js';
import type { Usage } from '../core/usage.js';
import type { HeaderList } from '../upstream/headers.js';
import { attemptUpstream, type Relayable, type UpstreamRequest } from './attempt.js';
import { sendQccError } from './error-response.js';
import { holdForEndpoint } from './hold.js';
import { relay } from './relay.js';
import { readRequestBody, requestFacts } from './request-body.js';
import { RequestStop, type StopRegistry } from './request-stop.js';
import type { Admission, Route, Router } from './router.js';
import type { Traffic } from './traffic.js';

/** What the gateway tells the daemon, which decides where it goes (STYLE habit 7: libraries emit). */
export interface GatewayObserver {
  requestFinished(record: RequestRecord): void;
  attemptFailed(event: { requestId: string; route: Route; attempt: number; failure: AttemptFailure }): void;
}

export interface ProxyContext {
  readonly router: Router;
  readonly budget: RetryBudget;
  /** The upstream connection pools; replaced when proxy.connectTimeoutMs changes. */
  readonly dispatcher: () => Dispatcher;
  readonly settings: () => Settings;
  readonly clock: () => number;
  readonly traffic: Traffic;
  readonly observer: GatewayObserver;
  /** Aborted when the gateway starts draining: held requests give up at once. */
  readonly draining: AbortSignal;
  /** Shut down when draining runs out of time: whatever still flows is ended. */
  readonly shutdown: StopRegistry;
}

interface Progress {
  attempts: number;
  route: Route | undefined;
  status: number;
  ttfbMs: number | null;
  bytesOut: number;
  usage: Usage | undefined;
  error: string | null;
}

/**
 * The request path of DESIGN §4: read the body, try candidates in order (balanced inside a tier, bounded by
 * maxAttempts and the retry budget), hold when nothing is available, commit at the first event, relay, record.
 */
export async function proxyRequest(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext): Promise<void> {
  const started = ctx.clock();
  const id = randomUUID();
  const settings = ctx.settings();
  const progress: Progress = { attempts: 0, route: undefined, status: 0, ttfbMs: null, bytesOut: 0, usage: undefined, error: null };
  ctx.traffic.started();
  ctx.budget.requestStarted();
  // Stopped when the client leaves, or when a draining gateway runs out of time.
  const stop = new RequestStop();
  const onClose = (): void => {
    if (!res.writableFinished) stop.stop('client-closed');
  };
  res.once('close', onClose);
  ctx.shutdown.track(stop);
  let body: Buffer = Buffer.alloc(0);
  let stream = false;
  let model: string | null = null;
  let outcome: RequestOutcome;
  // A bug (anything but a QccError) is still answered and recorded, so the in-flight count stays true; then it is
  // thrown on for the daemon to log.
  let bug: { error: unknown } | undefined;
  try {
    body = await readRequestBody(req, settings.proxy.maxBodyBytes);
    const facts = requestFacts(req.headers, body);
    stream = facts.stream;
    model = facts.model ?? null;
    const request: UpstreamRequest = { method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body, stream };
    outcome = await route(request, facts.session, res, stop, ctx, settings, progress, id);
  } catch (error) {
    if (error !== null && error === req.errored) {
      // The client left while it was still sending its body: no upstream was asked, and nobody is left to answer.
      outcome = 'client-closed';
    } else if (isQccError(error)) {
      // Refused before any upstream was asked (a body over the limit): say so and close, the rest is not read.
      sendQccError(res, error, { connection: 'close' });
      progress.status = error.httpStatus;
      progress.error = error.code;
      outcome = 'rejected';
    } else {
      bug = { error };
      outcome = fail(res, progress, new QccError('QCC_ERR_INTERNAL', { detail: String(error) }), 'failed');
    }
  } finally {
    ctx.budget.requestFinished();
    res.off('close', onClose);
    ctx.shutdown.untrack(stop);
  }
  const usage = progress.usage;
  const record: RequestRecord = {
    id,
    at: started,
    method: req.method ?? '',
    path: (req.url ?? '').split('?')[0] ?? '',
    profile: progress.route?.profile ?? null,
    endpointId: progress.route?.id ?? null,
    attempts: progress.attempts,
    status: progress.status,
    outcome,
    stream,
    ttfbMs: progress.ttfbMs,
    durationMs: ctx.clock() - started,
    bytesIn: body.length,
    bytesOut: progress.bytesOut,
    model: usage?.model ?? model,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cacheCreationTokens: usage?.cacheCreationInputTokens ?? 0,
    cacheReadTokens: usage?.cacheReadInputTokens ?? 0,
    error: progress.error,
  };
  ctx.traffic.finished(record);
  ctx.observer.requestFinished(record);
  if (bug) throw bug.error;
}

async function route(
  request: UpstreamRequest,
  session: string | undefined,
  res: ServerResponse,
  stop: RequestStop,
  ctx: ProxyContext,
  settings: Settings,
  progress: Progress,
  requestId: string,
): Promise<RequestOutcome> {
  const tried = new Set<string>();
  const timeouts = settings.proxy;
  const holdDeadline = ctx.clock() + settings.queue.holdTimeoutMs;
  let last: { failure: AttemptFailure; relay?: Relayable } | undefined;
  // qcc stopped waiting: the client left, or a draining gateway ran out of time (then the client is still owed an answer).
  const gaveUp = (): RequestOutcome =>
    stop.reason === 'client-closed' ? 'client-closed' : fail(res, progress, new QccError('QCC_ERR_DRAINING'), 'failed');

  while (progress.attempts < settings.proxy.maxAttempts) {
    if (stop.stopped) return gaveUp();
    const admission = ctx.router.choose(tried, session);
    if (!admission) {
      // Every endpoint that can take a request has failed this one, or the last refused its key (waiting will not
      // mend that): its answer is the answer. Otherwise everything is cooling down or open, and the request waits.
      if (tried.size > 0 && (ctx.router.hasAvailable() || last?.failure.forceOpen)) break;
      // Nothing to wait for: no endpoint will come back until the user points qcc at a profile.
      if (ctx.router.routes.length === 0) return fail(res, progress, new QccError('QCC_ERR_NOTHING_TO_SERVE'), 'no-endpoint');
      const held = await hold(ctx, holdDeadline, stop);
      if (held === 'available') {
        // Something left its cool-down or open breaker: the world changed, so even an endpoint tried before (a 429
        // whose Retry-After has passed) may be tried again, within maxAttempts.
        tried.clear();
        continue;
      }
      if (held === 'aborted') return gaveUp();
      return fail(res, progress, new QccError('QCC_ERR_NO_ENDPOINT', { waitedMs: settings.queue.holdTimeoutMs }), 'no-endpoint');
    }
    const retry = progress.attempts > 0;
    if (retry && !ctx.budget.tryAcquireRetry()) {
      finishAttempt(ctx, admission, undefined);
      break;
    }
    if (retry) ctx.traffic.retried();
    progress.attempts += 1;
    tried.add(admission.route.id);
    progress.route = admission.route;
    const attemptStarted = ctx.clock();
    // Until the endpoint hears how the attempt went and that it ended, it counts as in flight there (and holds
    // any trial lease): a bug thrown out of the attempt or the relay must not leave it so for ever.
    let settled = false;
    let ended = false;
    try {
      const result = await attemptUpstream(ctx.dispatcher(), admission.route, request, timeouts, stop, ctx.clock);
      if (result.kind === 'aborted') {
        settled = ended = true;
        finishAttempt(ctx, admission, undefined);
        return gaveUp();
      }
      if (result.kind === 'failure') {
        settled = ended = true;
        finishAttempt(ctx, admission, result.failure);
        ctx.observer.attemptFailed({ requestId, route: admission.route, attempt: progress.attempts, failure: result.failure });
        last = result;
        continue;
      }
      ctx.router.succeeded(admission, result.ttfbMs);
      settled = true;
      progress.status = result.status;
      progress.ttfbMs = result.ttfbMs;
      const relayed = await relay(res, result, {
        endpointId: admission.route.id,
        attempts: progress.attempts,
        streamIdleTimeoutMs: timeouts.streamIdleTimeoutMs,
        stop,
      });
      progress.bytesOut = relayed.bytes;
      progress.usage = relayed.usage;
      // Counted once its bytes are done: a stream that broke after its commit is a failure of the endpoint too.
      ctx.traffic.attempted(admission.route.id, relayed.kind === 'broken');
      if (relayed.kind === 'broken') {
        ctx.router.brokeAfterCommit(admission.route, relayed.failure);
        ended = true;
        ctx.router.ended(admission.route);
        ctx.observer.attemptFailed({ requestId, route: admission.route, attempt: progress.attempts, failure: relayed.failure });
        progress.error = relayed.failure.detail;
        return 'stream-broken';
      }
      ended = true;
      ctx.router.ended(admission.route, relayed.kind === 'complete' ? ctx.clock() - attemptStarted : undefined);
      if (relayed.kind === 'client-closed') return 'client-closed';
      return result.clientError ? 'client-error' : 'ok';
    } finally {
      if (retry) ctx.budget.releaseRetry();
      if (!settled) ctx.router.abandoned(admission);
      if (!ended) ctx.router.ended(admission.route);
    }
  }
  if (last?.relay) {
    // Every endpoint tried failed: the last upstream answer is the most honest thing to give the client.
    const { status, headers, body } = last.relay;
    // The body may be what arrived of a broken one: its own length, not the length the upstream announced.
    const list: HeaderList = [];
    for (let index = 0; index + 1 < headers.length; index += 2) {
      if (headers[index] !== 'content-length') list.push(headers[index] as string, headers[index + 1] as string | string[]);
    }
    list.push('content-length', String(body.length), 'x-qcc-endpoint', progress.route?.id ?? '', 'x-qcc-attempts', String(progress.attempts));
    res.writeHead(status, list);
    res.end(body);
    progress.status = status;
    progress.bytesOut = body.length;
    progress.error = last.failure.detail;
    return 'failed';
  }
  const detail = last ? `${last.failure.detail} on endpoint ${progress.route?.id ?? '?'}` : 'the retry budget is spent';
  return fail(res, progress, new QccError('QCC_ERR_UPSTREAM_FAILED', { detail }), 'failed');
}

function finishAttempt(ctx: ProxyContext, admission: Admission, failure: AttemptFailure | undefined): void {
  if (failure) ctx.router.failed(admission, failure);
  else ctx.router.abandoned(admission);
  ctx.router.ended(admission.route);
  if (failure) ctx.traffic.attempted(admission.route.id, true);
}

async function hold(ctx: ProxyContext, deadline: number, stop: RequestStop): Promise<'available' | 'timeout' | 'aborted'> {
  ctx.traffic.holding(1);
  // Held requests are few: each may have signals of its own.
  const stopped = new AbortController();
  const onStop = (): void => stopped.abort();
  stop.listen(onStop);
  try {
    return await holdForEndpoint(ctx.router, ctx.clock, deadline, AbortSignal.any([stopped.signal, ctx.draining]));
  } finally {
    stop.unlisten(onStop);
    ctx.traffic.holding(-1);
  }
}

function fail(res: ServerResponse, progress: Progress, error: QccError, outcome: RequestOutcome): RequestOutcome {
  sendQccError(res, error);
  progress.status = error.httpStatus;
  progress.error = error.code;
  return outcome;
}
