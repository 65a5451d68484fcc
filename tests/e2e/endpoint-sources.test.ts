import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { assertOneLineError, assertUnchanged, snapshot } from '../helpers/assertions.js';
import type { TempHome } from '../helpers/temp-home.js';
import {
  EN_LABELS,
  configFile,
  endpointLinePattern,
  gatewayReady,
  homeAfter,
  masked,
  qcc,
  qccOk,
  readConfig,
  seedProfile,
  stopGateway,
} from './endpoint-fixture.js';

describe('clusters and the profiles they reuse', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await homeAfter([
      ['endpoint', 'add', 'production', '--primary', 'codecmd,deepseek', '--secondary', 'aicodewith', '--fallback', 'ccapi'],
      ['endpoint', 'add', 'staging', '--primary', 'deepseek'],
    ]);
  });
  afterEach(async () => {
    await stopGateway(home);
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
    assertOneLineError(
      await qcc(home, ['remove', 'deepseek', '--yes'], { QCC_LANG: 'zh' }),
      /配置 'deepseek' 正被集群 'production'（1 个 endpoint）、集群 'staging'（1 个 endpoint）使用 — 如仍要删除请加 --force/,
    );
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
    await qccOk(home, ['use', 'staging', '--no-launch'], (await gatewayReady(home)).env);
    // Editing another profile afterwards does not disturb the orphaned endpoint.
    await qccOk(home, ['edit', 'codecmd', '--api-key', 'sk-ant-codecmd-PRIVATE-EDIT-e0e0']);
    assert.equal((await endpointsFrom('deepseek'))[0]?.apiKey, deepseek.apiKey);
  });

  it('qcc list shows each cluster with its endpoint counts per priority', async () => {
    const { stdout } = await qccOk(home, ['list']);
    assert.match(stdout, /^\s+production\s+-\s+cluster: 4 endpoints \(2 primary, 1 secondary, 1 fallback\)/m);
    assert.match(stdout, /^\s+staging\s+-\s+cluster: 1 endpoint \(1 primary, 0 secondary, 0 fallback\)/m);
  });

  it('qcc use CLUSTER --no-launch makes it active and says it runs through the gateway', async () => {
    const result = await qccOk(home, ['use', 'production', '--no-launch'], (await gatewayReady(home)).env);
    assert.match(result.stdout, /gateway/);
    assert.doesNotMatch(result.stdout, /stand-in claude/, '--no-launch launches nothing');
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
