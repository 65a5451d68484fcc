import type { GatewayStatus } from '../../core/gateway-status.js';
import { QccError } from '../../core/errors.js';
import { requireProfile } from '../../core/profiles.js';
import { loadConfig, updateConfig } from '../../store/config-store.js';
import type { RuntimeInfo } from '../../store/runtime-files.js';
import type { CliContext } from '../context.js';
import {
  fetchStatus,
  gatewayState,
  reachableUrl,
  reloadGateway,
  runForeground,
  startDetached,
  stopGateway,
} from '../gateway-client.js';
import { columns } from '../output.js';
import { proxyText } from './proxy.text.js';

export interface StartFlags {
  readonly host?: string;
  readonly port?: string;
  readonly cluster?: string;
  readonly foreground?: boolean;
}

/** Exit code of `qcc proxy status` when no gateway runs (as `systemctl status` does), so scripts can test it. */
const NOT_RUNNING_EXIT = 3;

export async function runProxyStart(ctx: CliContext, flags: StartFlags): Promise<void> {
  const port = parsePort(flags.port);
  if (flags.cluster !== undefined) await activate(ctx, flags.cluster);
  if (flags.foreground) {
    const state = await gatewayState(ctx.paths);
    if (state.running) {
      throw new QccError('QCC_ERR_GATEWAY_RUNNING', { home: ctx.paths.home, pid: state.info.pid });
    }
    process.exitCode = await runForeground({ host: flags.host, port, env: ctx.env });
    return;
  }
  await ensureGateway(ctx, { host: flags.host, port });
}

/**
 * The running gateway, started (detached) if there is none. Used by `proxy start`, by `qcc use CLUSTER` and by the
 * "start now?" of `endpoint add`; a gateway that already runs is told to re-read the configuration.
 */
export async function ensureGateway(ctx: CliContext, where: { host?: string | undefined; port?: number | undefined }): Promise<RuntimeInfo> {
  const t = proxyText(ctx.lang);
  const c = ctx.out.color;
  const state = await gatewayState(ctx.paths);
  if (state.running) {
    ctx.out.line(c.green(`✓ ${t('alreadyRunning', { url: reachableUrl(state.info), pid: state.info.pid })}`));
    const moved = [
      ...(where.host !== undefined && where.host !== state.info.host ? [` --host ${where.host}`] : []),
      ...(where.port !== undefined && where.port !== state.info.port ? [` --port ${where.port}`] : []),
    ];
    if (moved.length > 0) ctx.out.line(c.yellow(`! ${t('elsewhere', { flags: moved.join('') })}`));
    const reload = await reloadGateway(ctx.paths, state.info);
    if (!reload.ok) ctx.out.line(c.yellow(`! ${t('configError', { error: reload.error ?? '?' })}`));
    return state.info;
  }
  if (state.stalePid !== undefined) ctx.out.line(c.dim(t('staleRemoved', { pid: state.stalePid })));
  ctx.out.line(c.green(`✓ ${t('starting')}`));
  const info = await startDetached({ host: where.host, port: where.port, env: ctx.env });
  ctx.out.line(c.green(`✓ ${t('started', { url: reachableUrl(info), pid: info.pid })}`));
  ctx.out.line(`   ${t('logFile', { file: info.logFile })}`);
  return info;
}

export async function runProxyStop(ctx: CliContext): Promise<void> {
  const t = proxyText(ctx.lang);
  const state = await gatewayState(ctx.paths);
  if (!state.running) {
    if (state.stalePid !== undefined) ctx.out.line(ctx.out.color.dim(t('staleRemoved', { pid: state.stalePid })));
    ctx.out.line(t('notRunning'));
    return;
  }
  await stopRunning(ctx, state.info);
}

async function stopRunning(ctx: CliContext, info: RuntimeInfo): Promise<void> {
  const t = proxyText(ctx.lang);
  const { config } = await loadConfig(ctx.paths);
  ctx.out.line(t('stopping', { pid: info.pid }));
  await stopGateway(ctx.paths, info, config.settings.proxy.drainTimeoutMs + 5_000);
  ctx.out.line(ctx.out.color.green(`✓ ${t('stopped')}`));
}

export async function runProxyRestart(ctx: CliContext, flags: StartFlags): Promise<void> {
  const state = await gatewayState(ctx.paths);
  let host = flags.host;
  let port = parsePort(flags.port);
  if (state.running) {
    // Keep the address the running gateway had unless told otherwise.
    host ??= state.info.host;
    port ??= state.info.port;
    await stopRunning(ctx, state.info);
  }
  if (flags.cluster !== undefined) await activate(ctx, flags.cluster);
  await ensureGateway(ctx, { host, port });
}

export async function runProxyStatus(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const t = proxyText(ctx.lang);
  const state = await gatewayState(ctx.paths);
  if (!state.running) {
    if (options.json) ctx.out.json({ running: false });
    else ctx.out.line(t('stoppedState'));
    process.exitCode = NOT_RUNNING_EXIT;
    return;
  }
  const status = await fetchStatus(ctx.paths, state.info);
  if (options.json) {
    ctx.out.json({ running: true, ...status });
    return;
  }
  printStatus(ctx, status, state.info);
}

function printStatus(ctx: CliContext, status: GatewayStatus, info: RuntimeInfo): void {
  const t = proxyText(ctx.lang);
  const c = ctx.out.color;
  const out = ctx.out;
  out.line(
    `${c.green(t('running'))}  ${reachableUrl(info)}  PID ${status.pid}  ${t('uptime', { time: duration(status.uptimeMs) })}  v${status.version}` +
      (status.draining ? `  ${c.yellow(t('draining'))}` : ''),
  );
  out.line(`  ${t('active')}: ${status.activeProfile ?? t('none')}   ${t('strategy')}: ${status.strategy}`);
  const r = status.requests;
  out.line(
    `  ${t('requests', { total: r.total, ok: r.ok, clientErrors: r.clientErrors, failed: r.failed, broken: r.streamBroken, held: r.held, retries: r.retries })}`,
  );
  out.line(
    `  ${t('tokens', { input: r.inputTokens, output: r.outputTokens, cacheWrite: r.cacheCreationTokens, cacheRead: r.cacheReadTokens })}`,
  );
  if (status.configError) out.line(c.yellow(`  ! ${t('configError', { error: status.configError })}`));
  out.line();
  if (status.endpoints.length === 0) {
    out.line(t('noEndpoints'));
    return;
  }
  const paint = (state: string): string =>
    state === 'closed' ? c.green(state) : state === 'open' ? c.red(state) : c.yellow(state);
  const header = [t('colTier'), t('colId'), t('colProfile'), t('colUrl'), t('colState'), t('colSuccess'), t('colTtfb'), t('colInflight'), t('colLastError')];
  const rows = status.endpoints.map((endpoint) => [
    String(endpoint.tier),
    endpoint.id,
    endpoint.profile,
    endpoint.baseUrl,
    endpoint.state,
    endpoint.successRate === null ? '-' : `${Math.round(endpoint.successRate * 100)}%`,
    endpoint.ttfbMs === null ? '-' : `${endpoint.ttfbMs}ms`,
    String(endpoint.inflight),
    endpoint.lastError ?? '-',
  ]);
  const [head, ...body] = columns([header, ...rows]);
  out.line(c.bold(head ?? ''));
  body.forEach((line, index) => {
    const state = status.endpoints[index]?.state ?? '';
    out.line(line.replace(new RegExp(`\\b${state}\\b`), paint(state)));
  });
}

async function activate(ctx: CliContext, name: string): Promise<void> {
  await updateConfig(ctx.paths, (config) => {
    requireProfile(config, name);
    return { ...config, activeProfile: name };
  });
  ctx.out.line(ctx.out.color.green(`✓ ${proxyText(ctx.lang)('activeSet', { name })}`));
}

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port < 1 || port > 65535) {
    throw new QccError('QCC_ERR_PORT_INVALID', { value });
  }
  return port;
}

function duration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}` : `${Math.floor(hours / 24)}d`;
}
