import { z } from 'zod';

/**
 * How one setting is typed, defaulted and described. The zod schema of the settings, the `qcc config` commands and
 * the generated JSON Schema all come from these specs, so a key added here needs no other change to be settable.
 */
export type SettingKind = 'int' | 'duration' | 'bytes' | 'percent' | 'boolean' | 'enum' | 'string' | 'secret' | 'url';

export interface SettingSpec<T = unknown> {
  readonly kind: SettingKind;
  readonly default: T;
  readonly description: string;
  readonly schema: z.ZodType<T>;
  /** Allowed values of an enum setting. */
  readonly choices?: readonly string[];
  /** Secrets are masked in listings and left out of exports unless asked. */
  readonly secret: boolean;
}

interface Range {
  readonly min: number;
  readonly max: number;
}

function spec<T>(
  kind: SettingKind,
  schema: z.ZodType<T>,
  defaultValue: T,
  description: string,
  extra: Partial<Pick<SettingSpec<T>, 'choices' | 'secret'>> = {},
): SettingSpec<T> {
  return {
    kind,
    default: defaultValue,
    description,
    schema: schema.meta({ description }) as z.ZodType<T>,
    secret: extra.secret ?? false,
    ...(extra.choices ? { choices: extra.choices } : {}),
  };
}

const bounded = (range: Range) => z.number().int().min(range.min).max(range.max);

export const setting = {
  int: (defaultValue: number, range: Range, description: string) =>
    spec('int', bounded(range), defaultValue, description),
  /** Milliseconds; `qcc config set` also takes `30s`, `5m`, `1h`. */
  duration: (defaultValue: number, range: Range, description: string) =>
    spec('duration', bounded(range), defaultValue, `${description} (milliseconds)`),
  /** Bytes; `qcc config set` also takes `512KiB`, `32MiB`. */
  bytes: (defaultValue: number, range: Range, description: string) =>
    spec('bytes', bounded(range), defaultValue, `${description} (bytes)`),
  percent: (defaultValue: number, description: string) =>
    spec('percent', bounded({ min: 0, max: 100 }), defaultValue, `${description} (percent)`),
  boolean: (defaultValue: boolean, description: string) => spec('boolean', z.boolean(), defaultValue, description),
  enum: <const V extends string>(choices: readonly [V, ...V[]], defaultValue: NoInfer<V>, description: string) =>
    spec('enum', z.enum(choices) as z.ZodType<V>, defaultValue, description, { choices }),
  string: (defaultValue: string, description: string) =>
    spec('string', z.string().min(1), defaultValue, description),
  secret: (description: string) =>
    spec('secret', z.string().min(8).nullable(), null as string | null, description, { secret: true }),
  url: (description: string) =>
    spec(
      'url',
      z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).nullable(),
      null as string | null,
      description,
    ),
};

export type SettingsGroupSpec = Readonly<Record<string, SettingSpec<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- heterogeneous map of specs

export type GroupValues<G extends SettingsGroupSpec> = { readonly [K in keyof G]: G[K]['default'] };

/** The zod object of one group: every key defaulted, so `{}` is a complete group. */
export function groupSchema(group: SettingsGroupSpec): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, item] of Object.entries(group)) shape[key] = item.schema.default(item.default);
  return z.strictObject(shape).prefault({});
}
