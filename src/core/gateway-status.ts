import type { RequestRecord } from './request-record.js';

/**
 * What `GET /_qcc/status` answers: the contract between a running gateway and the CLI (which never imports the
 * gateway's internals). No key, header or body is part of it.
 */
export interface GatewayStatus {
  readonly version: string;
  readonly pid: number;
  readonly url: string;
  readonly startedAt: string;
  readonly uptimeMs: number;
  /** The profile whose endpoints are tried first. */
  readonly activeProfile: string | null;
  /** The last configuration the gateway refused to load, if it still runs on an older one. */
  readonly configError: string | null;
  readonly draining: boolean;
  readonly strategy: string;
  readonly requests: TrafficCounters;
  readonly endpoints: readonly EndpointStatus[];
  readonly recent: readonly RequestRecord[];
}

export interface TrafficCounters {
  readonly total: number;
  readonly inflight: number;
  readonly held: number;
  readonly ok: number;
  readonly clientErrors: number;
  readonly failed: number;
  readonly streamBroken: number;
  readonly clientClosed: number;
  readonly noEndpoint: number;
  readonly rejected: number;
  /** Attempts after a request's first. */
  readonly retries: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationTokens: number;
  readonly cacheReadTokens: number;
}

export type EndpointState = 'closed' | 'open' | 'half-open' | 'cooling';

export interface EndpointStatus {
  readonly id: string;
  readonly profile: string;
  readonly baseUrl: string;
  /** Position in the candidate order: 0 is tried first. */
  readonly tier: number;
  readonly priority: number;
  readonly weight: number;
  readonly state: EndpointState;
  /** ISO time when an open or cooling endpoint may be tried again. */
  readonly availableAt: string | null;
  readonly inflight: number;
  /** Served share of the recent attempts, 0–1; null before any. */
  readonly successRate: number | null;
  readonly ttfbMs: number | null;
  readonly latencyMs: number | null;
  readonly requests: number;
  readonly failures: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly lastError: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
}
