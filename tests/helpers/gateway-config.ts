import assert from 'node:assert/strict';

/** A plain profile whose one endpoint is a simulator (or any URL). */
export interface UpstreamProfile {
  readonly name: string;
  readonly url: string;
  readonly apiKey: string;
  readonly authStyle: 'bearer' | 'x-api-key';
}

export interface ClusterSpec {
  readonly name: string;
  readonly primary: readonly string[];
  readonly secondary?: readonly string[];
}

export interface ConfigSpec {
  readonly profiles: readonly UpstreamProfile[];
  readonly cluster?: ClusterSpec;
  /** @default the cluster, else null */
  readonly activeProfile?: string | null;
  /** Settings by group, e.g. `{ proxy: { drainTimeoutMs: 1000 } }`; the rest keep their defaults. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The id of the cluster endpoint reused from the `index`-th profile (8 hex digits, unlike any profile's own). */
export const clusterEndpointId = (index: number): string => `c${String(index).padStart(7, '0')}`;

/**
 * config.json as `qcc add` and `qcc endpoint add --primary … --secondary …` would leave it, written directly: the
 * setup of a test that is about the gateway costs no CLI runs. Returns the cluster's endpoint ids by profile name.
 */
export function configFor(spec: ConfigSpec): { config: Record<string, unknown>; ids: Record<string, string> } {
  const createdAt = '2026-01-01T00:00:00.000Z';
  const ids: Record<string, string> = {};
  const profiles: Record<string, unknown>[] = spec.profiles.map((profile, index) => ({
    name: profile.name,
    kind: 'profile',
    description: '',
    endpoints: [{ id: String(index + 1).padStart(8, '0'), baseUrl: profile.url, apiKey: profile.apiKey, authStyle: profile.authStyle }],
    createdAt,
  }));
  const cluster = spec.cluster;
  if (cluster) {
    const members = [...cluster.primary.map((name) => [name, 1] as const), ...(cluster.secondary ?? []).map((name) => [name, 2] as const)];
    profiles.push({
      name: cluster.name,
      kind: 'cluster',
      description: '',
      endpoints: members.map(([name, priority]) => {
        const index = spec.profiles.findIndex((profile) => profile.name === name);
        const profile = spec.profiles[index];
        assert.ok(profile, `no profile ${name}`);
        ids[name] = clusterEndpointId(index + 1);
        return { id: ids[name], baseUrl: profile.url, apiKey: profile.apiKey, authStyle: profile.authStyle, priority, source: name };
      }),
      createdAt,
    });
  }
  const config = {
    version: 1,
    defaultProfile: spec.profiles[0]?.name ?? null,
    activeProfile: spec.activeProfile === undefined ? (cluster?.name ?? null) : spec.activeProfile,
    profiles,
    priorityGroups: { primary: [], secondary: [], fallback: [] },
    settings: spec.settings ?? {},
  };
  return { config, ids };
}
