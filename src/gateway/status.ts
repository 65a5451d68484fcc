import type { EndpointState, EndpointStatus, GatewayStatus } from '../core/gateway-status.js';
import { availableAt, successRate, type EndpointHealth } from '../core/endpoint-health.js';
import type { Router } from './router.js';
import type { Traffic } from './traffic.js';

export interface StatusFacts {
  readonly version: string;
  readonly url: string;
  readonly startedAt: number;
  readonly configError: string | null;
  readonly draining: boolean;
  readonly strategy: string;
}

/** The gateway's state as `GET /_qcc/status` shows it; keys never appear in it. */
export function gatewayStatus(router: Router, traffic: Traffic, facts: StatusFacts, now: number): GatewayStatus {
  const endpoints: EndpointStatus[] = router.routes.flat().map((route) => {
    const record = router.health(route.id);
    const tally = traffic.endpoint(route.id);
    const state = stateOf(record, now);
    const at = state === 'closed' ? undefined : availableAt(record);
    return {
      id: route.id,
      profile: route.profile,
      baseUrl: route.endpoint.baseUrl,
      tier: route.tier,
      priority: route.endpoint.priority,
      weight: route.endpoint.weight,
      state,
      availableAt: at === undefined || at <= now ? null : new Date(at).toISOString(),
      inflight: record.inflight,
      successRate: successRate(record) ?? null,
      ttfbMs: round(record.ttfbMs),
      latencyMs: round(record.latencyMs),
      requests: tally.requests,
      failures: tally.failures,
      inputTokens: tally.inputTokens,
      outputTokens: tally.outputTokens,
      lastError: record.lastError,
      lastSuccessAt: iso(record.lastSuccessAt),
      lastFailureAt: iso(record.lastFailureAt),
    };
  });
  return {
    version: facts.version,
    pid: process.pid,
    url: facts.url,
    startedAt: new Date(facts.startedAt).toISOString(),
    uptimeMs: now - facts.startedAt,
    activeProfile: router.servedProfile,
    configError: facts.configError,
    draining: facts.draining,
    strategy: facts.strategy,
    requests: traffic.counters,
    endpoints,
    recent: traffic.recent,
  };
}

function stateOf(record: EndpointHealth, now: number): EndpointState {
  if (record.breaker.phase === 'open') return now >= record.breaker.openUntil ? 'half-open' : 'open';
  if (record.breaker.phase === 'half-open') return 'half-open';
  return now < record.coolingUntil ? 'cooling' : 'closed';
}

const round = (value: number | null): number | null => (value === null ? null : Math.round(value));
const iso = (value: number | null): string | null => (value === null ? null : new Date(value).toISOString());
