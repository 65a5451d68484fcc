import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TempHome } from '../helpers/temp-home.js';
import { EN_LABELS, MANUAL_KEY, clusterOf, endpointLinePattern, homeAfter, masked, qccOk, seedProfile, stopGateway } from './endpoint-fixture.js';

describe('managing the endpoints of a cluster', () => {
  let home: TempHome;
  let ids: string[];
  beforeEach(async () => {
    home = await homeAfter([['endpoint', 'add', 'production', '--primary', 'codecmd', '--secondary', 'deepseek']]);
    ids = (await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.id);
  });
  afterEach(async () => {
    await stopGateway(home);
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

  it('numbers an appended primary where `endpoint list` shows it, not at the end', async () => {
    const result = await qccOk(home, ['endpoint', 'add', 'production', '-f', 'aicodewith']);
    const pattern = endpointLinePattern(2, { ...EN_LABELS, group: 'primary' }, { ...seedProfile('aicodewith'), weight: 100, priority: 1, enabled: true, source: 'aicodewith' });
    assert.match(result.stdout, pattern);
    assert.match((await qccOk(home, ['endpoint', 'list', 'production'])).stdout, pattern);
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
    for (const [name, priority] of [['fallback', 3], ['primary', 1]] as const) {
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
