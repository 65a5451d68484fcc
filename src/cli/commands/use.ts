import { launchClaude } from '../../claude/launch.js';
import { pointClaudeAt, restoreClaudeSettings } from '../../claude/settings-file.js';
import { OWNED_ENV_KEYS, type ClaudeTarget } from '../../claude/settings-patch.js';
import type { Config, Profile } from '../../config/schema.js';
import { QccError } from '../../core/errors.js';
import { maskKey } from '../../core/mask.js';
import { markUsed, requireProfile } from '../../core/profiles.js';
import { loadConfig, updateConfig } from '../../store/config-store.js';
import type { CliContext } from '../context.js';
import { reachableUrl } from '../gateway-client.js';
import { ensureGateway, parsePort } from './proxy.js';
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
    await useThroughGateway(ctx, profile.name, options);
    return;
  }
  const target = directTarget(profile);
  await pointClaudeAt(ctx.paths, target, ctx.now());
  await updateConfig(ctx.paths, (current) => markUsed(current, profile.name, ctx.now().toISOString()));
  ctx.out.line(ctx.out.color.green(`✓ ${t('pointed', { name: profile.name, url: target.baseUrl })}`));
  ctx.out.line(ctx.out.color.dim(`  ${ctx.paths.claudeSettingsFile}: ${t('keyNote', { key: maskKey(target.token), style: target.authStyle })}`));
  await launch(ctx, target, options);
}

/**
 * A cluster runs through the gateway (DESIGN §8): it becomes the active profile, the gateway is started if it is
 * not running, and Claude Code gets the gateway's address and the local token — so later provider changes never
 * need a Claude Code restart.
 */
async function useThroughGateway(ctx: CliContext, name: string, options: UseOptions): Promise<void> {
  const t = useText(ctx.lang);
  const c = ctx.out.color;
  ctx.out.line(c.green(`✅ ${t('applying', { name })}`));
  const config = await updateConfig(ctx.paths, (current) => markUsed(current, name, ctx.now().toISOString()));
  const info = await ensureGateway(ctx, { host: options.host, port: parsePort(options.port) });
  const url = reachableUrl(info);
  const target: ClaudeTarget = { baseUrl: url, token: config.settings.proxy.proxyKey ?? LOCAL_TOKEN, authStyle: 'bearer' };
  await pointClaudeAt(ctx.paths, target, ctx.now());
  ctx.out.line(c.green(`✅ ${t('claudeUpdated')}`));
  ctx.out.line();
  ctx.out.line('='.repeat(50));
  ctx.out.line(c.green(`✅ ${t('clusterActivated')}`));
  ctx.out.line();
  ctx.out.line(`📊 ${t('clusterState')}`);
  ctx.out.line(`   ${t('stateProfile', { name })}`);
  ctx.out.line(`   ${t('stateProxy', { url })}`);
  ctx.out.line(`   ${t('stateEndpoints', { count: config.profiles.find((profile) => profile.name === name)?.endpoints.length ?? 0 })}`);
  ctx.out.line();
  ctx.out.line(`💡 ${t('howTo')}`);
  ctx.out.line(`   1. ${t('howTo1')}`);
  ctx.out.line(`   2. ${t('howTo2')}`);
  ctx.out.line(`   3. ${t('howTo3')}`);
  ctx.out.line(`   4. ${t('howTo4')}`);
  await launch(ctx, target, options);
}

/**
 * What Claude Code sends the gateway as its key. On loopback the gateway needs none; bound wider it needs the proxy
 * key, which then is what Claude Code gets.
 */
const LOCAL_TOKEN = 'qcc-local-gateway';

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
  ctx.out.line(`🚀 ${t('launching')}`);
  const env = { ...ctx.env };
  for (const key of OWNED_ENV_KEYS) delete env[key];
  process.exitCode = await launchClaude(options.claudeArgs ?? [], env, target.baseUrl);
}
