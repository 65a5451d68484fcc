import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { assertNoSecret, assertOneLineError, readJson } from '../helpers/assertions.js';
import { claudeBinary } from '../helpers/claude-binary.js';
import { runCli, runProgram, type CliResult } from '../helpers/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../helpers/fake-anthropic.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const BEARER_KEY = 'sk-claude-e2e-bearer-5f0c3a8e1d7b62';
const XKEY_KEY = 'sk-claude-e2e-xapikey-9a2d6b4f0e8c15';
const REPLY = 'Hi from the fake Anthropic (qcc e2e)';
const CLAUDE_TIMEOUT_MS = 90_000;

/** Runs a program with a bounded wait, collecting its output. */
const run = (command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<CliResult> =>
  runProgram(command, args, { ...options, timeoutMs: CLAUDE_TIMEOUT_MS });

describe('a settings.json written by `qcc use` is one that the real Claude Code accepts', () => {
  let claude: string;
  let fake: FakeAnthropic;
  let home: TempHome;
  let work: string;
  const outputs: CliResult[] = [];
  /** Claude Code's environment: nothing from the developer's shell, no ANTHROPIC_* at all. */
  const claudeEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: home.home,
    USERPROFILE: home.home,
    TMPDIR: process.env.TMPDIR,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  });
  const qcc = async (args: string[], env: NodeJS.ProcessEnv = home.env): Promise<CliResult> => {
    const result = await runCli(args, { env, cwd: work, timeoutMs: CLAUDE_TIMEOUT_MS });
    outputs.push(result);
    return result;
  };
  const messages = (): FakeAnthropic['requests'] => fake.requests.filter((request) => request.method === 'POST' && request.url.startsWith('/v1/messages'));

  before(async () => {
    claude = claudeBinary();
    fake = await startFakeAnthropic(REPLY);
  });
  after(async () => {
    await fake.close();
  });
  beforeEach(async () => {
    home = await makeTempHome();
    work = join(home.root, 'project');
    await mkdir(work, { recursive: true });
    outputs.length = 0;
    // A user who already has settings of their own.
    await mkdir(dirname(home.claudeSettings), { recursive: true });
    await writeFile(
      home.claudeSettings,
      `${JSON.stringify({ env: { MY_OWN_VAR: 'kept' }, permissions: { allow: ['Bash(ls:*)'], deny: [] }, includeCoAuthoredBy: false }, null, 2)}\n`,
    );
    assert.equal((await qcc(['add', 'bearer', '--base-url', fake.baseUrl, '--api-key', BEARER_KEY])).code, 0);
    assert.equal((await qcc(['add', 'xkey', '--base-url', `${fake.baseUrl}/`, '--api-key', XKEY_KEY, '--auth-style', 'x-api-key'])).code, 0);
  });
  afterEach(async () => {
    for (const result of outputs) assertNoSecret(result, BEARER_KEY, XKEY_KEY);
    await home.cleanup();
  });

  it('bearer: claude -p answers through the profile, sending Authorization: Bearer <key>', async () => {
    assert.equal((await qcc(['use', 'bearer', '--no-launch'])).code, 0);
    const before = messages().length;
    const result = await run(claude, ['-p', 'say hi'], { env: claudeEnv(), cwd: work });
    assert.equal(result.code, 0, `claude failed:\n${result.stdout}\n${result.stderr}`);
    assert.ok(result.stdout.includes(REPLY), `claude printed:\n${result.stdout}\n${result.stderr}`);
    const seen = messages().slice(before);
    assert.ok(seen.length > 0, 'the fake received the conversation');
    for (const request of seen) {
      assert.equal(request.headers.authorization, `Bearer ${BEARER_KEY}`);
      assert.equal(request.headers['x-api-key'], undefined);
    }
    const settings = (await readJson(home.claudeSettings)) as { env: Record<string, string>; permissions: unknown };
    assert.equal(settings.env.MY_OWN_VAR, 'kept');
  });

  it('x-api-key: claude -p sends x-api-key: <key> and no Authorization', async () => {
    assert.equal((await qcc(['use', 'xkey', '--no-launch'])).code, 0);
    const before = messages().length;
    const result = await run(claude, ['-p', 'say hi'], { env: claudeEnv(), cwd: work });
    assert.equal(result.code, 0, `claude failed:\n${result.stdout}\n${result.stderr}`);
    assert.ok(result.stdout.includes(REPLY), `claude printed:\n${result.stdout}\n${result.stderr}`);
    const seen = messages().slice(before);
    assert.ok(seen.length > 0, 'the fake received the conversation');
    for (const request of seen) {
      assert.equal(request.headers['x-api-key'], XKEY_KEY);
      assert.equal(request.headers.authorization, undefined);
    }
  });

  it('`qcc use NAME -- ARGS` launches claude with the arguments and exits with its exit code', async () => {
    const bin = join(home.root, 'bin');
    await mkdir(bin);
    await symlink(claude, join(bin, 'claude'));
    const env = { ...home.env, PATH: `${bin}:${process.env.PATH ?? ''}`, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1' };
    const before = messages().length;
    const result = await qcc(['use', 'bearer', '--', '-p', 'say hi'], env);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /Claude Code now uses 'bearer'/);
    assert.match(result.stdout, /Starting Claude Code…/);
    assert.ok(result.stdout.includes(REPLY), result.stdout);
    assert.ok(messages().length > before, 'claude reached the fake');

    // Claude's own failure comes back as qcc's exit code.
    const direct = await run(claude, ['--no-such-option-for-qcc-tests'], { env: claudeEnv(), cwd: work });
    assert.notEqual(direct.code, 0);
    const failed = await qcc(['use', 'bearer', '--', '--no-such-option-for-qcc-tests'], env);
    assert.equal(failed.code, direct.code);
  });

  it('passes arguments through exactly, strips ANTHROPIC_* from the shell, and returns any exit code', async () => {
    const bin = join(home.root, 'stub-bin');
    await mkdir(bin);
    const record = join(home.root, 'claude-saw.txt');
    const stub = join(bin, 'claude');
    await writeFile(stub, `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\nenv | grep '^ANTHROPIC_' >> '${record}'\nexit 42\n`);
    await chmod(stub, 0o755);
    const env = { ...home.env, PATH: `${bin}:/usr/bin:/bin`, ANTHROPIC_API_KEY: 'sk-from-the-shell-000000000000', ANTHROPIC_BASE_URL: 'https://shell.example.com' };
    const result = await qcc(['use', 'xkey', '--', '-p', 'two words', '--model', 'opus'], env);
    assert.equal(result.code, 42);
    assert.equal(await readFile(record, 'utf8'), '-p\ntwo words\n--model\nopus\n');
  });

  it('without claude on PATH, says how to install it in one line, and the settings are written', async () => {
    const empty = join(home.root, 'empty-bin');
    await mkdir(empty);
    const result = await qcc(['use', 'bearer'], { ...home.env, PATH: empty });
    assertOneLineError(
      result,
      /^✗ Claude Code \(`claude`\) is not installed — install it with `npm install -g @anthropic-ai\/claude-code`, then run `claude`; its settings already point at http:\/\/127\.0\.0\.1:\d+\n$/,
      127,
    );
    assert.match(result.stdout, /Claude Code now uses 'bearer'/);
    const settings = (await readJson(home.claudeSettings)) as { env: Record<string, string> };
    assert.equal(settings.env.ANTHROPIC_BASE_URL, fake.baseUrl);
    assert.equal(settings.env.ANTHROPIC_AUTH_TOKEN, BEARER_KEY);
  });
});
