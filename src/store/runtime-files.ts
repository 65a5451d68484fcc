import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { QccError } from '../core/errors.js';
import { errnoText, isErrno, readJsonFile, toJsonText, writeFileAtomically } from './json-file.js';
import type { QccPaths } from './paths.js';

/** What a running gateway tells the CLI about itself, in `~/.qcc/proxy.json`. */
export interface RuntimeInfo {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly startedAt: string;
  readonly version: string;
  readonly logFile: string;
}

export async function readRuntimeInfo(paths: QccPaths): Promise<RuntimeInfo | undefined> {
  const read = await readJsonFile(paths.runtimeFile, 'QCC_ERR_CONFIG_MALFORMED').catch(() => ({ exists: false as const }));
  if (!read.exists) return undefined;
  const info = read.value as Partial<RuntimeInfo>;
  return typeof info.pid === 'number' && typeof info.port === 'number' && typeof info.url === 'string'
    ? (info as RuntimeInfo)
    : undefined;
}

export function writeRuntimeInfo(paths: QccPaths, info: RuntimeInfo): Promise<void> {
  return writeFileAtomically(paths.runtimeFile, toJsonText(info));
}

export async function removeRuntimeFiles(paths: QccPaths, pid: number): Promise<void> {
  const info = await readRuntimeInfo(paths);
  if (!info || info.pid === pid) await rm(paths.runtimeFile, { force: true });
  if ((await readPidFile(paths)) === pid) await rm(paths.pidFile, { force: true });
}

/**
 * A live process that is a qcc gateway. Pids are reused: the one a dead gateway left in proxy.json may belong to
 * another program by now, which must never be taken for the gateway (or sent its SIGTERM). The command line tells
 * (`…/bin/gateway.js`); where it cannot be read, a live pid is trusted.
 */
export function isGatewayProcess(pid: number): boolean {
  if (!processAlive(pid)) return false;
  const command = commandLine(pid);
  return command === undefined || command.includes(GATEWAY_ENTRY_NAME);
}

/** The file name of the gateway's entry (src/bin/gateway.ts), as it appears in the process's command line. */
export const GATEWAY_ENTRY_NAME = 'gateway.js';

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\u0000', ' ');
  } catch {
    // No /proc (macOS): ask ps, which both macOS and Linux have.
  }
  const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 });
  return ps.status === 0 && ps.stdout.trim() ? ps.stdout : undefined;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrno(error, 'EPERM');
  }
}

export async function readPidFile(paths: QccPaths): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(paths.pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export type PidClaim = { readonly claimed: true; readonly stalePid?: number } | { readonly claimed: false; readonly pid: number };

/**
 * One gateway per qcc home: the pid file is created exclusively. A pid file whose process is gone is stale and
 * taken over (the caller says so); one whose process lives means a gateway is already running.
 */
export async function claimPidFile(paths: QccPaths, pid: number): Promise<PidClaim> {
  try {
    // The first file of a gateway started before any `qcc init` or `qcc add`.
    await mkdir(paths.home, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new QccError('QCC_ERR_FILE_WRITE', { file: paths.home, reason: errnoText(error) }, { cause: error });
  }
  let stalePid: number | undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(paths.pidFile, 'wx', 0o600);
      await handle.writeFile(`${pid}\n`);
      await handle.close();
      return stalePid === undefined ? { claimed: true } : { claimed: true, stalePid };
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) {
        throw new QccError('QCC_ERR_FILE_WRITE', { file: paths.pidFile, reason: errnoText(error) }, { cause: error });
      }
    }
    const owner = await readPidFile(paths);
    if (owner !== undefined && owner !== pid && isGatewayProcess(owner)) return { claimed: false, pid: owner };
    stalePid = owner ?? stalePid;
    await rm(paths.pidFile, { force: true });
  }
  throw new QccError('QCC_ERR_FILE_WRITE', { file: paths.pidFile, reason: 'EEXIST' });
}

/**
 * The token that mutating control routes need; created on first use, 0600. Only the gateway that holds the pid file
 * calls this, so it is the only writer; a file left empty or unreadable is replaced, never trusted.
 */
export async function ensureAdminToken(paths: QccPaths): Promise<string> {
  const existing = await readAdminToken(paths);
  if (existing) return existing;
  const token = randomBytes(24).toString('hex');
  await writeFileAtomically(paths.adminTokenFile, `${token}\n`);
  return token;
}

export async function readAdminToken(paths: QccPaths): Promise<string | undefined> {
  try {
    const token = (await readFile(paths.adminTokenFile, 'utf8')).trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

