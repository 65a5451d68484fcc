import { z } from 'zod';
import { settingsSchema, type Settings } from './settings.js';

// A configuration is parsed once per command, start or reload. zod's JIT (a `new Function` fast path compiled per
// object schema on its first parse) costs more time and memory to build than it saves on one parse: ~2–3 MB of the
// gateway's resident memory. Every parse runs after the modules are loaded, so this line comes before all of them.
z.config({ jitless: true });

/** The version this qcc writes; older files are migrated on load (see migrate.ts). */
export const CONFIG_VERSION = 1;

export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ENDPOINT_ID = /^[0-9a-f]{8}$/;

export const authStyles = ['bearer', 'x-api-key'] as const;
export type AuthStyle = (typeof authStyles)[number];

export const priorityGroupNames = ['primary', 'secondary', 'fallback'] as const;
export type PriorityGroupName = (typeof priorityGroupNames)[number];

export type EndpointPriority = 1 | 2 | 3;

const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const endpointSchema = z.strictObject({
  id: z.string().regex(ENDPOINT_ID, 'must be 8 lowercase hex digits'),
  baseUrl,
  apiKey: z.string().min(1, 'must not be empty'),
  authStyle: z.enum(authStyles).default('bearer'),
  weight: z.number().int().min(1).max(1000).default(100),
  priority: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
  enabled: z.boolean().default(true),
  /** The profile this endpoint was reused from: its URL, key and auth style follow that profile. */
  source: z.string().optional(),
});

const profileSchema = z.strictObject({
  name: z.string().regex(PROFILE_NAME, 'must be 1–64 letters, digits, ".", "_" or "-"'),
  kind: z.enum(['profile', 'cluster']).default('profile'),
  description: z.string().default(''),
  endpoints: z.array(endpointSchema),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().optional(),
});

const priorityGroupsSchema = z
  .strictObject({
    primary: z.array(z.string()).default([]),
    secondary: z.array(z.string()).default([]),
    fallback: z.array(z.string()).default([]),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(CONFIG_VERSION),
    defaultProfile: z.string().nullable().default(null),
    activeProfile: z.string().nullable().default(null),
    profiles: z.array(profileSchema).default([]),
    priorityGroups: priorityGroupsSchema,
    settings: settingsSchema,
  })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    const endpointIds = new Set<string>();
    config.profiles.forEach((profile, index) => {
      if (names.has(profile.name)) {
        ctx.addIssue({ code: 'custom', path: ['profiles', index, 'name'], message: `duplicate name "${profile.name}"` });
      }
      names.add(profile.name);
      if (profile.kind === 'profile' && profile.endpoints.length !== 1) {
        ctx.addIssue({ code: 'custom', path: ['profiles', index, 'endpoints'], message: 'a plain profile has exactly one endpoint' });
      }
      profile.endpoints.forEach((endpoint, at) => {
        if (endpointIds.has(endpoint.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', index, 'endpoints', at, 'id'],
            message: `duplicate endpoint id "${endpoint.id}"`,
          });
        }
        endpointIds.add(endpoint.id);
      });
    });
    for (const key of ['defaultProfile', 'activeProfile'] as const) {
      const name = config[key];
      if (name !== null && !names.has(name)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `no profile named "${name}"` });
      }
    }
    const grouped = new Set<string>();
    for (const group of priorityGroupNames) {
      config.priorityGroups[group].forEach((name, index) => {
        if (!names.has(name)) {
          ctx.addIssue({ code: 'custom', path: ['priorityGroups', group, index], message: `no profile named "${name}"` });
        } else if (grouped.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['priorityGroups', group, index],
            message: `"${name}" is already in another group`,
          });
        }
        grouped.add(name);
      });
    }
  });

type ParsedConfig = z.output<typeof configSchema>;
type ParsedProfile = ParsedConfig['profiles'][number];
type ParsedEndpoint = ParsedProfile['endpoints'][number];

export type Endpoint = Readonly<Omit<ParsedEndpoint, 'priority'>> & { readonly priority: EndpointPriority };
export type Profile = Readonly<Omit<ParsedProfile, 'endpoints'>> & { readonly endpoints: readonly Endpoint[] };
export type PriorityGroups = { readonly [G in PriorityGroupName]: readonly string[] };
export interface Config {
  readonly version: typeof CONFIG_VERSION;
  readonly defaultProfile: string | null;
  readonly activeProfile: string | null;
  readonly profiles: readonly Profile[];
  readonly priorityGroups: PriorityGroups;
  readonly settings: Settings;
}
export type { Settings };

/** The configuration of a home that has never been written. */
export function emptyConfig(): Config {
  return configSchema.parse({ version: CONFIG_VERSION }) as Config;
}
