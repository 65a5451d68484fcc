import { CONFIG_VERSION } from './schema.js';

/**
 * Steps that lift a config file from version N to N + 1. A file without a version is taken as the current one
 * (written by hand); the first step will appear here with version 2.
 */
const steps: Readonly<Record<number, (file: Record<string, unknown>) => Record<string, unknown>>> = {};

export type MigrationResult =
  | { readonly kind: 'ok'; readonly file: unknown; readonly migratedFrom?: number }
  | { readonly kind: 'too-new'; readonly found: number };

export function migrate(raw: unknown): MigrationResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { kind: 'ok', file: raw };
  let file = raw as Record<string, unknown>;
  const found = file.version === undefined ? CONFIG_VERSION : file.version;
  if (typeof found !== 'number' || !Number.isInteger(found)) return { kind: 'ok', file };
  if (found > CONFIG_VERSION) return { kind: 'too-new', found };
  for (let version = found; version < CONFIG_VERSION; version += 1) {
    const step = steps[version];
    if (step) file = step(file);
  }
  file = { ...file, version: CONFIG_VERSION };
  return found === CONFIG_VERSION ? { kind: 'ok', file } : { kind: 'ok', file, migratedFrom: found };
}
