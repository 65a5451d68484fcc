import type { AuthStyle, Config, Endpoint, EndpointPriority, Profile } from '../config/schema.js';
import { QccError } from './errors.js';
import {
  checkApiKey,
  checkProfileName,
  defaultAuthStyle,
  findProfile,
  normalizeBaseUrl,
  replaceProfile,
  requireProfile,
  uniqueId,
  type Facts,
} from './profiles.js';

/** Profiles picked for a new cluster, by group: priority 1, 2 and 3. */
export interface ClusterSelection {
  readonly primary: readonly string[];
  readonly secondary: readonly string[];
  readonly fallback: readonly string[];
}

export const DEFAULT_WEIGHT = 100;

/** Plain profiles: what a cluster can be built from. */
export function plainProfiles(config: Config): readonly Profile[] {
  return config.profiles.filter((profile) => profile.kind === 'profile');
}

/**
 * Creates cluster `name` from existing profiles (seed 000): each profile's endpoint is reused with a fresh id,
 * weight 100, the priority of its group, enabled, and `source` naming the profile so that key changes follow.
 */
export function createCluster(config: Config, name: string, selection: ClusterSelection, facts: Facts): Config {
  checkProfileName(name);
  if (findProfile(config, name)) throw new QccError('QCC_ERR_CLUSTER_EXISTS', { name });
  checkSelection(config, selection);
  let next = config;
  const endpoints: Endpoint[] = [];
  const groups: [readonly string[], EndpointPriority][] = [
    [selection.primary, 1],
    [selection.secondary, 2],
    [selection.fallback, 3],
  ];
  for (const [members, priority] of groups) {
    for (const member of members) {
      const endpoint = reuseEndpoint(next, member, priority, DEFAULT_WEIGHT, facts);
      endpoints.push(endpoint);
      next = withEndpoints(next, name, endpoints, facts);
    }
  }
  return withEndpoints(next, name, endpoints, facts);
}

/** Every name exists and is a plain profile, none is picked twice, and there is a primary. */
export function checkSelection(config: Config, selection: ClusterSelection): void {
  if (selection.primary.length === 0) throw new QccError('QCC_ERR_NO_PRIMARY');
  checkMembers(config, [...selection.primary, ...selection.secondary, ...selection.fallback]);
}

/** Names that can join one cluster together: existing plain profiles, each named once. */
export function checkMembers(config: Config, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    const profile = requireProfile(config, name);
    if (profile.kind === 'cluster') throw new QccError('QCC_ERR_CLUSTER_MEMBER', { name });
    if (seen.has(name)) throw new QccError('QCC_ERR_SELECTED_TWICE', { name });
    seen.add(name);
  }
}

export type EndpointSource =
  | { readonly from: string }
  | { readonly baseUrl: string; readonly apiKey: string; readonly authStyle?: AuthStyle | undefined };

export interface EndpointPlacement {
  readonly weight?: number | undefined;
  readonly priority?: number | undefined;
}

/**
 * Appends one endpoint to a cluster, creating the cluster when it does not exist (seed 001's "reuse from an
 * existing configuration" and "manual entry").
 */
export function appendEndpoint(
  config: Config,
  cluster: string,
  source: EndpointSource,
  placement: EndpointPlacement,
  facts: Facts,
): { config: Config; endpoint: Endpoint; created: boolean } {
  checkProfileName(cluster);
  const existing = findProfile(config, cluster);
  if (existing && existing.kind !== 'cluster') throw new QccError('QCC_ERR_NOT_A_CLUSTER', { name: cluster });
  const weight = checkWeight(placement.weight ?? DEFAULT_WEIGHT);
  const priority = checkPriority(placement.priority ?? 1);
  let endpoint: Endpoint;
  if ('from' in source) {
    const profile = requireProfile(config, source.from);
    if (profile.kind === 'cluster') throw new QccError('QCC_ERR_CLUSTER_MEMBER', { name: source.from });
    endpoint = reuseEndpoint(config, source.from, priority, weight, facts);
  } else {
    const baseUrl = normalizeBaseUrl(source.baseUrl);
    endpoint = {
      id: uniqueId(config, facts.newId),
      baseUrl,
      apiKey: checkApiKey(source.apiKey),
      authStyle: source.authStyle ?? defaultAuthStyle(baseUrl),
      weight,
      priority,
      enabled: true,
    };
  }
  const endpoints = [...(existing?.endpoints ?? []), endpoint];
  return { config: withEndpoints(config, cluster, endpoints, facts), endpoint, created: !existing };
}

/** An endpoint by its id or a unique prefix of it. */
export function findEndpoint(profile: Profile, idOrPrefix: string): Endpoint {
  const wanted = idOrPrefix.toLowerCase();
  const exact = profile.endpoints.find((endpoint) => endpoint.id === wanted);
  if (exact) return exact;
  const matches = wanted ? profile.endpoints.filter((endpoint) => endpoint.id.startsWith(wanted)) : [];
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    throw new QccError('QCC_ERR_ENDPOINT_AMBIGUOUS', {
      id: idOrPrefix,
      cluster: profile.name,
      matches: matches.map((endpoint) => endpoint.id).join(', '),
    });
  }
  throw new QccError('QCC_ERR_ENDPOINT_NOT_FOUND', { id: idOrPrefix, cluster: profile.name });
}

export function requireCluster(config: Config, name: string): Profile {
  const profile = requireProfile(config, name);
  if (profile.kind !== 'cluster') throw new QccError('QCC_ERR_NOT_A_CLUSTER', { name });
  return profile;
}

export function removeEndpoint(config: Config, cluster: string, id: string): { config: Config; endpoint: Endpoint } {
  const profile = requireCluster(config, cluster);
  const endpoint = findEndpoint(profile, id);
  if (profile.endpoints.length === 1) throw new QccError('QCC_ERR_LAST_ENDPOINT', { id: endpoint.id, cluster });
  const endpoints = profile.endpoints.filter((candidate) => candidate.id !== endpoint.id);
  return { config: replaceProfile(config, { ...profile, endpoints }), endpoint };
}

export interface EndpointChanges {
  readonly enabled?: boolean | undefined;
  readonly weight?: number | undefined;
  readonly priority?: number | undefined;
}

export function updateEndpoint(
  config: Config,
  cluster: string,
  id: string,
  changes: EndpointChanges,
): { config: Config; endpoint: Endpoint } {
  const profile = requireCluster(config, cluster);
  const target = findEndpoint(profile, id);
  const endpoint: Endpoint = {
    ...target,
    enabled: changes.enabled ?? target.enabled,
    weight: changes.weight === undefined ? target.weight : checkWeight(changes.weight),
    priority: changes.priority === undefined ? target.priority : checkPriority(changes.priority),
  };
  const endpoints = profile.endpoints.map((candidate) => (candidate.id === target.id ? endpoint : candidate));
  return { config: replaceProfile(config, { ...profile, endpoints }), endpoint };
}

export function checkWeight(value: number | string): number {
  const weight = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(weight) || weight < 1 || weight > 1000 || (typeof value === 'string' && !/^\d+$/.test(value.trim()))) {
    throw new QccError('QCC_ERR_WEIGHT', { value: String(value) });
  }
  return weight;
}

const PRIORITY_NAMES: Readonly<Record<string, EndpointPriority>> = { '1': 1, '2': 2, '3': 3, primary: 1, secondary: 2, fallback: 3 };

/** 1, 2, 3 or their names primary, secondary, fallback. */
export function checkPriority(value: number | string): EndpointPriority {
  const text = String(value).trim().toLowerCase();
  const priority = PRIORITY_NAMES[text];
  if (priority === undefined) throw new QccError('QCC_ERR_PRIORITY', { value: String(value) });
  return priority;
}

function reuseEndpoint(config: Config, member: string, priority: EndpointPriority, weight: number, facts: Facts): Endpoint {
  const origin = requireProfile(config, member).endpoints[0];
  if (!origin) throw new QccError('QCC_ERR_PROFILE_NOT_FOUND', { name: member });
  return {
    id: uniqueId(config, facts.newId),
    baseUrl: origin.baseUrl,
    apiKey: origin.apiKey,
    authStyle: origin.authStyle,
    weight,
    priority,
    enabled: true,
    source: member,
  };
}

/** The config with cluster `name` holding `endpoints` (created with the current time when new). */
function withEndpoints(config: Config, name: string, endpoints: readonly Endpoint[], facts: Facts): Config {
  const existing = findProfile(config, name);
  if (existing) return replaceProfile(config, { ...existing, endpoints });
  const cluster: Profile = { name, kind: 'cluster', description: '', endpoints, createdAt: facts.now };
  return { ...config, profiles: [...config.profiles, cluster] };
}
