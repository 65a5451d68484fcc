import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertNoSecret, assertOneLineError, assertUnchanged, modeOf, readJson, snapshot } from '../helpers/assertions.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { PtySession } from '../helpers/pty.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const BEARER_KEY = 'sk-use-test-bearer-3d9f1a7c5e2b80';
const XKEY_KEY = 'sk-use-test-xapikey-8a4c6e0f2d7b19';
const USER_TOKEN = 'sk-users-own-token-6b1e9d3f7a5c24';
const USER_API_KEY = 'sk-users-own-apikey-2f8a0c4e6d1b93';

/** A settings.json as a long-time Claude Code user has it: every kind of JSON value, and keys qcc must not touch. */
const userSettings = {
  $schema: 'https://json.schemastore.org/claude-code-settings.json',
  model: 'opus',
  env: {
    ANTHROPIC_BASE_URL: 'https://my-own-relay.example.com/api',
    ANTHROPIC_AUTH_TOKEN: USER_TOKEN,
    ANTHROPIC_MODEL: 'claude-sonnet-4-5',
    HTTPS_PROXY: 'http://127.0.0.1:3128',
    DISABLE_TELEMETRY: '1',
    GREETING: '你好，世界 🌍 — “quotes” and \\ backslash',
  },
  permissions: {
    allow: ['Bash(npm run test:*)', 'Read(~/.zshrc)'],
    deny: ['Bash(curl:*)', 'Read(./.env)'],
    additionalDirectories: ['../docs/'],
    defaultMode: 'acceptEdits',
  },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'echo "$CLAUDE_TOOL" >> ~/.claude/log', timeout: 30 }] }],
  },
  statusLine: { type: 'command', command: '~/.claude/statusline.sh', padding: 0 },
  includeCoAuthoredBy: false,
  cleanupPeriodDays: 30,
  enableAllProjectMcpServers: null,
  numbers: [0, -1.5, 1e21, 12345678901234],
  empty: { object: {}, array: [], string: '' },
  'ключ с пробелом': 'ünïcödé',
};

describe('qcc use and qcc restore', () => {
  let home: TempHome;
  let configFile: string;
  const outputs: CliResult[] = [];
  const qcc = async (...args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env: home.env });
    outputs.push(result);
    return result;
  };
  const settings = async (): Promise<Record<string, unknown> & { env?: Record<string, unknown> }> =>
    (await readJson(home.claudeSettings)) as Record<string, unknown> & { env?: Record<string, unknown> };
  const writeSettings = async (text: string): Promise<void> => {
    await mkdir(dirname(home.claudeSettings), { recursive: true });
    await writeFile(home.claudeSettings, text, { mode: 0o644 });
  };
  const backups = async (): Promise<string[]> => (await readdir(join(home.qccHome, 'backups')).catch(() => [])).sort();

  beforeEach(async () => {
    home = await makeTempHome();
    configFile = join(home.qccHome, 'config.json');
    outputs.length = 0;
    assert.equal((await qcc('add', 'relay', '--base-url', 'https://relay.example.com/api', '--api-key', BEARER_KEY)).code, 0);
    assert.equal((await qcc('add', 'official', '--base-url', 'https://api.anthropic.com', '--api-key', XKEY_KEY)).code, 0);
  });
  afterEach(async () => {
    for (const result of outputs) assertNoSecret(result, BEARER_KEY, XKEY_KEY, USER_TOKEN, USER_API_KEY);
    await home.cleanup();
  });

  it("keeps every other key of the user's settings.json and gives the original values back on restore", async () => {
    const original = `${JSON.stringify(userSettings, null, 4)}\n`;
    await writeSettings(original);

    const first = await qcc('use', 'relay', '--no-launch');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Claude Code now uses 'relay' \(https:\/\/relay\.example\.com\/api\)/);
    assert.match(first.stdout, /key sk-use…2b80 as bearer/);
    assert.doesNotMatch(first.stdout, /Starting Claude Code/);
    const pointed = await settings();
    assert.deepEqual(pointed, {
      ...userSettings,
      env: { ...userSettings.env, ANTHROPIC_BASE_URL: 'https://relay.example.com/api', ANTHROPIC_AUTH_TOKEN: BEARER_KEY },
    });
    assert.deepEqual(Object.keys(pointed), Object.keys(userSettings), 'top-level keys keep their order');
    assert.match(await readFile(home.claudeSettings, 'utf8'), /^\{\n {4}"\$schema"/, 'the 4-space indentation is kept');
    assert.equal(await modeOf(home.claudeSettings), 0o600, 'settings.json now holds a key: 0600');

    // The first change kept a byte-for-byte copy of the file and what restore needs, both private.
    const [copy = '', ...more] = await backups();
    assert.ok(copy.startsWith('claude-settings.') && more.length === 0, `one backup copy, got ${copy} ${more.join(' ')}`);
    assert.equal(await readFile(join(home.qccHome, 'backups', copy), 'utf8'), original);
    assert.equal(await modeOf(join(home.qccHome, 'backups', copy)), 0o600);
    assert.equal(await modeOf(join(home.qccHome, 'claude-settings.backup.json')), 0o600);

    // x-api-key: ANTHROPIC_API_KEY replaces ANTHROPIC_AUTH_TOKEN, never both.
    assert.equal((await qcc('use', 'official', '--no-launch')).code, 0);
    const official = await settings();
    assert.equal(official.env?.ANTHROPIC_BASE_URL, 'https://api.anthropic.com');
    assert.equal(official.env?.ANTHROPIC_API_KEY, XKEY_KEY);
    assert.ok(!('ANTHROPIC_AUTH_TOKEN' in (official.env ?? {})), 'no ANTHROPIC_AUTH_TOKEN beside ANTHROPIC_API_KEY');

    assert.equal((await qcc('use', 'relay', '--no-launch')).code, 0);
    const back = await settings();
    assert.equal(back.env?.ANTHROPIC_AUTH_TOKEN, BEARER_KEY);
    assert.ok(!('ANTHROPIC_API_KEY' in (back.env ?? {})), 'no ANTHROPIC_API_KEY beside ANTHROPIC_AUTH_TOKEN');
    assert.equal((await backups()).length, 1, 'only the first change is backed up');

    const restore = await qcc('restore');
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /Restored the values .*settings\.json had before qcc changed it/);
    assert.deepEqual(await settings(), userSettings);
    assert.match((await qcc('restore')).stdout, /Nothing to restore/);
    assert.deepEqual(await settings(), userSettings);
  });

  it("gives back the user's own ANTHROPIC_API_KEY after a bearer profile removed it", async () => {
    const original = { env: { ANTHROPIC_API_KEY: USER_API_KEY, FOO: 'bar' }, theme: 'dark' };
    await writeSettings(JSON.stringify(original));
    assert.equal((await qcc('use', 'relay', '--no-launch')).code, 0);
    assert.deepEqual(await settings(), {
      env: { FOO: 'bar', ANTHROPIC_BASE_URL: 'https://relay.example.com/api', ANTHROPIC_AUTH_TOKEN: BEARER_KEY },
      theme: 'dark',
    });
    assert.equal((await qcc('restore')).code, 0);
    assert.deepEqual(await settings(), original);
  });

  it('creates settings.json when there is none, and restore removes it again', async () => {
    const result = await qcc('use', 'official', '--no-launch');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await settings(), { env: { ANTHROPIC_BASE_URL: 'https://api.anthropic.com', ANTHROPIC_API_KEY: XKEY_KEY } });
    assert.equal(await modeOf(home.claudeSettings), 0o600);
    const restore = await qcc('restore');
    assert.match(restore.stdout, /Removed .*settings\.json: it did not exist before qcc created it/);
    await assert.rejects(readFile(home.claudeSettings), { code: 'ENOENT' });
  });

  it('adds env to a file that had none, and restore takes it away again', async () => {
    const original = { permissions: { allow: ['Read'] } };
    await writeSettings(`${JSON.stringify(original, null, '\t')}\n`);
    assert.equal((await qcc('use', 'relay', '--no-launch')).code, 0);
    assert.match(await readFile(home.claudeSettings, 'utf8'), /^\{\n\t"permissions"/, 'tab indentation is kept');
    assert.deepEqual((await settings()).env, { ANTHROPIC_BASE_URL: 'https://relay.example.com/api', ANTHROPIC_AUTH_TOKEN: BEARER_KEY });
    assert.equal((await qcc('restore')).code, 0);
    assert.deepEqual(await settings(), original);
  });

  it('writes through a settings.json that is a symlink (a dotfiles checkout), keeping the link', async () => {
    const dotfiles = join(home.root, 'dotfiles', 'claude-settings.json');
    await mkdir(dirname(dotfiles), { recursive: true });
    await writeFile(dotfiles, '{"theme": "dark"}\n');
    await mkdir(dirname(home.claudeSettings), { recursive: true });
    await symlink(dotfiles, home.claudeSettings);
    assert.equal((await qcc('use', 'relay', '--no-launch')).code, 0);
    assert.ok((await lstat(home.claudeSettings)).isSymbolicLink(), 'still a link');
    assert.equal(((await readJson(dotfiles)) as { env: Record<string, string> }).env.ANTHROPIC_AUTH_TOKEN, BEARER_KEY);
    assert.equal((await qcc('restore')).code, 0);
    assert.ok((await lstat(home.claudeSettings)).isSymbolicLink(), 'still a link');
    assert.deepEqual(await readJson(dotfiles), { theme: 'dark' });
  });

  it('honours CLAUDE_CONFIG_DIR as Claude Code does', async () => {
    const elsewhere = join(home.root, 'claude-config');
    const env = { ...home.env, CLAUDE_CONFIG_DIR: elsewhere };
    const result = await runCli(['use', 'official', '--no-launch'], { env });
    outputs.push(result);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(((await readJson(join(elsewhere, 'settings.json'))) as { env: Record<string, string> }).env.ANTHROPIC_API_KEY, XKEY_KEY);
    await assert.rejects(readFile(home.claudeSettings), { code: 'ENOENT' });
  });

  it('marks the profile as last used and active', async () => {
    assert.equal((await qcc('use', 'official', '--no-launch')).code, 0);
    const config = (await readJson(configFile)) as { activeProfile: string; profiles: { name: string; lastUsedAt?: string }[] };
    assert.equal(config.activeProfile, 'official');
    const used = config.profiles.find((profile) => profile.name === 'official');
    assert.ok(used?.lastUsedAt && Date.now() - Date.parse(used.lastUsedAt) < 60_000);
    assert.equal(config.profiles.find((profile) => profile.name === 'relay')?.lastUsedAt, undefined);
  });

  describe('a settings.json qcc cannot read is refused, named with its line, and left byte for byte', () => {
    const malformed: [string, string, RegExp][] = [
      ['a trailing comma', '{\n  "env": {\n    "A": "1",\n  },\n  "model": "opus"\n}\n', /line 4, column 3/],
      ['a comment line', '{\n  "model": "opus",\n  // my provider\n  "env": {}\n}\n', /line 3, column 3/],
      ['a comment as a value', '{\n  "model": "opus",\n  "env": /* mine */ {}\n}\n', /line 3, column 10: Unexpected token '\/'\)/],
      ['a missing comma', '{\n  "model": "opus"\n  "env": {}\n}\n', /line 3, column 3/],
      ['a cut-off file', '{\n  "env": {\n    "A": "1"\n', /line 4, column 1/],
      ['an empty file', '', /line 1, column 1/],
      ['a single-quoted value', `{\n\n  "model": 'opus'\n}`, /line 3, column 12: Unexpected token '''/],
    ];
    for (const [what, text, where] of malformed) {
      it(`with ${what}`, async () => {
        await writeSettings(text);
        const before = await snapshot(home.claudeSettings, configFile);
        const result = await qcc('use', 'relay', '--no-launch');
        assertOneLineError(result, /settings\.json is not valid JSON \(line \d+, column \d+: .+\) — fix that line; qcc left the file untouched/, 5);
        assert.ok(result.stderr.includes(home.claudeSettings), 'the error names the file');
        assert.match(result.stderr, where);
        await assertUnchanged(before);
        assert.deepEqual(await backups(), [], 'nothing was backed up');
      });
    }

    it('with a top level or an env that is not an object', async () => {
      for (const text of ['["env"]\n', '{"env": "ANTHROPIC_BASE_URL=x"}\n', '{"env": null}\n']) {
        await writeSettings(text);
        const before = await snapshot(home.claudeSettings, configFile);
        assertOneLineError(await qcc('use', 'relay', '--no-launch'), /settings\.json: .*must be .*object — fix it by hand; qcc left the file untouched/, 5);
        await assertUnchanged(before);
      }
    });

    it('and restore refuses it too, keeping what it needs for later', async () => {
      await writeSettings('{"model": "opus"}\n');
      assert.equal((await qcc('use', 'relay', '--no-launch')).code, 0);
      await writeSettings('{"model": "opus",}\n');
      const before = await snapshot(home.claudeSettings, join(home.qccHome, 'claude-settings.backup.json'));
      assertOneLineError(await qcc('restore'), /line 1, column 18/, 5);
      await assertUnchanged(before);
      await writeSettings('{"model": "sonnet", "env": {"ANTHROPIC_BASE_URL": "https://relay.example.com/api"}}\n');
      assert.equal((await qcc('restore')).code, 0);
      assert.deepEqual(await settings(), { model: 'sonnet' });
    });
  });

  describe('choosing the profile', () => {
    it('takes the default without a terminal, and says what to do when there is none', async () => {
      const result = await qcc('use', '--no-launch');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /now uses 'relay'/);

      const before = await snapshot(home.claudeSettings, configFile);
      assertOneLineError(await qcc('use', 'nope', '--no-launch'), /profile 'nope' not found — `qcc list` shows your profiles/, 3);
      await assertUnchanged(before);

      assert.equal((await qcc('remove', 'relay', '--yes')).code, 0);
      assertOneLineError(await qcc('use', '--no-launch'), /no default profile — name one \(`qcc use NAME`\) or set it with `qcc default NAME`/, 3);
      assert.equal((await qcc('remove', 'official', '--yes')).code, 0);
      assertOneLineError(await qcc('use', '--no-launch'), /no profiles yet — add one with `qcc add NAME`/, 3);
    });

    it('offers a picker on a terminal with the default preselected', async () => {
      const session = new PtySession(['use', '--no-launch'], home.env);
      try {
        await session.expect('Which profile should Claude Code use?');
        await session.expect(/❯ ⭐ relay/);
        session.press('\u001b[B');
        await session.expect(/❯ {4}official/);
        session.press('\r');
        assert.equal(await session.exited, 0, session.screen);
      } finally {
        session.kill();
      }
      assertNoSecret(session.screen, BEARER_KEY, XKEY_KEY);
      assert.match(session.screen, /Claude Code now uses 'official'/);
      assert.equal((await settings()).env?.ANTHROPIC_API_KEY, XKEY_KEY);
    });
  });
});
