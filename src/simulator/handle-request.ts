import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errorBody, errorBodyForStatus } from './error-bodies.js';
import type { FaultPlan } from './fault-plan.js';
import { countTokensBody, HTML_PAGE, MODELS_BODY, OVERLOADED_EVENT, readFacts, type Replies } from './replies.js';
import {
  deliverEvents,
  deliverJson,
  JSON_TYPE,
  pause,
  resetConnection,
  sendBody,
  type Delivery,
  type Exchange,
} from './send.js';
import type { Fault, RecordedRequest } from './types.js';

/** The simulator's own, writable view of a recorded request. */
export type RequestRow = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

/** What a request needs from the simulator that owns it. */
export interface HandlerContext {
  readonly name: string;
  /** `name` reduced to characters that are safe inside ids. */
  readonly tag: string;
  /** The header and value a `/v1/*` request must carry, when a key is configured. */
  readonly auth: { readonly header: 'x-api-key' | 'authorization'; readonly value: string } | undefined;
  readonly latencyMs: number;
  readonly eventGapMs: number;
  readonly chunks: number;
  readonly replies: Replies;
  readonly plan: FaultPlan;
  isServing(): boolean;
  isClosing(): boolean;
  /** Appends to `requests`; returns the index. */
  record(row: RequestRow): number;
  /** A recorded request changed (body read, finished, aborted). */
  changed(): void;
  /** Counts a request refused on a kept-alive connection. */
  refused(): void;
  nextSeq(): number;
}

type Reply =
  | { readonly kind: 'json'; readonly status: number; readonly body: string }
  | { readonly kind: 'events'; readonly events: readonly string[] };

export function handleRequest(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): void {
  // A connection opened before `stop()` must not be served while the endpoint is "down".
  if (!ctx.isServing()) {
    req.socket.resetAndDestroy();
    return;
  }
  const row: RequestRow = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: req.headers,
    body: undefined,
    rawBodyBytes: 0,
    receivedAt: Date.now(),
    aborted: false,
    completed: false,
    fault: undefined,
  };
  const index = ctx.record(row);
  const ex: Exchange = { res, selfDestroyed: false, closed: false };
  res.on('finish', () => {
    row.completed = true;
    ctx.changed();
  });
  res.on('close', () => {
    ex.closed = true;
    if (!row.completed && !ex.selfDestroyed && !ctx.isClosing()) {
      row.aborted = true;
      ctx.changed();
    }
  });
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    answer(ctx, ex, row, index, Buffer.concat(chunks)).catch((error: unknown) => failed(ex, error));
  });
}

/** A throwing `replyText` or script is a bug in the test: show it as a 500 that names it, not as a silent reset. */
function failed(ex: Exchange, error: unknown): void {
  if (ex.closed) return;
  if (ex.res.headersSent) {
    ex.selfDestroyed = true;
    ex.res.destroy();
    return;
  }
  const message = `simulator: ${error instanceof Error ? error.message : String(error)}`;
  sendBody(ex, 500, {}, JSON_TYPE, errorBody('api_error', message));
}

async function answer(ctx: HandlerContext, ex: Exchange, row: RequestRow, index: number, raw: Buffer): Promise<void> {
  row.rawBodyBytes = raw.length;
  row.body = parseBody(raw);
  ctx.changed();
  const fault = ctx.plan.decide(row, index);
  row.fault = fault;
  if (fault?.kind === 'refuse') ctx.refused();
  if (fault?.kind === 'refuse' || fault?.kind === 'reset') return resetConnection(ex);
  if (fault?.kind === 'hang') return;
  if (ctx.latencyMs > 0 && !(await pause(ex, ctx.latencyMs))) return;

  const seq = ctx.nextSeq();
  const headers: OutgoingHttpHeaders = { 'request-id': `req_${ctx.tag}_${seq}`, 'x-sim-name': ctx.name };
  switch (fault?.kind) {
    case 'status': {
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      return sendBody(ex, fault.status, headers, JSON_TYPE, fault.body ?? errorBodyForStatus(fault.status));
    }
    case 'error-event':
      return deliverEvents(ex, headers, [OVERLOADED_EVENT], { gapMs: 0, pieces: 1 });
    case 'html':
      return sendBody(ex, 200, headers, 'text/html; charset=utf-8', HTML_PAGE);
    case 'empty':
      return sendBody(ex, 200, headers, JSON_TYPE, '');
    default:
      break;
  }
  const reply = route(ctx, row, raw, `msg_${ctx.tag}_${seq}`);
  const delivery = deliveryFor(ctx, fault);
  if (reply.kind === 'json') return deliverJson(ex, reply.status, headers, reply.body, delivery);
  return deliverEvents(ex, headers, reply.events, delivery);
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function deliveryFor(ctx: HandlerContext, fault: Fault | undefined): Delivery {
  const base = { gapMs: ctx.eventGapMs, pieces: ctx.chunks };
  switch (fault?.kind) {
    case 'slow':
      return { ...base, gapMs: fault.gapMs };
    case 'cut':
      return { ...base, cutAfter: fault.afterEvents };
    case 'gzip':
      return { ...base, gzip: true };
    case 'drop-stop':
      return { ...base, dropStop: true };
    default:
      return base;
  }
}

const json = (status: number, body: string): Reply => ({ kind: 'json', status, body });

function route(ctx: HandlerContext, row: RequestRow, raw: Buffer, id: string): Reply {
  const query = row.path.indexOf('?');
  const pathname = query === -1 ? row.path : row.path.slice(0, query);
  // Claude Code's preflight (`HEAD /api/hello`) and plain reachability checks.
  if (row.method === 'HEAD' && (pathname === '/' || pathname === '/api/hello')) return json(200, '');
  if (pathname.startsWith('/v1/') && !authorised(ctx, row.headers)) return json(401, errorBodyForStatus(401));
  if (row.method === 'POST' && (pathname === '/v1/messages' || pathname === '/v1/messages/count_tokens')) {
    if (typeof row.body !== 'object' || row.body === null || Array.isArray(row.body)) {
      return json(400, errorBody('invalid_request_error', 'request body must be a JSON object'));
    }
    const facts = readFacts(row.body, raw);
    if (pathname === '/v1/messages/count_tokens') return json(200, countTokensBody(facts));
    // Streaming is what the body asks for: Claude Code streams with `accept: application/json`.
    if (facts.stream) return { kind: 'events', events: ctx.replies.events(id, row, facts) };
    return json(200, ctx.replies.message(id, row, facts));
  }
  if (row.method === 'GET' && pathname === '/v1/models') return json(200, MODELS_BODY);
  return json(404, errorBody('not_found_error', `Not found: ${row.method} ${pathname}`));
}

function authorised(ctx: HandlerContext, headers: IncomingHttpHeaders): boolean {
  return ctx.auth === undefined || headers[ctx.auth.header] === ctx.auth.value;
}
