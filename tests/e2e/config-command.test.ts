import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertNoSecret, assertOneLineError, assertUnchanged, modeOf, readJson, snapshot } from '../helpers/assertions.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { configWithCluster, writeJson } from '../helpers/config-files.js';
import { schemaProblems } from '../helpers/json-schema.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const KEY_A = 'sk-config-test-alpha-4e8b2d6f0a1c97';
const KEY_B = 'sk-config-test-bravo-7c1a9e3d5b8f20';
const PROXY_KEY = 'qcc-proxy-secret-5d2f8b0e6a4c13';
const COMMITTED_SCHEMA = new URL('../../../schema/config.schema.json', import.meta.url);

interface StoredConfig {
  profiles: { name: string; endpoints: { id: string; apiKey?: string }[] }[];
  settings: Record<string, Record<string, unknown>>;
}

describe('qcc config', () => {
  let home: TempHome;
  let configFile: string;
  const outputs: CliResult[] = [];
  const qcc = async (...args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env: home.env });
    outputs.push(result);
    return result;
  };
  const stored = async (): Promise<StoredConfig> => (await readJson(configFile)) as StoredConfig;

  beforeEach(async () => {
    home = await makeTempHome();
    configFile = join(home.qccHome, 'config.json');
    outputs.length = 0;
  });
  afterEach(async () => {
    for (const result of outputs) assertNoSecret(result, KEY_A, KEY_B, PROXY_KEY);
    await home.cleanup();
  });

  describe('get, set, list, reset', () => {
    it('reads defaults, as text and as JSON', async () => {
      assert.equal((await qcc('config', 'get', 'proxy.port')).stdout, '7860\n');
      assert.equal((await qcc('config', 'get', 'proxy.connectTimeoutMs')).stdout, '10000 (10s)\n');
      assert.equal((await qcc('config', 'get', 'proxy.maxBodyBytes')).stdout, '33554432 (32 MiB)\n');
      assert.equal((await qcc('config', 'get', 'proxy.proxyKey')).stdout, '(not set)\n');
      assert.deepEqual(JSON.parse((await qcc('config', 'get', 'loadbalancer.strategy', '--json')).stdout), {
        key: 'loadbalancer.strategy',
        value: 'weighted',
        default: 'weighted',
      });
    });

    it('parses each kind of value, stores it, and masks a secret', async () => {
      const cases: [string, string, unknown, RegExp][] = [
        ['proxy.port', '7999', 7999, /✓ proxy\.port = 7999\n.*qcc proxy restart/s],
        ['proxy.firstByteTimeoutMs', '90s', 90_000, /= 90000 \(90s\)/],
        ['queue.holdTimeoutMs', '2m', 120_000, /= 120000 \(2m\)/],
        ['proxy.maxBodyBytes', '64MiB', 64 * 1024 * 1024, /= 67108864 \(64 MiB\)/],
        ['proxy.retryBudgetPercent', '25%', 25, /= 25/],
        ['loadbalancer.sticky', 'off', false, /= false/],
        ['failover.autoRecovery', 'yes', true, /= true/],
        ['loadbalancer.strategy', 'least-latency', 'least-latency', /= least-latency/],
        ['failover.webhookUrl', 'https://hooks.example.com/qcc', 'https://hooks.example.com/qcc', /= https:\/\/hooks\.example\.com\/qcc/],
        ['proxy.proxyKey', PROXY_KEY, PROXY_KEY, /= qcc-pr…4c13/],
      ];
      for (const [key, raw, value, shown] of cases) {
        const result = await qcc('config', 'set', key, raw);
        assert.equal(result.code, 0, `${key}: ${result.stderr}`);
        assert.match(result.stdout, shown);
        const [group = '', name = ''] = key.split('.');
        assert.deepEqual((await stored()).settings[group]?.[name], value, key);
      }
      assert.equal(await modeOf(configFile), 0o600);
      assert.equal((await qcc('config', 'get', 'proxy.proxyKey')).stdout, 'qcc-pr…4c13\n');
      assert.equal(JSON.parse((await qcc('config', 'get', 'proxy.proxyKey', '--json')).stdout).value, 'qcc-pr…4c13');
      assert.equal((await qcc('config', 'set', 'failover.webhookUrl', '')).code, 0, 'an empty value unsets an optional setting');
      assert.equal((await stored()).settings.failover?.webhookUrl, null);
    });

    it('refuses unknown keys (suggesting the closest) and bad values with one line, config.json unchanged', async () => {
      assert.equal((await qcc('config', 'set', 'proxy.port', '7000')).code, 0);
      const before = await snapshot(configFile);
      const cases: [string[], RegExp][] = [
        [['config', 'set', 'proxy.prot', '1'], /unknown setting 'proxy\.prot' \(proxy\.port\?\) — `qcc config list` shows every setting/],
        [['config', 'get', 'porxy.port'], /unknown setting 'porxy\.port' \(proxy\.port\?\)/],
        [['config', 'get', 'port'], /unknown setting 'port' \(proxy\.port\?\)/],
        [['config', 'reset', 'strategy'], /unknown setting 'strategy' \(loadbalancer\.strategy\?\)/],
        [['config', 'set', 'nothing.like.it', '1'], /^✗ unknown setting 'nothing\.like\.it' — `qcc config list`/],
        [['config', 'set', 'proxy.port', '0'], /invalid value for proxy\.port: .*1/],
        [['config', 'set', 'proxy.port', '65536'], /invalid value for proxy\.port: .*65535/],
        [['config', 'set', 'proxy.port', 'eighty'], /invalid value for proxy\.port: expected a whole number/],
        [['config', 'set', 'proxy.connectTimeoutMs', '5 minutes'], /invalid value for proxy\.connectTimeoutMs: expected a duration such as/],
        [['config', 'set', 'proxy.maxBodyBytes', '12 parsecs'], /invalid value for proxy\.maxBodyBytes: expected a size such as/],
        [['config', 'set', 'loadbalancer.sticky', 'maybe'], /invalid value for loadbalancer\.sticky: expected true or false/],
        [['config', 'set', 'loadbalancer.strategy', 'fastest'], /invalid value for loadbalancer\.strategy: expected one of: weighted, round-robin/],
        [['config', 'set', 'failover.webhookUrl', 'ftp://hooks.example.com'], /invalid value for failover\.webhookUrl: must be an http:\/\/ or https:\/\/ URL/],
        [['config', 'set', 'proxy.proxyKey', 'short'], /invalid value for proxy\.proxyKey/],
        [['config', 'set', 'proxy.port'], /^✗ missing argument <value> — `qcc config set --help` shows how to call it\n$/],
      ];
      for (const [args, message] of cases) assertOneLineError(await qcc(...args), message);
      await assertUnchanged(before);
    });

    it('lists every setting with value, a mark when changed, and what it is for', async () => {
      await qcc('config', 'set', 'health.failureThreshold', '5');
      await qcc('config', 'set', 'proxy.proxyKey', PROXY_KEY);
      const list = await qcc('config', 'list');
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^KEY\s+VALUE\s+DESCRIPTION\n/);
      assert.match(list.stdout, /\nproxy\.port\s+7860\s+port the gateway listens on\n/);
      assert.match(list.stdout, /\nhealth\.failureThreshold\s+5\s+\*\s+consecutive failures that open an endpoint breaker\n/);
      assert.match(list.stdout, /\nproxy\.proxyKey\s+qcc-pr…4c13\s+\*/);
      assert.match(list.stdout, /\nqueue\.holdTimeoutMs\s+120000 \(2m\)\s+how long a request waits .* \(milliseconds\)\n/);

      const json = JSON.parse((await qcc('config', 'list', '--json')).stdout) as { key: string; value: unknown; default: unknown; kind: string; description: string }[];
      const keys = json.map((entry) => entry.key);
      for (const group of ['proxy', 'health', 'queue', 'loadbalancer', 'failover']) {
        assert.ok(keys.some((key) => key.startsWith(`${group}.`)), `a ${group}.* setting is listed`);
      }
      assert.equal(new Set(keys).size, keys.length);
      assert.deepEqual(json.find((entry) => entry.key === 'health.failureThreshold'), {
        key: 'health.failureThreshold',
        value: 5,
        default: 3,
        kind: 'int',
        description: 'consecutive failures that open an endpoint breaker',
      });
      assert.equal(json.find((entry) => entry.key === 'proxy.proxyKey')?.value, 'qcc-pr…4c13');
      // Every listed key can be read back on its own.
      for (const key of keys.slice(0, 3)) assert.equal((await qcc('config', 'get', key)).code, 0);
    });

    it('resets one setting, or all of them', async () => {
      await qcc('config', 'set', 'proxy.port', '7001');
      await qcc('config', 'set', 'failover.cooldownMs', '1m');
      const one = await qcc('config', 'reset', 'proxy.port');
      assert.equal(one.code, 0);
      assert.match(one.stdout, /✓ proxy\.port = 7860/);
      assert.equal((await stored()).settings.proxy?.port, 7860);
      assert.equal((await stored()).settings.failover?.cooldownMs, 60_000);
      const all = await qcc('config', 'reset');
      assert.match(all.stdout, /Every setting is back to its default/);
      assert.equal((await stored()).settings.failover?.cooldownMs, 300_000);
    });
  });

  describe('export and import', () => {
    beforeEach(async () => {
      await writeJson(configFile, configWithCluster({ a: KEY_A, b: KEY_B }));
      assert.equal((await qcc('config', 'set', 'proxy.proxyKey', PROXY_KEY)).code, 0);
      assert.equal((await qcc('config', 'set', 'health.failureThreshold', '4')).code, 0);
    });

    it('leaves keys out of an export unless --include-secrets, and writes it privately', async () => {
      const plain = join(home.root, 'export.json');
      const result = await qcc('config', 'export', plain);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Configuration written to .*export\.json/);
      assert.match(result.stdout, /API keys were left out; `--include-secrets` includes them\./);
      const text = await readFile(plain, 'utf8');
      assertNoSecret(text, KEY_A, KEY_B, PROXY_KEY);
      const exported = JSON.parse(text) as StoredConfig;
      assert.deepEqual(exported.profiles.map((profile) => profile.name), ['a', 'b', 'prod']);
      for (const profile of exported.profiles) for (const endpoint of profile.endpoints) assert.equal(endpoint.apiKey, undefined);
      assert.equal(exported.settings.proxy?.proxyKey, null);
      assert.equal(exported.settings.health?.failureThreshold, 4);
      assert.equal(await modeOf(plain), 0o600);

      const full = join(home.root, 'full.json');
      const withSecrets = await qcc('config', 'export', full, '--include-secrets');
      assert.match(withSecrets.stdout, /It contains API keys: keep it private\./);
      assert.deepEqual(await readJson(full), await readJson(configFile));
      assert.equal(await modeOf(full), 0o600);
    });

    it('imports an export without secrets back, taking the keys from the current configuration, with a backup', async () => {
      const file = join(home.root, 'export.json');
      await qcc('config', 'export', file);
      const exported = (await readJson(file)) as StoredConfig & { defaultProfile: string };
      await writeJson(file, { ...exported, defaultProfile: 'b', settings: { ...exported.settings, queue: { holdTimeoutMs: 5000 } } });
      const old = await readFile(configFile);

      const result = await qcc('config', 'import', file);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Previous configuration saved as .*backups\/config\..*\.json/);
      assert.match(result.stdout, /Imported .*export\.json \(3 profiles\)/);
      const now = (await readJson(configFile)) as StoredConfig & { defaultProfile: string };
      assert.equal(now.defaultProfile, 'b');
      assert.equal(now.settings.queue?.holdTimeoutMs, 5000);
      assert.equal(now.settings.proxy?.proxyKey, PROXY_KEY, 'the proxy key comes back too');
      assert.deepEqual(
        now.profiles.flatMap((profile) => profile.endpoints.map((endpoint) => endpoint.apiKey)),
        [KEY_A, KEY_B, KEY_A, KEY_B],
      );
      const [backup = '', ...more] = (await readdir(join(home.qccHome, 'backups'))).filter((name) => name.startsWith('config.'));
      assert.deepEqual(more, []);
      assert.deepEqual(await readFile(join(home.qccHome, 'backups', backup)), old, 'the backup is the old file, byte for byte');
      assert.equal(await modeOf(join(home.qccHome, 'backups', backup)), 0o600);
    });

    it('checks everything before writing: an invalid import lists every problem as dot.path: message', async () => {
      const file = join(home.root, 'bad.json');
      await writeJson(file, {
        version: 1,
        defaultProfile: 'ghost',
        profiles: [
          {
            name: 'ok',
            endpoints: [{ id: 'aaaa0001', baseUrl: 'ftp://a.example.com', apiKey: KEY_A, weight: 0 }],
            createdAt: '2026-01-01T00:00:00.000Z',
          },
          {
            name: 'stranger',
            endpoints: [{ id: 'ffff0009', baseUrl: 'https://s.example.com' }],
            createdAt: 'yesterday',
          },
        ],
        priorityGroups: { primary: ['ok', 'nobody'] },
        settings: { proxy: { port: 'eighty', colour: 'blue' }, health: { failureThreshold: 0 } },
      });
      const before = await snapshot(configFile);
      const result = await qcc('config', 'import', file);
      assert.equal(result.code, 5);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.match(result.stderr, /^✗ .*bad\.json has \d+ problem\(s\) — fix them and try again:\n/);
      const problems = result.stderr.split('\n').slice(1).filter(Boolean).map((line) => line.trim());
      const expected = [
        /^profiles\.0\.endpoints\.0\.baseUrl: must be an http:\/\/ or https:\/\/ URL$/,
        /^profiles\.0\.endpoints\.0\.weight: .+$/,
        /^profiles\.1\.endpoints\.0\.apiKey: missing: this qcc has no key for endpoint ffff0009; export it with --include-secrets$/,
        /^profiles\.1\.createdAt: .+$/,
        /^settings\.proxy\.port: .+$/,
        /^settings\.proxy: .*colour.*$/,
        /^settings\.health\.failureThreshold: .+$/,
      ];
      for (const pattern of expected) assert.ok(problems.some((line) => pattern.test(line)), `${pattern} in:\n${problems.join('\n')}`);
      assert.equal(problems.filter((line) => line.startsWith('profiles.1.endpoints.0.apiKey')).length, 1, 'one problem per path');
      assert.match(result.stderr, /^✗ .* has (\d+) problem/);
      assert.equal(Number(/has (\d+) problem/.exec(result.stderr)?.[1]), problems.length, 'the count matches the list');
      await assertUnchanged(before);
      assert.deepEqual(await readdir(join(home.qccHome, 'backups')).catch(() => []), [], 'no backup of a refused import');
    });

    it('reports the cross-checks once the shape is right: dangling names and duplicates', async () => {
      const file = join(home.root, 'dangling.json');
      const good = configWithCluster({ a: KEY_A, b: KEY_B }) as { profiles: unknown[] };
      await writeJson(file, {
        ...good,
        defaultProfile: 'ghost',
        activeProfile: 'phantom',
        profiles: [...good.profiles, good.profiles[0]],
        priorityGroups: { primary: ['a', 'nobody'], secondary: ['a'] },
      });
      const before = await snapshot(configFile);
      const result = await qcc('config', 'import', file);
      assert.notEqual(result.code, 0);
      for (const pattern of [
        /profiles\.3\.name: duplicate name "a"/,
        /profiles\.3\.endpoints\.0\.id: duplicate endpoint id "aaaa0001"/,
        /defaultProfile: no profile named "ghost"/,
        /activeProfile: no profile named "phantom"/,
        /priorityGroups\.primary\.1: no profile named "nobody"/,
        /priorityGroups\.secondary\.0: "a" is already in another group/,
      ]) {
        assert.match(result.stderr, pattern);
      }
      await assertUnchanged(before);
    });

    it('refuses a file that is not JSON, is missing, or comes from a newer qcc, with one line', async () => {
      const before = await snapshot(configFile);
      const broken = join(home.root, 'broken.json');
      await writeFile(broken, '{\n  "version": 1,\n  "profiles": [\n}\n');
      assertOneLineError(await qcc('config', 'import', broken), /broken\.json is not valid JSON \(line 4, column 1: .+\)/, 5);
      assertOneLineError(await qcc('config', 'import', join(home.root, 'missing.json')), /cannot read .*missing\.json: ENOENT/);
      const future = join(home.root, 'future.json');
      await writeJson(future, { version: 99, profiles: [] });
      assertOneLineError(await qcc('config', 'import', future), /future\.json has version 99, newer than this qcc understands \(1\) — upgrade qcc/, 5);
      await assertUnchanged(before);
    });

    it('refuses to start from a config.json that a person broke, naming every problem', async () => {
      await writeFile(configFile, JSON.stringify({ version: 1, profiles: [{ name: '', endpoints: [] }] }));
      const result = await qcc('list');
      assert.equal(result.code, 5);
      assert.match(result.stderr, /config\.json has 2 problem\(s\) — fix them and try again:\n/);
      assert.match(result.stderr, /\n {2}profiles\.0\.name: /);
      assert.match(result.stderr, /\n {2}profiles\.0\.createdAt: /);
    });
  });

  describe('the JSON Schema of config.json', () => {
    it('is committed in schema/config.schema.json and up to date (`npm run schema` regenerates it)', async () => {
      const result = await qcc('config', 'schema');
      assert.equal(result.code, 0, result.stderr);
      const committed = await readFile(COMMITTED_SCHEMA, 'utf8');
      assert.equal(result.stdout, committed, 'schema/config.schema.json is stale: run `npm run schema`');
    });

    it('accepts a config.json that qcc wrote, and rejects one that qcc would refuse', async () => {
      const schema = JSON.parse(await readFile(COMMITTED_SCHEMA, 'utf8')) as Record<string, unknown>;
      await qcc('add', 'a', '--base-url', 'https://a.example.com', '--api-key', KEY_A, '-d', 'first');
      await qcc('add', 'b', '--vendor', 'anthropic', '--api-key', KEY_B);
      await qcc('use', 'b', '--no-launch');
      await qcc('config', 'set', 'failover.webhookUrl', 'https://hooks.example.com');
      await qcc('config', 'set', 'proxy.proxyKey', PROXY_KEY);
      const written = await readJson(configFile);
      assert.deepEqual(schemaProblems(schema, written), []);

      const broken = structuredClone(written) as { profiles: { endpoints: { weight: number; authStyle: string }[] }[]; extra?: boolean };
      broken.extra = true;
      const endpoint = broken.profiles[0]?.endpoints[0];
      assert.ok(endpoint);
      endpoint.weight = 0;
      endpoint.authStyle = 'basic';
      const problems = schemaProblems(schema, broken);
      assert.ok(problems.some((problem) => problem.startsWith('$.extra')), problems.join('\n'));
      assert.ok(problems.some((problem) => problem.includes('.weight: below 1')), problems.join('\n'));
      assert.ok(problems.some((problem) => problem.includes('.authStyle: not one of')), problems.join('\n'));
    });
  });
});
