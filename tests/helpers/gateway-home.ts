import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { GatewayStatus } from '../../src/core/gateway-status.js';
import type { Simulator } from '../../src/simulator/index.js';
import { QCC_BIN, runCli, type CliResult } from './cli.js';
import { makeTempHome, type TempHome } from './temp-home.js';

/**
 * A temporary user whose gateway is started by the built CLI, as a person starts it (`qcc proxy start`, `qcc use`,
 * `endpoint add`), on a port of its own. Whatever a test does, `cleanup` leaves no gateway and no spawned CLI
 * behind: `qcc proxy stop`, then SIGKILL for every gateway pid this home ever named.
 */

/** A port nobody listens on right now: bound on 127.0.0.1:0, then released. Never 7860. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs` naming `what`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(50);
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What `qcc proxy status --json` prints while a gateway runs. */
export type RunningStatus = GatewayStatus & { readonly running: true };

export interface RuntimeFile {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
}

/** A plain profile whose one endpoint is a simulator (or any URL). */
export interface UpstreamProfile {
  readonly name: string;
  readonly url: string;
  readonly apiKey: string;
  readonly authStyle: 'bearer' | 'x-api-key';
}

export interface ClusterSpec {
  readonly name: string;
  readonly primary: readonly string[];
  readonly secondary?: readonly string[];
}

export interface ConfigSpec {
  readonly profiles: readonly UpstreamProfile[];
  readonly cluster?: ClusterSpec;
  /** @default the cluster, else null */
  readonly activeProfile?: string | null;
  /** Settings by group, e.g. `{ proxy: { drainTimeoutMs: 1000 } }`; the rest keep their defaults. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The id of the cluster endpoint reused from the `index`-th profile (8 hex digits, unlike any profile's own). */
export const clusterEndpointId = (index: number): string => `c${String(index).padStart(7, '0')}`;

/**
 * config.json as `qcc add` and `qcc endpoint add --primary … --secondary …` would leave it, written directly: the
 * setup of a test that is about the gateway costs no CLI runs. Returns the cluster's endpoint ids by profile name.
 */
export function configFor(spec: ConfigSpec): { config: Record<string, unknown>; ids: Record<string, string> } {
  const createdAt = '2026-01-01T00:00:00.000Z';
  const ids: Record<string, string> = {};
  const profiles: Record<string, unknown>[] = spec.profiles.map((profile, index) => ({
    name: profile.name,
    kind: 'profile',
    description: '',
    endpoints: [{ id: String(index + 1).padStart(8, '0'), baseUrl: profile.url, apiKey: profile.apiKey, authStyle: profile.authStyle }],
    createdAt,
  }));
  const cluster = spec.cluster;
  if (cluster) {
    const members = [...cluster.primary.map((name) => [name, 1] as const), ...(cluster.secondary ?? []).map((name) => [name, 2] as const)];
    profiles.push({
      name: cluster.name,
      kind: 'cluster',
      description: '',
      endpoints: members.map(([name, priority]) => {
        const index = spec.profiles.findIndex((profile) => profile.name === name);
        const profile = spec.profiles[index];
        assert.ok(profile, `no profile ${name}`);
        ids[name] = clusterEndpointId(index + 1);
        return { id: ids[name], baseUrl: profile.url, apiKey: profile.apiKey, authStyle: profile.authStyle, priority, source: name };
      }),
      createdAt,
    });
  }
  const config = {
    version: 1,
    defaultProfile: spec.profiles[0]?.name ?? null,
    activeProfile: spec.activeProfile === undefined ? (cluster?.name ?? null) : spec.activeProfile,
    profiles,
    priorityGroups: { primary: [], secondary: [], fallback: [] },
    settings: spec.settings ?? {},
  };
  return { config, ids };
}

/** A process of the CLI that runs until told to stop (`proxy start --foreground`, `proxy logs -f`). */
export class CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  #stdout = '';
  #stderr = '';

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [QCC_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.#stdout += chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get pid(): number {
    assert.ok(this.child.pid !== undefined, 'the process did not start');
    return this.child.pid;
  }

  /** Resolves with the exit code, or fails (and kills it) after `timeoutMs`. */
  async exit(timeoutMs = 15_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms\n${this.#stdout}\n${this.#stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } catch (error) {
      this.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export class GatewayHome {
  readonly home: TempHome;
  /** The port this home's gateway is meant to use; chosen free when the home was made. */
  readonly port: number;
  /** Every command run through `qcc`, for checks that no key was ever printed. */
  readonly outputs: CliResult[] = [];
  readonly #gatewayPids = new Set<number>();
  readonly #processes = new Set<CliProcess>();

  private constructor(home: TempHome, port: number) {
    this.home = home;
    this.port = port;
  }

  static async create(): Promise<GatewayHome> {
    return new GatewayHome(await makeTempHome(), await freePort());
  }

  /** Where the gateway answers when it runs on `port`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get qccHome(): string {
    return this.home.qccHome;
  }

  file(name: string): string {
    return join(this.home.qccHome, name);
  }

  async qcc(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
    const result = await runCli(args, { env: options.env ?? this.home.env, cwd: this.home.root, timeoutMs: options.timeoutMs ?? 45_000 });
    this.outputs.push(result);
    await this.track();
    return result;
  }

  /** `qcc ARGS`, which must succeed. */
  async ok(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
    const result = await this.qcc(args, options);
    assert.equal(result.code, 0, `qcc ${args.join(' ')} → exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** Writes config.json (see `configFor`) into a fresh 0700 home; returns the cluster's endpoint ids. */
  async writeConfig(spec: ConfigSpec): Promise<Record<string, string>> {
    const { config, ids } = configFor(spec);
    await mkdir(this.home.qccHome, { recursive: true, mode: 0o700 });
    await writeFile(this.file('config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    return ids;
  }

  /** A profile whose one endpoint is `sim`, with its key in `authStyle`. */
  addProfile(name: string, sim: Simulator | string, apiKey: string, authStyle: 'bearer' | 'x-api-key'): Promise<CliResult> {
    const url = typeof sim === 'string' ? sim : sim.url;
    return this.ok(['add', name, '--base-url', url, '--api-key', apiKey, '--auth-style', authStyle]);
  }

  /** `qcc proxy start --port PORT ARGS`; returns the runtime file it left. */
  async start(args: readonly string[] = []): Promise<RuntimeFile> {
    await this.ok(['proxy', 'start', '--port', String(this.port), ...args]);
    const runtime = await this.runtime();
    assert.ok(runtime, 'proxy start returned but left no proxy.json');
    return runtime;
  }

  async runtime(): Promise<RuntimeFile | undefined> {
    const text = await readFile(this.file('proxy.json'), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as RuntimeFile);
  }

  async pidFile(): Promise<number | undefined> {
    const text = await readFile(this.file('proxy.pid'), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : Number(text.trim());
  }

  /** `qcc proxy status --json` of a running gateway. */
  async status(): Promise<RunningStatus> {
    const result = await this.ok(['proxy', 'status', '--json']);
    const status = JSON.parse(result.stdout) as RunningStatus;
    assert.equal(status.running, true, result.stdout);
    return status;
  }

  /** The gateway's own status route, without the CLI (cheap enough to poll). */
  async fetchStatus(): Promise<GatewayStatus> {
    const response = await fetch(`${this.url}/_qcc/status`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(response.status, 200);
    return (await response.json()) as GatewayStatus;
  }

  /** Polls the status route until `check` holds. */
  waitForStatus(what: string, check: (status: GatewayStatus) => boolean, timeoutMs = 10_000): Promise<GatewayStatus> {
    return waitUntil(what, async () => {
      const status = await this.fetchStatus();
      return check(status) ? status : undefined;
    }, timeoutMs);
  }

  /**
   * Waits until the gateway logs that it reloaded config.json at or after `since` (ms), and returns when it did: it
   * watches the file, so a `qcc config set` takes effect a moment after the command returns.
   */
  waitForReload(since: number, timeoutMs = 10_000): Promise<number> {
    return waitUntil('the gateway to reload config.json', async () => {
      const text = await readFile(this.file('proxy.log'), 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg?: string; time?: string })
        .map((entry) => (entry.msg === 'configuration reloaded' ? Date.parse(entry.time ?? '') : Number.NaN))
        .find((time) => time >= since);
    }, timeoutMs);
  }

  /** A long-running `qcc ARGS`, killed by `cleanup` if the test does not end it. */
  spawn(args: readonly string[], env: NodeJS.ProcessEnv = this.home.env): CliProcess {
    const child = new CliProcess(args, env);
    this.#processes.add(child);
    return child;
  }

  /** Remembers the gateway pids named by this home's runtime files, so that `cleanup` can end them. */
  async track(): Promise<void> {
    const runtime = await this.runtime().catch(() => undefined);
    if (runtime && Number.isInteger(runtime.pid)) this.#gatewayPids.add(runtime.pid);
    const pid = await this.pidFile();
    if (pid !== undefined && Number.isInteger(pid) && pid > 0) this.#gatewayPids.add(pid);
  }

  /** Gateway pids seen so far that still run. */
  liveGatewayPids(): number[] {
    return [...this.#gatewayPids].filter((pid) => pidAlive(pid) && isGatewayProcess(pid));
  }

  /** Stops the gateway (politely, then by force) and every spawned CLI process, then removes the home. */
  async cleanup(): Promise<void> {
    for (const child of this.#processes) child.kill();
    await this.track();
    if (this.liveGatewayPids().length > 0) {
      await runCli(['proxy', 'stop'], { env: this.home.env, timeoutMs: 45_000 }).catch(() => undefined);
    }
    for (const pid of this.liveGatewayPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone in the meantime.
      }
    }
    await waitUntil('the gateway processes to end', () => this.liveGatewayPids().length === 0, 5_000).catch(() => undefined);
    await this.home.cleanup();
  }
}

/**
 * Only a process that runs qcc's gateway entry is ever killed by pid (a pid can be reused by the time a test fails).
 * Where /proc is missing (macOS) the pid is trusted.
 */
function isGatewayProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('gateway.js');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform !== 'linux';
  }
}

/** Runs `test` with a fresh home and always cleans it up, gateway included, however the test ends. */
export async function withCliGateway<T>(test: (gateway: GatewayHome) => Promise<T>): Promise<T> {
  const gateway = await GatewayHome.create();
  try {
    return await test(gateway);
  } finally {
    await gateway.cleanup();
  }
}
