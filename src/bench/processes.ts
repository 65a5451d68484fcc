import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A child process that said it is ready, and the URL it serves. */
export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** `line`: the child prints `{"url":…}` on stdout. `ipc`: it sends `{type:'ready', info:{url}}` (the gateway). */
  readonly ready: 'line' | 'ipc';
  /** @default 20000 */
  readonly timeoutMs?: number;
}

interface Entry {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

const STDERR_KEPT = 8 * 1024;

/**
 * Every process the benchmark starts, so that each one is stopped by its pid, on success, on error and on Ctrl-C.
 * A process that does not stop on SIGTERM within `graceMs` is killed.
 */
export class Processes {
  readonly #entries = new Map<number, Entry>();

  async start(name: string, args: readonly string[], options: StartOptions): Promise<Started> {
    const child = spawn(process.execPath, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${name}: could not be started`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#entries.set(pid, { name, child, exited });
    void exited.then(() => this.#entries.delete(pid));
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEPT);
    });
    const timeoutMs = options.timeoutMs ?? 20_000;
    const url = await new Promise<string>((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new Error(`${name} ${why}${stderr ? `:\n${stderr.trimEnd()}` : ''}`));
      };
      const timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
      child.once('exit', (code, signal) => fail(`exited before it was ready (${signal ?? `code ${code}`})`));
      child.once('error', (error) => fail(`failed: ${error.message}`));
      const done = (value: unknown): void => {
        const found = readyUrl(value);
        if (found === undefined) return;
        clearTimeout(timer);
        resolve(found);
      };
      if (options.ready === 'ipc') child.on('message', done);
      else lines(child, (line) => done(parseJson(line)));
    });
    // Whatever it prints from now on is not read; it must not fill a pipe and block the child.
    child.stdout?.resume();
    return { name, pid, url };
  }

  /** SIGTERM to each process by its pid, then SIGKILL to those still running after `graceMs`. */
  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((pid) => this.stop(pid, graceMs)));
  }

  /** SIGTERM to one of these processes by its pid, then SIGKILL if it still runs after `graceMs`. */
  async stop(pid: number, graceMs = 3000): Promise<void> {
    const entry = this.#entries.get(pid);
    if (!entry) return;
    signal(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const result = await Promise.race([entry.exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      signal(pid, 'SIGKILL');
      await entry.exited;
    }
  }

  /** Last resort when the benchmark itself is leaving: no waiting, every child killed by its pid. */
  killAllNow(): void {
    for (const pid of this.#entries.keys()) signal(pid, 'SIGKILL');
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function readyUrl(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as { url?: unknown; type?: unknown; info?: { url?: unknown } };
  if (record.type === 'ready' && typeof record.info?.url === 'string') return record.info.url;
  return typeof record.url === 'string' ? record.url : undefined;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function lines(child: ChildProcess, onLine: (line: string) => void): void {
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    buffer += text;
    let end: number;
    while ((end = buffer.indexOf('\n')) !== -1) {
      onLine(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
    }
  });
}

/** Resident set size in KiB: `/proc/<pid>/status` on Linux, `ps -o rss=` elsewhere (macOS). */
export async function rssKb(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: ask ps.
  }
  const { stdout } = await run('ps', ['-o', 'rss=', '-p', String(pid)]);
  const kb = Number(stdout.trim());
  if (!Number.isFinite(kb) || kb <= 0) throw new Error(`could not read the RSS of pid ${pid}`);
  return kb;
}

let clockTicks: number | undefined;

/** CPU time (user + system) used so far by a process, in ms: `/proc/<pid>/stat` on Linux, `ps -o time=` elsewhere. */
export async function cpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return await ticksToMs(Number(fields[11]) + Number(fields[12]));
  } catch {
    const { stdout } = await run('ps', ['-o', 'time=', '-p', String(pid)]);
    return parseCpuTime(stdout.trim());
  }
}

/** Clock ticks (`/proc` counts CPU time in them, USER_HZ) to ms. */
export async function ticksToMs(ticks: number): Promise<number> {
  clockTicks ??= await readClockTicks();
  return (ticks * 1000) / clockTicks;
}

async function readClockTicks(): Promise<number> {
  try {
    const { stdout } = await run('getconf', ['CLK_TCK']);
    const ticks = Number(stdout.trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** `ps` prints `[[DD-]HH:]MM:SS[.cc]`. */
function parseCpuTime(text: string): number {
  const [days, clock] = text.includes('-') ? (text.split('-') as [string, string]) : ['0', text];
  const parts = clock.split(':').map(Number).reverse();
  const seconds = (parts[0] ?? 0) + (parts[1] ?? 0) * 60 + (parts[2] ?? 0) * 3600 + Number(days) * 86_400;
  if (!Number.isFinite(seconds)) throw new Error(`unreadable CPU time "${text}"`);
  return seconds * 1000;
}
