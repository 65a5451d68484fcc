import type { SettingSpec } from './setting-spec.js';
import { settingGroups, type GroupName, type Settings } from './settings.js';

/** One dotted key of `qcc config` (`proxy.port`) with its spec. */
export interface SettingEntry {
  readonly key: string;
  readonly group: GroupName;
  readonly name: string;
  readonly spec: SettingSpec;
}

export const settingEntries: readonly SettingEntry[] = Object.entries(settingGroups).flatMap(([group, specs]) =>
  Object.entries(specs as Record<string, SettingSpec>).map(([name, spec]) => ({
    key: `${group}.${name}`,
    group: group as GroupName,
    name,
    spec,
  })),
);

export function findSetting(key: string): SettingEntry | undefined {
  return settingEntries.find((entry) => entry.key === key);
}

export function readSetting(settings: Settings, entry: SettingEntry): unknown {
  return (settings[entry.group] as Record<string, unknown>)[entry.name];
}

export function withSetting(settings: Settings, entry: SettingEntry, value: unknown): Settings {
  return { ...settings, [entry.group]: { ...settings[entry.group], [entry.name]: value } };
}

/**
 * Why a typed value was refused, for the CLI to say in the user's language: the form expected, with the choices of
 * an enum or the schema's own messages (a number out of range) in `detail`.
 */
export type ValueProblem = 'whole-number' | 'duration' | 'size' | 'boolean' | 'choice' | 'invalid';

export type ParsedValue =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: ValueProblem; readonly detail: string };

const refused = (problem: ValueProblem, detail = ''): ParsedValue => ({ ok: false, problem, detail });

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};
const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** Turns what a user typed into the setting's value, then checks it against the setting's own schema. */
export function parseSettingValue(entry: SettingEntry, raw: string): ParsedValue {
  const text = raw.trim();
  const converted = convert(entry.spec, text);
  if (!converted.ok) return converted;
  const checked = entry.spec.schema.safeParse(converted.value);
  if (!checked.success) return refused('invalid', checked.error.issues.map((issue) => issue.message).join('; '));
  return { ok: true, value: checked.data };
}

function convert(spec: SettingSpec, text: string): ParsedValue {
  switch (spec.kind) {
    case 'int':
    case 'percent': {
      const match = (spec.kind === 'percent' ? /^(-?\d+)%?$/ : /^(-?\d+)$/).exec(text);
      return match ? { ok: true, value: Number(match[1]) } : refused('whole-number');
    }
    case 'duration':
      return scaled(text, DURATION_UNITS, 'ms', 'duration');
    case 'bytes':
      return scaled(text, BYTE_UNITS, 'b', 'size');
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { ok: true, value: true };
      if (FALSE.has(lower)) return { ok: true, value: false };
      return refused('boolean');
    }
    case 'enum':
      return spec.choices?.includes(text)
        ? { ok: true, value: text }
        : refused('choice', spec.choices?.join(', ') ?? '');
    case 'secret':
    case 'url':
      return { ok: true, value: text === '' || text === 'null' ? null : text };
    case 'string':
      return { ok: true, value: text };
  }
}

function scaled(text: string, units: Readonly<Record<string, number>>, fallback: string, problem: ValueProblem): ParsedValue {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const factor = match ? units[(match[2] || fallback).toLowerCase()] : undefined;
  if (!match || factor === undefined) return refused(problem);
  return { ok: true, value: Math.round(Number(match[1]) * factor) };
}

/** A value as `qcc config` shows it: secrets masked, durations and sizes with a readable form beside them. */
export function displaySetting(entry: SettingEntry, value: unknown, mask: (secret: string) => string): string {
  if (value === null || value === undefined) return '(not set)';
  if (entry.spec.secret && typeof value === 'string') return mask(value);
  if (entry.spec.kind === 'duration' && typeof value === 'number') return `${value} (${humanDuration(value)})`;
  if (entry.spec.kind === 'bytes' && typeof value === 'number') return `${value} (${humanBytes(value)})`;
  return String(value);
}

export function humanDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function humanBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} B`;
}
