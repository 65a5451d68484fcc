// `npm run bench`: direct, a minimal undici pass-through and the qcc gateway against one fake upstream, on loopback
// (DESIGN §12, issue 4). Exits 0 whether the targets pass or fail; non-zero only when the benchmark itself fails.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readdir, rename } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchRequest } from './body.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { ForeignLoad } from './machine.js';
import { cpuMs, Processes } from './processes.js';
import { mb, renderReport, writeResults, type RunInfo } from './report.js';
import { Schedule, type Round, type RssFigures } from './schedule.js';
import { summarize } from './summary.js';
import { createHome, removeHome, startTargets, withFreshProxies } from './targets.js';

const run = promisify(execFile);

async function commit(): Promise<string> {
  try {
    const [{ stdout: head }, { stdout: status }] = await Promise.all([
      run('git', ['rev-parse', '--short', 'HEAD']),
      run('git', ['status', '--porcelain', '--untracked-files=no']),
    ]);
    return `${head.trim()}${status.trim() ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

function roundLine(index: number, rounds: number, round: Round): string {
  const t = round.targets;
  const rps = (value: number): string => Math.round(value).toString();
  const ms = (value: number): string => value.toFixed(2);
  return (
    `round ${index + 1}/${rounds} (${round.order.join(' → ')}): ` +
    `c=1 p50 ${ms(t.direct.c1.p50Ms)}/${ms(t.passthrough.c1.p50Ms)}/${ms(t.qcc.c1.p50Ms)} ms · ` +
    `c=N ${rps(t.direct.cN.rps)}/${rps(t.passthrough.cN.rps)}/${rps(t.qcc.cN.rps)} req/s · ` +
    `TTFB p50 ${ms(t.direct.stream.ttfbP50Ms)}/${ms(t.passthrough.stream.ttfbP50Ms)}/${ms(t.qcc.stream.ttfbP50Ms)} ms (direct/pass/qcc)`
  );
}

/** What `main` must clean up however the run ends. */
interface Owned {
  home?: string;
  schedule?: Schedule;
  /** Where `--cpu-prof` profiles go, and the name each pid's file gets once its process has stopped. */
  profiles?: { readonly dir: string; readonly names: ReadonlyMap<number, string> };
}

async function bench(options: BenchOptions, processes: Processes, owned: Owned): Promise<void> {
  const started = Date.now();
  const loadAverage = loadavg()[0] ?? 0;
  const foreign = await ForeignLoad.start();
  const ownBefore = process.cpuUsage();
  const startedAt = new Date(started).toISOString();
  const profileDir = join(options.out, `profiles-${startedAt.replace(/[:.]/g, '-')}`);
  const requests = { json: benchRequest(options.bodyKb * 1024, false), stream: benchRequest(options.bodyKb * 1024, true) };
  owned.home = await createHome();
  const targets = await startTargets(processes, options, owned.home, profileDir);
  const schedule = new Schedule(targets, options, requests);
  owned.schedule = schedule;
  if (options.cpuProf) {
    owned.profiles = { dir: profileDir, names: new Map([[targets.qcc.pid, 'qcc-gateway'], [targets.passthrough.pid, 'pass-through']]) };
  }
  progress(`upstream ${targets.urls.direct} · pass-through ${targets.urls.passthrough} (pid ${targets.passthrough.pid}) · qcc ${targets.urls.qcc} (pid ${targets.qcc.pid})`);
  // Memory varies from one start to the next (which functions V8 has optimized by then, where malloc put what it
  // freed): one sample per round, the first of the benchmark's own proxies, the others of fresh ones.
  const afterStart = [await schedule.startedRss()];
  for (let index = 1; index < options.rounds; index++) {
    afterStart.push(await withFreshProxies(processes, options, targets.upstream.url, (fresh) => schedule.startedRss(fresh)));
  }
  const sample = (pick: (figures: RssFigures) => number): string =>
    afterStart.map((start) => `${mb(pick(start.passthrough))}/${mb(pick(start.qcc))}`).join(' · ');
  progress(`RSS after start, ${afterStart.length} starts, idle: ${sample((figures) => figures.idleKb)} MB (pass/qcc)`);
  if (options.streams > 0) progress(`RSS after start, ${options.streams} streams open: ${sample((figures) => figures.openKb)} MB (pass/qcc)`);
  progress(`warming up (${options.warmupMs} ms per target)`);
  await schedule.warmUp();
  const rounds: Round[] = [];
  for (let index = 0; index < options.rounds; index++) {
    const round = await schedule.round(index);
    rounds.push(round);
    progress(roundLine(index, options.rounds, round));
  }
  const summary = summarize(rounds, afterStart, options);
  const own = process.cpuUsage(ownBefore);
  const children = await Promise.all([targets.upstream, targets.passthrough, targets.qcc].map((child) => cpuMs(child.pid)));
  const ownCpuMs = (own.user + own.system) / 1000 + children.reduce((sum, value) => sum + value, 0);
  const cores = cpus();
  const info: RunInfo = {
    startedAt,
    durationS: (Date.now() - started) / 1000,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}`,
    commit: await commit(),
    bodyBytes: requests.json.body.length,
    loadAverage,
    foreignCpuPercent: (await foreign.percent(ownCpuMs)) ?? null,
  };
  process.stdout.write(`\n${renderReport(summary, rounds, options, info)}`);
  const file = await writeResults(options.out, summary, rounds, options, info);
  process.stdout.write(`\nresults: ${file}\n`);
  if (options.cpuProf) {
    process.stdout.write(
      `CPU profiles: ${join(profileDir, 'qcc-gateway.cpuprofile')} and pass-through.cpuprofile (written as the processes stop);\n` +
        `  summarise with: node dist/bench/profile-summary.js ${join(profileDir, 'qcc-gateway.cpuprofile')}\n`,
    );
  }
}

/** V8 names a profile `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`; the benchmark's are renamed by role. */
async function nameProfiles(dir: string, names: ReadonlyMap<number, string>): Promise<void> {
  for (const file of await readdir(dir).catch(() => [])) {
    const name = names.get(Number(file.split('.')[3]));
    if (name && file.startsWith('CPU.')) await rename(join(dir, file), join(dir, `${name}.cpuprofile`));
  }
}

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const processes = new Processes();
  const owned: Owned = {};
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await owned.schedule?.close().catch(() => undefined);
      await processes.stopAll();
      if (owned.home) await removeHome(owned.home);
      if (owned.profiles) await nameProfiles(owned.profiles.dir, owned.profiles.names);
    })());
  /** No waiting: for a second Ctrl-C, or a run out of time. */
  const cleanupNow = (): void => {
    processes.killAllNow();
    if (owned.home) rmSync(owned.home, { recursive: true, force: true });
  };
  const interrupted = (signal: NodeJS.Signals): void => {
    if (cleaning) {
      cleanupNow();
      process.exit(130);
    }
    progress(`${signal}: stopping every process the benchmark started`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  const watchdog = setTimeout(() => {
    progress(`the run took longer than --max-seconds ${options.maxSeconds}: abandoned`);
    cleanupNow();
    process.exit(1);
  }, options.maxSeconds * 1000);
  watchdog.unref();
  try {
    await bench(options, processes, owned);
    return 0;
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
