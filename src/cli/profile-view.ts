import type { Config, Endpoint, Profile } from '../config/schema.js';
import { maskKey } from '../core/mask.js';

/**
 * The stable JSON shape of profiles and endpoints in `--json` output (documented in the README). Keys are always
 * masked here; nothing in qcc's output carries a usable key.
 */
export interface EndpointView {
  readonly id: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly authStyle: Endpoint['authStyle'];
  readonly weight: number;
  readonly priority: Endpoint['priority'];
  readonly enabled: boolean;
  readonly source: string | null;
}

export interface ProfileView {
  readonly name: string;
  readonly kind: Profile['kind'];
  readonly description: string;
  readonly default: boolean;
  readonly active: boolean;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly endpoints: readonly EndpointView[];
}

export function endpointView(endpoint: Endpoint): EndpointView {
  return {
    id: endpoint.id,
    baseUrl: endpoint.baseUrl,
    apiKey: maskKey(endpoint.apiKey),
    authStyle: endpoint.authStyle,
    weight: endpoint.weight,
    priority: endpoint.priority,
    enabled: endpoint.enabled,
    source: endpoint.source ?? null,
  };
}

export function profileView(config: Config, profile: Profile): ProfileView {
  return {
    name: profile.name,
    kind: profile.kind,
    description: profile.description,
    default: config.defaultProfile === profile.name,
    active: config.activeProfile === profile.name,
    createdAt: profile.createdAt,
    lastUsedAt: profile.lastUsedAt ?? null,
    endpoints: profile.endpoints.map(endpointView),
  };
}

/** Endpoint counts by priority, e.g. `{1: 2, 2: 1, 3: 0}`. */
export function countByPriority(profile: Profile): Record<1 | 2 | 3, number> {
  const counts = { 1: 0, 2: 0, 3: 0 };
  for (const endpoint of profile.endpoints) counts[endpoint.priority] += 1;
  return counts;
}
