import type { IncomingHttpHeaders } from 'node:http';

/**
 * What a simulated upstream can do wrong. Each kind is one failure that real providers and relays show (DESIGN §4.5,
 * §12), so the gateway's classification can be pinned by a test that names it.
 */
export type Fault =
  /**
   * A connection the upstream will not talk on (ECONNRESET). A new connection is reset (TCP RST) as soon as it is
   * accepted, so no request is recorded; a request that arrives on a kept-alive connection is recorded, read, and its
   * connection reset the same way. Both count in `refusedConnections`. True ECONNREFUSED comes from `stop()`.
   */
  | { readonly kind: 'refuse' }
  /** Read the whole request, then reset the connection (TCP RST) without a byte of answer. */
  | { readonly kind: 'reset' }
  /**
   * An HTTP error with the Anthropic body for the status (529 overloaded_error, 429 rate_limit_error, 401
   * authentication_error, …) unless `body` replaces it. `retryAfter` is sent only when given.
   */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  /** Never send headers; the request stays open until the client gives up (or `close()`). */
  | { readonly kind: 'hang' }
  /** The normal answer, `gapMs` between events (a non-streaming body drips in pieces with that gap). */
  | { readonly kind: 'slow'; readonly gapMs: number }
  /** Stream: `afterEvents` complete events, then the connection closes without the chunked end. JSON: half the body. */
  | { readonly kind: 'cut'; readonly afterEvents: number }
  /** 200 `text/event-stream` whose first and only event is `event: error` (overloaded_error). */
  | { readonly kind: 'error-event' }
  /** 200 `text/html`: the error page of a captive portal or a broken relay. */
  | { readonly kind: 'html' }
  /** 200 `application/json` with an empty body. */
  | { readonly kind: 'empty' }
  /** The normal answer gzip-encoded whatever `accept-encoding` says; a stream is flushed after each event. */
  | { readonly kind: 'gzip' }
  /** A stream that ends cleanly but without `message_stop` (a non-streaming request gets the normal answer). */
  | { readonly kind: 'drop-stop' };

export type FaultKind = Fault['kind'];

/** One request as the simulator saw it; the object is updated in place while its exchange goes on. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target, query string included (`/v1/messages?beta=true`). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; `undefined` while it is being read, when empty, or when it is not JSON. */
  readonly body: unknown;
  readonly rawBodyBytes: number;
  /** `Date.now()` when the request line and headers arrived. */
  readonly receivedAt: number;
  /** The client closed the connection before the simulator finished its answer. */
  readonly aborted: boolean;
  /** The simulator wrote its whole answer. */
  readonly completed: boolean;
  /** The fault this request got, once decided. */
  readonly fault: Fault | undefined;
}

export type ReplyText = string | ((request: RecordedRequest) => string);

/** Decides a request's fault from the request (body included) and its index in `requests`. */
export type FaultScript = (request: RecordedRequest, index: number) => Fault | undefined;

export type AuthStyle = 'x-api-key' | 'bearer';

export interface SimulatorOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (an ephemeral port, kept across `stop()` and `start()`) */
  readonly port?: number;
  /** Echoed in the `x-sim-name` header and in message and request ids, so tests can tell upstreams apart. @default 'sim' */
  readonly name?: string;
  /** When set, `/v1/*` requests must carry it as `authStyle` says, or get a 401 authentication_error. */
  readonly apiKey?: string;
  /** @default 'x-api-key' */
  readonly authStyle?: AuthStyle;
  /** The assistant's reply; a function can echo something from the request (a probe's code). */
  readonly replyText?: ReplyText;
  /** `content_block_delta` events per stream. @default 5 */
  readonly chunks?: number;
  /** Delay between SSE events, in ms. @default 0 */
  readonly eventGapMs?: number;
  /** Delay before the response headers, in ms (not before `reset`, `refuse` or `hang`). @default 0 */
  readonly latencyMs?: number;
}

export interface FaultOptions {
  /** How many requests get the fault. @default every request until `clearFaults()` */
  readonly times?: number;
}

export interface Simulator {
  /** `http://HOST:PORT`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly name: string;
  /** Every request received since the last `reset()`, in arrival order (refused connections excepted). */
  readonly requests: readonly RecordedRequest[];
  /** Connections reset by a `refuse` fault: on accept, or on the request of a kept-alive connection. */
  readonly refusedConnections: number;
  /**
   * Queues a fault for the next `times` requests. Queued faults apply in call order, before the script; one without
   * `times` stays until `clearFaults()`.
   */
  fault(fault: Fault, options?: FaultOptions): void;
  /** Decides the fault of each request that no queued fault claims. Replaces the previous script. */
  script(plan: FaultScript): void;
  /** Forgets queued faults and the script. */
  clearFaults(): void;
  /** Forgets recorded requests, the refusal count and faults. */
  reset(): void;
  /** Resolves once `condition` holds (checked on every change of a recorded request), rejects after `timeoutMs`. */
  waitFor(condition: (simulator: Simulator) => boolean, timeoutMs?: number): Promise<void>;
  /**
   * The endpoint goes down: new connections are refused (ECONNREFUSED) and idle kept-alive ones closed; responses in
   * flight finish, and a request that still arrives on an open connection is reset. Recorded state is kept.
   */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops listening and destroys every open connection. Final. */
  close(): Promise<void>;
}
