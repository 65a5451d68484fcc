import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../src/config/schema.js';
import { it } from 'node:test';
import { assertNoSecret, assertOneLineError, assertUnchanged, snapshot } from '../helpers/assertions.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/gateway-processes.js';
import { PtySession } from '../helpers/pty.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

/**
 * Seed 000's five profiles. Keys are long enough to be masked as `sk-xxx…tail`; the `PRIVATE` middle is what a
 * mask hides, so finding it in any output is a leak.
 */
export const SEED_PROFILES = [
  { name: 'codecmd', description: '订阅', baseUrl: 'https://api.codecmd.example.com', apiKey: 'sk-ant-codecmd-PRIVATE-0001-c0de' },
  { name: 'deepseek', description: '', baseUrl: 'https://deepseek.example.com/anthropic', apiKey: 'sk-deepseek-PRIVATE-0002-d5d5' },
  { name: 'aicodewith', description: '', baseUrl: 'https://aicodewith.example.com/api', apiKey: 'sk-aicodewith-PRIVATE-0003-a1c0' },
  { name: 'ccapi', description: '', baseUrl: 'https://ccapi.example.com', apiKey: 'sk-ccapi-PRIVATE-0004-cca4' },
  { name: '88code', description: '', baseUrl: 'https://88code.example.com/api', apiKey: '88_1cd-88code-PRIVATE-0005-8888' },
] as const;

export type SeedName = (typeof SEED_PROFILES)[number]['name'];

export const seedProfile = (name: SeedName): (typeof SEED_PROFILES)[number] => {
  const profile = SEED_PROFILES.find((candidate) => candidate.name === name);
  assert.ok(profile, name);
  return profile;
};

/** Every test key has `PRIVATE` in the part a mask hides: seeing it anywhere is a leak. */
export function assertNoPrivate(output: string): void {
  assert.doesNotMatch(output, /PRIVATE/, `a key appears unmasked in:\n${output}`);
}

/** A key typed by hand (`--base-url URL --api-key KEY`). */
export const MANUAL_KEY = 'sk-manual-PRIVATE-0006-ma00';

/** Every key a test may write; none may ever be printed whole. */
export const ALL_KEYS: string[] = [...SEED_PROFILES.map((profile) => profile.apiKey), MANUAL_KEY];

/** What `maskKey` shows for a key of 20 characters or more. */
export const masked = (key: string): string => `${key.slice(0, 6)}…${key.slice(-4)}`;

export const configFile = (home: TempHome): string => join(home.qccHome, 'config.json');

let template: Promise<string> | undefined;

/** config.json with the five profiles, made once per test file by the real CLI (`qcc add`). */
function profilesTemplate(): Promise<string> {
  template ??= (async () => {
    const home = await makeTempHome();
    try {
      for (const profile of SEED_PROFILES) {
        const args = ['add', profile.name, '--base-url', profile.baseUrl, '--api-key', profile.apiKey];
        const result = await runCli(profile.description ? [...args, '-d', profile.description] : args, { env: home.env });
        assert.equal(result.code, 0, result.stderr);
      }
      return await readFile(configFile(home), 'utf8');
    } finally {
      await home.cleanup();
    }
  })();
  return template;
}

/** A fresh temporary home holding seed 000's five profiles (codecmd is the default; nothing is active). */
export async function homeWithProfiles(): Promise<TempHome> {
  const text = await profilesTemplate();
  const home = await makeTempHome();
  await mkdir(home.qccHome, { recursive: true });
  await writeFile(configFile(home), text, { mode: 0o600 });
  return home;
}

const after = new Map<string, Promise<string>>();

/** The clusters the refusal suites refuse to change: production (codecmd primary, deepseek secondary) and solo (ccapi). */
export const TWO_CLUSTERS: readonly (readonly string[])[] = [
  ['endpoint', 'add', 'production', '--primary', 'codecmd', '--secondary', 'deepseek'],
  ['endpoint', 'add', 'solo', '--primary', 'ccapi'],
];

/**
 * A fresh home as `steps` (qcc commands, run on top of the five profiles) leave it. The commands run through the
 * real CLI once per test file; each call gets its own copy of the resulting config.json, which saves a test file's
 * repeated set-up from spawning the CLI again and again.
 */
export async function homeAfter(steps: readonly (readonly string[])[]): Promise<TempHome> {
  const key = JSON.stringify(steps);
  let text = after.get(key);
  if (!text) {
    text = (async () => {
      const home = await homeWithProfiles();
      try {
        for (const step of steps) await qccOk(home, step);
        return await readFile(configFile(home), 'utf8');
      } finally {
        await home.cleanup();
      }
    })();
    after.set(key, text);
  }
  const home = await makeTempHome();
  await mkdir(home.qccHome, { recursive: true });
  await writeFile(configFile(home), await text, { mode: 0o600 });
  return home;
}

/** Runs the built CLI without a terminal, and fails the test if any key appears unmasked in what it printed. */
export async function qcc(home: TempHome, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runCli(args, { env: { ...home.env, ...env } });
  assertNoSecret(result, ...ALL_KEYS);
  assertNoPrivate(`${result.stdout}\n${result.stderr}`);
  return result;
}

/** Like `qcc`, and the command must succeed. */
export async function qccOk(home: TempHome, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await qcc(home, args, env);
  assert.equal(result.code, 0, `qcc ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

/** Declares a test: `args` is refused with one line matching `message`, and config.json stays byte for byte. */
export function refuses(home: () => TempHome, title: string, args: () => string[], message: RegExp): void {
  it(title, async () => {
    const before = await snapshot(configFile(home()));
    assertOneLineError(await qcc(home(), args()), message);
    await assertUnchanged(before);
  });
}

export async function readConfig(home: TempHome): Promise<Config> {
  return JSON.parse(await readFile(configFile(home), 'utf8')) as Config;
}

export async function clusterOf(home: TempHome, name: string): Promise<Config['profiles'][number]> {
  const profile = (await readConfig(home)).profiles.find((candidate) => candidate.name === name);
  assert.ok(profile, `no profile '${name}' in config.json`);
  assert.equal(profile.kind, 'cluster');
  return profile;
}

const open = new Set<PtySession>();

/** A PtySession that `closeSessions` kills: a failed expectation must not leave the CLI waiting at a prompt. */
export function terminal(args: readonly string[], env: NodeJS.ProcessEnv): PtySession {
  const session = new PtySession(args, env);
  open.add(session);
  void session.exited.then(() => open.delete(session));
  return session;
}

/** For afterEach: ends every session a test left running. */
export function closeSessions(): void {
  for (const session of open) session.kill();
  open.clear();
}

/** Waits for the session to end (failing after `ms`) and checks that nothing on its screen leaks a key. */
export async function finished(session: PtySession, ms = 15_000): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      session.kill();
      reject(new Error(`the session did not end within ${ms} ms; screen:\n${session.screen}`));
    }, ms);
  });
  try {
    const code = await Promise.race([session.exited, timeout]);
    assertNoSecret(session.screen, ...ALL_KEYS);
    assertNoPrivate(session.screen);
    return code;
  } finally {
    clearTimeout(timer);
  }
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface LineLabels {
  readonly group: string;
  readonly weight: string;
  readonly priority: string;
  readonly enabled: string;
  readonly health: string;
  readonly source: string;
}

export const EN_LABELS = { weight: 'weight', priority: 'priority', enabled: 'enabled', health: 'health', source: 'source' };
export const ZH_LABELS = { weight: '权重', priority: '优先级', enabled: '启用', health: '健康', source: '来源' };

/**
 * Seed 000's endpoint line, e.g.
 * `1. [主节点] ID: abc12345 | URL: https://... | Key: sk-ant... | 权重: 100 | 优先级: 1 | 启用: ✓ | 健康: ? | 来源: codecmd`.
 * The ID is captured.
 */
export function endpointLinePattern(
  number: number,
  labels: LineLabels,
  endpoint: { baseUrl: string; apiKey: string; weight: number; priority: number; enabled: boolean; source: string },
): RegExp {
  const fields = [
    `${number}\\. \\[${escapeRegExp(labels.group)}\\] ID: ([0-9a-f]{8})`,
    `URL: ${escapeRegExp(endpoint.baseUrl)}`,
    `Key: ${escapeRegExp(masked(endpoint.apiKey))}`,
    `${labels.weight}: ${endpoint.weight}`,
    `${labels.priority}: ${endpoint.priority}`,
    `${labels.enabled}: ${endpoint.enabled ? '✓' : '✗'}`,
    `${labels.health}: \\?`,
    `${labels.source}: ${escapeRegExp(endpoint.source)}`,
  ];
  return new RegExp(`^${fields.join(' \\| ')}$`, 'm');
}

/**
 * Using a cluster starts the gateway and launches `claude`: keep both inside the test. The gateway gets a free port
 * (proxy.port) instead of 7860, and `claude` on PATH is a stand-in that exits 0. Returns the environment to run with;
 * `stopGateway` ends the gateway afterwards.
 */
export async function gatewayReady(home: TempHome): Promise<{ env: NodeJS.ProcessEnv; port: number }> {
  guardGateways(home);
  const port = await freePort();
  await qccOk(home, ['config', 'set', 'proxy.port', String(port)]);
  const bin = join(home.root, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'claude'), '#!/bin/sh\necho "stand-in claude $*"\nexit 0\n');
  await chmod(join(bin, 'claude'), 0o755);
  return { env: { ...home.env, PATH: `${bin}:${home.env.PATH ?? ''}` }, port };
}

const gatewayHomes = new Set<string>();
let guarding = false;

/**
 * When the runner ends this file early (a timeout sends SIGTERM), afterEach hooks do not run: end the gateways here,
 * synchronously, so that none keeps a port after its home is gone.
 */
function guardGateways(home: TempHome): void {
  if (!guarding) {
    guarding = true;
    process.once('exit', killGatewaysNow);
    process.once('SIGTERM', () => {
      killGatewaysNow();
      process.exit(143);
    });
  }
  gatewayHomes.add(home.qccHome);
}

function killGatewaysNow(): void {
  for (const dir of gatewayHomes) {
    try {
      process.kill(Number(readFileSync(join(dir, 'proxy.pid'), 'utf8').trim()), 'SIGTERM');
    } catch {
      // No pid file, or the gateway is gone already.
    }
  }
}

/** For afterEach: ends the gateway a test started in this home, if any, so that no daemon outlives its home. */
export async function stopGateway(home: TempHome): Promise<void> {
  gatewayHomes.delete(home.qccHome);
  const text = await readFile(join(home.qccHome, 'proxy.pid'), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 5_000 && alive(); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive()) process.kill(pid, 'SIGKILL');
}
