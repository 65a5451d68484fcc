import type { Config, Endpoint, PriorityGroupName } from '../config/schema.js';
import { priorityGroupNames } from '../config/schema.js';
import { findProfile } from './profiles.js';

export interface Candidate {
  readonly profile: string;
  readonly endpoint: Endpoint;
}

/** Endpoints that share a priority; the gateway balances inside a tier and falls to the next when it is spent. */
export type Tier = readonly Candidate[];

/**
 * The profile the gateway prefers: the active one, else the first of the primary group, else the default.
 */
export function servedProfile(config: Config): string | null {
  const candidates = [config.activeProfile, config.priorityGroups.primary[0], config.defaultProfile];
  return candidates.find((name): name is string => typeof name === 'string' && findProfile(config, name) !== undefined) ?? null;
}

/**
 * DESIGN §4.2: the served profile's enabled endpoints in tiers by endpoint priority (primary, secondary, fallback);
 * then, group by group from the served profile's own priority group down, the other profiles of each group, again
 * tier by tier. The same upstream (URL and key) is listed once, where it first appears, so one request never tries
 * it twice.
 */
export function candidateTiers(config: Config): readonly Tier[] {
  const served = servedProfile(config);
  const tiers: Tier[] = [];
  const seen = new Set<string>();
  const push = (profiles: readonly string[]): void => {
    for (const priority of [1, 2, 3] as const) {
      const tier: Candidate[] = [];
      for (const name of profiles) {
        for (const endpoint of findProfile(config, name)?.endpoints ?? []) {
          const upstream = `${endpoint.baseUrl}\u0000${endpoint.apiKey}`;
          if (!endpoint.enabled || endpoint.priority !== priority || seen.has(upstream)) continue;
          seen.add(upstream);
          tier.push({ profile: name, endpoint });
        }
      }
      if (tier.length > 0) tiers.push(tier);
    }
  };
  if (served !== null) push([served]);
  const ownGroup = served === null ? -1 : priorityGroupNames.findIndex((group) => config.priorityGroups[group].includes(served));
  priorityGroupNames.forEach((group: PriorityGroupName, index) => {
    if (index >= ownGroup) push(config.priorityGroups[group].filter((name) => name !== served));
  });
  return tiers;
}
