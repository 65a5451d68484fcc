import type { AuthStyle, Config, Endpoint, Profile } from '../../config/schema.js';
import {
  appendEndpoint,
  checkMembers,
  checkPriority,
  checkWeight,
  createCluster,
  findEndpoint,
  plainProfiles,
  removeEndpoint,
  requireCluster,
  updateEndpoint,
  type ClusterSelection,
  type EndpointSource,
} from '../../core/clusters.js';
import { QccError } from '../../core/errors.js';
import type { EndpointState } from '../../core/gateway-status.js';
import { maskKey } from '../../core/mask.js';
import { checkApiKey, checkProfileName, findProfile, normalizeBaseUrl } from '../../core/profiles.js';
import { loadConfig, updateConfig } from '../../store/config-store.js';
import { requireInteractive, type CliContext } from '../context.js';
import { fetchStatus, gatewayState } from '../gateway-client.js';
import { endpointView } from '../profile-view.js';
import { validatorOf } from '../prompter.js';
import { parseSelection, type SelectionProblem } from '../selection.js';
import { endpointText } from './endpoint.text.js';
import { useProfile } from './use.js';

export interface EndpointAddOptions {
  readonly primary?: string;
  readonly secondary?: string;
  readonly fallback?: string;
  readonly from?: string;
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly authStyle?: AuthStyle;
  readonly weight?: string;
  readonly priority?: string;
  readonly host?: string;
  readonly port?: string;
  readonly autoStart?: boolean;
}

const RULE = '='.repeat(50);
const THIN = '─'.repeat(50);

/**
 * `qcc endpoint add CLUSTER`: with a source (-f/--from or --base-url/--api-key) it appends one endpoint (creating
 * the cluster if needed); without one it creates a new cluster from existing profiles, as seed 000 shows.
 */
export async function runEndpointAdd(ctx: CliContext, cluster: string, options: EndpointAddOptions): Promise<void> {
  const appending = options.from !== undefined || options.baseUrl !== undefined || options.apiKey !== undefined;
  if (appending) {
    const grouped = [['--primary', options.primary], ['--secondary', options.secondary], ['--fallback', options.fallback]] as const;
    const conflict = grouped.find(([, value]) => value !== undefined);
    if (conflict) throw new QccError('QCC_ERR_FLAG_CONFLICT', { first: options.from !== undefined ? '--from' : '--base-url', second: conflict[0] });
    await appendOne(ctx, cluster, options);
    return;
  }
  // These shape the one endpoint that -f or --base-url adds; a new cluster's endpoints start at weight 100.
  const loose = ([['--weight', options.weight], ['--priority', options.priority], ['--auth-style', options.authStyle]] as const).find(
    ([, value]) => value !== undefined,
  );
  if (loose) throw new QccError('QCC_ERR_USAGE', { detail: endpointText(ctx.lang)('needsSource', { flag: loose[0] }) });
  await createFromProfiles(ctx, cluster, options);
}

async function createFromProfiles(ctx: CliContext, name: string, options: EndpointAddOptions): Promise<void> {
  const t = endpointText(ctx.lang);
  checkProfileName(name);
  const { config } = await loadConfig(ctx.paths);
  if (findProfile(config, name)) throw new QccError('QCC_ERR_CLUSTER_EXISTS', { name });
  let selection: ClusterSelection;
  if (options.primary !== undefined) {
    selection = { primary: names(options.primary), secondary: names(options.secondary), fallback: names(options.fallback) };
  } else {
    requireInteractive(ctx, t('primaryWhat'), '--primary PROFILE[,PROFILE…]');
    const preset = { secondary: options.secondary === undefined ? undefined : names(options.secondary), fallback: names(options.fallback) };
    // Refuse a wrong flag before the questions, not after them.
    checkMembers(config, [...(preset.secondary ?? []), ...preset.fallback]);
    selection = await askSelection(ctx, config, name, preset);
  }
  const facts = { newId: ctx.newId, now: ctx.now().toISOString() };
  const next = await updateConfig(ctx.paths, (current) => createCluster(current, name, selection, facts));
  const cluster = findProfile(next, name);
  if (!cluster) return;
  printSummary(ctx, cluster, selection);
  if (options.autoStart === false || !ctx.interactive) return;
  if (!(await ctx.prompt.confirm(t('askStart'), true))) return;
  await useProfile(ctx, name, {
    launch: true,
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
}

/** Groups given by flags next to the questions: `--secondary` answers step 2, `--fallback` has no step. */
interface PresetGroups {
  readonly secondary: readonly string[] | undefined;
  readonly fallback: readonly string[];
}

/**
 * Seed 000's two steps: numbered profiles, primaries first, then secondaries from the rest (Enter skips). Profiles
 * that flags already placed are not offered again.
 */
async function askSelection(ctx: CliContext, config: Config, name: string, preset: PresetGroups): Promise<ClusterSelection> {
  const t = endpointText(ctx.lang);
  const placed = new Set([...(preset.secondary ?? []), ...preset.fallback]);
  const profiles = plainProfiles(config).filter((profile) => !placed.has(profile.name));
  if (profiles.length === 0) throw new QccError('QCC_ERR_NO_PROFILES');
  const numbered = profiles.map((profile, index) => ({ number: index + 1, profile }));
  const out = ctx.out;
  out.line(RULE);
  out.line(t('title', { name }));
  out.line(RULE);
  out.line();
  out.line(THIN);
  out.line(t('step1'));
  out.line(THIN);
  out.line(t('available'));
  for (const { number, profile } of numbered) out.line(`  ${number}. ${profile.name} - ${profile.description || t('noDescription')}`);
  out.line();
  const primary = await askNumbers(ctx, t('askPrimary'), numbered.map((entry) => entry.number), true);
  const rest = numbered.filter((entry) => !primary.includes(entry.number));
  const nameOf = (number: number): string => numbered[number - 1]?.profile.name ?? '';
  let secondary: readonly string[] = preset.secondary ?? [];
  out.line();
  out.line(THIN);
  out.line(t('step2'));
  out.line(THIN);
  if (preset.secondary !== undefined) {
    out.line(t('presetSecondary', { names: preset.secondary.join(', ') || '-' }));
  } else if (rest.length === 0) {
    out.line(t('noneLeft'));
  } else {
    out.line(t('remaining'));
    for (const { number, profile } of rest) out.line(`  ${number}. ${profile.name} - ${profile.description || t('noDescription')}`);
    out.line();
    secondary = (await askNumbers(ctx, t('askSecondary'), rest.map((entry) => entry.number), false)).map(nameOf);
  }
  out.line();
  out.line(RULE);
  return { primary: primary.map(nameOf), secondary, fallback: preset.fallback };
}

async function askNumbers(ctx: CliContext, message: string, allowed: number[], required: boolean): Promise<number[]> {
  const t = endpointText(ctx.lang);
  const explain = (problem: SelectionProblem): string => {
    switch (problem.kind) {
      case 'empty':
        return t('problemEmpty');
      case 'not-a-number':
        return t('problemNumber', { token: problem.token });
      case 'out-of-range':
        return t('problemRange', { value: problem.value });
      case 'duplicate':
        return t('problemDuplicate', { value: problem.value });
    }
  };
  const answer = await ctx.prompt.input(message, {
    validate: (value) => {
      const result = parseSelection(value, allowed, required);
      return result.ok ? true : explain(result.problem);
    },
  });
  const result = parseSelection(answer, allowed, required);
  return result.ok ? [...result.values] : [];
}

async function appendOne(ctx: CliContext, cluster: string, options: EndpointAddOptions): Promise<void> {
  const t = endpointText(ctx.lang);
  let source: EndpointSource;
  if (options.from !== undefined) {
    // A reused endpoint takes its URL, key and auth style from the profile; a second source would be dropped.
    const manual = ([['--base-url', options.baseUrl], ['--api-key', options.apiKey], ['--auth-style', options.authStyle]] as const).find(
      ([, value]) => value !== undefined,
    );
    if (manual) throw new QccError('QCC_ERR_FLAG_CONFLICT', { first: '--from', second: manual[0] });
    source = { from: options.from };
  } else {
    const baseUrl = options.baseUrl ?? (await askFor(ctx, t('baseUrlWhat'), '--base-url URL', () =>
      ctx.prompt.input(t('askBaseUrl'), { validate: validatorOf(normalizeBaseUrl, ctx.lang) })));
    const apiKey = options.apiKey ?? (await askFor(ctx, t('keyWhat'), '--api-key KEY', () =>
      ctx.prompt.secret(t('askApiKey'), { validate: validatorOf(checkApiKey, ctx.lang) })));
    source = { baseUrl, apiKey, authStyle: options.authStyle };
  }
  const placement = {
    weight: options.weight === undefined ? undefined : checkWeight(options.weight),
    priority: options.priority === undefined ? undefined : checkPriority(options.priority),
  };
  const facts = { newId: ctx.newId, now: ctx.now().toISOString() };
  let added: { endpoint: Endpoint; created: boolean } | undefined;
  const next = await updateConfig(ctx.paths, (current) => {
    const result = appendEndpoint(current, cluster, source, placement, facts);
    added = result;
    return result.config;
  });
  const profile = findProfile(next, cluster);
  if (!added || !profile) return;
  if (added.created) ctx.out.line(ctx.out.color.green(`✓ ${t('clusterCreated', { cluster })}`));
  ctx.out.line(ctx.out.color.green(`✓ ${t('endpointAdded', { id: added.endpoint.id, cluster })}`));
  const id = added.endpoint.id;
  // Numbered as `endpoint list` numbers it, so the two agree.
  ctx.out.line(endpointLine(ctx, added.endpoint, byPriority(profile.endpoints).findIndex((endpoint) => endpoint.id === id) + 1));
}

async function askFor(ctx: CliContext, what: string, flag: string, ask: () => Promise<string>): Promise<string> {
  requireInteractive(ctx, what, flag);
  return ask();
}

export async function runEndpointList(ctx: CliContext, cluster: string, options: { json?: boolean }): Promise<void> {
  const t = endpointText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  const profile = requireCluster(config, cluster);
  const ordered = byPriority(profile.endpoints);
  const health = await gatewayHealth(ctx);
  if (options.json) {
    ctx.out.json({
      cluster: profile.name,
      active: config.activeProfile === profile.name,
      endpoints: ordered.map((endpoint) => ({ ...endpointView(endpoint), health: health.get(endpoint.id) ?? 'unknown' })),
    });
    return;
  }
  ctx.out.line(ctx.out.color.bold(t('listHeading', { name: profile.name, count: profile.endpoints.length })));
  ordered.forEach((endpoint, index) => ctx.out.line(endpointLine(ctx, endpoint, index + 1, healthMark(health.get(endpoint.id)))));
}

/** What the running gateway knows of each endpoint (its breaker state); nothing when no gateway runs. */
async function gatewayHealth(ctx: CliContext): Promise<ReadonlyMap<string, EndpointState>> {
  const state = await gatewayState(ctx.paths);
  if (!state.running) return new Map();
  try {
    const status = await fetchStatus(ctx.paths, state.info);
    return new Map(status.endpoints.map((endpoint) => [endpoint.id, endpoint.state]));
  } catch {
    // A listing must not fail because the gateway is busy or stopping: health is then unknown.
    return new Map();
  }
}

const healthMark = (state: EndpointState | undefined): string =>
  state === undefined ? '?' : state === 'closed' ? '✓' : `✗ ${state}`;

export async function runEndpointRemove(ctx: CliContext, cluster: string, id: string, options: { yes?: boolean }): Promise<void> {
  const t = endpointText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  // Check before asking: a question whose answer cannot help is noise.
  const endpoint = findEndpoint(requireCluster(config, cluster), id);
  removeEndpoint(config, cluster, endpoint.id);
  if (!options.yes) {
    requireInteractive(ctx, t('confirmation'), '--yes');
    if (!(await ctx.prompt.confirm(t('confirmRemove', { id: endpoint.id, url: endpoint.baseUrl, cluster }), false))) {
      ctx.out.line(t('kept'));
      return;
    }
  }
  await updateConfig(ctx.paths, (current) => removeEndpoint(current, cluster, endpoint.id).config);
  ctx.out.line(ctx.out.color.green(`✓ ${t('removed', { id: endpoint.id, cluster })}`));
}

export async function runEndpointToggle(ctx: CliContext, cluster: string, id: string, enabled: boolean): Promise<void> {
  const t = endpointText(ctx.lang);
  let changed: Endpoint | undefined;
  await updateConfig(ctx.paths, (current) => {
    const result = updateEndpoint(current, cluster, id, { enabled });
    changed = result.endpoint;
    return result.config;
  });
  if (changed) ctx.out.line(ctx.out.color.green(`✓ ${t(enabled ? 'enabledNow' : 'disabledNow', { id: changed.id })}`));
}

export async function runEndpointSet(
  ctx: CliContext,
  cluster: string,
  id: string,
  options: { weight?: string; priority?: string },
): Promise<void> {
  const t = endpointText(ctx.lang);
  if (options.weight === undefined && options.priority === undefined) {
    throw new QccError('QCC_ERR_NOTHING_TO_CHANGE', { flags: '--weight W or --priority 1|2|3' });
  }
  const changes = {
    weight: options.weight === undefined ? undefined : checkWeight(options.weight),
    priority: options.priority === undefined ? undefined : checkPriority(options.priority),
  };
  let changed: Endpoint | undefined;
  await updateConfig(ctx.paths, (current) => {
    const result = updateEndpoint(current, cluster, id, changes);
    changed = result.endpoint;
    return result.config;
  });
  if (changed) {
    ctx.out.line(ctx.out.color.green(`✓ ${t('updated', { id: changed.id, weight: changed.weight, priority: changed.priority })}`));
  }
}

function printSummary(ctx: CliContext, cluster: Profile, selection: ClusterSelection): void {
  const t = endpointText(ctx.lang);
  const out = ctx.out;
  out.line();
  out.line(out.color.green(`✅ ${t('created')}`));
  out.line();
  out.line(t('clusterHeading', { name: cluster.name }));
  out.line(`  ${t('primaries')}: ${selection.primary.join(', ')}`);
  if (selection.secondary.length > 0) out.line(`  ${t('secondaries')}: ${selection.secondary.join(', ')}`);
  if (selection.fallback.length > 0) out.line(`  ${t('fallbacks')}: ${selection.fallback.join(', ')}`);
  out.line(`  ${t('total', { count: cluster.endpoints.length })}`);
  out.line();
  cluster.endpoints.forEach((endpoint, index) => out.line(endpointLine(ctx, endpoint, index + 1)));
  out.line();
}

/** Seed 000's line: `1. [primary] ID: … | URL: … | Key: … | weight: 100 | priority: 1 | enabled: ✓ | health: ? | source: …`. */
export function endpointLine(ctx: CliContext, endpoint: Endpoint, number: number, health = '?'): string {
  const t = endpointText(ctx.lang);
  const label = t(endpoint.priority === 1 ? 'label1' : endpoint.priority === 2 ? 'label2' : 'label3');
  return [
    `${number}. [${label}] ${t('id')}: ${endpoint.id}`,
    `${t('url')}: ${endpoint.baseUrl}`,
    `${t('key')}: ${maskKey(endpoint.apiKey)}`,
    `${t('weight')}: ${endpoint.weight}`,
    `${t('priority')}: ${endpoint.priority}`,
    `${t('enabled')}: ${endpoint.enabled ? '✓' : '✗'}`,
    `${t('health')}: ${health}`,
    `${t('source')}: ${endpoint.source ?? t('manual')}`,
  ].join(' | ');
}

/** Primaries, then secondaries, then fallbacks; the order they were added within each group. */
const byPriority = (endpoints: readonly Endpoint[]): Endpoint[] => [...endpoints].sort((a, b) => a.priority - b.priority);

const names = (list: string | undefined): string[] =>
  (list ?? '')
    .split(/[\s,，]+/)
    .map((name) => name.trim())
    .filter(Boolean);
