import type { AuthStyle, Config, Endpoint, PriorityGroupName, Profile } from '../config/schema.js';
import { PROFILE_NAME, priorityGroupNames } from '../config/schema.js';
import { QccError } from './errors.js';

/** What a new record needs from the outside world: a fresh id and the time. */
export interface Facts {
  readonly newId: () => string;
  readonly now: string;
}

export function findProfile(config: Config, name: string): Profile | undefined {
  return config.profiles.find((profile) => profile.name === name);
}

export function requireProfile(config: Config, name: string): Profile {
  const profile = findProfile(config, name);
  if (!profile) throw new QccError('QCC_ERR_PROFILE_NOT_FOUND', { name });
  return profile;
}

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) throw new QccError('QCC_ERR_PROFILE_NAME', { name });
  return name;
}

/**
 * A base URL as the gateway joins paths to it: http(s) only, no credentials, query or fragment, no trailing slash
 * (so `https://relay/api/` + `/v1/messages` does not become `//v1`).
 */
export function normalizeBaseUrl(input: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new QccError('QCC_ERR_URL_INVALID', { url: trimmed });
  }
  if (url.username || url.password) {
    // Credentials in a URL are a key too: the error must not echo them.
    throw new QccError('QCC_ERR_URL_INVALID', { url: trimmed.replace(/\/\/[^/]*@/, '//…@') });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new QccError('QCC_ERR_URL_INVALID', { url: trimmed });
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function checkApiKey(key: string): string {
  const trimmed = key.trim();
  if (!trimmed) throw new QccError('QCC_ERR_KEY_EMPTY');
  return trimmed;
}

/** The official API wants `x-api-key`; relays mostly take Claude Code's `ANTHROPIC_AUTH_TOKEN`, a Bearer token. */
export function defaultAuthStyle(baseUrl: string): AuthStyle {
  return new URL(baseUrl).hostname === 'api.anthropic.com' ? 'x-api-key' : 'bearer';
}

export interface NewProfile {
  readonly name: string;
  readonly description: string;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly authStyle: AuthStyle;
}

/** Adds a plain profile; the first profile of a home becomes its default. */
export function addProfile(config: Config, input: NewProfile, facts: Facts): Config {
  checkProfileName(input.name);
  if (findProfile(config, input.name)) throw new QccError('QCC_ERR_PROFILE_EXISTS', { name: input.name });
  const endpoint: Endpoint = {
    id: uniqueId(config, facts.newId),
    baseUrl: normalizeBaseUrl(input.baseUrl),
    apiKey: checkApiKey(input.apiKey),
    authStyle: input.authStyle,
    weight: 100,
    priority: 1,
    enabled: true,
  };
  const profile: Profile = {
    name: input.name,
    kind: 'profile',
    description: input.description.trim(),
    endpoints: [endpoint],
    createdAt: facts.now,
  };
  return {
    ...config,
    profiles: [...config.profiles, profile],
    defaultProfile: config.defaultProfile ?? profile.name,
  };
}

export interface ProfileChanges {
  readonly description?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly apiKey?: string | undefined;
  readonly authStyle?: AuthStyle | undefined;
}

/** Changes a profile in place; endpoints reused from it follow (see resolveSources). */
export function editProfile(config: Config, name: string, changes: ProfileChanges): Config {
  const profile = requireProfile(config, name);
  const touchesEndpoint = changes.baseUrl !== undefined || changes.apiKey !== undefined || changes.authStyle !== undefined;
  if (profile.kind === 'cluster' && touchesEndpoint) throw new QccError('QCC_ERR_CLUSTER_EDIT', { name });
  const updated: Profile = {
    ...profile,
    description: changes.description?.trim() ?? profile.description,
    endpoints: profile.endpoints.map((endpoint) => ({
      ...endpoint,
      baseUrl: changes.baseUrl !== undefined ? normalizeBaseUrl(changes.baseUrl) : endpoint.baseUrl,
      apiKey: changes.apiKey !== undefined ? checkApiKey(changes.apiKey) : endpoint.apiKey,
      authStyle: changes.authStyle ?? endpoint.authStyle,
    })),
  };
  return resolveSources(replaceProfile(config, updated));
}

export interface ProfileUsers {
  /** Clusters with endpoints reused from the profile. */
  readonly clusters: readonly { readonly name: string; readonly endpoints: number }[];
  readonly groups: readonly PriorityGroupName[];
}

export function profileUsers(config: Config, name: string): ProfileUsers {
  const clusters = config.profiles
    .filter((profile) => profile.name !== name)
    .map((profile) => ({
      name: profile.name,
      endpoints: profile.endpoints.filter((endpoint) => endpoint.source === name).length,
    }))
    .filter((use) => use.endpoints > 0);
  const groups = priorityGroupNames.filter((group) => config.priorityGroups[group].includes(name));
  return { clusters, groups };
}

export const isUsed = (users: ProfileUsers): boolean => users.clusters.length > 0 || users.groups.length > 0;

/**
 * Removes a profile. One that clusters or priority groups use is refused unless forced; forced, it leaves the
 * groups, and the clusters' endpoints keep its last URL and key (their `source` still names it, for the record).
 */
export function removeProfile(config: Config, name: string, force: boolean): { config: Config; users: ProfileUsers } {
  requireProfile(config, name);
  const users = profileUsers(config, name);
  if (isUsed(users) && !force) throw new QccError('QCC_ERR_PROFILE_IN_USE', { name, users: describeUsers(users) });
  const without = (group: PriorityGroupName): readonly string[] =>
    config.priorityGroups[group].filter((member) => member !== name);
  const priorityGroups = { primary: without('primary'), secondary: without('secondary'), fallback: without('fallback') };
  return {
    users,
    config: {
      ...config,
      profiles: config.profiles.filter((profile) => profile.name !== name),
      priorityGroups,
      defaultProfile: config.defaultProfile === name ? null : config.defaultProfile,
      activeProfile: config.activeProfile === name ? null : config.activeProfile,
    },
  };
}

/** Who uses a profile, in both languages, for the error that refuses to remove it. */
export function describeUsers(users: ProfileUsers): { en: string; zh: string } {
  return {
    en: [
      ...users.clusters.map((use) => `cluster '${use.name}' (${use.endpoints} endpoint${use.endpoints === 1 ? '' : 's'})`),
      ...users.groups.map((group) => `priority group ${group}`),
    ].join(', '),
    zh: [
      ...users.clusters.map((use) => `集群 '${use.name}'（${use.endpoints} 个 endpoint）`),
      ...users.groups.map((group) => `优先级组 ${group}`),
    ].join('、'),
  };
}

export function setDefaultProfile(config: Config, name: string): Config {
  requireProfile(config, name);
  return { ...config, defaultProfile: name };
}

/** `qcc use`: the profile becomes the active one and records when it was last used. */
export function markUsed(config: Config, name: string, now: string): Config {
  const profile = requireProfile(config, name);
  return { ...replaceProfile(config, { ...profile, lastUsedAt: now }), activeProfile: name };
}

/**
 * Endpoints reused from a profile take that profile's current URL, key and auth style, so a key changed in the
 * source reaches every cluster. When the source is gone, the endpoint keeps the copy it last had.
 */
export function resolveSources(config: Config): Config {
  const plain = new Map(
    config.profiles.filter((profile) => profile.kind === 'profile').map((profile) => [profile.name, profile.endpoints[0]]),
  );
  let changed = false;
  const profiles = config.profiles.map((profile) => {
    let touched = false;
    const endpoints = profile.endpoints.map((endpoint) => {
      const origin = endpoint.source === undefined ? undefined : plain.get(endpoint.source);
      if (
        !origin ||
        (origin.baseUrl === endpoint.baseUrl && origin.apiKey === endpoint.apiKey && origin.authStyle === endpoint.authStyle)
      ) {
        return endpoint;
      }
      touched = true;
      return { ...endpoint, baseUrl: origin.baseUrl, apiKey: origin.apiKey, authStyle: origin.authStyle };
    });
    if (!touched) return profile;
    changed = true;
    return { ...profile, endpoints };
  });
  return changed ? { ...config, profiles } : config;
}

export function replaceProfile(config: Config, updated: Profile): Config {
  return {
    ...config,
    profiles: config.profiles.map((profile) => (profile.name === updated.name ? updated : profile)),
  };
}

/** A fresh endpoint id that no endpoint of this config has. */
export function uniqueId(config: Config, newId: () => string): string {
  const taken = new Set(config.profiles.flatMap((profile) => profile.endpoints.map((endpoint) => endpoint.id)));
  for (;;) {
    const id = newId();
    if (!taken.has(id)) return id;
  }
}
