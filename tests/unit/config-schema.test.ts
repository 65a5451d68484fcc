import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { migrate } from '../../src/config/migrate.js';
import { CONFIG_VERSION, configSchema, emptyConfig } from '../../src/config/schema.js';
import { settingEntries } from '../../src/config/setting-keys.js';
import { validateConfig } from '../../src/config/validate.js';

const endpoint = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  baseUrl: 'https://relay.example.com',
  apiKey: 'sk-unit-test-key',
  ...extra,
});
const profile = (name: string, endpoints: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  endpoints,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

function problemsOf(file: unknown): string[] {
  const result = validateConfig(file);
  assert.equal(result.ok, false, 'the file is refused');
  return result.ok ? [] : result.problems;
}

describe('config schema', () => {
  it('fills every default of an empty file, with the policy of seed 003', () => {
    const config = emptyConfig();
    assert.equal(config.version, CONFIG_VERSION);
    assert.deepEqual(config.profiles, []);
    assert.equal(config.defaultProfile, null);
    assert.equal(config.activeProfile, null);
    assert.deepEqual(config.priorityGroups, { primary: [], secondary: [], fallback: [] });
    assert.equal(config.settings.proxy.host, '127.0.0.1');
    assert.equal(config.settings.proxy.port, 7860);
    assert.equal(config.settings.proxy.maxBodyBytes, 32 * 1024 * 1024);
    assert.equal(config.settings.proxy.maxAttempts, 4);
    assert.equal(config.settings.proxy.retryBudgetPercent, 20);
    assert.equal(config.settings.queue.holdTimeoutMs, 120_000);
    assert.equal(config.settings.loadbalancer.strategy, 'weighted');
    assert.deepEqual(
      {
        autoFailover: config.settings.failover.autoFailover,
        autoRecovery: config.settings.failover.autoRecovery,
        failureThreshold: config.settings.failover.failureThreshold,
        successThreshold: config.settings.failover.successThreshold,
        checkIntervalMs: config.settings.failover.checkIntervalMs,
        cooldownMs: config.settings.failover.cooldownMs,
        recoveryDelayMs: config.settings.failover.recoveryDelayMs,
        notifyOnFailover: config.settings.failover.notifyOnFailover,
        notifyOnRecovery: config.settings.failover.notifyOnRecovery,
        maxFailoversPerHour: config.settings.failover.maxFailoversPerHour,
      },
      {
        autoFailover: true,
        autoRecovery: false,
        failureThreshold: 3,
        successThreshold: 3,
        checkIntervalMs: 60_000,
        cooldownMs: 300_000,
        recoveryDelayMs: 600_000,
        notifyOnFailover: true,
        notifyOnRecovery: true,
        maxFailoversPerHour: 10,
      },
    );
  });

  it('fills endpoint and profile defaults', () => {
    const result = validateConfig({ version: 1, profiles: [profile('a', [endpoint('0000000a')])] });
    assert.ok(result.ok);
    const [only] = result.value.profiles;
    assert.equal(only?.kind, 'profile');
    assert.equal(only?.description, '');
    assert.deepEqual(only?.endpoints[0], {
      id: '0000000a',
      baseUrl: 'https://relay.example.com',
      apiKey: 'sk-unit-test-key',
      authStyle: 'bearer',
      weight: 100,
      priority: 1,
      enabled: true,
    });
  });

  it('reports every shape problem at once, each as dot.path: message', () => {
    const problems = problemsOf({
      version: 1,
      colour: 'blue',
      profiles: [
        profile('ok', [endpoint('0000000a', { baseUrl: 'ftp://x.example.com', weight: 1001, priority: 4, authStyle: 'basic' })]),
        profile('bad name!', [endpoint('XYZ')], { createdAt: 'yesterday' }),
      ],
      settings: { proxy: { port: 0 }, loadbalancer: { strategy: 'fastest' }, extra: {} },
    });
    const paths = problems.map((problem) => problem.slice(0, problem.indexOf(': ')));
    for (const path of [
      'profiles.0.endpoints.0.baseUrl',
      'profiles.0.endpoints.0.weight',
      'profiles.0.endpoints.0.priority',
      'profiles.0.endpoints.0.authStyle',
      'profiles.1.name',
      'profiles.1.endpoints.0.id',
      'profiles.1.createdAt',
      'settings.proxy.port',
      'settings.loadbalancer.strategy',
    ]) {
      assert.ok(paths.includes(path), `${path} in ${problems.join('\n')}`);
    }
    assert.ok(problems.some((problem) => /colour/.test(problem)), 'an unknown top-level key is a problem');
    assert.ok(problems.some((problem) => problem.startsWith('settings: ') && /extra/.test(problem)), 'an unknown group is a problem');
    assert.ok(problems.includes('profiles.0.endpoints.0.baseUrl: must be an http:// or https:// URL'));
    assert.ok(problems.includes('profiles.1.endpoints.0.id: must be 8 lowercase hex digits'));
  });

  it('checks what one field cannot: unique names and ids, plain profiles with one endpoint, names that exist', () => {
    const problems = problemsOf({
      version: 1,
      defaultProfile: 'ghost',
      activeProfile: 'phantom',
      profiles: [
        profile('a', [endpoint('0000000a')]),
        profile('a', [endpoint('0000000a')]),
        profile('two', [endpoint('0000000b'), endpoint('0000000c')]),
        profile('none', []),
        profile('cluster', [endpoint('0000000d'), endpoint('0000000e')], { kind: 'cluster' }),
      ],
      priorityGroups: { primary: ['a', 'nobody'], secondary: ['a'] },
    });
    assert.deepEqual(problems.sort(), [
      'activeProfile: no profile named "phantom"',
      'defaultProfile: no profile named "ghost"',
      'priorityGroups.primary.1: no profile named "nobody"',
      'priorityGroups.secondary.0: "a" is already in another group',
      'profiles.1.endpoints.0.id: duplicate endpoint id "0000000a"',
      'profiles.1.name: duplicate name "a"',
      'profiles.2.endpoints: a plain profile has exactly one endpoint',
      'profiles.3.endpoints: a plain profile has exactly one endpoint',
    ]);
  });

  it('needs the version, and migrates a file without one as the current version', () => {
    assert.ok(problemsOf({}).some((problem) => problem.startsWith('version: ')));
    assert.ok(problemsOf({ version: 0 }).some((problem) => problem.startsWith('version: ')));
    assert.deepEqual(migrate({ profiles: [] }), { kind: 'ok', file: { profiles: [], version: CONFIG_VERSION } });
    assert.deepEqual(migrate({ version: CONFIG_VERSION + 1 }), { kind: 'too-new', found: CONFIG_VERSION + 1 });
    assert.deepEqual(migrate('not an object'), { kind: 'ok', file: 'not an object' });
  });

  it('generates a JSON Schema that carries every setting with its default and English description', () => {
    const schema = z.toJSONSchema(configSchema, { io: 'input' }) as unknown as {
      required: string[];
      additionalProperties: boolean;
      properties: { settings: { properties: Record<string, { properties: Record<string, { default: unknown; description: string }> }> } };
    };
    assert.deepEqual(schema.required, ['version']);
    assert.equal(schema.additionalProperties, false);
    for (const entry of settingEntries) {
      const property = schema.properties.settings.properties[entry.group]?.properties[entry.name];
      assert.ok(property, `${entry.key} is in the JSON Schema`);
      assert.deepEqual(property.default, entry.spec.default, entry.key);
      assert.equal(property.description, entry.spec.description.en, entry.key);
    }
  });
});

describe('setting descriptions', () => {
  it('exist in English and Chinese for every setting, with the unit in both', () => {
    for (const { key, spec } of settingEntries) {
      assert.ok(spec.description.en.length > 10, key);
      assert.match(spec.description.zh, /[\u4e00-\u9fff]/, `${key} has a Chinese description`);
      if (spec.kind === 'duration') {
        assert.match(spec.description.en, /\(milliseconds\)$/, key);
        assert.match(spec.description.zh, /（毫秒）$/, key);
      }
      if (spec.kind === 'bytes') assert.match(spec.description.zh, /（字节）$/, key);
    }
  });
});
