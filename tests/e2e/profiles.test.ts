import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertNoSecret, assertOneLineError, assertUnchanged, modeOf, readJson, snapshot } from '../helpers/assertions.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { configWithCluster, writeJson } from '../helpers/config-files.js';
import { PtySession } from '../helpers/pty.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const KEY_A = 'sk-profile-test-alpha-7f3a9c2e41d8b5';
const KEY_B = 'sk-profile-test-bravo-0c6e2b9d17f4a3';
const KEY_C = 'sk-profile-test-charlie-5b8d1e7a3c9f02';
const DOWN = '\u001b[B';

interface StoredEndpoint {
  id: string;
  baseUrl: string;
  apiKey: string;
  authStyle: string;
  source?: string;
}
interface StoredProfile {
  name: string;
  kind: string;
  description: string;
  endpoints: StoredEndpoint[];
  lastUsedAt?: string;
}
interface StoredConfig {
  defaultProfile: string | null;
  activeProfile: string | null;
  profiles: StoredProfile[];
  priorityGroups: Record<string, string[]>;
}

describe('profiles: add, edit, list, show, default, remove, vendors', () => {
  let home: TempHome;
  let configFile: string;
  const outputs: CliResult[] = [];
  const qcc = async (...args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env: home.env });
    outputs.push(result);
    return result;
  };
  const stored = async (): Promise<StoredConfig> => (await readJson(configFile)) as StoredConfig;
  const profile = async (name: string): Promise<StoredProfile> => {
    const found = (await stored()).profiles.find((candidate) => candidate.name === name);
    assert.ok(found, `profile ${name} is in config.json`);
    return found;
  };

  beforeEach(async () => {
    home = await makeTempHome();
    configFile = join(home.qccHome, 'config.json');
    outputs.length = 0;
  });
  afterEach(async () => {
    // Whatever a test ran, no key was ever printed whole.
    for (const result of outputs) assertNoSecret(result, KEY_A, KEY_B, KEY_C);
    await home.cleanup();
  });

  describe('qcc add', () => {
    it('adds a profile from flags, masks the key, makes the first profile the default, and keeps config.json private', async () => {
      const result = await qcc('add', 'relay', '--base-url', 'https://relay.example.com/api/', '--api-key', KEY_A, '-d', 'my relay');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Profile 'relay' added/);
      assert.match(result.stdout, /sk-pro…d8b5 \(bearer\)/);
      assert.match(result.stdout, /It is your default profile/);
      assert.equal(result.stderr, '');

      const config = await stored();
      assert.equal(config.defaultProfile, 'relay');
      const [endpoint] = (await profile('relay')).endpoints;
      assert.equal(endpoint?.baseUrl, 'https://relay.example.com/api', 'the trailing slash is dropped');
      assert.equal(endpoint?.apiKey, KEY_A, 'config.json keeps the real key');
      assert.equal(endpoint?.authStyle, 'bearer');
      assert.match(endpoint?.id ?? '', /^[0-9a-f]{8}$/);
      assert.equal((await profile('relay')).description, 'my relay');
      assert.equal(await modeOf(configFile), 0o600);
      assert.equal(await modeOf(home.qccHome), 0o700);

      const second = await qcc('add', 'official', '--base-url', 'https://api.anthropic.com', '--api-key', KEY_B);
      assert.equal(second.code, 0, second.stderr);
      assert.doesNotMatch(second.stdout, /default profile/);
      assert.equal((await profile('official')).endpoints[0]?.authStyle, 'x-api-key', 'the official API gets x-api-key');
      assert.equal((await stored()).defaultProfile, 'relay');
    });

    it('takes --auth-style, and fills URL and auth style from --vendor', async () => {
      assert.equal((await qcc('add', 'x', '--base-url', 'https://x.example.com', '--api-key', KEY_A, '--auth-style', 'x-api-key')).code, 0);
      assert.equal((await profile('x')).endpoints[0]?.authStyle, 'x-api-key');

      const deepseek = await qcc('add', 'ds', '--vendor', 'deepseek', '--api-key', KEY_B);
      assert.equal(deepseek.code, 0, deepseek.stderr);
      assert.deepEqual(
        { baseUrl: (await profile('ds')).endpoints[0]?.baseUrl, authStyle: (await profile('ds')).endpoints[0]?.authStyle },
        { baseUrl: 'https://api.deepseek.com/anthropic', authStyle: 'bearer' },
      );
      assert.equal((await qcc('add', 'ant', '--vendor', 'Anthropic', '--api-key', KEY_C)).code, 0);
      assert.equal((await profile('ant')).endpoints[0]?.authStyle, 'x-api-key');
    });

    it('asks on a terminal: the vendor picker, a hidden key and a description', async () => {
      const session = new PtySession(['add', 'picked'], home.env);
      try {
        await session.expect('Provider');
        await session.expect('Other: type a base URL');
        session.press(DOWN);
        await session.expect('❯ DeepSeek');
        session.press('\r');
        await session.expect('No key yet? Get one at https://platform.deepseek.com');
        await session.expect('API key');
        session.send(KEY_A);
        await session.expect('Description (optional)');
        session.send('typed on a terminal');
        assert.equal(await session.exited, 0, session.screen);
      } finally {
        session.kill();
      }
      assertNoSecret(session.screen, KEY_A);
      assert.match(session.screen, /Profile 'picked' added/);
      const added = await profile('picked');
      assert.equal(added.endpoints[0]?.baseUrl, 'https://api.deepseek.com/anthropic');
      assert.equal(added.endpoints[0]?.apiKey, KEY_A);
      assert.equal(added.description, 'typed on a terminal');
    });

    it('asks for a typed URL on a terminal and asks again when it is not usable', async () => {
      const session = new PtySession(['add', 'typed', '--api-key', KEY_B, '-d', ''], home.env);
      try {
        await session.expect('Other: type a base URL');
        session.press('\u001b[A'); // up from the first item wraps to "Other"
        await session.expect('❯ Other: type a base URL');
        session.press('\r');
        await session.expect('Base URL');
        session.send('ftp://nope.example.com');
        await session.expect('is not a usable base URL');
        // Clear the rejected answer before typing the right one.
        session.press('\u0015');
        session.send('https://typed.example.com/');
        assert.equal(await session.exited, 0, session.screen);
      } finally {
        session.kill();
      }
      assert.equal((await profile('typed')).endpoints[0]?.baseUrl, 'https://typed.example.com');
    });

    it('takes Ctrl-C at a prompt as a cancel: one line, exit 130, nothing written', async () => {
      const session = new PtySession(['add', 'halfway', '--base-url', 'https://relay.example.com'], home.env);
      try {
        await session.expect('API key');
        session.press('\u0003');
        assert.equal(await session.exited, 130, session.screen);
      } finally {
        session.kill();
      }
      assert.match(session.screen, /✗ cancelled\n$/);
      assert.doesNotMatch(session.screen, /\n\s+at /);
      await assert.rejects(readdir(home.qccHome), { code: 'ENOENT' });
    });

    it('refuses bad input with one line, a non-zero exit and config.json unchanged', async () => {
      assert.equal((await qcc('add', 'taken', '--base-url', 'https://a.example.com', '--api-key', KEY_A)).code, 0);
      const before = await snapshot(configFile);
      const cases: [string[], RegExp][] = [
        [['add', 'x', '--base-url', 'ftp://files.example.com', '--api-key', KEY_B], /'ftp:\/\/files\.example\.com' is not a usable base URL/],
        [['add', 'x', '--base-url', 'not a url', '--api-key', KEY_B], /'not a url' is not a usable base URL/],
        [['add', 'x', '--base-url', 'https://relay.example.com/?key=1', '--api-key', KEY_B], /is not a usable base URL/],
        [['add', 'x', '--base-url', `https://user:${KEY_C}@relay.example.com`, '--api-key', KEY_B], /'https:\/\/…@relay\.example\.com' is not a usable base URL/],
        [['add', 'taken', '--base-url', 'https://b.example.com', '--api-key', KEY_B], /a profile named 'taken' already exists — pick another name, or `qcc remove taken` first/],
        [['add', '-bad', '--base-url', 'https://b.example.com', '--api-key', KEY_B], /unknown option|not a valid profile name/],
        [['add', 'bad name', '--base-url', 'https://b.example.com', '--api-key', KEY_B], /'bad name' is not a valid profile name/],
        [['add', 'x', '--vendor', 'deepsek', '--api-key', KEY_B], /unknown vendor 'deepsek' \(deepseek\?\) — `qcc vendors` lists them/],
        [['add', 'x', '--vendor', 'deepseek', '--base-url', 'https://b.example.com', '--api-key', KEY_B], /--vendor and --base-url cannot be used together/],
        [['add', 'x', '--base-url', 'https://b.example.com'], /API key is missing and there is no terminal to ask — pass --api-key KEY/],
        [['add', 'x', '--api-key', KEY_B], /Base URL is missing and there is no terminal to ask — pass --base-url URL \(or --vendor ID\)/],
        [['add', 'x', '--base-url', 'https://b.example.com', '--api-key', '   '], /the API key is empty/],
        [['add', 'x', '--base-url', 'https://b.example.com', '--api-key', KEY_B, '--auth-style', 'basic'], /^✗ invalid value 'basic' for --auth-style — choose one of bearer, x-api-key\n$/],
      ];
      for (const [args, message] of cases) {
        assertOneLineError(await qcc(...args), message);
      }
      await assertUnchanged(before);
    });

    it('lands every one of several concurrent runs (no lost update)', async () => {
      const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
      const results = await Promise.all(
        names.map((name, index) => qcc('add', name, '--base-url', `https://r${index}.example.com`, '--api-key', `${KEY_A}-${index}`)),
      );
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const config = await stored();
      assert.deepEqual(config.profiles.map((entry) => entry.name).sort(), names);
      assert.equal(new Set(config.profiles.map((entry) => entry.endpoints[0]?.id)).size, names.length, 'endpoint ids stay unique');
      assert.ok(names.includes(config.defaultProfile ?? ''), 'exactly one of them became the default');
      const leftovers = (await readdir(home.qccHome)).filter((name) => name !== 'config.json');
      assert.deepEqual(leftovers, [], 'no lock or temporary file is left behind');
    });
  });

  describe('qcc edit', () => {
    beforeEach(async () => {
      assert.equal((await qcc('add', 'relay', '--base-url', 'https://relay.example.com', '--api-key', KEY_A, '-d', 'old')).code, 0);
    });

    it('changes URL, key, auth style and description from flags', async () => {
      const result = await qcc('edit', 'relay', '--base-url', 'https://new.example.com/v2/', '--api-key', KEY_B, '--auth-style', 'x-api-key', '-d', 'new');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Profile 'relay' updated/);
      const edited = await profile('relay');
      assert.equal(edited.description, 'new');
      assert.deepEqual(
        { baseUrl: edited.endpoints[0]?.baseUrl, apiKey: edited.endpoints[0]?.apiKey, authStyle: edited.endpoints[0]?.authStyle },
        { baseUrl: 'https://new.example.com/v2', apiKey: KEY_B, authStyle: 'x-api-key' },
      );
    });

    it('asks on a terminal, and Enter at the key prompt keeps the old key', async () => {
      const session = new PtySession(['edit', 'relay'], home.env);
      try {
        await session.expect('Description (optional)');
        session.press('\u0015');
        session.send('edited');
        await session.expect('Base URL');
        session.send('');
        await session.expect('Enter keeps sk-pro…d8b5');
        session.send('');
        assert.equal(await session.exited, 0, session.screen);
      } finally {
        session.kill();
      }
      const edited = await profile('relay');
      assert.equal(edited.description, 'edited');
      assert.equal(edited.endpoints[0]?.baseUrl, 'https://relay.example.com');
      assert.equal(edited.endpoints[0]?.apiKey, KEY_A);
    });

    it("changes only a cluster's description, and says where its endpoints are changed", async () => {
      await writeJson(configFile, configWithCluster({ a: KEY_A, b: KEY_B }));
      const before = await snapshot(configFile);
      assertOneLineError(
        await qcc('edit', 'prod', '--api-key', KEY_C),
        /'prod' is a cluster: `qcc edit` changes only its description — change its endpoints with `qcc endpoint set\|add\|remove prod`/,
        2,
      );
      await assertUnchanged(before);
      assert.equal((await qcc('edit', 'prod', '-d', 'renamed')).code, 0);
      assert.equal((await profile('prod')).description, 'renamed');

      // A key changed in a source profile reaches the cluster's endpoint reused from it.
      const edited = await qcc('edit', 'a', '--api-key', KEY_C);
      assert.match(edited.stdout, /clusters reusing it follow: prod/);
      assert.equal((await profile('prod')).endpoints[0]?.apiKey, KEY_C);
    });

    it('refuses an unknown profile, a bad URL and a missing terminal, leaving config.json unchanged', async () => {
      const before = await snapshot(configFile);
      assertOneLineError(await qcc('edit', 'nope', '-d', 'x'), /profile 'nope' not found — `qcc list` shows your profiles/, 3);
      assertOneLineError(await qcc('edit', 'relay', '--base-url', 'mailto:x@example.com'), /is not a usable base URL/);
      assertOneLineError(await qcc('edit', 'relay'), /what to change is missing and there is no terminal to ask — pass --base-url/);
      await assertUnchanged(before);
    });
  });

  describe('qcc list and qcc show', () => {
    it('says how to start when there is nothing yet', async () => {
      const result = await qcc('list');
      assert.equal(result.code, 0);
      assert.match(result.stdout, /No profiles yet\. Add one: qcc add NAME/);
      assert.deepEqual(JSON.parse((await qcc('list', '--json')).stdout), []);
    });

    it('marks the default and the active profile, and masks keys with and without --json', async () => {
      await writeJson(configFile, configWithCluster({ a: KEY_A, b: KEY_B }));
      assert.equal((await qcc('use', 'b', '--no-launch')).code, 0);
      const list = await qcc('list');
      assert.equal(list.code, 0, list.stderr);
      const lines = list.stdout.split('\n');
      assert.match(lines[0] ?? '', /NAME\s+DESCRIPTION\s+BASE URL \/ ENDPOINTS\s+LAST USED/);
      assert.match(list.stdout, /⭐\s+a\s+first\s+https:\/\/a\.example\.com\s+never/);
      assert.match(list.stdout, /\n\s+b ▶\s+second\s+https:\/\/b\.example\.com\s+just now/);
      assert.match(list.stdout, /prod\s+both\s+cluster: 2 endpoints \(1 primary, 1 secondary, 0 fallback\)/);
      assert.match(list.stdout, /⭐ default {3}▶ active/);
      // Columns line up as a terminal shows them: ⭐ takes two columns, ▶ one.
      const columnOf = (line: string, text: string): number => {
        const before = line.slice(0, line.indexOf(text));
        return [...before].reduce((width, char) => width + (char === '⭐' ? 2 : 1), 0);
      };
      const rows = lines.slice(1, 4);
      assert.deepEqual(
        rows.map((line, index) => columnOf(line, ['first', 'second', 'both'][index] ?? '')),
        rows.map(() => columnOf(lines[0] ?? '', 'DESCRIPTION')),
        lines.join('\n'),
      );

      const json = JSON.parse((await qcc('list', '--json')).stdout) as {
        name: string;
        default: boolean;
        active: boolean;
        kind: string;
        lastUsedAt: string | null;
        endpoints: { apiKey: string; source: string | null }[];
      }[];
      assert.deepEqual(
        json.map((entry) => [entry.name, entry.kind, entry.default, entry.active]),
        [
          ['a', 'profile', true, false],
          ['b', 'profile', false, true],
          ['prod', 'cluster', false, false],
        ],
      );
      assert.equal(json[0]?.endpoints[0]?.apiKey, 'sk-pro…d8b5');
      assert.equal(json[2]?.endpoints[1]?.apiKey, 'sk-pro…f4a3');
      assert.equal(json[2]?.endpoints[1]?.source, 'b');
      assert.equal(json[0]?.lastUsedAt, null);
      assert.ok(json[1]?.lastUsedAt);

      const show = await qcc('show', 'prod');
      assert.equal(show.code, 0, show.stderr);
      assert.match(show.stdout, /^prod\n/);
      assert.match(show.stdout, /Kind: cluster/);
      assert.match(show.stdout, /Description: both/);
      assert.match(show.stdout, /cccc0002 {2}https:\/\/b\.example\.com {2}API key: sk-pro…f4a3 \(x-api-key\) {2}w=100 p=2 {2}← b/);
      const shown = JSON.parse((await qcc('show', 'a', '--json')).stdout) as { name: string; default: boolean; endpoints: { apiKey: string }[] };
      assert.equal(shown.name, 'a');
      assert.equal(shown.default, true);
      assert.equal(shown.endpoints[0]?.apiKey, 'sk-pro…d8b5');
      assertOneLineError(await qcc('show', 'nope'), /profile 'nope' not found/, 3);
      assertOneLineError(await qcc('show', 'nope', '--json'), /profile 'nope' not found/, 3);
    });
  });

  describe('qcc default', () => {
    it('shows, sets and refuses an unknown default', async () => {
      assert.match((await qcc('default')).stdout, /No default profile\. Set one: qcc default NAME/);
      await qcc('add', 'a', '--base-url', 'https://a.example.com', '--api-key', KEY_A);
      await qcc('add', 'b', '--base-url', 'https://b.example.com', '--api-key', KEY_B);
      assert.equal((await qcc('default')).stdout, 'a\n');
      const set = await qcc('default', 'b');
      assert.equal(set.code, 0);
      assert.match(set.stdout, /'b' is now the default profile/);
      assert.equal((await stored()).defaultProfile, 'b');
      const before = await snapshot(configFile);
      assertOneLineError(await qcc('default', 'zzz'), /profile 'zzz' not found/, 3);
      await assertUnchanged(before);
    });
  });

  describe('qcc remove', () => {
    beforeEach(async () => {
      await qcc('add', 'a', '--base-url', 'https://a.example.com', '--api-key', KEY_A);
      await qcc('add', 'b', '--base-url', 'https://b.example.com', '--api-key', KEY_B);
    });

    it('removes with --yes and says when the default is gone', async () => {
      const result = await qcc('remove', 'a', '--yes');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Removed 'a'/);
      assert.match(result.stdout, /There is no default profile now/);
      const config = await stored();
      assert.deepEqual(config.profiles.map((entry) => entry.name), ['b']);
      assert.equal(config.defaultProfile, null);
      assert.equal((await qcc('rm', 'b', '-y')).code, 0, 'rm and -y work too');
      assert.deepEqual((await stored()).profiles, []);
    });

    it('asks on a terminal: no keeps the profile, yes removes it', async () => {
      const keep = new PtySession(['remove', 'a'], home.env);
      try {
        await keep.expect("Remove 'a'?");
        keep.send('n');
        assert.equal(await keep.exited, 0, keep.screen);
      } finally {
        keep.kill();
      }
      assert.match(keep.screen, /Nothing removed\./);
      assert.deepEqual((await stored()).profiles.map((entry) => entry.name), ['a', 'b']);

      const remove = new PtySession(['remove', 'a'], home.env);
      try {
        await remove.expect("Remove 'a'?");
        remove.send('y');
        assert.equal(await remove.exited, 0, remove.screen);
      } finally {
        remove.kill();
      }
      assert.match(remove.screen, /Removed 'a'/);
      assert.deepEqual((await stored()).profiles.map((entry) => entry.name), ['b']);
    });

    it('refuses without --yes when there is no terminal, and refuses an unknown profile', async () => {
      const before = await snapshot(configFile);
      assertOneLineError(await qcc('remove', 'a'), /confirmation is missing and there is no terminal to ask — pass --yes/, 2);
      assertOneLineError(await qcc('remove', 'zzz', '--yes'), /profile 'zzz' not found/, 3);
      await assertUnchanged(before);
    });

    it('refuses a profile that a cluster or a priority group uses, unless --force', async () => {
      await writeJson(configFile, configWithCluster({ a: KEY_A, b: KEY_B }));
      const before = await snapshot(configFile);
      assertOneLineError(
        await qcc('remove', 'b', '--yes'),
        /profile 'b' is used by cluster 'prod' \(1 endpoint\), priority group primary — pass --force to remove it anyway/,
        4,
      );
      assertOneLineError(await qcc('remove', 'a', '--yes'), /profile 'a' is used by cluster 'prod' \(1 endpoint\) — pass --force/, 4);
      // Refused before asking for confirmation: the one line names --force, not --yes.
      assertOneLineError(await qcc('remove', 'a'), /pass --force/, 4);
      await assertUnchanged(before);

      const forced = await qcc('remove', 'b', '--force', '--yes');
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stdout, /cluster 'prod' keeps working with the last URL and key of 'b'/);
      assert.match(forced.stdout, /left priority group\(s\): primary/);
      const config = await stored();
      assert.deepEqual(config.profiles.map((entry) => entry.name), ['a', 'prod']);
      assert.deepEqual(config.priorityGroups.primary, []);
      const kept = config.profiles.find((entry) => entry.name === 'prod')?.endpoints[1];
      assert.deepEqual({ baseUrl: kept?.baseUrl, apiKey: kept?.apiKey }, { baseUrl: 'https://b.example.com', apiKey: KEY_B });

      // A removed cluster frees its sources.
      assert.equal((await qcc('remove', 'prod', '--yes')).code, 0);
      assert.equal((await qcc('remove', 'a', '--yes')).code, 0);
    });
  });

  describe('qcc vendors', () => {
    it('lists the built-in providers with base URL and signup page, also as JSON', async () => {
      const result = await qcc('vendors');
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^ID\s+NAME\s+Base URL\s+SIGN UP/);
      assert.match(result.stdout, /deepseek\s+DeepSeek\s+https:\/\/api\.deepseek\.com\/anthropic\s+https:\/\/platform\.deepseek\.com/);
      assert.match(result.stdout, /Add one: qcc add NAME --vendor ID --api-key KEY/);
      const json = JSON.parse((await qcc('vendors', '--json')).stdout) as { id: string; baseUrl: string; signupUrl: string }[];
      assert.ok(json.some((vendor) => vendor.id === 'anthropic' && vendor.baseUrl === 'https://api.anthropic.com'));
      for (const vendor of json) assert.match(vendor.baseUrl, /^https:\/\//);
    });
  });
});
