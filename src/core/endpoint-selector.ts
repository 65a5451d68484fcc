import type { Settings } from '../config/schema.js';

/** `loadbalancer.strategy`: how one endpoint is picked inside a tier (DESIGN §4.3). */
export type SelectionStrategy = Settings['loadbalancer']['strategy'];

export interface SelectableEndpoint {
  readonly id: string;
  /** Effective weight (configured weight × health factor), > 0. */
  readonly weight: number;
  readonly inflight: number;
  /** Moving average of time to first byte (ms); undefined when never measured. */
  readonly latencyMs: number | undefined;
}

export interface EndpointSelectorOptions {
  readonly strategy: SelectionStrategy;
  /** A uniform number in [0, 1), for `random`. */
  readonly random: () => number;
}

/**
 * Picks one endpoint of a tier. The tier holds only the endpoints that may be tried now: an endpoint that is
 * unavailable or was already tried for this request is simply absent, so the state is kept by endpoint id and
 * carries over between calls whose candidates differ.
 */
export class EndpointSelector {
  #strategy: SelectionStrategy;
  readonly #random: () => number;
  /** Smooth weighted round-robin: each endpoint's current weight. */
  readonly #current = new Map<string, number>();
  /** Round-robin: the pick number of each endpoint's last pick. */
  readonly #lastPick = new Map<string, number>();
  #picks = 0;

  constructor(options: EndpointSelectorOptions) {
    this.#strategy = options.strategy;
    this.#random = options.random;
  }

  get strategy(): SelectionStrategy {
    return this.#strategy;
  }

  setStrategy(strategy: SelectionStrategy): void {
    this.#strategy = strategy;
  }

  /** Drops the state of endpoints that no longer exist. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) {
      this.#current.delete(id);
      this.#lastPick.delete(id);
    }
  }

  /** One endpoint of the tier; undefined only for an empty tier. */
  pick(tier: readonly SelectableEndpoint[]): SelectableEndpoint | undefined {
    if (tier.length === 0) return undefined;
    switch (this.#strategy) {
      case 'weighted':
        return this.#smooth(tier, everyone);
      case 'round-robin':
        return this.#roundRobin(tier);
      case 'random':
        return this.#weightedRandom(tier);
      case 'least-latency':
        return this.#leastLatency(tier);
      case 'least-inflight': {
        let fewest = Infinity;
        for (const endpoint of tier) fewest = Math.min(fewest, endpoint.inflight);
        return this.#smooth(tier, (endpoint) => endpoint.inflight === fewest);
      }
    }
  }

  /**
   * nginx's smooth weighted round-robin over the endpoints `eligible` accepts: every eligible endpoint gains its
   * weight, the richest wins and pays the total. Picks follow the weights exactly and spread out (5/1/1 gives
   * a a b a c a a, not a a a a a b c).
   */
  #smooth(tier: readonly SelectableEndpoint[], eligible: (endpoint: SelectableEndpoint) => boolean): SelectableEndpoint {
    let best: SelectableEndpoint | undefined;
    let bestCurrent = -Infinity;
    let total = 0;
    for (const endpoint of tier) {
      if (!eligible(endpoint)) continue;
      const weight = usableWeight(endpoint.weight);
      const current = (this.#current.get(endpoint.id) ?? 0) + weight;
      this.#current.set(endpoint.id, current);
      total += weight;
      if (current > bestCurrent) {
        best = endpoint;
        bestCurrent = current;
      }
    }
    // Callers filter on a minimum taken over this very tier, so some endpoint is always eligible.
    if (best === undefined) return tier[0] as SelectableEndpoint;
    this.#current.set(best.id, bestCurrent - total);
    return best;
  }

  /** Least recently picked first, so the rotation survives endpoints leaving and rejoining the tier. */
  #roundRobin(tier: readonly SelectableEndpoint[]): SelectableEndpoint {
    let best = tier[0] as SelectableEndpoint;
    let bestPick = Infinity;
    for (const endpoint of tier) {
      const last = this.#lastPick.get(endpoint.id) ?? -1;
      if (last < bestPick) {
        best = endpoint;
        bestPick = last;
      }
    }
    this.#picks += 1;
    this.#lastPick.set(best.id, this.#picks);
    return best;
  }

  #weightedRandom(tier: readonly SelectableEndpoint[]): SelectableEndpoint {
    let total = 0;
    for (const endpoint of tier) total += usableWeight(endpoint.weight);
    if (total === 0) return tier[Math.min(tier.length - 1, Math.floor(this.#random() * tier.length))] as SelectableEndpoint;
    let point = this.#random() * total;
    let last = tier[0] as SelectableEndpoint;
    for (const endpoint of tier) {
      const weight = usableWeight(endpoint.weight);
      if (weight === 0) continue;
      if (point < weight) return endpoint;
      point -= weight;
      last = endpoint;
    }
    // Rounding can leave `point` a hair above the last weight.
    return last;
  }

  /** An endpoint never measured is tried first (it may be the fastest); then the lowest average wins. */
  #leastLatency(tier: readonly SelectableEndpoint[]): SelectableEndpoint {
    let lowest = Infinity;
    for (const endpoint of tier) {
      if (endpoint.latencyMs === undefined) return this.#smooth(tier, unmeasured);
      lowest = Math.min(lowest, endpoint.latencyMs);
    }
    return this.#smooth(tier, (endpoint) => endpoint.latencyMs === lowest);
  }
}

const everyone = (): boolean => true;
const unmeasured = (endpoint: SelectableEndpoint): boolean => endpoint.latencyMs === undefined;

/** A weight that is not a positive number gets no share, rather than poisoning the sums with NaN. */
function usableWeight(weight: number): number {
  return weight > 0 && Number.isFinite(weight) ? weight : 0;
}

export interface SessionAffinityOptions {
  readonly clock: () => number;
  /** @default 10_000 */
  readonly maxEntries?: number;
  /** Time a session is remembered after its last request (ms). @default 3_600_000 */
  readonly ttlMs?: number;
}

interface AffinityEntry {
  readonly endpointId: string;
  expiresAt: number;
}

/**
 * Claude Code session id → endpoint id, so that a session keeps hitting the endpoint that holds its prompt cache.
 * Bounded: least recently used sessions go first, and a session unused for `ttlMs` is forgotten.
 */
export class SessionAffinity {
  readonly #clock: () => number;
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  /** Map order is use order: the first entry is the least recently used. */
  readonly #entries = new Map<string, AffinityEntry>();

  constructor(options: SessionAffinityOptions) {
    this.#clock = options.clock;
    this.#maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.#ttlMs = options.ttlMs ?? 3_600_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(sessionId: string): string | undefined {
    const entry = this.#entries.get(sessionId);
    if (entry === undefined) return undefined;
    const now = this.#clock();
    this.#entries.delete(sessionId);
    if (now >= entry.expiresAt) return undefined;
    entry.expiresAt = now + this.#ttlMs;
    this.#entries.set(sessionId, entry);
    return entry.endpointId;
  }

  set(sessionId: string, endpointId: string): void {
    const now = this.#clock();
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, { endpointId, expiresAt: now + this.#ttlMs });
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && entry.expiresAt > now) break;
      this.#entries.delete(id);
    }
  }

  delete(sessionId: string): boolean {
    return this.#entries.delete(sessionId);
  }

  /** Forgets the sessions stuck to these endpoints (removed from the configuration). */
  forgetEndpoints(endpointIds: Iterable<string>): void {
    const gone = new Set(endpointIds);
    for (const [id, entry] of this.#entries) if (gone.has(entry.endpointId)) this.#entries.delete(id);
  }
}
