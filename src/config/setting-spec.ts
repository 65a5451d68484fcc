import { z } from 'zod';

/**
 * How one setting is typed, defaulted and described. The zod schema of the settings, the `qcc config` commands and
 * the generated JSON Schema all come from these specs, so a key added here needs no other change to be settable.
 */
export type SettingKind = 'int' | 'duration' | 'bytes' | 'percent' | 'boolean' | 'enum' | 'string' | 'secret' | 'url';

/** What a setting is for, in both languages of the CLI (English also goes into the JSON Schema). */
export interface SettingDescription {
  readonly en: string;
  readonly zh: string;
}

export interface SettingSpec<T = unknown> {
  readonly kind: SettingKind;
  readonly default: T;
  readonly description: SettingDescription;
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
  description: SettingDescription,
  extra: Partial<Pick<SettingSpec<T>, 'choices' | 'secret'>> = {},
): SettingSpec<T> {
  return {
    kind,
    default: defaultValue,
    description,
    schema: schema.meta({ description: description.en }) as z.ZodType<T>,
    secret: extra.secret ?? false,
    ...(extra.choices ? { choices: extra.choices } : {}),
  };
}

const bounded = (range: Range) => z.number().int().min(range.min).max(range.max);

/** The description with the unit a number is counted in. */
const withUnit = (description: SettingDescription, en: string, zh: string): SettingDescription => ({
  en: `${description.en} (${en})`,
  zh: `${description.zh}（${zh}）`,
});

export const setting = {
  int: (defaultValue: number, range: Range, description: SettingDescription) =>
    spec('int', bounded(range), defaultValue, description),
  /** Milliseconds; `qcc config set` also takes `30s`, `5m`, `1h`. */
  duration: (defaultValue: number, range: Range, description: SettingDescription) =>
    spec('duration', bounded(range), defaultValue, withUnit(description, 'milliseconds', '毫秒')),
  /** Bytes; `qcc config set` also takes `512KiB`, `32MiB`. */
  bytes: (defaultValue: number, range: Range, description: SettingDescription) =>
    spec('bytes', bounded(range), defaultValue, withUnit(description, 'bytes', '字节')),
  percent: (defaultValue: number, description: SettingDescription) =>
    spec('percent', bounded({ min: 0, max: 100 }), defaultValue, withUnit(description, 'percent', '百分比')),
  boolean: (defaultValue: boolean, description: SettingDescription) =>
    spec('boolean', z.boolean(), defaultValue, description),
  enum: <const V extends string>(choices: readonly [V, ...V[]], defaultValue: NoInfer<V>, description: SettingDescription) =>
    spec('enum', z.enum(choices) as z.ZodType<V>, defaultValue, description, { choices }),
  string: (defaultValue: string, description: SettingDescription) =>
    spec('string', z.string().min(1), defaultValue, description),
  secret: (description: SettingDescription) =>
    spec('secret', z.string().min(8).nullable(), null as string | null, description, { secret: true }),
  url: (description: SettingDescription) =>
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
