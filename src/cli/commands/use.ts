import { launchClaude } from '../../claude/launch.js';
import { pointClaudeAt, restoreClaudeSettings } from '../../claude/settings-file.js';
import { OWNED_ENV_KEYS, type ClaudeTarget } from '../../claude/settings-patch.js';
import type { Config, Profile } from '../../config/schema.js';
import { QccError } from '../../core/errors.js';
import { maskKey } from '../../core/mask.js';
import { markUsed, requireProfile } from '../../core/profiles.js';
import { loadConfig, updateConfig } from '../../store/config-store.js';
import type { CliContext } from '../context.js';
import { useText } from './use.text.js';

export interface UseOptions {
  readonly launch?: boolean;
  readonly claudeArgs?: readonly string[];
  /** Where the gateway listens, for a cluster; defaults to proxy.host and proxy.port. */
  readonly host?: string;
  readonly port?: string;
}

export async function runUse(ctx: CliContext, name: string | undefined, options: UseOptions): Promise<void> {
  const { config } = await loadConfig(ctx.paths);
  const profile = await chooseProfile(ctx, config, name);
  await useProfile(ctx, profile.name, options);
}

/** Points Claude Code at profile `name` (a cluster through the gateway) and launches `claude` unless told not to. */
export async function useProfile(ctx: CliContext, name: string, options: UseOptions): Promise<void> {
  const t = useText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  const profile = requireProfile(config, name);
  if (profile.kind === 'cluster') {
    await updateConfig(ctx.paths, (current) => markUsed(current, profile.name, ctx.now().toISOString()));
    ctx.out.line(ctx.out.color.green(`✓ ${t('clusterActive', { name: profile.name })}`));
    ctx.out.line(t('clusterNeedsGateway'));
    return;
  }
  const target = directTarget(profile);
  await pointClaudeAt(ctx.paths, target, ctx.now());
  await updateConfig(ctx.paths, (current) => markUsed(current, profile.name, ctx.now().toISOString()));
  ctx.out.line(ctx.out.color.green(`✓ ${t('pointed', { name: profile.name, url: target.baseUrl })}`));
  ctx.out.line(ctx.out.color.dim(`  ${ctx.paths.claudeSettingsFile}: ${t('keyNote', { key: maskKey(target.token), style: target.authStyle })}`));
  await launch(ctx, target, options);
}

export async function runRestore(ctx: CliContext): Promise<void> {
  const t = useText(ctx.lang);
  const result = await restoreClaudeSettings(ctx.paths);
  if (!result.restored) {
    ctx.out.line(t('nothingToRestore'));
    return;
  }
  ctx.out.line(ctx.out.color.green(`✓ ${result.removedFile ? t('restoredRemoved', { file: ctx.paths.claudeSettingsFile }) : t('restored', { file: ctx.paths.claudeSettingsFile })}`));
}

/** NAME if given; else a picker on a terminal with the default preselected; else the default profile. */
async function chooseProfile(ctx: CliContext, config: Config, name: string | undefined): Promise<Profile> {
  if (name !== undefined) return requireProfile(config, name);
  if (config.profiles.length === 0) throw new QccError('QCC_ERR_NO_PROFILES');
  if (ctx.interactive) {
    const t = useText(ctx.lang);
    const picked = await ctx.prompt.select(
      t('pick'),
      config.profiles.map((profile) => ({
        name: `${profile.name === config.defaultProfile ? '⭐ ' : '   '}${profile.name}${profile.description ? ` — ${profile.description}` : ''}`,
        value: profile.name,
      })),
      config.defaultProfile ?? undefined,
    );
    return requireProfile(config, picked);
  }
  if (config.defaultProfile === null) throw new QccError('QCC_ERR_NO_DEFAULT');
  return requireProfile(config, config.defaultProfile);
}

function directTarget(profile: Profile): ClaudeTarget {
  const endpoint = profile.endpoints[0];
  if (!endpoint) throw new QccError('QCC_ERR_PROFILE_NOT_FOUND', { name: profile.name });
  return { baseUrl: endpoint.baseUrl, token: endpoint.apiKey, authStyle: endpoint.authStyle };
}

/**
 * Launches `claude` with the terminal attached and passes its exit code through. The owned variables are removed
 * from its environment, so a key exported in the shell cannot override (or conflict with) settings.json.
 */
async function launch(ctx: CliContext, target: ClaudeTarget, options: UseOptions): Promise<void> {
  if (options.launch === false) return;
  const t = useText(ctx.lang);
  ctx.out.line(t('launching'));
  const env = { ...ctx.env };
  for (const key of OWNED_ENV_KEYS) delete env[key];
  process.exitCode = await launchClaude(options.claudeArgs ?? [], env, target.baseUrl);
}
