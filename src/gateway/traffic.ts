import type { TrafficCounters } from '../core/gateway-status.js';
import type { RequestRecord } from '../core/request-record.js';

interface EndpointTally {
  requests: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
}

const RECENT = 50;

/** In-memory counters of the running gateway, for `/_qcc/status`; the durable record is state.db. */
export class Traffic {
  #counters: { -readonly [K in keyof TrafficCounters]: TrafficCounters[K] } = {
    total: 0,
    inflight: 0,
    held: 0,
    ok: 0,
    clientErrors: 0,
    failed: 0,
    streamBroken: 0,
    clientClosed: 0,
    noEndpoint: 0,
    rejected: 0,
    retries: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
  };
  readonly #endpoints = new Map<string, EndpointTally>();
  readonly #recent: RequestRecord[] = [];

  get counters(): TrafficCounters {
    return { ...this.#counters };
  }

  get recent(): readonly RequestRecord[] {
    return [...this.#recent].reverse();
  }

  endpoint(id: string): EndpointTally {
    return this.#endpoints.get(id) ?? { requests: 0, failures: 0, inputTokens: 0, outputTokens: 0 };
  }

  started(): void {
    this.#counters.total += 1;
    this.#counters.inflight += 1;
  }

  holding(delta: 1 | -1): void {
    this.#counters.held += delta;
  }

  retried(): void {
    this.#counters.retries += 1;
  }

  /** An attempt on an endpoint ended; `failed` when it counted against the endpoint. */
  attempted(endpointId: string, failed: boolean): void {
    const tally = this.#tally(endpointId);
    tally.requests += 1;
    if (failed) tally.failures += 1;
  }

  finished(record: RequestRecord): void {
    const counters = this.#counters;
    counters.inflight = Math.max(0, counters.inflight - 1);
    switch (record.outcome) {
      case 'ok':
        counters.ok += 1;
        break;
      case 'client-error':
        counters.clientErrors += 1;
        break;
      case 'failed':
        counters.failed += 1;
        break;
      case 'stream-broken':
        counters.streamBroken += 1;
        break;
      case 'client-closed':
        counters.clientClosed += 1;
        break;
      case 'no-endpoint':
        counters.noEndpoint += 1;
        break;
      case 'rejected':
        counters.rejected += 1;
        break;
    }
    counters.inputTokens += record.inputTokens;
    counters.outputTokens += record.outputTokens;
    counters.cacheCreationTokens += record.cacheCreationTokens;
    counters.cacheReadTokens += record.cacheReadTokens;
    if (record.endpointId !== null) {
      const tally = this.#tally(record.endpointId);
      tally.inputTokens += record.inputTokens;
      tally.outputTokens += record.outputTokens;
    }
    this.#recent.push(record);
    if (this.#recent.length > RECENT) this.#recent.shift();
  }

  #tally(id: string): EndpointTally {
    let tally = this.#endpoints.get(id);
    if (!tally) {
      tally = { requests: 0, failures: 0, inputTokens: 0, outputTokens: 0 };
      this.#endpoints.set(id, tally);
    }
    return tally;
  }
}
