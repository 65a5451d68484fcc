import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TempHome } from '../helpers/temp-home.js';
import {
  EN_LABELS,
  MANUAL_KEY,
  ZH_LABELS,
  endpointLinePattern,
  gatewayReady,
  homeWithProfiles,
  masked,
  qccOk,
  readConfig,
  seedProfile,
  stopGateway,
} from './endpoint-fixture.js';

/** One home for the file: the listings only read it, and the last test (which starts the gateway) changes it. */
describe('qcc endpoint list', () => {
  let home: TempHome;
  before(async () => {
    home = await homeWithProfiles();
    await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd,88code', '--secondary', 'deepseek', '--fallback', 'ccapi']);
    // Appended last, listed with the primaries.
    await qccOk(home, ['endpoint', 'add', 'production', '-f', 'aicodewith', '-w', '50', '--priority', '1']);
    await qccOk(home, ['endpoint', 'add', 'production', '--base-url', 'https://manual.example.com', '--api-key', MANUAL_KEY, '--priority', '2']);
  });
  after(async () => {
    await stopGateway(home);
    await home.cleanup();
  });

  const rows = [
    { name: 'codecmd', weight: 100, priority: 1 },
    { name: '88code', weight: 100, priority: 1 },
    { name: 'aicodewith', weight: 50, priority: 1 },
    { name: 'deepseek', weight: 100, priority: 2 },
    { name: 'manual', weight: 100, priority: 2 },
    { name: 'ccapi', weight: 100, priority: 3 },
  ] as const;
  const endpointOf = (row: (typeof rows)[number]) =>
    row.name === 'manual'
      ? { baseUrl: 'https://manual.example.com', apiKey: MANUAL_KEY, weight: row.weight, priority: row.priority, enabled: true, source: 'manual' }
      : { ...seedProfile(row.name), weight: row.weight, priority: row.priority, enabled: true, source: row.name };

  it("shows seed 000's columns, grouped by priority", async () => {
    const { stdout } = await qccOk(home, ['endpoint', 'list', 'production']);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines[0], "Cluster 'production' — 6 endpoint(s)");
    assert.equal(lines.length, 7);
    const groups = { 1: 'primary', 2: 'secondary', 3: 'fallback' };
    rows.forEach((row, index) => {
      assert.match(lines[index + 1] ?? '', endpointLinePattern(index + 1, { ...EN_LABELS, group: groups[row.priority] }, endpointOf(row)));
    });
  });

  it('in Chinese', async () => {
    const { stdout } = await qccOk(home, ['endpoint', 'list', 'production'], { QCC_LANG: 'zh' });
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines[0], "集群 'production' — 6 个 endpoint");
    const groups = { 1: '主节点', 2: '副节点', 3: '兜底节点' };
    rows.forEach((row, index) => {
      const endpoint = { ...endpointOf(row), source: row.name === 'manual' ? '手动' : row.name };
      assert.match(lines[index + 1] ?? '', endpointLinePattern(index + 1, { ...ZH_LABELS, group: groups[row.priority] }, endpoint));
    });
  });

  it('--json has a stable shape: cluster, active, endpoints[] with masked keys', async () => {
    const config = await readConfig(home);
    const stored = config.profiles.find((profile) => profile.name === 'production')?.endpoints ?? [];
    const parsed = JSON.parse((await qccOk(home, ['endpoint', 'list', 'production', '--json'])).stdout) as {
      cluster: string;
      active: boolean;
      endpoints: Record<string, unknown>[];
    };
    assert.deepEqual(Object.keys(parsed), ['cluster', 'active', 'endpoints']);
    assert.equal(parsed.cluster, 'production');
    assert.equal(parsed.active, false);
    assert.equal(parsed.endpoints.length, 6);
    parsed.endpoints.forEach((endpoint, index) => {
      const row = rows[index];
      assert.ok(row);
      const expected = endpointOf(row);
      const original = stored.find((candidate) => candidate.id === endpoint.id);
      assert.ok(original, `id ${String(endpoint.id)} is in config.json`);
      assert.deepEqual(endpoint, {
        id: original.id,
        baseUrl: expected.baseUrl,
        apiKey: masked(expected.apiKey),
        authStyle: 'bearer',
        weight: row.weight,
        priority: row.priority,
        enabled: true,
        source: row.name === 'manual' ? null : row.name,
        health: 'unknown',
      });
      assert.deepEqual(Object.keys(endpoint), ['id', 'baseUrl', 'apiKey', 'authStyle', 'weight', 'priority', 'enabled', 'source', 'health']);
    });
  });

  it('with the cluster running through the gateway: active, health from the breakers, same keys', async () => {
    const { env } = await gatewayReady(home);
    await qccOk(home, ['use', 'production', '--no-launch'], env);
    const active = JSON.parse((await qccOk(home, ['endpoint', 'list', 'production', '--json'])).stdout) as {
      active: boolean;
      endpoints: Record<string, unknown>[];
    };
    assert.equal(active.active, true);
    // The running gateway now knows the endpoints: health is its breaker state, the keys and their order unchanged.
    for (const endpoint of active.endpoints) {
      assert.deepEqual(Object.keys(endpoint), ['id', 'baseUrl', 'apiKey', 'authStyle', 'weight', 'priority', 'enabled', 'source', 'health']);
      assert.ok(['closed', 'open', 'half-open', 'cooling'].includes(String(endpoint.health)), String(endpoint.health));
    }
    const text = (await qccOk(home, ['endpoint', 'list', 'production'])).stdout;
    assert.doesNotMatch(text, /health: \?/);
    assert.match(text, /^1\. \[primary\] .* \| health: (✓|✗ [a-z-]+) \| source: codecmd$/m);
  });
});
