import assert from 'node:assert/strict';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertNoSecret, assertOneLineError, assertUnchanged, modeOf, readJson, snapshot } from '../helpers/assertions.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { PtySession } from '../helpers/pty.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const CLAUDE_TOKEN = 'sk-init-test-claude-token-9e2c4a6f81';
const CLAUDE_API_KEY = 'sk-init-test-claude-apikey-3b7d5f1a02';

interface StoredConfig {
  version: number;
  defaultProfile: string | null;
  profiles: { name: string; description: string; endpoints: { baseUrl: string; apiKey: string; authStyle: string }[] }[];
  settings: { proxy: { port: number } };
}

describe('qcc init', () => {
  let home: TempHome;
  let configFile: string;
  const outputs: CliResult[] = [];
  const qcc = async (...args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env: home.env });
    outputs.push(result);
    return result;
  };
  const claudeUses = async (env: Record<string, string>): Promise<void> => {
    await mkdir(dirname(home.claudeSettings), { recursive: true });
    await writeFile(home.claudeSettings, `${JSON.stringify({ env, model: 'opus' }, null, 2)}\n`);
  };

  beforeEach(async () => {
    home = await makeTempHome();
    configFile = join(home.qccHome, 'config.json');
    outputs.length = 0;
  });
  afterEach(async () => {
    for (const result of outputs) assertNoSecret(result, CLAUDE_TOKEN, CLAUDE_API_KEY);
    await home.cleanup();
  });

  it('creates a private home with a complete config.json and its JSON Schema, once', async () => {
    const result = await qcc('init');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `✓ Created ${home.qccHome}\n`);
    assert.equal(await modeOf(home.qccHome), 0o700);
    assert.equal(await modeOf(configFile), 0o600);
    const config = (await readJson(configFile)) as StoredConfig;
    assert.equal(config.version, 1);
    assert.deepEqual(config.profiles, []);
    assert.equal(config.settings.proxy.port, 7860, 'defaults are written out');
    const schema = (await readJson(join(home.qccHome, 'config.schema.json'))) as { $schema: string };
    assert.match(schema.$schema, /json-schema\.org/);

    const before = await snapshot(configFile);
    const again = await qcc('init');
    assert.equal(again.code, 0);
    assert.equal(again.stdout, `✓ qcc is already set up in ${home.qccHome}\n`);
    await assertUnchanged(before);
  });

  it("without a terminal, shows Claude Code's current provider masked and how to save it", async () => {
    await claudeUses({ ANTHROPIC_BASE_URL: 'https://relay.88code.org/api', ANTHROPIC_AUTH_TOKEN: CLAUDE_TOKEN });
    const result = await qcc('init');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Claude Code currently uses https:\/\/relay\.88code\.org\/api with key sk-ini…6f81\./);
    assert.match(result.stdout, /Save it as a profile with: qcc init --import-as NAME/);
    assert.deepEqual(((await readJson(configFile)) as StoredConfig).profiles, []);
  });

  it('--import-as saves it as the first (default) profile, with the auth style Claude Code used', async () => {
    await claudeUses({ ANTHROPIC_BASE_URL: 'https://relay.88code.org/api/', ANTHROPIC_AUTH_TOKEN: CLAUDE_TOKEN });
    const result = await qcc('init', '--import-as', 'mine');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Saved as profile 'mine'/);
    const config = (await readJson(configFile)) as StoredConfig;
    assert.equal(config.defaultProfile, 'mine');
    assert.deepEqual(config.profiles.map((profile) => [profile.name, profile.description]), [['mine', 'imported from Claude Code settings']]);
    assert.deepEqual(config.profiles[0]?.endpoints[0], {
      ...config.profiles[0]?.endpoints[0],
      baseUrl: 'https://relay.88code.org/api',
      apiKey: CLAUDE_TOKEN,
      authStyle: 'bearer',
    });

    // Already saved: nothing more to offer.
    const again = await qcc('init');
    assert.doesNotMatch(again.stdout, /currently uses/);
  });

  it('imports an ANTHROPIC_API_KEY as an x-api-key profile', async () => {
    await claudeUses({ ANTHROPIC_BASE_URL: 'https://api.anthropic.com', ANTHROPIC_API_KEY: CLAUDE_API_KEY });
    assert.equal((await qcc('init', '--import-as', 'official')).code, 0);
    const config = (await readJson(configFile)) as StoredConfig;
    assert.equal(config.profiles[0]?.endpoints[0]?.authStyle, 'x-api-key');
    assert.equal(config.profiles[0]?.endpoints[0]?.apiKey, CLAUDE_API_KEY);
  });

  it('offers the import on a terminal with a suggested name', async () => {
    await claudeUses({ ANTHROPIC_BASE_URL: 'https://relay.88code.org/api', ANTHROPIC_AUTH_TOKEN: CLAUDE_TOKEN });
    const session = new PtySession(['init'], home.env);
    try {
      await session.expect('with key sk-ini…6f81');
      await session.expect('Save it as a qcc profile?');
      session.send('y');
      await session.expect('Profile name');
      await session.expect('88code');
      session.send('');
      assert.equal(await session.exited, 0, session.screen);
    } finally {
      session.kill();
    }
    assertNoSecret(session.screen, CLAUDE_TOKEN);
    assert.match(session.screen, /Saved as profile '88code'/);
    const config = (await readJson(configFile)) as StoredConfig;
    assert.deepEqual(config.profiles.map((profile) => profile.name), ['88code']);
  });

  it('asks again for a name that is not valid, and saves nothing when declined', async () => {
    await claudeUses({ ANTHROPIC_BASE_URL: 'https://127.0.0.1:9999', ANTHROPIC_AUTH_TOKEN: CLAUDE_TOKEN });
    const declined = new PtySession(['init'], home.env);
    try {
      await declined.expect('Save it as a qcc profile?');
      declined.send('n');
      assert.equal(await declined.exited, 0, declined.screen);
    } finally {
      declined.kill();
    }
    assert.deepEqual(((await readJson(configFile)) as StoredConfig).profiles, []);

    const named = new PtySession(['init'], home.env);
    try {
      await named.expect('Save it as a qcc profile?');
      named.send('y');
      await named.expect('(claude)');
      named.send('no spaces');
      await named.expect("'no spaces' is not a valid profile name");
      named.press('\u0015');
      named.send('local');
      assert.equal(await named.exited, 0, named.screen);
    } finally {
      named.kill();
    }
    assert.deepEqual(((await readJson(configFile)) as StoredConfig).profiles.map((profile) => profile.name), ['local']);
  });

  it('--skip-import does not look at Claude Code settings', async () => {
    await claudeUses({ ANTHROPIC_BASE_URL: 'https://relay.88code.org/api', ANTHROPIC_AUTH_TOKEN: CLAUDE_TOKEN });
    const result = await qcc('init', '--skip-import');
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stdout, /currently uses/);
  });

  it('warns about a malformed settings.json but still sets up, leaving the file alone', async () => {
    await mkdir(dirname(home.claudeSettings), { recursive: true });
    await writeFile(home.claudeSettings, '{\n  "env": {,\n}\n');
    const before = await snapshot(home.claudeSettings);
    const result = await qcc('init');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^! .*settings\.json is not valid JSON \(line 2, column 11: .+\) — fix that line; qcc left the file untouched\n$/);
    await assertUnchanged(before);
    await access(configFile);
  });

  it('refuses a bad --import-as name before creating anything, and a taken one', async () => {
    await claudeUses({ ANTHROPIC_BASE_URL: 'https://relay.88code.org/api', ANTHROPIC_AUTH_TOKEN: CLAUDE_TOKEN });
    assertOneLineError(await qcc('init', '--import-as', '../evil'), /'\.\.\/evil' is not a valid profile name/, 2);
    await assert.rejects(access(home.qccHome), { code: 'ENOENT' });

    assert.equal((await qcc('add', 'mine', '--base-url', 'https://other.example.com', '--api-key', 'sk-other-key-0000000000')).code, 0);
    const before = await snapshot(configFile);
    assertOneLineError(await qcc('init', '--import-as', 'mine'), /a profile named 'mine' already exists/, 4);
    await assertUnchanged(before);
  });
});
