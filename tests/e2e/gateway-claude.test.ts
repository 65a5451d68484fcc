import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSimulator, type RecordedRequest, type Simulator } from '../../src/simulator/index.js';
import { assertNoSecret, readJson } from '../helpers/assertions.js';
import { claudeBinary } from '../helpers/claude-binary.js';
import { runProgram, type CliResult } from '../helpers/cli.js';
import { GatewayHome, pidAlive, within } from '../helpers/gateway-home.js';
import { PtySession } from '../helpers/pty.js';

const KEY_A = 'sk-gw-claude-a-PRIVATE-1e5c9a3f7b2d';
const KEY_B = 'sk-gw-claude-b-PRIVATE-8b4d0f6a2c9e';
const REPLY = 'Hello from bravo, through the qcc gateway (e2e)';
const CLAUDE_TIMEOUT_MS = 90_000;

interface ClaudeSettings {
  env: Record<string, string>;
  permissions?: unknown;
  includeCoAuthoredBy?: boolean;
}

/** Runs a program with a bounded wait, collecting its output. */
const run = (command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<CliResult> =>
  runProgram(command, args, { ...options, timeoutMs: CLAUDE_TIMEOUT_MS });

const conversations = (sim: Simulator): RecordedRequest[] =>
  sim.requests.filter((request) => request.method === 'POST' && request.path.startsWith('/v1/messages'));

describe('Claude Code through the gateway: `qcc use CLUSTER` and "start now?" of `qcc endpoint add`', () => {
  let simA: Simulator;
  let simB: Simulator;
  let gw: GatewayHome;
  let work: string;

  before(async () => {
    simA = await startSimulator({ name: 'alpha', apiKey: KEY_A, authStyle: 'x-api-key', replyText: 'alpha must not answer' });
    simB = await startSimulator({ name: 'bravo', apiKey: KEY_B, authStyle: 'bearer', replyText: REPLY });
  });
  after(async () => {
    await simA.close();
    await simB.close();
  });
  beforeEach(async () => {
    simA.reset();
    simB.reset();
    await simA.start();
    gw = await GatewayHome.create();
    work = join(gw.home.root, 'project');
    await mkdir(work, { recursive: true });
    // A user with settings of their own, which must survive.
    await mkdir(dirname(gw.home.claudeSettings), { recursive: true });
    await writeFile(
      gw.home.claudeSettings,
      `${JSON.stringify({ env: { MY_OWN_VAR: 'kept' }, permissions: { allow: ['Bash(ls:*)'], deny: [] }, includeCoAuthoredBy: false }, null, 2)}\n`,
    );
    await gw.addProfile('a', simA, KEY_A, 'x-api-key');
    await gw.addProfile('b', simB, KEY_B, 'bearer');
  });
  afterEach(async () => {
    const outputs = gw.outputs;
    await gw.cleanup();
    for (const result of outputs) assertNoSecret(result, KEY_A, KEY_B);
  });

  it('`qcc use CLUSTER --no-launch` starts the gateway, points settings.json at it, and the real claude answers through it', async () => {
    await gw.ok(['endpoint', 'add', 'prod', '--primary', 'a', '--secondary', 'b', '--no-auto-start']);
    await gw.ok(['config', 'set', 'proxy.port', String(gw.port)]);
    await simA.stop(); // the primary is down: Claude Code must not notice

    const use = await gw.ok(['use', 'prod', '--no-launch']);
    assert.ok(use.stdout.includes(gw.url), use.stdout);
    const runtime = await gw.runtime();
    assert.ok(runtime && pidAlive(runtime.pid), 'the gateway runs');
    assert.equal(runtime.port, gw.port);

    const settings = (await readJson(gw.home.claudeSettings)) as ClaudeSettings;
    assert.equal(settings.env.ANTHROPIC_BASE_URL, gw.url);
    const token = settings.env.ANTHROPIC_AUTH_TOKEN;
    assert.ok(token, 'a local token for the gateway');
    assert.ok(![KEY_A, KEY_B].includes(token), 'never a provider key');
    assert.equal(settings.env.ANTHROPIC_API_KEY, undefined);
    assert.equal(settings.env.MY_OWN_VAR, 'kept');
    assert.deepEqual(settings.permissions, { allow: ['Bash(ls:*)'], deny: [] });
    assert.equal(settings.includeCoAuthoredBy, false);

    const claude = await run(claudeBinary(), ['-p', 'say hi'], {
      cwd: work,
      // Claude Code's environment: nothing from the developer's shell, no ANTHROPIC_* at all.
      env: {
        PATH: process.env.PATH,
        HOME: gw.home.home,
        USERPROFILE: gw.home.home,
        TMPDIR: process.env.TMPDIR,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
      },
    });
    assert.equal(claude.code, 0, `claude failed:\n${claude.stdout}\n${claude.stderr}`);
    assert.ok(claude.stdout.includes(REPLY), `claude printed:\n${claude.stdout}\n${claude.stderr}`);

    assert.equal(simA.requests.length, 0);
    const seen = conversations(simB);
    assert.ok(seen.length >= 1, 'the conversation reached bravo');
    for (const request of seen) {
      assert.equal(request.headers.authorization, `Bearer ${KEY_B}`);
      assert.equal(request.headers['x-api-key'], undefined);
      assert.ok(!JSON.stringify(request.headers).includes(token), 'the local token stays between Claude Code and qcc');
    }
    const status = await gw.status();
    assert.ok(status.requests.ok >= 1, JSON.stringify(status.requests));
    assert.equal(status.activeProfile, 'prod');

    // Used again while it runs: the same gateway, told to re-read the configuration.
    const again = await gw.ok(['use', 'prod', '--no-launch']);
    assert.match(again.stdout, new RegExp(`already running.*PID: ${runtime.pid}`));
    assert.equal((await gw.runtime())?.pid, runtime.pid);
  });

  it('`qcc endpoint add NAME --port P` answered y starts the gateway on P, points Claude Code at it and launches claude', async () => {
    const bin = join(gw.home.root, 'stub-bin');
    await mkdir(bin);
    const record = join(gw.home.root, 'claude-ran.txt');
    await writeFile(
      join(bin, 'claude'),
      `#!/bin/sh\nprintf 'args:%s\\n' "$*" > '${record}'\nenv | grep '^ANTHROPIC_' >> '${record}'\nexit 0\n`,
    );
    await chmod(join(bin, 'claude'), 0o755);
    const env = { ...gw.home.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ANTHROPIC_API_KEY: 'sk-from-the-shell-PRIVATE-000000' };

    const session = new PtySession(['endpoint', 'add', 'team', '--port', String(gw.port)], env);
    try {
      await session.expect('Primaries');
      session.send('1');
      await session.expect('Secondaries');
      session.send('2');
      await session.expect('Start the gateway and Claude Code now? (Y/n)');
      session.send('y');
      const code = await within(session.exited, 30_000, () => `qcc did not exit; screen:\n${session.screen}`);
      await gw.track();
      assert.equal(code, 0, session.screen);
    } finally {
      session.kill();
    }
    const screen = session.screen;
    assert.match(screen, new RegExp(`Gateway started: ${gw.url.replace(/\./g, '\\.')} \\(PID: \\d+\\)`));
    assertNoSecret(screen, KEY_A, KEY_B);

    const runtime = await gw.runtime();
    assert.ok(runtime && pidAlive(runtime.pid));
    assert.equal(runtime.port, gw.port);
    const status = await gw.status();
    assert.equal(status.activeProfile, 'team');
    assert.equal(status.endpoints.length, 2);

    const settings = (await readJson(gw.home.claudeSettings)) as ClaudeSettings;
    assert.equal(settings.env.ANTHROPIC_BASE_URL, gw.url);
    assert.ok(settings.env.ANTHROPIC_AUTH_TOKEN);
    assert.equal(settings.env.MY_OWN_VAR, 'kept');

    const ran = await readFile(record, 'utf8');
    assert.match(ran, /^args:\n/, 'claude was launched with no arguments');
    assert.doesNotMatch(ran, /ANTHROPIC_/, 'the shell’s ANTHROPIC_* variables do not reach claude');

    const stop = await gw.ok(['proxy', 'stop']);
    assert.match(stop.stdout, /Gateway stopped/);
    assert.equal(pidAlive(runtime.pid), false);
  });
});
