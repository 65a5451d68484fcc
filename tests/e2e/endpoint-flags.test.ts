import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertOneLineError, assertUnchanged, snapshot } from '../helpers/assertions.js';
import type { TempHome } from '../helpers/temp-home.js';
import {
  EN_LABELS,
  clusterOf,
  configFile,
  endpointLinePattern,
  homeWithProfiles,
  qcc,
  qccOk,
  readConfig,
  seedProfile,
} from './endpoint-fixture.js';

describe('qcc endpoint add CLUSTER in scripts (flags, no terminal)', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await homeWithProfiles();
  });
  afterEach(async () => {
    await home.cleanup();
  });

  it('--primary a,b --secondary c --fallback d creates one endpoint per profile with priorities 1/1/2/3', async () => {
    const result = await qccOk(home, [
      'endpoint',
      'add',
      'production',
      '--primary',
      'codecmd,deepseek',
      '--secondary',
      'aicodewith',
      '--fallback',
      '88code',
    ]);
    const cluster = await clusterOf(home, 'production');
    assert.equal(cluster.endpoints.length, 4);
    const expected = [
      ['codecmd', 1],
      ['deepseek', 1],
      ['aicodewith', 2],
      ['88code', 3],
    ] as const;
    expected.forEach(([name, priority], index) => {
      const endpoint = cluster.endpoints[index];
      const profile = seedProfile(name);
      assert.ok(endpoint);
      assert.match(endpoint.id, /^[0-9a-f]{8}$/);
      assert.deepEqual(
        { ...endpoint, id: 'x' },
        { id: 'x', baseUrl: profile.baseUrl, apiKey: profile.apiKey, authStyle: 'bearer', weight: 100, priority, enabled: true, source: name },
      );
    });
    const config = await readConfig(home);
    const allIds = config.profiles.flatMap((profile) => profile.endpoints.map((endpoint) => endpoint.id));
    assert.equal(new Set(allIds).size, allIds.length, 'endpoint ids are unique across the whole config');

    // The summary of seed 000, English labels, fallback included.
    assert.match(result.stdout, /^Cluster 'production':\n {2}primaries: codecmd, deepseek\n {2}secondaries: aicodewith\n {2}fallbacks: 88code\n {2}total: 4 endpoint\(s\)$/m);
    const groups = ['primary', 'primary', 'secondary', 'fallback'];
    expected.forEach(([name, priority], index) => {
      const pattern = endpointLinePattern(index + 1, { ...EN_LABELS, group: groups[index] ?? '' }, {
        ...seedProfile(name),
        weight: 100,
        priority,
        enabled: true,
        source: name,
      });
      assert.match(result.stdout, pattern);
    });
    assert.equal(result.stderr, '');
  });

  it('takes spaces and Chinese commas between names', async () => {
    await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd， deepseek', '--secondary', 'ccapi 88code']);
    const cluster = await clusterOf(home, 'production');
    assert.deepEqual(
      cluster.endpoints.map((endpoint) => [endpoint.source, endpoint.priority]),
      [
        ['codecmd', 1],
        ['deepseek', 1],
        ['ccapi', 2],
        ['88code', 2],
      ],
    );
  });

  it('does not make the new cluster active or default', async () => {
    await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd']);
    const config = await readConfig(home);
    assert.equal(config.activeProfile, null);
    assert.equal(config.defaultProfile, 'codecmd');
  });

  it('without a terminal and without --primary: one line naming --primary, nothing written', async () => {
    const before = await snapshot(configFile(home));
    assertOneLineError(await qcc(home, ['endpoint', 'add', 'production']), /--primary/);
    assertOneLineError(await qcc(home, ['endpoint', 'add', 'production', '--secondary', 'ccapi']), /--primary/);
    await assertUnchanged(before);
  });

  it('the same error in Chinese', async () => {
    assertOneLineError(await qcc(home, ['endpoint', 'add', 'production'], { QCC_LANG: 'zh' }), /缺少主节点.*--primary/);
  });
});
