/** One request as the gateway saw it (DESIGN §4.9). No header, body or key is ever part of it. */
export interface RequestRecord {
  readonly id: string;
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly profile: string | null;
  readonly endpointId: string | null;
  readonly attempts: number;
  readonly status: number;
  readonly outcome: RequestOutcome;
  readonly stream: boolean;
  readonly ttfbMs: number | null;
  readonly durationMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly model: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationTokens: number;
  readonly cacheReadTokens: number;
  readonly error: string | null;
}

/**
 * How a request ended: served (`ok`), an upstream's client error relayed, every attempt failed, a committed stream
 * broke, the client left, no endpoint became available in time, or qcc refused it (too large, no proxy key).
 */
export type RequestOutcome = 'ok' | 'client-error' | 'failed' | 'stream-broken' | 'client-closed' | 'no-endpoint' | 'rejected';
