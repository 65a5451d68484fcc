import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isQccError, QccError } from '../../src/core/errors.js';
import { addProfile } from '../../src/core/profiles.js';
import { checkConfig, loadConfig, updateConfig } from '../../src/store/config-store.js';
import { copyFilePrivately, parseJsonText, writeFileAtomically } from '../../src/store/json-file.js';
import { resolvePaths, type QccPaths } from '../../src/store/paths.js';

const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

describe('config store', () => {
  let root: string;
  let paths: QccPaths;
  let ids = 0;
  const facts = () => ({ newId: () => (ids += 1).toString(16).padStart(8, '0'), now: '2026-01-01T00:00:00.000Z' });
  const add = (name: string) => (config: Parameters<typeof addProfile>[0]) =>
    addProfile(config, { name, description: '', baseUrl: 'https://relay.example.com', apiKey: `sk-${name}`, authStyle: 'bearer' }, facts());

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'qcc-store-'));
    paths = resolvePaths({ HOME: join(root, 'home'), QCC_HOME: join(root, 'qcc') });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads a missing file as the empty configuration, without creating anything', async () => {
    const { config, exists } = await loadConfig(paths);
    assert.equal(exists, false);
    assert.deepEqual(config.profiles, []);
    await assert.rejects(stat(paths.home), { code: 'ENOENT' });
  });

  it('writes atomically into a private folder, and hands back a frozen configuration', async () => {
    const config = await updateConfig(paths, add('a'));
    assert.equal(await mode(paths.home), 0o700);
    assert.equal(await mode(paths.configFile), 0o600);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.profiles[0]?.endpoints[0]));
    const loaded = await loadConfig(paths);
    assert.equal(loaded.exists, true);
    assert.deepEqual(loaded.config, config);
    assert.deepEqual(await readdir(paths.home), ['config.json'], 'no temporary file or lock is left');
  });

  it('writes nothing when the change fails or changes nothing', async () => {
    await updateConfig(paths, add('a'));
    const before = await readFile(paths.configFile);
    await assert.rejects(updateConfig(paths, add('a')), (error: unknown) => isQccError(error, 'QCC_ERR_PROFILE_EXISTS'));
    await assert.rejects(
      updateConfig(paths, () => {
        throw new QccError('QCC_ERR_NO_PROFILES');
      }),
      (error: unknown) => isQccError(error, 'QCC_ERR_NO_PROFILES'),
    );
    assert.deepEqual(await readFile(paths.configFile), before);
    await updateConfig(paths, (config) => config);
    assert.deepEqual(await readFile(paths.configFile), before);
  });

  it('lands every change of many concurrent writers', async () => {
    const names = Array.from({ length: 25 }, (_, index) => `p${index}`);
    await Promise.all(names.map((name) => updateConfig(paths, add(name))));
    const { config } = await loadConfig(paths);
    assert.deepEqual(config.profiles.map((profile) => profile.name).sort(), [...names].sort());
  });

  it('takes over a lock left behind by a process that died', async () => {
    await mkdir(paths.home, { recursive: true });
    const lock = `${paths.configFile}.lock`;
    await mkdir(lock);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await updateConfig(paths, add('a'));
    assert.equal((await loadConfig(paths)).config.profiles.length, 1);
  });

  it('makes an existing config.json private on the next write', async () => {
    await updateConfig(paths, add('a'));
    await chmod(paths.configFile, 0o644);
    await updateConfig(paths, add('b'));
    assert.equal(await mode(paths.configFile), 0o600);
  });

  it('refuses a file that does not parse or does not validate, naming every problem', async () => {
    await mkdir(paths.home, { recursive: true });
    await writeFile(paths.configFile, '{"version": 1,');
    await assert.rejects(loadConfig(paths), (error: unknown) => isQccError(error, 'QCC_ERR_CONFIG_MALFORMED'));
    await writeFile(paths.configFile, JSON.stringify({ version: 1, defaultProfile: 5, settings: { proxy: { port: 'x' } } }));
    await assert.rejects(loadConfig(paths), (error: unknown) => {
      assert.ok(isQccError(error, 'QCC_ERR_CONFIG_INVALID'));
      assert.equal(error.params.count, 2);
      assert.match(String(error.params.problems), /^ {2}defaultProfile: .+\n {2}settings\.proxy\.port: .+$/);
      return true;
    });
    await writeFile(paths.configFile, JSON.stringify({ version: 2 }));
    await assert.rejects(loadConfig(paths), (error: unknown) => isQccError(error, 'QCC_ERR_CONFIG_VERSION'));
  });

  it("merges a caller's own problems with the schema's, one per path", () => {
    const file = { version: 1, profiles: [{ name: 'a', endpoints: [{ id: '0000000a', baseUrl: 'ftp://x' }], createdAt: 'now' }] };
    assert.throws(
      () => checkConfig(file, 'import.json', ['profiles.0.endpoints.0.apiKey: missing: no key for 0000000a']),
      (error: unknown) => {
        assert.ok(isQccError(error, 'QCC_ERR_CONFIG_INVALID'));
        const problems = String(error.params.problems).split('\n').map((line) => line.trim());
        assert.equal(problems[0], 'profiles.0.endpoints.0.apiKey: missing: no key for 0000000a');
        assert.equal(problems.filter((line) => line.startsWith('profiles.0.endpoints.0.apiKey:')).length, 1);
        assert.ok(problems.some((line) => line.startsWith('profiles.0.endpoints.0.baseUrl: ')));
        assert.ok(problems.some((line) => line.startsWith('profiles.0.createdAt: ')));
        assert.equal(error.params.count, problems.length);
        return true;
      },
    );
    assert.throws(() => checkConfig({ version: 1 }, 'import.json', ['settings.x: found by the caller']), (error: unknown) =>
      isQccError(error, 'QCC_ERR_CONFIG_INVALID'),
    );
  });
});

describe('JSON files', () => {
  const where = (text: string): string => {
    try {
      parseJsonText(text, '/x/settings.json', 'QCC_ERR_CLAUDE_SETTINGS_MALFORMED');
    } catch (error) {
      assert.ok(error instanceof QccError);
      assert.doesNotMatch(error.message, /\n/, 'the error is one line');
      return `${error.params.line}:${error.params.column} ${error.params.detail}`;
    }
    return 'parsed';
  };

  it('names the line and column of every kind of syntax error, in one line', () => {
    assert.equal(where('{"a": 1}'), 'parsed');
    assert.equal(where('\uFEFF{"a": 1}'), 'parsed', 'a byte-order mark is fine');
    assert.equal(where('{\n  "a": 1,\n}'), "3:1 Expected double-quoted property name");
    assert.equal(where('{\n  "a": 1\n  "b": 2\n}'), "3:3 Expected ',' or '}' after property value");
    assert.equal(where('{\n  "a": tru\n}'), "2:11 Unexpected token '\\n'");
    assert.equal(where('{"a": tru}'), "1:10 Unexpected token '}'");
    assert.equal(where(`{\n  "a": 'x'\n}`), "2:8 Unexpected token '''");

    assert.equal(where('{\n  "a": x\n}'), "2:8 Unexpected token 'x'");
    assert.equal(where('// comment\n{}'), "1:1 Unexpected token '/'");
    assert.equal(where('{\n"a": 1,\n"b": /* c */ 2}'), "3:6 Unexpected token '/'");
    assert.equal(where(`{\n${'  "padding": "long enough for V8 to quote only part of the text",\n'.repeat(5)}  "b": undefined\n}`), "7:8 Unexpected token 'u'");
    assert.equal(where('{"a": 1}}'), '1:9 Unexpected non-whitespace character after JSON');
    assert.equal(where('{"a": "b\nc"}'), '1:9 Bad control character in string literal');
    assert.equal(where('{\n  "a": 1'), "2:9 Expected ',' or '}' after property value");
    assert.equal(where('{\n  "a": "'), '2:9 Unterminated string');
    assert.equal(where('[\n1,\n'), '3:1 Unexpected end of JSON input');
    assert.equal(where(''), '1:1 Unexpected end of JSON input');
    assert.equal(where('\uFEFF{\n x}'), "2:2 Expected property name or '}'");
  });

  it('writes 0600, and copies privately whatever the source mode', async () => {
    const root = await mkdtemp(join(tmpdir(), 'qcc-json-'));
    try {
      const file = join(root, 'deep', 'er', 'file.json');
      await writeFileAtomically(file, '{}\n');
      assert.equal(await mode(file), 0o600);
      assert.equal(await mode(join(root, 'deep', 'er')), 0o700);
      const source = join(root, 'open.json');
      const bytes = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x31, 0x7d, 0x0d, 0x0a, 0xff]);
      await writeFile(source, bytes, { mode: 0o644 });
      await chmod(source, 0o644);
      const copy = join(root, 'backups', 'copy.json');
      await copyFilePrivately(source, copy);
      assert.equal(await mode(copy), 0o600);
      assert.deepEqual(await readFile(copy), bytes, 'byte for byte, even bytes that are not UTF-8');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('replaces a file whole, writes through a symlink, and leaves no temporary file, even when it fails', async () => {
    const root = await mkdtemp(join(tmpdir(), 'qcc-json-'));
    try {
      const real = join(root, 'dotfiles', 'settings.json');
      await mkdir(join(root, 'dotfiles'));
      await writeFile(real, '{"old":true}\n', { mode: 0o644 });
      const link = join(root, 'settings.json');
      await symlink(real, link);
      await writeFileAtomically(link, '{"new":true}\n');
      assert.ok((await lstat(link)).isSymbolicLink(), 'the link stays a link');
      assert.equal(await readFile(real, 'utf8'), '{"new":true}\n');
      assert.equal(await mode(real), 0o600);
      assert.deepEqual(await readdir(join(root, 'dotfiles')), ['settings.json'], 'no temporary file left');

      // A link whose file does not exist yet: the file is created where it points, and the link stays.
      const dangling = join(root, 'new-settings.json');
      await symlink(join('dotfiles', 'not-yet.json'), dangling);
      await writeFileAtomically(dangling, '{}\n');
      assert.ok((await lstat(dangling)).isSymbolicLink(), 'a dangling link stays a link');
      assert.equal(await readFile(join(root, 'dotfiles', 'not-yet.json'), 'utf8'), '{}\n');

      // The folder is a file: nothing can be written, and the error says which file.
      await writeFile(join(root, 'blocker'), '');
      await assert.rejects(writeFileAtomically(join(root, 'blocker', 'x.json'), '{}'), (error: unknown) => {
        assert.ok(isQccError(error, 'QCC_ERR_FILE_WRITE'));
        assert.match(error.message, /blocker\/x\.json/);
        return true;
      });
      assert.deepEqual((await readdir(root)).sort(), ['blocker', 'dotfiles', 'new-settings.json', 'settings.json']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('run as root, keeps the owner of the file it replaces (sudo qcc must not lock the user out)', { skip: process.getuid?.() !== 0 }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'qcc-json-'));
    try {
      const file = join(root, 'settings.json');
      await writeFile(file, '{}\n');
      await chown(file, 4321, 4321);
      await writeFileAtomically(file, '{"a":1}\n');
      const after = await stat(file);
      assert.deepEqual([after.uid, after.gid], [4321, 4321]);
      assert.equal(await mode(file), 0o600);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
