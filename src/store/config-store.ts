import { mkdir } from 'node:fs/promises';
import { migrate } from '../config/migrate.js';
import { CONFIG_VERSION, emptyConfig, type Config } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { QccError } from '../core/errors.js';
import { resolveSources } from '../core/profiles.js';
import { parseJsonText, readJsonFile, toJsonText, writeFileAtomically } from './json-file.js';
import type { QccPaths } from './paths.js';

export interface LoadedConfig {
  readonly config: Config;
  /** False until the first write: the home is new. */
  readonly exists: boolean;
}

/** Reads config.json: a missing file is the empty configuration, a broken one is an error naming every problem. */
export async function loadConfig(paths: QccPaths): Promise<LoadedConfig> {
  const read = await readJsonFile(paths.configFile, 'QCC_ERR_CONFIG_MALFORMED');
  if (!read.exists) return { config: emptyConfig(), exists: false };
  return { config: checkConfig(read.value, paths.configFile), exists: true };
}

/** Parses the text of a config file (config.json, an import, a reload) into a normalised, frozen Config. */
export function parseConfigText(text: string, file: string): Config {
  return checkConfig(parseJsonText(text, file, 'QCC_ERR_CONFIG_MALFORMED'), file);
}

/**
 * `found` holds problems the caller noticed before the schema ran (`dot.path: message`, e.g. an import's missing
 * keys); they are reported together with the schema's, and replace the schema's own problem at the same path.
 */
export function checkConfig(value: unknown, file: string, found: readonly string[] = []): Config {
  const migrated = migrate(value);
  if (migrated.kind === 'too-new') {
    throw new QccError('QCC_ERR_CONFIG_VERSION', { file, found: migrated.found, known: CONFIG_VERSION });
  }
  const result = validateConfig(migrated.file);
  const pathOf = (problem: string): string => problem.slice(0, problem.indexOf(': '));
  const taken = new Set(found.map(pathOf));
  const problems = [...found, ...(result.ok ? [] : result.problems.filter((problem) => !taken.has(pathOf(problem))))];
  if (!result.ok || problems.length > 0) {
    throw new QccError('QCC_ERR_CONFIG_INVALID', {
      file,
      count: problems.length,
      problems: problems.map((problem) => `  ${problem}`).join('\n'),
    });
  }
  return deepFreeze(resolveSources(result.value));
}

/**
 * Read-modify-write under a lock, so two qcc processes that change the file at once both land: the second reads
 * what the first wrote. `change` is pure; it may throw a QccError, and then nothing is written.
 */
export async function updateConfig(paths: QccPaths, change: (config: Config) => Config): Promise<Config> {
  await mkdir(paths.home, { recursive: true, mode: 0o700 });
  const release = await acquireLock(paths.configFile);
  try {
    const { config } = await loadConfig(paths);
    const next = resolveSources(change(config));
    if (next === config) return config;
    const checked = checkConfig(next, paths.configFile);
    await writeFileAtomically(paths.configFile, serializeConfig(checked));
    return checked;
  } finally {
    await release();
  }
}

export function serializeConfig(config: Config): string {
  return toJsonText(config);
}

async function acquireLock(file: string): Promise<() => Promise<void>> {
  try {
    // Loaded on the first write: the gateway only reads config.json and need not carry it.
    const { default: lockfile } = await import('proper-lockfile');
    return await lockfile.lock(file, {
      realpath: false,
      stale: 10_000,
      retries: { retries: 100, minTimeout: 10, maxTimeout: 100, factor: 1.5 },
      onCompromised: () => undefined,
    });
  } catch (error) {
    throw new QccError('QCC_ERR_CONFIG_LOCKED', { file }, { cause: error });
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
