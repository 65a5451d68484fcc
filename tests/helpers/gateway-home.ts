import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GatewayStatus } from '../../src/core/gateway-status.js';
import type { Simulator } from '../../src/simulator/index.js';
import { runCli, type CliResult } from './cli.js';
import { configFor, type ConfigSpec } from './gateway-config.js';
import { CliProcess, freePort, pidAlive, waitUntil } from './gateway-processes.js';
import { makeTempHome, type TempHome } from './temp-home.js';

export { freePort, pidAlive, sleep, waitUntil, within } from './gateway-processes.js';

/** What `qcc proxy status --json` prints while a gateway runs. */
export type RunningStatus = GatewayStatus & { readonly running: true };

export interface RuntimeFile {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
}

/**
 * A temporary user whose gateway is started by the built CLI, as a person starts it (`qcc proxy start`, `qcc use`,
 * `endpoint add`), on a port of its own. Whatever a test does, `cleanup` leaves no gateway and no spawned CLI
 * behind: `qcc proxy stop`, then SIGKILL for every gateway pid this home ever named.
 */
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
    const home = new GatewayHome(await makeTempHome(), await freePort());
    guardTestProcess();
    live.add(home);
    return home;
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

  /**
   * The last resort, synchronous so that it can run while this process dies: SIGKILL for every gateway this home
   * named, the one its runtime files name right now included.
   */
  killGateways(): void {
    for (const name of ['proxy.json', 'proxy.pid']) {
      try {
        const text = readFileSync(this.file(name), 'utf8');
        const pid = name === 'proxy.json' ? (JSON.parse(text) as { pid?: unknown }).pid : Number(text.trim());
        if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0) this.#gatewayPids.add(pid);
      } catch {
        // No such file, or half written: the pids seen before are still there.
      }
    }
    for (const pid of this.liveGatewayPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone in the meantime.
      }
    }
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
    this.killGateways();
    await waitUntil('the gateway processes to end', () => this.liveGatewayPids().length === 0, 5_000).catch(() => undefined);
    live.delete(this);
    await this.home.cleanup();
  }
}

/** Homes whose `cleanup` has not run yet. */
const live = new Set<GatewayHome>();
let guarded = false;

/**
 * A gateway is detached: it outlives the test process unless someone stops it. When the test runner ends a test file
 * early (its timeout, Ctrl-C), `after` hooks do not run: the gateways of homes not yet cleaned up are killed here, and
 * a detached reaper keeps watching those homes for a while, since a `qcc proxy start` cut off mid-way (it survives
 * this process) may still bring one up.
 */
function guardTestProcess(): void {
  if (guarded) return;
  guarded = true;
  const killAll = (): void => {
    if (live.size === 0) return;
    for (const home of live) home.killGateways();
    const homes = [...live].map((home) => ({ root: home.home.root, qccHome: home.qccHome }));
    const reaper = spawn(process.execPath, ['-e', REAPER, JSON.stringify(homes)], { detached: true, stdio: 'ignore' });
    reaper.unref();
    live.clear();
  };
  process.on('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** For 30 s: SIGKILL any gateway named by the runtime files of the given homes; then remove their temp folders. */
const REAPER = `
const { readFileSync, rmSync } = require('node:fs');
const homes = JSON.parse(process.argv[1]);
const isGateway = (pid) => { try { return readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes('gateway.js'); } catch (e) { return e.code !== 'ENOENT' || process.platform !== 'linux'; } };
const sweep = () => { for (const { qccHome } of homes) for (const name of ['proxy.json', 'proxy.pid']) {
  try { const text = readFileSync(qccHome + '/' + name, 'utf8'); const pid = name === 'proxy.pid' ? Number(text) : JSON.parse(text).pid;
    if (Number.isInteger(pid) && pid > 0 && isGateway(pid)) process.kill(pid, 'SIGKILL'); } catch {} } };
const timer = setInterval(sweep, 500);
setTimeout(() => { clearInterval(timer); sweep(); for (const { root } of homes) rmSync(root, { recursive: true, force: true }); }, 30000);
`;

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
