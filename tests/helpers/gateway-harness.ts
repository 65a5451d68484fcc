import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import {
  CONFIG_VERSION,
  configSchema,
  type AuthStyle,
  type Config,
  type EndpointPriority,
  type PriorityGroupName,
  type Settings,
} from '../../src/config/schema.js';
import type { EndpointStatus } from '../../src/core/gateway-status.js';
import type { RequestRecord } from '../../src/core/request-record.js';
import { Gateway } from '../../src/gateway/gateway.js';
import type { GatewayObserver } from '../../src/gateway/proxy.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { exchange, parseSse, STREAM_ORDER, type ExchangeOptions, type RawExchange } from './sim-http.js';

/** One simulated provider and the endpoint that points at it. */
export interface UpstreamSpec {
  /** The simulator's name (echoed in `x-sim-name` and message ids) and how tests refer to the endpoint. */
  readonly name: string;
  /** The profile the endpoint belongs to. @default 'main' */
  readonly profile?: string;
  /** @default 1 */
  readonly priority?: EndpointPriority;
  /** @default 100 */
  readonly weight?: number;
  /** How the gateway sends this endpoint's key, and how the simulator demands it. @default 'x-api-key' */
  readonly authStyle?: AuthStyle;
  /** The key in the configuration; the simulator demands `simulatorKey` (default: the same). */
  readonly apiKey?: string;
  /** A different key on the simulator's side makes every request a real 401; null: the simulator takes any. */
  readonly simulatorKey?: string | null;
  readonly enabled?: boolean;
  readonly sim?: Omit<SimulatorOptions, 'name' | 'apiKey' | 'authStyle'>;
  /** A path after the simulator's address in the base URL, as relays have (`/api`). */
  readonly urlPath?: string;
  /** Points the endpoint at a server of the test's own instead: no simulator is started for it. */
  readonly baseUrl?: string;
}

export type SettingsOverrides = { readonly [G in keyof Settings]?: Partial<Settings[G]> };

export interface HarnessOptions {
  readonly upstreams: readonly UpstreamSpec[];
  /** Profile names by priority group (DESIGN §3). */
  readonly priorityGroups?: { readonly [G in PriorityGroupName]?: readonly string[] };
  /** @default the profile of the first upstream */
  readonly activeProfile?: string | null;
  readonly settings?: SettingsOverrides;
  /** @default '127.0.0.1' (the harness always connects on 127.0.0.1) */
  readonly host?: string;
  /** Called on every failed attempt, after it is collected; a test throws from it to play a bug in the gateway. */
  readonly onAttemptFailed?: (event: AttemptFailedEvent) => void;
}

export type AttemptFailedEvent = Parameters<GatewayObserver['attemptFailed']>[0];

/** What the harness collects from the gateway while a test runs. */
interface Seen {
  readonly records: RequestRecord[];
  readonly failures: AttemptFailedEvent[];
  readonly serverErrors: unknown[];
  reloads: number;
  stops: number;
}

/** The usual cluster of the fault tests: a primary 'a' that misbehaves and a secondary 'b' that answers. */
export const pair: HarnessOptions = { upstreams: [{ name: 'a', priority: 1 }, { name: 'b', priority: 2 }] };

export const ADMIN_TOKEN = 'qcc-admin-token-for-tests-0123456789abcdef';

/** A key for an endpoint that no other endpoint shares and that is easy to search for in any output. */
export const keyOf = (name: string): string => `sk-test-${name}-${name.length}f9c2e7a41d`;

/**
 * A Gateway in this process, in front of simulated upstreams on 127.0.0.1:0, with the observer's events collected:
 * what the client got is asked through `send`, what every upstream saw through `sim(name).requests`.
 */
export class GatewayHarness {
  readonly gateway: Gateway;
  /** `http://127.0.0.1:PORT`, whatever address the gateway is bound to. */
  readonly url: string;
  readonly #sims: Map<string, Simulator>;
  readonly #ids: Map<string, string>;
  readonly #upstream: Agent;
  readonly #client = new Agent({ keepAliveTimeout: 10_000 });
  readonly #seen: Seen;
  #config: Config;

  private constructor(parts: {
    gateway: Gateway;
    url: string;
    sims: Map<string, Simulator>;
    ids: Map<string, string>;
    upstream: Agent;
    config: Config;
    seen: Seen;
  }) {
    this.gateway = parts.gateway;
    this.url = parts.url;
    this.#sims = parts.sims;
    this.#ids = parts.ids;
    this.#upstream = parts.upstream;
    this.#config = parts.config;
    this.#seen = parts.seen;
  }

  static async start(options: HarnessOptions): Promise<GatewayHarness> {
    const sims = new Map<string, Simulator>();
    const ids = new Map<string, string>();
    try {
      for (const spec of options.upstreams) if (spec.baseUrl === undefined) sims.set(spec.name, await startSimulatorFor(spec));
      const config = buildConfig(options, sims, ids);
      const upstream = new Agent({ connect: { timeout: config.settings.proxy.connectTimeoutMs } });
      const seen: Seen = { records: [], failures: [], serverErrors: [], reloads: 0, stops: 0 };
      const gateway: Gateway = new Gateway({
        config,
        host: options.host ?? '127.0.0.1',
        port: 0,
        dispatcher: upstream,
        observer: {
          requestFinished: (record) => void seen.records.push(record),
          attemptFailed: (event) => {
            seen.failures.push(event);
            options.onAttemptFailed?.(event);
          },
        },
        version: '0.0.0-test',
        adminToken: ADMIN_TOKEN,
        adminTokenFile: '/nonexistent/admin-token',
        reload: () => {
          seen.reloads += 1;
          return Promise.resolve({ ok: true, activeProfile: gateway.status().activeProfile });
        },
        stop: () => {
          seen.stops += 1;
        },
      });
      gateway.server.on('error', (error) => seen.serverErrors.push(error));
      await gateway.listen();
      const port = (gateway.server.address() as AddressInfo).port;
      return new GatewayHarness({ gateway, url: `http://127.0.0.1:${port}`, sims, ids, upstream, config, seen });
    } catch (error) {
      await Promise.all([...sims.values()].map((sim) => sim.close()));
      throw error;
    }
  }

  /** Request records, in the order the requests finished. */
  get records(): readonly RequestRecord[] {
    return this.#seen.records;
  }

  /** Failed attempts, in order. */
  get failures(): readonly AttemptFailedEvent[] {
    return this.#seen.failures;
  }

  /** Errors the request handler let escape (the daemon logs them as bugs); `withGateway` fails a test that has any. */
  get serverErrors(): readonly unknown[] {
    return this.#seen.serverErrors;
  }

  /** Calls of the daemon's reload and stop through the control routes. */
  get reloads(): number {
    return this.#seen.reloads;
  }

  get stops(): number {
    return this.#seen.stops;
  }

  get config(): Config {
    return this.#config;
  }

  sim(name: string): Simulator {
    const sim = this.#sims.get(name);
    if (!sim) throw new Error(`no upstream named ${name}`);
    return sim;
  }

  /** The endpoint id of an upstream. */
  id(name: string): string {
    const id = this.#ids.get(name);
    if (!id) throw new Error(`no upstream named ${name}`);
    return id;
  }

  /** The upstream's name for an endpoint id (from `x-qcc-endpoint`), or the id itself when unknown. */
  nameOf(id: unknown): string {
    for (const [name, known] of this.#ids) if (known === id) return name;
    return String(id);
  }

  /** Requests each upstream recorded, by name. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#sims].map(([name, sim]) => [name, sim.requests.length]));
  }

  /** The endpoint as `GET /_qcc/status` shows it. */
  endpoint(name: string): EndpointStatus {
    const id = this.id(name);
    const found = this.gateway.status().endpoints.find((endpoint) => endpoint.id === id);
    if (!found) throw new Error(`endpoint ${name} (${id}) is not in the gateway's status`);
    return found;
  }

  /** Starts another simulator, for a configuration applied later with `apply`. */
  async addUpstream(spec: UpstreamSpec): Promise<Simulator> {
    const sim = await startSimulatorFor(spec);
    this.#sims.set(spec.name, sim);
    return sim;
  }

  /** Builds a configuration over the simulators started so far (ids kept by name) and applies it (a reload). */
  apply(options: HarnessOptions): Config {
    const config = buildConfig(options, this.#sims, this.#ids);
    this.#config = config;
    this.gateway.apply(config);
    return config;
  }

  /** The client's connection pool, for a request that a test reads at its own pace. */
  get client(): Dispatcher {
    return this.#client;
  }

  send(options: ExchangeOptions = {}): Promise<RawExchange> {
    return exchange(this.url, { dispatcher: this.#client, ...options });
  }

  /** The request records, once there are `count` of them. */
  async waitForRecords(count: number, timeoutMs = 3_000): Promise<readonly RequestRecord[]> {
    await this.waitFor(() => this.records.length >= count, timeoutMs, `${count} request records`);
    return this.records;
  }

  /** Checks `condition` every few ms (records, chunks counted by a test, the gateway's status) until it holds. */
  async waitFor(condition: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  async close(): Promise<void> {
    await this.gateway.drain(0);
    await Promise.all([this.#client.destroy(), this.#upstream.destroy()]);
    await Promise.all([...this.#sims.values()].map((sim) => sim.close()));
  }
}

function startSimulatorFor(spec: UpstreamSpec): Promise<Simulator> {
  const apiKey = spec.simulatorKey === undefined ? (spec.apiKey ?? keyOf(spec.name)) : spec.simulatorKey;
  return startSimulator({
    ...spec.sim,
    name: spec.name,
    ...(apiKey === null ? {} : { apiKey }),
    authStyle: spec.authStyle ?? 'x-api-key',
  });
}

/** A validated configuration (the same schema as config.json), so a test cannot run on settings qcc would refuse. */
function buildConfig(options: HarnessOptions, sims: ReadonlyMap<string, Simulator>, ids: Map<string, string>): Config {
  const profiles = new Map<string, object[]>();
  for (const spec of options.upstreams) {
    const sim = sims.get(spec.name);
    const url = spec.baseUrl ?? (sim ? `${sim.url}${spec.urlPath ?? ''}` : undefined);
    if (url === undefined) throw new Error(`no simulator for upstream ${spec.name}`);
    let id = ids.get(spec.name);
    if (id === undefined) {
      id = (0xe0000000 + ids.size).toString(16);
      ids.set(spec.name, id);
    }
    const profile = spec.profile ?? 'main';
    const endpoints = profiles.get(profile) ?? [];
    endpoints.push({
      id,
      baseUrl: url,
      apiKey: spec.apiKey ?? keyOf(spec.name),
      authStyle: spec.authStyle ?? 'x-api-key',
      weight: spec.weight ?? 100,
      priority: spec.priority ?? 1,
      enabled: spec.enabled ?? true,
    });
    profiles.set(profile, endpoints);
  }
  const createdAt = new Date(0).toISOString();
  const first = options.upstreams[0]?.profile ?? 'main';
  return configSchema.parse({
    version: CONFIG_VERSION,
    activeProfile: options.activeProfile === undefined ? (options.upstreams.length > 0 ? first : null) : options.activeProfile,
    profiles: [...profiles].map(([name, endpoints]) => ({ name, kind: 'cluster', createdAt, endpoints })),
    priorityGroups: options.priorityGroups ?? {},
    settings: options.settings ?? {},
  }) as Config;
}

/** Starts a harness for one test and closes it however the test ends. */
export async function withGateway(options: HarnessOptions, test: (harness: GatewayHarness) => Promise<void>): Promise<void> {
  const harness = await GatewayHarness.start(options);
  try {
    await test(harness);
  } finally {
    await harness.close();
  }
  if (harness.serverErrors.length > 0) {
    throw new Error(`the request handler failed (a bug, not an upstream fault): ${harness.serverErrors.map(String).join('; ')}`);
  }
}

/** An upstream of the test's own, for what the simulator cannot do; `handled` counts its requests. */
export interface RawUpstream {
  readonly url: string;
  readonly handled: number;
  close(): Promise<void>;
}

export async function startRawUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RawUpstream> {
  let handled = 0;
  const server = createServer((req, res) => {
    handled += 1;
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get handled() {
      return handled;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The body of an Anthropic error, parsed; throws when the text is not one. */
export function anthropicError(text: string): { type: string; message: string } {
  const body = JSON.parse(text) as { type?: unknown; error?: { type?: unknown; message?: unknown } };
  if (body.type !== 'error' || typeof body.error?.type !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an Anthropic error body: ${text}`);
  }
  return { type: body.error.type, message: body.error.message };
}

/** The names of the complete SSE events in a text. */
export const eventNames = (text: string): string[] => parseSse(text).map((event) => event.event);

/** The simulator's whole stream, from the upstream named `from`, ended as the HTTP exchange ended: cleanly. */
export function assertCompleteStream(res: RawExchange, from: string): void {
  assert.equal(res.error, undefined, `the stream ended in ${String(res.error?.code)}`);
  assert.deepEqual(eventNames(res.text), STREAM_ORDER);
  const start = parseSse(res.text)[0]?.data as { message: { id: string } };
  assert.match(start.message.id, new RegExp(`^msg_${from}_`));
}

/** The simulator's whole non-streaming message, from the upstream named `from`. */
export function assertCompleteMessage(res: RawExchange, from: string): void {
  assert.equal(res.error, undefined);
  const message = JSON.parse(res.text) as { type: string; id: string; stop_reason: string };
  assert.equal(message.type, 'message');
  assert.equal(message.stop_reason, 'end_turn');
  assert.match(message.id, new RegExp(`^msg_${from}_`));
}

/** A stream that broke after its commit: what arrived is a prefix of the real order, then an `event: error`. */
export function assertBrokenStream(res: RawExchange, endpointId: string, before: readonly string[]): void {
  const events = parseSse(res.text);
  assert.deepEqual(events.map((event) => event.event), [...before, 'error'], res.text);
  assert.ok(!res.text.includes('event: message_stop'), 'a broken stream must never carry message_stop');
  const error = events.at(-1)?.data as { type: string; error: { type: string; message: string } };
  assert.equal(error.type, 'error');
  assert.equal(error.error.type, 'api_error');
  assert.ok(error.error.message.includes(endpointId), `the error names the endpoint: ${error.error.message}`);
}
