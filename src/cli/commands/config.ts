import { join, resolve } from 'node:path';
import { z } from 'zod';
import { configSchema, type Config } from '../../config/schema.js';
import {
  displaySetting,
  findSetting,
  parseSettingValue,
  readSetting,
  settingEntries,
  withSetting,
  type SettingEntry,
} from '../../config/setting-keys.js';
import { emptyConfig } from '../../config/schema.js';
import { QccError } from '../../core/errors.js';
import { maskKey } from '../../core/mask.js';
import { closest } from '../../core/similar.js';
import { checkConfig, loadConfig, updateConfig } from '../../store/config-store.js';
import { copyFilePrivately, readJsonFile, toJsonText, writeFileAtomically } from '../../store/json-file.js';
import type { CliContext } from '../context.js';
import { columns } from '../output.js';
import { configText } from './config.text.js';

function requireSetting(key: string): SettingEntry {
  const entry = findSetting(key);
  if (entry) return entry;
  const suggestion = closest(key, settingEntries.map((known) => known.key));
  throw new QccError('QCC_ERR_SETTING_UNKNOWN', { key, hint: suggestion ? ` (${suggestion}?)` : '' });
}

const shown = (entry: SettingEntry, value: unknown): string => displaySetting(entry, value, maskKey);

/** A value for `--json`: secrets masked, everything else as stored. */
const jsonValue = (entry: SettingEntry, value: unknown): unknown =>
  entry.spec.secret && typeof value === 'string' ? maskKey(value) : value;

export async function runConfigGet(ctx: CliContext, key: string, options: { json?: boolean }): Promise<void> {
  const entry = requireSetting(key);
  const { config } = await loadConfig(ctx.paths);
  const value = readSetting(config.settings, entry);
  if (options.json) ctx.out.json({ key, value: jsonValue(entry, value), default: entry.spec.default });
  else ctx.out.line(shown(entry, value));
}

export async function runConfigSet(ctx: CliContext, key: string, raw: string): Promise<void> {
  const t = configText(ctx.lang);
  const entry = requireSetting(key);
  const parsed = parseSettingValue(entry, raw);
  if (!parsed.ok) throw new QccError('QCC_ERR_SETTING_VALUE', { key, reason: t(`problem-${parsed.problem}`, { detail: parsed.detail }) });
  await updateConfig(ctx.paths, (config) => ({ ...config, settings: withSetting(config.settings, entry, parsed.value) }));
  ctx.out.line(ctx.out.color.green(`✓ ${key} = ${shown(entry, parsed.value)}`));
  if (entry.key === 'proxy.host' || entry.key === 'proxy.port') ctx.out.line(ctx.out.color.dim(t('restartNote')));
}

export async function runConfigList(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const t = configText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  if (options.json) {
    ctx.out.json(
      settingEntries.map((entry) => ({
        key: entry.key,
        value: jsonValue(entry, readSetting(config.settings, entry)),
        default: entry.spec.default,
        kind: entry.spec.kind,
        description: entry.spec.description[ctx.lang],
      })),
    );
    return;
  }
  const c = ctx.out.color;
  const rows = settingEntries.map((entry) => {
    const value = readSetting(config.settings, entry);
    const changed = JSON.stringify(value) !== JSON.stringify(entry.spec.default);
    return [entry.key, changed ? c.bold(shown(entry, value)) : shown(entry, value), changed ? t('changed') : '', entry.spec.description[ctx.lang]];
  });
  const [head, ...body] = columns([[t('colKey'), t('colValue'), '', t('colDescription')], ...rows]);
  ctx.out.line(c.bold(head ?? ''));
  for (const line of body) ctx.out.line(line);
}

export async function runConfigReset(ctx: CliContext, key: string | undefined): Promise<void> {
  const t = configText(ctx.lang);
  if (key === undefined) {
    await updateConfig(ctx.paths, (config) => ({ ...config, settings: emptyConfig().settings }));
    ctx.out.line(ctx.out.color.green(`✓ ${t('resetAll')}`));
    return;
  }
  const entry = requireSetting(key);
  await updateConfig(ctx.paths, (config) => ({ ...config, settings: withSetting(config.settings, entry, entry.spec.default) }));
  ctx.out.line(ctx.out.color.green(`✓ ${key} = ${shown(entry, entry.spec.default)}`));
}

export async function runConfigExport(ctx: CliContext, file: string, options: { includeSecrets?: boolean }): Promise<void> {
  const t = configText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  const target = resolve(file);
  await writeFileAtomically(target, toJsonText(options.includeSecrets ? config : withoutSecrets(config)));
  ctx.out.line(ctx.out.color.green(`✓ ${t('exported', { file: target })}`));
  ctx.out.line(ctx.out.color.dim(options.includeSecrets ? t('secretsIncluded') : t('secretsLeftOut')));
}

export async function runConfigImport(ctx: CliContext, file: string): Promise<void> {
  const t = configText(ctx.lang);
  const source = resolve(file);
  const read = await readJsonFile(source, 'QCC_ERR_CONFIG_MALFORMED');
  if (!read.exists) throw new QccError('QCC_ERR_FILE_READ', { file: source, reason: 'ENOENT' });
  const { config: current, exists } = await loadConfig(ctx.paths);
  // Everything is checked before anything is written.
  const filled = fillSecrets(read.value, current);
  const incoming = checkConfig(filled.value, source, filled.problems);
  if (exists) {
    const backup = join(ctx.paths.backupsDir, `config.${ctx.now().toISOString().replace(/[:.]/g, '-')}.json`);
    await copyFilePrivately(ctx.paths.configFile, backup);
    ctx.out.line(ctx.out.color.dim(t('backedUp', { file: backup })));
  }
  await updateConfig(ctx.paths, () => incoming);
  ctx.out.line(ctx.out.color.green(`✓ ${t('imported', { file: source, profiles: incoming.profiles.length })}`));
}

export async function runConfigSchema(ctx: CliContext): Promise<void> {
  ctx.out.json(z.toJSONSchema(configSchema, { io: 'input' }));
}

function withoutSecrets(config: Config): unknown {
  return {
    ...config,
    profiles: config.profiles.map((profile) => ({
      ...profile,
      endpoints: profile.endpoints.map(({ apiKey: _key, ...endpoint }) => endpoint),
    })),
    settings: { ...config.settings, proxy: { ...config.settings.proxy, proxyKey: null } },
  };
}

/**
 * An export without secrets gets its keys back from the current configuration, matched by endpoint id; an
 * endpoint whose key cannot be found is a problem that names the fix, reported with every other problem of the file.
 */
function fillSecrets(value: unknown, current: Config): { value: unknown; problems: string[] } {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { profiles?: unknown }).profiles)) {
    return { value, problems: [] };
  }
  const keys = new Map(current.profiles.flatMap((profile) => profile.endpoints.map((endpoint) => [endpoint.id, endpoint.apiKey])));
  const problems: string[] = [];
  const file_ = value as { profiles: { endpoints?: unknown }[]; settings?: { proxy?: Record<string, unknown> } };
  const profiles = file_.profiles.map((profile, index) => {
    if (typeof profile !== 'object' || profile === null || !Array.isArray(profile.endpoints)) return profile;
    const endpoints = profile.endpoints.map((endpoint: Record<string, unknown>, at: number) => {
      if (typeof endpoint !== 'object' || endpoint === null || endpoint.apiKey !== undefined) return endpoint;
      const known = typeof endpoint.id === 'string' ? keys.get(endpoint.id) : undefined;
      if (known === undefined) problems.push(`profiles.${index}.endpoints.${at}.apiKey: missing: this qcc has no key for endpoint ${String(endpoint.id)}; export it with --include-secrets`);
      return known === undefined ? endpoint : { ...endpoint, apiKey: known };
    });
    return { ...profile, endpoints };
  });
  const proxy = file_.settings?.proxy;
  const settings =
    typeof proxy === 'object' && proxy !== null && (proxy.proxyKey === null || proxy.proxyKey === undefined) && current.settings.proxy.proxyKey
      ? { ...file_.settings, proxy: { ...proxy, proxyKey: current.settings.proxy.proxyKey } }
      : file_.settings;
  return { value: { ...file_, profiles, ...(settings ? { settings } : {}) }, problems };
}
