import type { AuthStyle, Config, Profile } from '../../config/schema.js';
import { QccError } from '../../core/errors.js';
import { maskKey } from '../../core/mask.js';
import {
  addProfile,
  checkApiKey,
  checkProfileName,
  defaultAuthStyle,
  editProfile,
  findProfile,
  normalizeBaseUrl,
  profileUsers,
  removeProfile,
  requireProfile,
  setDefaultProfile,
} from '../../core/profiles.js';
import { closest } from '../../core/similar.js';
import { findVendor, vendors, type Vendor } from '../../core/vendors.js';
import { loadConfig, updateConfig } from '../../store/config-store.js';
import { requireInteractive, type CliContext } from '../context.js';
import { validatorOf } from '../prompter.js';
import { columns, relativeTime } from '../output.js';
import { countByPriority, profileView } from '../profile-view.js';
import { profileText } from './profiles.text.js';

interface ProfileFlags {
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly authStyle?: AuthStyle;
  readonly description?: string;
}

export async function runAdd(ctx: CliContext, name: string, flags: ProfileFlags & { vendor?: string }): Promise<void> {
  const t = profileText(ctx.lang);
  checkProfileName(name);
  const { config } = await loadConfig(ctx.paths);
  if (findProfile(config, name)) throw new QccError('QCC_ERR_PROFILE_EXISTS', { name });
  if (flags.vendor !== undefined && flags.baseUrl !== undefined) {
    throw new QccError('QCC_ERR_FLAG_CONFLICT', { first: '--vendor', second: '--base-url' });
  }
  const vendor = flags.vendor !== undefined ? requireVendor(flags.vendor) : undefined;
  const picked = flags.baseUrl !== undefined ? undefined : (vendor ?? (await askVendor(ctx)));
  const baseUrl = normalizeBaseUrl(flags.baseUrl ?? picked?.baseUrl ?? (await askBaseUrl(ctx)));
  if (picked && flags.apiKey === undefined && ctx.interactive) ctx.out.line(t('signupHint', { url: picked.signupUrl }));
  const apiKey = flags.apiKey ?? (await askApiKey(ctx));
  const description =
    flags.description ?? (ctx.interactive ? await ctx.prompt.input(t('askDescription'), { default: '' }) : '');
  const authStyle = flags.authStyle ?? picked?.authStyle ?? defaultAuthStyle(baseUrl);

  const facts = { newId: ctx.newId, now: ctx.now().toISOString() };
  const next = await updateConfig(ctx.paths, (current) =>
    addProfile(current, { name, description, baseUrl, apiKey, authStyle }, facts),
  );
  const c = ctx.out.color;
  ctx.out.line(c.green(`✓ ${t('added', { name })}`));
  ctx.out.line(`  ${t('baseUrlLabel')}: ${baseUrl}`);
  ctx.out.line(`  ${t('keyLabel')}: ${maskKey(apiKey)} (${authStyle})`);
  if (next.defaultProfile === name) ctx.out.line(`  ${t('isDefault')}`);
  ctx.out.line(c.dim(t('nextUse', { name })));
}

export async function runEdit(ctx: CliContext, name: string, flags: ProfileFlags): Promise<void> {
  const t = profileText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  const profile = requireProfile(config, name);
  let changes: ProfileFlags = flags;
  if (Object.values(flags).every((value) => value === undefined)) {
    requireInteractive(ctx, t('whatToChange'), '--base-url, --api-key, --auth-style or --description');
    changes = await askChanges(ctx, profile);
  }
  await updateConfig(ctx.paths, (current) => editProfile(current, name, changes));
  const followers = profileUsers(config, name).clusters;
  ctx.out.line(ctx.out.color.green(`✓ ${t('edited', { name })}`));
  if (followers.length > 0 && (changes.apiKey ?? changes.baseUrl ?? changes.authStyle) !== undefined) {
    ctx.out.line(`  ${t('followers', { clusters: followers.map((use) => use.name).join(', ') })}`);
  }
}

export async function runList(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const t = profileText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  if (options.json) {
    ctx.out.json(config.profiles.map((profile) => profileView(config, profile)));
    return;
  }
  if (config.profiles.length === 0) {
    ctx.out.line(t('empty'));
    return;
  }
  const c = ctx.out.color;
  const now = ctx.now();
  const header = [' ', t('colName'), t('colDescription'), t('colTarget'), t('colLastUsed')];
  const rows = config.profiles.map((profile) => [
    config.defaultProfile === profile.name ? '⭐' : ' ',
    profile.name + (config.activeProfile === profile.name ? ` ${t('activeMark')}` : ''),
    profile.description || '-',
    describeTarget(ctx, profile),
    relativeTime(profile.lastUsedAt, now, ctx.lang),
  ]);
  const [head, ...body] = columns([header, ...rows]);
  ctx.out.line(c.bold(head ?? ''));
  for (const line of body) ctx.out.line(line);
  ctx.out.line(c.dim(t('legend')));
}

export async function runShow(ctx: CliContext, name: string, options: { json?: boolean }): Promise<void> {
  const t = profileText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  const profile = requireProfile(config, name);
  const view = profileView(config, profile);
  if (options.json) {
    ctx.out.json(view);
    return;
  }
  const c = ctx.out.color;
  const flags = [view.default ? t('defaultMark') : '', view.active ? t('activeMark') : ''].filter(Boolean).join(' ');
  ctx.out.line(`${c.bold(view.name)} ${flags}`.trimEnd());
  ctx.out.line(`  ${t('kindLabel')}: ${profile.kind === 'cluster' ? t('kindCluster') : t('kindProfile')}`);
  ctx.out.line(`  ${t('descriptionLabel')}: ${view.description || '-'}`);
  ctx.out.line(`  ${t('createdLabel')}: ${view.createdAt}`);
  ctx.out.line(`  ${t('lastUsedLabel')}: ${relativeTime(profile.lastUsedAt, ctx.now(), ctx.lang)}`);
  for (const endpoint of view.endpoints) {
    ctx.out.line(
      `  - ${endpoint.id}  ${endpoint.baseUrl}  ${t('keyLabel')}: ${endpoint.apiKey} (${endpoint.authStyle})` +
        (profile.kind === 'cluster'
          ? `  w=${endpoint.weight} p=${endpoint.priority}${endpoint.enabled ? '' : ` ${t('disabled')}`}` +
            (endpoint.source ? `  ← ${endpoint.source}` : '')
          : ''),
    );
  }
}

export async function runDefault(ctx: CliContext, name: string | undefined): Promise<void> {
  const t = profileText(ctx.lang);
  if (name === undefined) {
    const { config } = await loadConfig(ctx.paths);
    ctx.out.line(config.defaultProfile ?? t('noDefault'));
    return;
  }
  await updateConfig(ctx.paths, (config) => setDefaultProfile(config, name));
  ctx.out.line(ctx.out.color.green(`✓ ${t('defaultSet', { name })}`));
}

export async function runRemove(ctx: CliContext, name: string, options: { yes?: boolean; force?: boolean }): Promise<void> {
  const t = profileText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  requireProfile(config, name);
  // Refuse before asking: a question whose answer cannot help is noise.
  removeProfile(config, name, options.force === true);
  if (!options.yes) {
    requireInteractive(ctx, t('confirmation'), '--yes');
    if (!(await ctx.prompt.confirm(t('confirmRemove', { name }), false))) {
      ctx.out.line(t('keptProfile'));
      return;
    }
  }
  let users = profileUsers(config, name);
  let before: Config = config;
  await updateConfig(ctx.paths, (current) => {
    before = current;
    const result = removeProfile(current, name, options.force === true);
    users = result.users;
    return result.config;
  });
  ctx.out.line(ctx.out.color.green(`✓ ${t('removed', { name })}`));
  for (const use of users.clusters) {
    ctx.out.line(ctx.out.color.yellow(`  ! ${t('clusterKeeps', { cluster: use.name, name })}`));
  }
  if (users.groups.length > 0) ctx.out.line(`  ${t('leftGroups', { groups: users.groups.join(', ') })}`);
  if (before.defaultProfile === name) ctx.out.line(`  ${t('defaultCleared')}`);
}

export async function runVendors(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const t = profileText(ctx.lang);
  if (options.json) {
    ctx.out.json(vendors);
    return;
  }
  const rows = vendors.map((vendor) => [vendor.id, vendor.name, vendor.baseUrl, vendor.signupUrl]);
  const [head, ...body] = columns([[t('colVendor'), t('colName'), t('baseUrlLabel'), t('colSignup')], ...rows]);
  ctx.out.line(ctx.out.color.bold(head ?? ''));
  for (const line of body) ctx.out.line(line);
  ctx.out.line(ctx.out.color.dim(t('vendorHint')));
}

function describeTarget(ctx: CliContext, profile: Profile): string {
  const t = profileText(ctx.lang);
  if (profile.kind === 'profile') return profile.endpoints[0]?.baseUrl ?? '-';
  const counts = countByPriority(profile);
  return t('clusterSummary', { total: profile.endpoints.length, s: profile.endpoints.length === 1 ? '' : 's', p1: counts[1], p2: counts[2], p3: counts[3] });
}

function requireVendor(id: string): Vendor {
  const vendor = findVendor(id);
  if (vendor) return vendor;
  const suggestion = closest(id, vendors.map((known) => known.id));
  throw new QccError('QCC_ERR_VENDOR_UNKNOWN', { vendor: id, hint: suggestion ? ` (${suggestion}?)` : '' });
}

/** On a terminal without --base-url: pick a known provider, or "other" to type a URL. */
async function askVendor(ctx: CliContext): Promise<Vendor | undefined> {
  if (!ctx.interactive) return undefined;
  const t = profileText(ctx.lang);
  return ctx.prompt.select<Vendor | undefined>(t('askVendor'), [
    ...vendors.map((vendor) => ({ name: `${vendor.name}  ${vendor.baseUrl}`, value: vendor })),
    { name: t('otherVendor'), value: undefined },
  ]);
}

async function askBaseUrl(ctx: CliContext): Promise<string> {
  const t = profileText(ctx.lang);
  requireInteractive(ctx, t('baseUrlLabel'), '--base-url URL (or --vendor ID)');
  return ctx.prompt.input(t('askBaseUrl'), { validate: validatorOf(normalizeBaseUrl, ctx.lang) });
}

async function askApiKey(ctx: CliContext): Promise<string> {
  const t = profileText(ctx.lang);
  requireInteractive(ctx, t('keyLabel'), '--api-key KEY');
  return ctx.prompt.secret(t('askApiKey'), { validate: validatorOf(checkApiKey, ctx.lang) });
}

async function askChanges(ctx: CliContext, profile: Profile): Promise<ProfileFlags> {
  const t = profileText(ctx.lang);
  const endpoint = profile.endpoints[0];
  const description = await ctx.prompt.input(t('askDescription'), { default: profile.description });
  if (profile.kind === 'cluster' || !endpoint) return { description };
  const baseUrl = await ctx.prompt.input(t('askBaseUrl'), {
    default: endpoint.baseUrl,
    validate: validatorOf(normalizeBaseUrl, ctx.lang),
  });
  const apiKey = await ctx.prompt.secret(t('askNewKey', { masked: maskKey(endpoint.apiKey) }));
  return { description, baseUrl, ...(apiKey.trim() ? { apiKey } : {}) };
}
