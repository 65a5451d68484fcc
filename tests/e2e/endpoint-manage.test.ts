import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertOneLineError, assertUnchanged, snapshot } from '../helpers/assertions.js';
import type { TempHome } from '../helpers/temp-home.js';
import {
  EN_LABELS,
  ZH_LABELS,
  clusterOf,
  configFile,
  endpointLinePattern,
  homeWithProfiles,
  masked,
  qcc,
  qccOk,
  readConfig,
  seedProfile,
} from './endpoint-fixture.js';

const MANUAL_KEY = 'sk-manual-PRIVATE-0006-ma00';

describe('managing the endpoints of a cluster', () => {
  let home: TempHome;
  let ids: string[];
  beforeEach(async () => {
    home = await homeWithProfiles();
    await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd', '--secondary', 'deepseek']);
    ids = (await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.id);
  });
  afterEach(async () => {
    await home.cleanup();
  });

  it('-f PROFILE -w 300 --priority 2 appends one endpoint reusing the profile (seed 001)', async () => {
    const result = await qccOk(home, ['endpoint', 'add', 'production', '-f', 'ccapi', '-w', '300', '--priority', '2']);
    const cluster = await clusterOf(home, 'production');
    assert.equal(cluster.endpoints.length, 3);
    const added = cluster.endpoints[2];
    assert.ok(added);
    assert.match(added.id, /^[0-9a-f]{8}$/);
    assert.ok(!ids.includes(added.id));
    const ccapi = seedProfile('ccapi');
    assert.deepEqual(
      { ...added, id: 'x' },
      { id: 'x', baseUrl: ccapi.baseUrl, apiKey: ccapi.apiKey, authStyle: 'bearer', weight: 300, priority: 2, enabled: true, source: 'ccapi' },
    );
    assert.match(result.stdout, new RegExp(`^✓ Endpoint ${added.id} added to 'production'$`, 'm'));
    // Numbered as `endpoint list` numbers it: after the one primary and the first secondary.
    assert.match(result.stdout, endpointLinePattern(3, { ...EN_LABELS, group: 'secondary' }, { ...ccapi, weight: 300, priority: 2, enabled: true, source: 'ccapi' }));
  });

  it('-f into a name that does not exist creates the cluster', async () => {
    const result = await qccOk(home, ['endpoint', 'add', 'staging', '--from', 'aicodewith']);
    assert.match(result.stdout, /^✓ Cluster 'staging' created$/m);
    const cluster = await clusterOf(home, 'staging');
    assert.deepEqual(
      cluster.endpoints.map((endpoint) => [endpoint.source, endpoint.weight, endpoint.priority, endpoint.enabled]),
      [['aicodewith', 100, 1, true]],
    );
  });

  it('--base-url URL --api-key KEY appends a manual endpoint (no source, key masked in every output)', async () => {
    const result = await qccOk(home, [
      'endpoint',
      'add',
      'production',
      '--base-url',
      'https://manual.example.com/v1/',
      '--api-key',
      MANUAL_KEY,
      '--priority',
      'fallback',
    ]);
    assert.match(result.stdout, new RegExp(`\\[fallback\\] ID: [0-9a-f]{8} \\| URL: https://manual\\.example\\.com/v1 \\| Key: ${masked(MANUAL_KEY)} \\|.*\\| source: manual$`, 'm'));
    const added = (await clusterOf(home, 'production')).endpoints[2];
    assert.deepEqual(
      { ...added, id: 'x' },
      { id: 'x', baseUrl: 'https://manual.example.com/v1', apiKey: MANUAL_KEY, authStyle: 'bearer', weight: 100, priority: 3, enabled: true },
    );
    await qccOk(home, ['endpoint', 'add', 'production', '--base-url', 'https://api.anthropic.com', '--api-key', MANUAL_KEY, '--auth-style', 'bearer']);
    assert.equal((await clusterOf(home, 'production')).endpoints[3]?.authStyle, 'bearer', '--auth-style wins over the default');
  });

  it('remove --yes removes the endpoint', async () => {
    const result = await qccOk(home, ['endpoint', 'remove', 'production', ids[0] ?? '', '--yes']);
    assert.match(result.stdout, new RegExp(`Removed endpoint ${ids[0]} from 'production'`));
    assert.deepEqual((await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.id), [ids[1]]);
  });

  it('disable takes an endpoint out of rotation, enable brings it back', async () => {
    const off = await qccOk(home, ['endpoint', 'disable', 'production', ids[1] ?? '']);
    assert.match(off.stdout, new RegExp(`Endpoint ${ids[1]} disabled`));
    assert.deepEqual((await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.enabled), [true, false]);
    const list = await qccOk(home, ['endpoint', 'list', 'production']);
    assert.match(list.stdout, /\[secondary\] .*\| enabled: ✗ \|/);
    await qccOk(home, ['endpoint', 'enable', 'production', ids[1] ?? '']);
    assert.deepEqual((await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.enabled), [true, true]);
  });

  it('set --weight --priority changes both; priority takes primary/secondary/fallback too', async () => {
    const result = await qccOk(home, ['endpoint', 'set', 'production', ids[1] ?? '', '--weight', '250', '--priority', '1']);
    assert.match(result.stdout, new RegExp(`Endpoint ${ids[1]}: weight 250, priority 1`));
    let endpoint = (await clusterOf(home, 'production')).endpoints[1];
    assert.deepEqual([endpoint?.weight, endpoint?.priority], [250, 1]);
    for (const [name, priority] of [['fallback', 3], ['secondary', 2], ['primary', 1], ['3', 3]] as const) {
      await qccOk(home, ['endpoint', 'set', 'production', ids[1] ?? '', '--priority', name]);
      endpoint = (await clusterOf(home, 'production')).endpoints[1];
      assert.equal(endpoint?.priority, priority, name);
    }
    await qccOk(home, ['endpoint', 'set', 'production', ids[0] ?? '', '-w', '1000']);
    assert.equal((await clusterOf(home, 'production')).endpoints[0]?.weight, 1000);
    await qccOk(home, ['endpoint', 'set', 'production', ids[0] ?? '', '-w', '1']);
    assert.equal((await clusterOf(home, 'production')).endpoints[0]?.weight, 1);
  });

  it('accepts a unique prefix of an ID', async () => {
    const [first = '', second = ''] = ids;
    let length = 1;
    while (first.slice(0, length) === second.slice(0, length)) length += 1;
    await qccOk(home, ['endpoint', 'disable', 'production', first.slice(0, length)]);
    assert.deepEqual((await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.enabled), [false, true]);
  });
});

describe('qcc endpoint list', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await homeWithProfiles();
    await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd,88code', '--secondary', 'deepseek', '--fallback', 'ccapi']);
    // Appended last, listed with the primaries.
    await qccOk(home, ['endpoint', 'add', 'production', '-f', 'aicodewith', '-w', '50', '--priority', '1']);
    await qccOk(home, ['endpoint', 'add', 'production', '--base-url', 'https://manual.example.com', '--api-key', MANUAL_KEY, '--priority', '2']);
  });
  afterEach(async () => {
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

    await qccOk(home, ['use', 'production', '--no-launch']);
    const active = JSON.parse((await qccOk(home, ['endpoint', 'list', 'production', '--json'])).stdout) as { active: boolean };
    assert.equal(active.active, true);
  });
});

describe('clusters and the profiles they reuse', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await homeWithProfiles();
    await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd,deepseek', '--secondary', 'aicodewith', '--fallback', 'ccapi']);
    await qccOk(home, ['endpoint', 'add', 'staging', '--primary', 'deepseek']);
  });
  afterEach(async () => {
    await home.cleanup();
  });

  const endpointsFrom = async (source: string) =>
    (await readConfig(home)).profiles
      .filter((profile) => profile.kind === 'cluster')
      .flatMap((profile) => profile.endpoints.filter((endpoint) => endpoint.source === source).map((endpoint) => ({ cluster: profile.name, ...endpoint })));

  it('a key changed in the source profile reaches every endpoint reused from it', async () => {
    const newKey = 'sk-deepseek-PRIVATE-NEW1-n3w1';
    await qccOk(home, ['edit', 'deepseek', '--api-key', newKey, '--base-url', 'https://new.deepseek.example.com']);
    const reused = await endpointsFrom('deepseek');
    assert.deepEqual(
      reused.map((endpoint) => [endpoint.cluster, endpoint.apiKey, endpoint.baseUrl]),
      [
        ['production', newKey, 'https://new.deepseek.example.com'],
        ['staging', newKey, 'https://new.deepseek.example.com'],
      ],
    );
    const list = await qccOk(home, ['endpoint', 'list', 'staging']);
    assert.match(list.stdout, new RegExp(`Key: ${masked(newKey)}`));
    assert.doesNotMatch(list.stdout, /NEW1/);
  });

  it('removing a source is refused without --force, naming the clusters', async () => {
    const before = await snapshot(configFile(home));
    assertOneLineError(await qcc(home, ['remove', 'deepseek', '--yes']), /profile 'deepseek' is used by cluster 'production'.*cluster 'staging'.*--force/);
    await assertUnchanged(before);
  });

  it('removing a source with --force keeps the cluster working with its last URL and key', async () => {
    const deepseek = seedProfile('deepseek');
    const result = await qccOk(home, ['remove', 'deepseek', '--force', '--yes']);
    assert.match(result.stdout, /cluster 'production' keeps working with the last URL and key of 'deepseek'/);
    const config = await readConfig(home);
    assert.ok(!config.profiles.some((profile) => profile.name === 'deepseek'));
    const kept = await endpointsFrom('deepseek');
    assert.deepEqual(
      kept.map((endpoint) => [endpoint.cluster, endpoint.baseUrl, endpoint.apiKey, endpoint.enabled]),
      [
        ['production', deepseek.baseUrl, deepseek.apiKey, true],
        ['staging', deepseek.baseUrl, deepseek.apiKey, true],
      ],
    );
    const list = await qccOk(home, ['endpoint', 'list', 'staging']);
    assert.match(list.stdout, endpointLinePattern(1, { ...EN_LABELS, group: 'primary' }, { ...deepseek, weight: 100, priority: 1, enabled: true, source: 'deepseek' }));
    await qccOk(home, ['use', 'staging', '--no-launch']);
    // Editing another profile afterwards does not disturb the orphaned endpoint.
    await qccOk(home, ['edit', 'codecmd', '--api-key', 'sk-ant-codecmd-PRIVATE-EDIT-e0e0']);
    assert.equal((await endpointsFrom('deepseek'))[0]?.apiKey, deepseek.apiKey);
  });

  it('qcc list shows each cluster with its endpoint counts per priority', async () => {
    const { stdout } = await qccOk(home, ['list']);
    assert.match(stdout, /^\s+production\s+-\s+cluster: 4 endpoints \(2 primary, 1 secondary, 1 fallback\)/m);
    assert.match(stdout, /^\s+staging\s+-\s+cluster: 1 endpoints? \(1 primary, 0 secondary, 0 fallback\)/m);
  });

  it('qcc use CLUSTER --no-launch makes it active and says it runs through the gateway', async () => {
    const result = await qccOk(home, ['use', 'production', '--no-launch']);
    assert.match(result.stdout, /'production' is now the active profile/);
    assert.match(result.stdout, /gateway/);
    assert.equal((await readConfig(home)).activeProfile, 'production');
    const list = JSON.parse((await qccOk(home, ['list', '--json'])).stdout) as { name: string; active: boolean }[];
    assert.deepEqual(list.filter((profile) => profile.active).map((profile) => profile.name), ['production']);
  });

  it('qcc show and qcc list --json of a cluster keep keys masked', async () => {
    await qccOk(home, ['show', 'production']);
    await qccOk(home, ['show', 'production', '--json']);
    await qccOk(home, ['list', '--json']);
  });
});
