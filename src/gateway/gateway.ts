import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Config, Settings } from '../config/schema.js';
import { QccError } from '../core/errors.js';
import type { GatewayStatus } from '../core/gateway-status.js';
import { RetryBudget } from '../core/retry-budget.js';
import { isLoopback, presentedCredentials, sameSecret } from './client-auth.js';
import { handleControl, type ReloadResult } from './control-api.js';
import { sendQccError } from './error-response.js';
import { proxyRequest, type GatewayObserver, type ProxyContext } from './proxy.js';
import { StopRegistry } from './request-stop.js';
import { Router, type HealthStore } from './router.js';
import { gatewayStatus } from './status.js';
import { Traffic } from './traffic.js';

export interface GatewayOptions {
  readonly config: Config;
  readonly host: string;
  readonly port: number;
  readonly dispatcher: Dispatcher;
  readonly observer: GatewayObserver;
  readonly version: string;
  readonly adminToken: string;
  readonly adminTokenFile: string;
  /** The daemon's reload (read config.json, validate, apply) and stop, for the control routes. */
  readonly reload: () => Promise<ReloadResult>;
  readonly stop: () => void;
  readonly clock?: () => number;
  readonly random?: () => number;
  readonly healthStore?: HealthStore;
}

/**
 * The inbound side: one node:http server for Claude Code's `/v1/*` calls, its `HEAD` preflight, and the control
 * routes under `/_qcc/`. Configuration is swapped by `apply` without dropping requests in flight.
 */
export class Gateway {
  readonly server: Server;
  readonly #options: GatewayOptions;
  readonly #clock: () => number;
  readonly #router: Router;
  readonly #budget: RetryBudget;
  readonly #traffic = new Traffic();
  readonly #draining = new AbortController();
  readonly #shutdown = new StopRegistry();
  readonly #startedAt: number;
  #settings: Settings;
  #dispatcher: Dispatcher;
  #configError: string | null = null;
  #url: string;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#startedAt = this.#clock();
    this.#settings = options.config.settings;
    this.#dispatcher = options.dispatcher;
    this.#router = new Router({
      clock: this.#clock,
      random: options.random ?? Math.random,
      settings: options.config.settings,
      ...(options.healthStore ? { store: options.healthStore } : {}),
    });
    this.#router.load(options.config);
    this.#budget = new RetryBudget(this.#settings.proxy.retryBudgetPercent, this.#settings.proxy.retryBudgetMin);
    this.#url = `http://${options.host}:${options.port}`;
    const context: ProxyContext = {
      router: this.#router,
      budget: this.#budget,
      dispatcher: () => this.#dispatcher,
      settings: () => this.#settings,
      clock: this.#clock,
      traffic: this.#traffic,
      observer: options.observer,
      draining: this.#draining.signal,
      shutdown: this.#shutdown,
    };
    this.server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
      this.#handle(req, res, context).catch((error: unknown) => {
        // A bug, not a user error: answer what can be answered and let the daemon log it.
        if (!res.headersSent) sendQccError(res, new QccError('QCC_ERR_INTERNAL', { detail: String(error) }));
        else if (!res.writableEnded) res.destroy();
        this.server.emit('error', error);
      });
    });
  }

  get url(): string {
    return this.#url;
  }

  get inflight(): number {
    return this.#traffic.counters.inflight;
  }

  /** Applies a validated configuration: routing, timeouts, budget. Requests in flight finish on what they had. */
  apply(config: Config): void {
    this.#router.load(config);
    this.#settings = config.settings;
    this.#budget.configure(config.settings.proxy.retryBudgetPercent, config.settings.proxy.retryBudgetMin);
    this.#configError = null;
  }

  /** New upstream pools (the old ones finish their requests and close). */
  useDispatcher(dispatcher: Dispatcher): void {
    this.#dispatcher = dispatcher;
  }

  /** A configuration was refused: the gateway keeps running on the last good one and says why in its status. */
  rejectConfig(error: string): void {
    this.#configError = error;
  }

  status(): GatewayStatus {
    return gatewayStatus(
      this.#router,
      this.#traffic,
      {
        version: this.#options.version,
        url: this.#url,
        startedAt: this.#startedAt,
        configError: this.#configError,
        draining: this.#draining.signal.aborted,
        strategy: this.#settings.loadbalancer.strategy,
      },
      this.#clock(),
    );
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.#options.port, this.#options.host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.#url = `http://${host}:${address.port}`;
        resolve();
      });
    });
  }

  /**
   * Graceful stop (DESIGN §9): new requests get 503 with `Connection: close` (the gateway keeps listening, so a
   * client hears why instead of finding nothing there, and `GET /_qcc/status` still says `draining`), held requests
   * give up, streams in flight may finish until `timeoutMs`; what is left after that is cut (a stream gets its
   * `event: error` first, from the relay). Then the port is closed.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining.abort();
    this.server.closeIdleConnections();
    const deadline = this.#clock() + timeoutMs;
    while (this.inflight > 0 && this.#clock() < deadline) await sleep(50);
    this.#shutdown.shutdown();
    for (let waited = 0; this.inflight > 0 && waited < 1000; waited += 50) await sleep(50);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse, context: ProxyContext): Promise<void> {
    const url = req.url ?? '/';
    // While draining, only the status is still answered (it says `draining`); everything else is refused.
    if (this.#draining.signal.aborted && !(req.method === 'GET' && url.split('?')[0] === '/_qcc/status')) {
      req.resume();
      return sendQccError(res, new QccError('QCC_ERR_DRAINING'), { connection: 'close' });
    }
    if (!isLoopback(this.#options.host) && !this.#presentsKey(req)) {
      req.resume();
      return sendQccError(res, new QccError('QCC_ERR_UNAUTHORIZED'));
    }
    if (url.startsWith('/_qcc/')) {
      return handleControl(req, res, {
        status: () => this.status(),
        reload: this.#options.reload,
        stop: this.#options.stop,
      }, this.#options.adminToken, this.#options.adminTokenFile);
    }
    if (url.startsWith('/v1/')) return proxyRequest(req, res, context);
    if (req.method === 'HEAD') {
      // Claude Code's preflight (`HEAD /`, `HEAD /api/hello`) checks that the base URL answers: it does.
      res.writeHead(200, { 'content-length': 0 });
      return void res.end();
    }
    req.resume();
    sendQccError(res, new QccError('QCC_ERR_ROUTE_NOT_FOUND', { method: req.method ?? '', path: url.split('?')[0] ?? '' }));
  }

  /** Beyond loopback every request shows the proxy key; the CLI may show the admin token instead on `/_qcc/`. */
  #presentsKey(req: IncomingMessage): boolean {
    const key = this.#settings.proxy.proxyKey;
    if (key !== null && presentedCredentials(req.headers).some((presented) => sameSecret(presented, key))) return true;
    if (!req.url?.startsWith('/_qcc/')) return false;
    const admin = req.headers['x-qcc-admin-token'];
    return sameSecret(typeof admin === 'string' ? admin : undefined, this.#options.adminToken);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
