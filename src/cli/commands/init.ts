import { mkdir } from 'node:fs/promises';
import { z } from 'zod';
import { readClaudeTarget } from '../../claude/settings-file.js';
import type { ClaudeTarget } from '../../claude/settings-patch.js';
import { configSchema, type Config } from '../../config/schema.js';
import { isQccError, renderError } from '../../core/errors.js';
import { maskKey } from '../../core/mask.js';
import { addProfile, checkProfileName } from '../../core/profiles.js';
import { loadConfig, updateConfig } from '../../store/config-store.js';
import { toJsonText, writeFileAtomically } from '../../store/json-file.js';
import type { CliContext } from '../context.js';
import { validatorOf } from '../prompter.js';
import { initText } from './init.text.js';

export async function runInit(ctx: CliContext, options: { importAs?: string; skipImport?: boolean }): Promise<void> {
  const t = initText(ctx.lang);
  const c = ctx.out.color;
  if (options.importAs !== undefined) checkProfileName(options.importAs);
  await mkdir(ctx.paths.home, { recursive: true, mode: 0o700 });
  const loaded = await loadConfig(ctx.paths);
  const exists = loaded.exists;
  // Writing the unchanged configuration creates the file with every default filled in.
  const config = exists ? loaded.config : await updateConfig(ctx.paths, (current) => ({ ...current }));
  await writeFileAtomically(ctx.paths.schemaFile, toJsonText(z.toJSONSchema(configSchema, { io: 'input' })));
  ctx.out.line(c.green(`✓ ${exists ? t('already', { home: ctx.paths.home }) : t('created', { home: ctx.paths.home })}`));

  if (options.skipImport) return;
  const target = await currentClaudeTarget(ctx);
  if (!target || isKnown(config, target)) return;
  ctx.out.line(t('found', { url: target.baseUrl, key: maskKey(target.token) }));
  let name = options.importAs;
  if (name === undefined) {
    if (!ctx.interactive) {
      ctx.out.line(c.dim(t('importHint')));
      return;
    }
    if (!(await ctx.prompt.confirm(t('askImport'), true))) return;
    name = await ctx.prompt.input(t('askName'), {
      default: suggestName(target.baseUrl),
      validate: validatorOf(checkProfileName, ctx.lang),
    });
  }
  const chosen = name;
  await updateConfig(ctx.paths, (current) =>
    addProfile(
      current,
      { name: chosen, description: t('importedDescription'), baseUrl: target.baseUrl, apiKey: target.token, authStyle: target.authStyle },
      { newId: ctx.newId, now: ctx.now().toISOString() },
    ),
  );
  ctx.out.line(c.green(`✓ ${t('imported', { name: chosen })}`));
}

/** A malformed settings.json must not stop `init`; it is reported and left alone. */
async function currentClaudeTarget(ctx: CliContext): Promise<ClaudeTarget | undefined> {
  try {
    return await readClaudeTarget(ctx.paths);
  } catch (error) {
    if (!isQccError(error)) throw error;
    ctx.out.error(ctx.out.color.yellow(`! ${renderError(error.code, error.params, ctx.lang)}`));
    return undefined;
  }
}

/** Already a profile, or qcc's own gateway: nothing to offer. */
function isKnown(config: Config, target: ClaudeTarget): boolean {
  const { host, port } = config.settings.proxy;
  if (target.baseUrl.replace(/\/+$/, '') === `http://${host}:${port}`) return true;
  return config.profiles.some((profile) =>
    profile.endpoints.some((endpoint) => endpoint.baseUrl === target.baseUrl.replace(/\/+$/, '') && endpoint.apiKey === target.token),
  );
}

/** `https://api.deepseek.com/anthropic` → `deepseek`, `https://relay.88code.org` → `88code`. */
export function suggestName(baseUrl: string): string {
  try {
    const { hostname } = new URL(baseUrl);
    if (/^[\d.]+$/.test(hostname) || hostname.startsWith('[')) return 'claude';
    const labels = hostname.split('.');
    // The top-level domain (com, org, cn…) names no provider.
    if (labels.length > 1) labels.pop();
    const name = (labels.filter((label) => !['api', 'www'].includes(label)).at(-1) ?? 'claude').replace(/[^A-Za-z0-9._-]/g, '-');
    return /^[A-Za-z0-9]/.test(name) ? name : 'claude';
  } catch {
    return 'claude';
  }
}
