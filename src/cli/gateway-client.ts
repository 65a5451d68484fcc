import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { errorCatalogue, QccError, type ErrorCode, type ErrorParams } from '../core/errors.js';
import { gatewayEnvironment } from '../core/gateway-environment.js';
import type { GatewayStatus } from '../core/gateway-status.js';
import type { QccPaths } from '../store/paths.js';
import {
  GATEWAY_ENTRY_NAME,
  isGatewayProcess,
  processAlive,
  readAdminToken,
  readRuntimeInfo,
  removeRuntimeFiles,
  type RuntimeInfo,
} from '../store/runtime-files.js';

/**
 * The CLI's side of the gateway: it starts and stops the gateway process and talks to it only through its control
 * API (DESIGN §9) — it never imports the gateway's code.
 */
const GATEWAY_ENTRY = fileURLToPath(new URL(`../bin/${GATEWAY_ENTRY_NAME}`, import.meta.url));
const START_TIMEOUT_MS = 15_000;
const CONTROL_TIMEOUT_MS = 5_000;

export type GatewayState =
  | { readonly running: true; readonly info: RuntimeInfo }
  | { readonly running: false; readonly stalePid?: number };

/** Running when its runtime file names a live process; a file whose process is gone is stale and removed. */
export async function gatewayState(paths: QccPaths): Promise<GatewayState> {
  const info = await readRuntimeInfo(paths);
  if (!info) return { running: false };
  if (isGatewayProcess(info.pid)) return { running: true, info };
  await removeRuntimeFiles(paths, info.pid);
  return { running: false, stalePid: info.pid };
}

/** The URL the CLI (and Claude Code) use to reach a gateway: a wildcard bind is reached on loopback. */
export function reachableUrl(info: RuntimeInfo): string {
  if (info.host === '0.0.0.0') return `http://127.0.0.1:${info.port}`;
  if (info.host === '::' || info.host === '[::]') return `http://[::1]:${info.port}`;
  return info.url;
}

export async function fetchStatus(paths: QccPaths, info: RuntimeInfo): Promise<GatewayStatus> {
  return (await control(paths, info, 'GET', '/_qcc/status')) as GatewayStatus;
}

/** Asks the gateway to re-read config.json now (it also notices by itself). */
export async function reloadGateway(paths: QccPaths, info: RuntimeInfo): Promise<{ ok: boolean; error?: string }> {
  return (await control(paths, info, 'POST', '/_qcc/reload')) as { ok: boolean; error?: string };
}

async function control(paths: QccPaths, info: RuntimeInfo, method: 'GET' | 'POST', path: string): Promise<unknown> {
  const token = await readAdminToken(paths);
  const url = `${reachableUrl(info)}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: token ? { 'x-qcc-admin-token': token } : {},
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    });
  } catch (error) {
    const detail = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new QccError('QCC_ERR_GATEWAY_UNREACHABLE', { pid: info.pid, url, detail }, { cause: error });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status >= 400 && response.status !== 422) {
    // The refusals the CLI can explain in its own words; anything else is shown as the gateway said it.
    const code = response.headers.get('x-qcc-error');
    if (code === 'QCC_ERR_ADMIN_TOKEN') throw new QccError(code, { file: paths.adminTokenFile });
    if (code === 'QCC_ERR_DRAINING') throw new QccError(code);
    const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
    const detail = typeof message === 'string' ? `HTTP ${response.status}: ${message}` : `HTTP ${response.status}`;
    throw new QccError('QCC_ERR_GATEWAY_UNREACHABLE', { pid: info.pid, url, detail });
  }
  return body;
}

export interface StartOptions {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly env: NodeJS.ProcessEnv;
}

function gatewayArgs(options: StartOptions): string[] {
  return [
    GATEWAY_ENTRY,
    ...(options.host !== undefined ? ['--host', options.host] : []),
    ...(options.port !== undefined ? ['--port', String(options.port)] : []),
  ];
}

type DaemonMessage = { type: 'ready'; info: RuntimeInfo } | { type: 'failed'; code: string; params: ErrorParams };

/**
 * Starts the gateway detached from this terminal and resolves once it answers (it says so on an IPC channel), or
 * rejects with the error that stopped it (a busy port, a missing proxy key…).
 */
export function startDetached(options: StartOptions): Promise<RuntimeInfo> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, gatewayArgs(options), {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: gatewayEnvironment(options.env),
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      finish(new QccError('QCC_ERR_GATEWAY_START', { detail: `it did not answer within ${START_TIMEOUT_MS / 1000} s` }));
      child.kill();
    }, START_TIMEOUT_MS);
    let settled = false;
    const finish = (outcome: RuntimeInfo | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.removeAllListeners();
      if (child.connected) child.disconnect();
      child.unref();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    child.on('message', (message: DaemonMessage) => {
      if (message.type === 'ready') finish(message.info);
      else finish(message.code in errorCatalogue ? new QccError(message.code as ErrorCode, message.params) : new QccError('QCC_ERR_GATEWAY_START', { detail: message.code }));
    });
    child.once('error', (error) => finish(new QccError('QCC_ERR_GATEWAY_START', { detail: error.message }, { cause: error })));
    child.once('exit', (code) => finish(new QccError('QCC_ERR_GATEWAY_START', { detail: `it exited with code ${code ?? '?'}` })));
  });
}

/** Runs the gateway attached to this terminal until it stops; Ctrl-C reaches it and it drains. */
export function runForeground(options: StartOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...gatewayArgs(options), '--foreground'], { stdio: 'inherit', env: gatewayEnvironment(options.env) });
    // Ctrl-C reaches the gateway from the terminal; a signal sent to qcc alone (`kill -INT`, a supervisor) is passed
    // on, so that the gateway drains instead of being left running behind a qcc that waits for it.
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 15) : 1));
    });
  });
}

/**
 * Stops the gateway: through the control API (a drain: streams in flight may finish), else with SIGTERM; resolves
 * once the process is gone, or rejects if it is still there after `waitMs`.
 */
export async function stopGateway(paths: QccPaths, info: RuntimeInfo, waitMs: number): Promise<void> {
  try {
    await control(paths, info, 'POST', '/_qcc/stop');
  } catch {
    try {
      if (isGatewayProcess(info.pid)) process.kill(info.pid, 'SIGTERM');
    } catch {
      // It exited between the check and the signal: what stop wanted.
    }
  }
  const deadline = Date.now() + waitMs;
  while (isGatewayProcess(info.pid)) {
    if (Date.now() > deadline) {
      throw new QccError('QCC_ERR_GATEWAY_UNREACHABLE', { pid: info.pid, url: info.url, detail: `still running after ${Math.round(waitMs / 1000)} s` });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // It has exited; give its parent (init, for a detached gateway) a moment to reap it, so it is gone, not a zombie.
  for (let waited = 0; processAlive(info.pid) && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  await removeRuntimeFiles(paths, info.pid);
}
