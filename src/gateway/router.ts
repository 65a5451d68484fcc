import type { Config, Endpoint, Settings } from '../config/schema.js';
import { candidateTiers, servedProfile } from '../core/candidates.js';
import * as health from '../core/endpoint-health.js';
import { EndpointSelector, SessionAffinity, type SelectableEndpoint } from '../core/endpoint-selector.js';
import type { AttemptFailure } from '../core/outcome.js';

/** One endpoint as the request path uses it: its config, where it lives, and its place in the candidate order. */
export interface Route {
  readonly id: string;
  readonly profile: string;
  readonly endpoint: Endpoint;
  /** `https://relay.example.com` — what the connection pool is keyed by. */
  readonly origin: string;
  /** The base URL's path (`/api`), prefixed to every request path. */
  readonly basePath: string;
  readonly tier: number;
}

/** A pick: the route, and whether the attempt is its breaker's half-open trial (handed back with the verdict). */
export interface Admission {
  readonly route: Route;
  readonly trial: boolean;
}

/**
 * Where endpoint health lives (DESIGN §13): in memory for one gateway; a shared store (Redis) can take its place so
 * that several gateways agree on breakers and cool-downs. The router reads it on every decision and never keeps a
 * copy of a record past one call.
 */
export interface HealthStore {
  get(id: string): health.EndpointHealth | undefined;
  set(id: string, record: health.EndpointHealth): void;
  delete(id: string): void;
}

export class MemoryHealthStore implements HealthStore {
  readonly #records = new Map<string, health.EndpointHealth>();
  get(id: string): health.EndpointHealth | undefined {
    return this.#records.get(id);
  }
  set(id: string, record: health.EndpointHealth): void {
    this.#records.set(id, record);
  }
  delete(id: string): void {
    this.#records.delete(id);
  }
}

/**
 * The live routing table: the candidate tiers of the current configuration (DESIGN §4.2), the pick inside a tier
 * (§4.3, with session affinity), and every verdict on an endpoint. A reload swaps the tiers; endpoints whose URL and
 * key did not change keep their health.
 */
export class Router {
  readonly #clock: () => number;
  readonly #store: HealthStore;
  readonly #selector: EndpointSelector;
  readonly #affinity: SessionAffinity;
  readonly #listeners = new Set<() => void>();
  #tiers: readonly (readonly Route[])[] = [];
  #routes = new Map<string, Route>();
  #config: health.HealthConfig;
  #sticky: boolean;
  #served: string | null = null;

  constructor(options: { clock: () => number; random: () => number; store?: HealthStore; settings: Settings }) {
    this.#clock = options.clock;
    this.#store = options.store ?? new MemoryHealthStore();
    this.#selector = new EndpointSelector({ strategy: options.settings.loadbalancer.strategy, random: options.random });
    this.#affinity = new SessionAffinity({ clock: options.clock });
    this.#config = healthConfig(options.settings);
    this.#sticky = options.settings.loadbalancer.sticky;
  }

  /** The profile whose endpoints are tried first. */
  get servedProfile(): string | null {
    return this.#served;
  }

  get routes(): readonly (readonly Route[])[] {
    return this.#tiers;
  }

  load(config: Config): void {
    const tiers = candidateTiers(config).map((tier, index) => tier.map(({ profile, endpoint }) => toRoute(profile, endpoint, index)));
    const next = new Map(tiers.flat().map((route) => [route.id, route]));
    const gone: string[] = [];
    for (const [id, previous] of this.#routes) {
      const current = next.get(id);
      // A new URL or key is a new upstream: its old record says nothing about it.
      if (!current || current.endpoint.baseUrl !== previous.endpoint.baseUrl || current.endpoint.apiKey !== previous.endpoint.apiKey) {
        gone.push(id);
        if (!current) this.#store.delete(id);
        else this.#store.set(id, health.newEndpointHealth(this.#clock()));
      }
    }
    this.#selector.forget(gone);
    this.#affinity.forgetEndpoints(gone);
    this.#selector.setStrategy(config.settings.loadbalancer.strategy);
    this.#config = healthConfig(config.settings);
    this.#sticky = config.settings.loadbalancer.sticky;
    this.#tiers = tiers;
    this.#routes = next;
    this.#served = servedProfile(config);
    this.#changed();
  }

  /**
   * Picks an endpoint for one attempt: the first tier with an available endpoint not in `exclude`; inside it the
   * session's endpoint if it has one there, else the strategy's pick. Undefined when no endpoint can be tried now.
   */
  choose(exclude: ReadonlySet<string>, session: string | undefined): Admission | undefined {
    const now = this.#clock();
    for (const tier of this.#tiers) {
      const open = tier.filter((route) => !exclude.has(route.id) && health.isAvailable(this.#record(route.id), now));
      while (open.length > 0) {
        const route = this.#pick(open, session);
        const attempt = health.beginAttempt(this.#record(route.id), now, this.#config);
        if (attempt.admitted) {
          this.#store.set(route.id, attempt.record);
          if (this.#sticky && session !== undefined) this.#affinity.set(session, route.id);
          return { route, trial: attempt.trial };
        }
        open.splice(open.indexOf(route), 1);
      }
    }
    return undefined;
  }

  /** The endpoint answered (a client error counts: it answered properly). */
  succeeded(admission: Admission, ttfbMs: number): void {
    this.#update(admission.route.id, (record, now) =>
      health.recordSuccess(record, now, this.#config, { trial: admission.trial, ttfbMs }),
    );
  }

  failed(admission: Admission, failure: AttemptFailure): void {
    this.#update(admission.route.id, (record, now) =>
      health.recordFailure(record, now, this.#config, failure, { trial: admission.trial }),
    );
  }

  /** A committed stream broke: a failure for the endpoint, after its earlier success. */
  brokeAfterCommit(route: Route, failure: AttemptFailure): void {
    this.#update(route.id, (record, now) => health.recordFailure(record, now, this.#config, failure, { trial: false }));
  }

  /** No verdict (the client left first): a half-open trial is handed to the next attempt. */
  abandoned(admission: Admission): void {
    this.#update(admission.route.id, (record) => health.abandonAttempt(record, { trial: admission.trial }));
  }

  /** The attempt's bytes are done; `latencyMs` only for one that served. */
  ended(route: Route, latencyMs?: number): void {
    this.#update(route.id, (record) =>
      health.endAttempt(record, this.#config, latencyMs === undefined ? {} : { latencyMs }),
    );
  }

  /** Is any endpoint available now (for the hold of §4.8)? */
  hasAvailable(): boolean {
    const now = this.#clock();
    return this.#tiers.some((tier) => tier.some((route) => health.isAvailable(this.#record(route.id), now)));
  }

  /** The earliest time an unavailable endpoint becomes available by itself; undefined when none will. */
  nextAvailableAt(): number | undefined {
    let earliest: number | undefined;
    for (const route of this.#routes.values()) {
      const at = health.availableAt(this.#record(route.id));
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Called whenever a verdict or a reload may have made an endpoint available. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  health(id: string): health.EndpointHealth {
    return this.#record(id);
  }

  #pick(open: readonly Route[], session: string | undefined): Route {
    if (open.length === 1) return open[0] as Route;
    if (this.#sticky && session !== undefined) {
      const stuck = this.#affinity.get(session);
      const route = stuck === undefined ? undefined : open.find((candidate) => candidate.id === stuck);
      if (route) return route;
    }
    const selectable: SelectableEndpoint[] = open.map((route) => {
      const record = this.#record(route.id);
      return { id: route.id, weight: route.endpoint.weight, inflight: record.inflight, latencyMs: record.ttfbMs ?? undefined };
    });
    const picked = this.#selector.pick(selectable);
    return open.find((route) => route.id === picked?.id) ?? (open[0] as Route);
  }

  #record(id: string): health.EndpointHealth {
    const existing = this.#store.get(id);
    if (existing) return existing;
    const fresh = health.newEndpointHealth(this.#clock());
    this.#store.set(id, fresh);
    return fresh;
  }

  #update(id: string, change: (record: health.EndpointHealth, now: number) => health.EndpointHealth): void {
    if (!this.#routes.has(id)) return;
    const before = this.#record(id);
    const after = change(before, this.#clock());
    if (after === before) return;
    this.#store.set(id, after);
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function toRoute(profile: string, endpoint: Endpoint, tier: number): Route {
  const url = new URL(endpoint.baseUrl);
  return { id: endpoint.id, profile, endpoint, origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), tier };
}

function healthConfig(settings: Settings): health.HealthConfig {
  const { failureThreshold, successThreshold, openBaseMs, openMaxMs } = settings.health;
  return { failureThreshold, successThreshold, openBaseMs, openMaxMs };
}
