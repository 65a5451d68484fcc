import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayEnvironment } from '../core/gateway-environment.js';
import type { BenchOptions } from './options.js';
import type { Processes, Started } from './processes.js';

export const TARGETS = ['direct', 'passthrough', 'qcc'] as const;
export type TargetName = (typeof TARGETS)[number];
/** The targets that are processes of their own, whose RSS and CPU are measured. */
export const PROXIES = ['passthrough', 'qcc'] as const;
export type ProxyName = (typeof PROXIES)[number];

export interface Targets {
  readonly upstream: Started;
  readonly passthrough: Started;
  readonly qcc: Started;
  readonly urls: Readonly<Record<TargetName, string>>;
}

const entry = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/**
 * Starts the one fake upstream, then the pass-through and the qcc gateway in front of it, each as its own process.
 * The gateway is the real one (`dist/bin/gateway.js`) in a temporary home whose only profile points at the upstream.
 */
export async function startTargets(processes: Processes, options: BenchOptions, home: string, profileDir: string): Promise<Targets> {
  const profile = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  if (options.cpuProf) await mkdir(profileDir, { recursive: true });
  const upstream = await processes.start('upstream', [entry('./upstream.js'), '--chunks', String(options.chunks)], { ready: 'line' });
  const { passthrough, qcc } = await startProxies(processes, options, upstream.url, home, profile);
  return { upstream, passthrough, qcc, urls: { direct: upstream.url, passthrough: passthrough.url, qcc: qcc.url } };
}

export type Proxies = Readonly<Record<ProxyName, Started>>;

/** A pass-through and a gateway in front of `upstreamUrl`, the gateway in `home`. */
async function startProxies(processes: Processes, options: BenchOptions, upstreamUrl: string, home: string, profile: readonly string[]): Promise<Proxies> {
  await writeFile(join(home, 'config.json'), `${JSON.stringify(gatewayConfig(upstreamUrl, options), null, 2)}\n`);
  // The gateway as `qcc proxy start` starts it, in its own environment.
  const env = gatewayEnvironment({ ...process.env, QCC_HOME: home, HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude') });
  const [passthrough, qcc] = await Promise.all([
    processes.start('pass-through', [...profile, entry('./passthrough.js'), '--upstream', upstreamUrl], { ready: 'line' }),
    processes.start('qcc gateway', [...profile, entry('../bin/gateway.js'), '--host', '127.0.0.1', '--port', '0'], { ready: 'ipc', env }),
  ]);
  return { passthrough, qcc };
}

/**
 * A fresh pass-through and gateway (a home of its own) for one more sample of the RSS just after start; `run` gets
 * them, and they are stopped by their pids and the home removed however it ends.
 */
export async function withFreshProxies<T>(
  processes: Processes,
  options: BenchOptions,
  upstreamUrl: string,
  run: (proxies: Proxies) => Promise<T>,
): Promise<T> {
  const home = await createHome();
  let proxies: Proxies | undefined;
  try {
    proxies = await startProxies(processes, options, upstreamUrl, home, []);
    return await run(proxies);
  } finally {
    // One that started while the other failed is stopped with the rest when the benchmark ends.
    if (proxies) await Promise.all(Object.values(proxies).map((child) => processes.stop(child.pid)));
    await removeHome(home);
  }
}

/** A temporary QCC_HOME (and HOME) for the gateway; `removeHome` deletes it. */
export function createHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'qcc-bench-'));
}

export async function removeHome(home: string): Promise<void> {
  await rm(home, { recursive: true, force: true });
}

/** One plain profile with one endpoint, the simulator; request logging as asked (`warn`: no line per request). */
function gatewayConfig(upstreamUrl: string, options: BenchOptions): object {
  return {
    version: 1,
    activeProfile: 'bench',
    profiles: [
      {
        name: 'bench',
        kind: 'profile',
        description: 'npm run bench',
        createdAt: new Date().toISOString(),
        endpoints: [
          {
            id: '0123abcd',
            baseUrl: upstreamUrl,
            apiKey: 'sk-bench-0000000000000000',
            authStyle: 'bearer',
            weight: 100,
            priority: 1,
            enabled: true,
          },
        ],
      },
    ],
    settings: { proxy: { logLevel: options.gatewayLog, drainTimeoutMs: 1000 } },
  };
}
