import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TempHome } from '../helpers/temp-home.js';
import {
  EN_LABELS,
  ZH_LABELS,
  closeSessions,
  clusterOf,
  endpointLinePattern,
  finished,
  gatewayReady,
  homeAfter,
  homeWithProfiles,
  qcc,
  qccOk,
  readConfig,
  seedProfile,
  stopGateway,
  terminal,
  type SeedName,
} from './endpoint-fixture.js';

const CTRL_U = '\u0015';

/** Seed 000's four lines for production = primaries codecmd, 88code and secondaries deepseek, aicodewith. */
function assertSeedSummary(screen: string, labels: typeof EN_LABELS, group: { 1: string; 2: string }): string[] {
  const rows: [SeedName, 1 | 2][] = [
    ['codecmd', 1],
    ['88code', 1],
    ['deepseek', 2],
    ['aicodewith', 2],
  ];
  return rows.map(([name, priority], index) => {
    const profile = seedProfile(name);
    const pattern = endpointLinePattern(index + 1, { ...labels, group: group[priority] }, {
      ...profile,
      weight: 100,
      priority,
      enabled: true,
      source: name,
    });
    const match = pattern.exec(screen);
    assert.ok(match?.[1], `no line like ${pattern} on the screen:\n${screen}`);
    return match[1];
  });
}

describe('qcc endpoint add CLUSTER on a terminal (seed 000)', () => {
  let home: TempHome;
  beforeEach(async () => {
    home = await homeWithProfiles();
  });
  afterEach(async () => {
    closeSessions();
    await stopGateway(home);
    await home.cleanup();
  });

  it('walks the two steps in English: 1,5 as primaries, the remaining profiles keep their numbers, 2,3 as secondaries', async () => {
    const session = terminal(['endpoint', 'add', 'production', '--no-auto-start'], home.env);
    await session.expect('🚀 Create endpoint cluster: production');
    await session.expect('📍 Step 1/2');
    await session.expect(
      'Profiles:\n  1. codecmd - 订阅\n  2. deepseek - no description\n  3. aicodewith - no description\n' +
        '  4. ccapi - no description\n  5. 88code - no description\n',
    );
    await session.expect('Primaries (comma-separated, e.g. 1,2,4)');
    session.send('1,5');
    await session.expect('📍 Step 2/2');
    await session.expect('Remaining profiles:\n  2. deepseek - no description\n  3. aicodewith - no description\n  4. ccapi - no description\n\n');
    await session.expect('Secondaries (comma-separated, Enter to skip)');
    session.send('2,3');
    await session.expect('Cluster created!');
    assert.equal(await finished(session), 0);

    const screen = session.screen;
    assert.match(screen, /^Cluster 'production':\n {2}primaries: codecmd, 88code\n {2}secondaries: deepseek, aicodewith\n {2}total: 4 endpoint\(s\)$/m);
    const ids = assertSeedSummary(screen, EN_LABELS, { 1: 'primary', 2: 'secondary' });
    assert.doesNotMatch(screen, /Start the gateway/, '--no-auto-start asks nothing more');

    const cluster = await clusterOf(home, 'production');
    assert.deepEqual(
      cluster.endpoints.map((endpoint) => [endpoint.id, endpoint.source, endpoint.priority]),
      [
        [ids[0], 'codecmd', 1],
        [ids[1], '88code', 1],
        [ids[2], 'deepseek', 2],
        [ids[3], 'aicodewith', 2],
      ],
    );
    assert.equal(new Set(ids).size, 4);
  });

  it('speaks Chinese with QCC_LANG=zh: 主节点/副节点 and the seed\'s labels, then asks to start (n keeps it inactive)', async () => {
    const session = terminal(['endpoint', 'add', 'production'], { ...home.env, QCC_LANG: 'zh' });
    await session.expect('🚀 创建 Endpoint 集群配置: production');
    await session.expect('📍 步骤 1/2: 选择主节点（优先级高，优先使用）');
    await session.expect('可用配置:\n  1. codecmd - 订阅\n  2. deepseek - 无描述\n  3. aicodewith - 无描述\n  4. ccapi - 无描述\n  5. 88code - 无描述\n');
    await session.expect('请选择主节点 (多选用逗号分隔，如: 1,2,4)');
    session.send('1，5');
    await session.expect('📍 步骤 2/2: 选择副节点（故障转移，主节点失败时使用）');
    await session.expect('剩余配置:\n  2. deepseek - 无描述\n  3. aicodewith - 无描述\n  4. ccapi - 无描述\n');
    await session.expect('请选择副节点 (多选用逗号分隔，或直接回车跳过)');
    session.send('2,3');
    await session.expect('✅ 集群配置创建成功！');
    await session.expect('是否立即启动代理服务器和 Claude Code？ (Y/n)');
    session.send('n');
    assert.equal(await finished(session), 0);

    const screen = session.screen;
    assert.match(screen, /^集群配置 'production':\n {2}主节点: codecmd, 88code\n {2}副节点: deepseek, aicodewith\n {2}总计: 4 个 endpoint$/m);
    assertSeedSummary(screen, ZH_LABELS, { 1: '主节点', 2: '副节点' });
    const config = await readConfig(home);
    assert.ok(config.profiles.some((profile) => profile.name === 'production'));
    assert.notEqual(config.activeProfile, 'production');
  });

  it('explains each invalid selection and asks again: out of range, duplicates, nothing, text', async () => {
    const session = terminal(['endpoint', 'add', 'production', '--no-auto-start'], home.env);
    await session.expect('Primaries (comma-separated, e.g. 1,2,4)');
    session.send('9');
    await session.expect('9 is not in the list');
    session.press(CTRL_U);
    session.send('1,1');
    await session.expect('1 is chosen twice');
    session.press(CTRL_U);
    session.send('');
    await session.expect('Choose at least one primary, e.g. 1');
    session.send('abc');
    await session.expect("'abc' is not a number from the list");
    session.press(CTRL_U);
    session.send('0');
    await session.expect('0 is not in the list');
    session.press(CTRL_U);
    session.send('1,5');
    await session.expect('Secondaries (comma-separated, Enter to skip)');
    // 1 was taken as a primary: at step 2 it is not on the list any more.
    session.send('1');
    await session.expect('1 is not in the list');
    session.press(CTRL_U);
    session.send('3,3');
    await session.expect('3 is chosen twice');
    session.press(CTRL_U);
    session.send('3');
    assert.equal(await finished(session), 0);

    const cluster = await clusterOf(home, 'production');
    assert.deepEqual(
      cluster.endpoints.map((endpoint) => [endpoint.source, endpoint.priority]),
      [
        ['codecmd', 1],
        ['88code', 1],
        ['aicodewith', 2],
      ],
    );
  });

  it('takes ranges and spaces, and Enter at step 2 creates a cluster of primaries only', async () => {
    const session = terminal(['endpoint', 'add', 'production', '--no-auto-start'], home.env);
    await session.expect('Primaries (comma-separated, e.g. 1,2,4)');
    session.send('2-3 5');
    await session.expect('Remaining profiles:\n  1. codecmd - 订阅\n  4. ccapi - no description\n\n');
    await session.expect('Secondaries (comma-separated, Enter to skip)');
    session.send('');
    assert.equal(await finished(session), 0);
    assert.match(session.screen, /^ {2}primaries: deepseek, aicodewith, 88code\n {2}total: 3 endpoint\(s\)$/m);

    const cluster = await clusterOf(home, 'production');
    assert.deepEqual(
      cluster.endpoints.map((endpoint) => [endpoint.source, endpoint.priority]),
      [
        ['deepseek', 1],
        ['aicodewith', 1],
        ['88code', 1],
      ],
    );
  });

  it('a slip like 1-1000000000 is explained, not a hang', async () => {
    const session = terminal(['endpoint', 'add', 'production', '--no-auto-start'], home.env);
    await session.expect('Primaries (comma-separated, e.g. 1,2,4)');
    session.send('1-1000000000');
    await session.expect('1000000000 is not in the list', 5_000);
    session.press(CTRL_U);
    session.send('1');
    await session.expect('Secondaries');
    session.send('');
    assert.equal(await finished(session), 0);
    assert.equal((await clusterOf(home, 'production')).endpoints.length, 1);
  });

  it('--secondary and --fallback given with the questions are not offered again, and step 2 is not asked', async () => {
    const session = terminal(
      ['endpoint', 'add', 'production', '--secondary', 'ccapi', '--fallback', '88code', '--no-auto-start'],
      home.env,
    );
    await session.expect(
      'Profiles:\n  1. codecmd - 订阅\n  2. deepseek - no description\n  3. aicodewith - no description\n\n',
    );
    session.send('1,2');
    await session.expect('Secondaries from --secondary: ccapi');
    assert.equal(await finished(session), 0);
    const cluster = await clusterOf(home, 'production');
    assert.deepEqual(
      cluster.endpoints.map((endpoint) => [endpoint.source, endpoint.priority]),
      [
        ['codecmd', 1],
        ['deepseek', 1],
        ['ccapi', 2],
        ['88code', 3],
      ],
    );
  });

  it('a wrong --fallback is refused before any question is asked', async () => {
    const session = terminal(['endpoint', 'add', 'production', '--fallback', 'nope'], home.env);
    assert.notEqual(await finished(session), 0);
    assert.match(session.screen, /profile 'nope' not found/);
    assert.doesNotMatch(session.screen, /Primaries/);
  });

  it('answering y to "start the gateway and Claude Code now?" makes the cluster active', async () => {
    const { env, port } = await gatewayReady(home);
    const session = terminal(['endpoint', 'add', 'production', '--port', String(port)], env);
    await session.expect('Primaries');
    session.send('1');
    await session.expect('Secondaries');
    session.send('2');
    await session.expect('Start the gateway and Claude Code now? (Y/n)');
    session.send('y');
    assert.equal(await finished(session), 0);

    assert.equal((await readConfig(home)).activeProfile, 'production');
    const list = JSON.parse((await qccOk(home, ['list', '--json'])).stdout) as { name: string; active: boolean }[];
    assert.deepEqual(
      list.filter((profile) => profile.active).map((profile) => profile.name),
      ['production'],
    );
  });

  it('answering n leaves the cluster created and not active', async () => {
    const session = terminal(['endpoint', 'add', 'production'], home.env);
    await session.expect('Primaries');
    session.send('1');
    await session.expect('Secondaries');
    session.send('');
    await session.expect('Start the gateway and Claude Code now? (Y/n)');
    session.send('n');
    assert.equal(await finished(session), 0);

    const config = await readConfig(home);
    assert.equal(config.activeProfile, null);
    assert.equal((await clusterOf(home, 'production')).endpoints.length, 1);
  });

  it('never asks to start without a terminal', async () => {
    const result = await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd']);
    assert.doesNotMatch(result.stdout + result.stderr, /Start the gateway|\(Y\/n\)/);
    assert.equal((await readConfig(home)).activeProfile, null);
  });
});

describe('qcc endpoint remove and manual entry on a terminal', () => {
  let home: TempHome;
  let ids: string[];
  beforeEach(async () => {
    home = await homeAfter([['endpoint', 'add', 'production', '--primary', 'codecmd,deepseek']]);
    ids = (await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.id);
  });
  afterEach(async () => {
    closeSessions();
    await stopGateway(home);
    await home.cleanup();
  });

  it('asks before removing: n keeps the endpoint', async () => {
    const session = terminal(['endpoint', 'remove', 'production', ids[1] ?? ''], home.env);
    // The prompt wraps at the terminal's width: match across the line break.
    await session.expect(new RegExp(`Remove endpoint ${ids[1]} \\(https://deepseek\\.example\\.com/anthropic\\) from\\s+'production'\\? \\(y/N\\)`));
    session.send('n');
    assert.equal(await finished(session), 0);
    assert.match(session.screen, /Nothing removed\./);
    assert.deepEqual((await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.id), ids);
  });

  it('asks before removing: y removes it', async () => {
    const session = terminal(['endpoint', 'remove', 'production', ids[1] ?? ''], home.env);
    await session.expect('(y/N)');
    session.send('y');
    assert.equal(await finished(session), 0);
    assert.match(session.screen, new RegExp(`Removed endpoint ${ids[1]} from 'production'`));
    assert.deepEqual((await clusterOf(home, 'production')).endpoints.map((endpoint) => endpoint.id), [ids[0]]);
  });

  it('asks for a missing key with --base-url, hides it, and masks it in the result', async () => {
    const key = 'sk-typed-PRIVATE-manual-key-9999';
    const session = terminal(['endpoint', 'add', 'production', '--base-url', 'https://typed.example.com/', '--priority', '3'], home.env);
    await session.expect('API key');
    session.send(key);
    assert.equal(await finished(session), 0);
    assert.doesNotMatch(session.screen, /PRIVATE-manual/);
    assert.match(session.screen, /\[fallback\] ID: [0-9a-f]{8} \| URL: https:\/\/typed\.example\.com \| Key: sk-typ…9999 \|/);
    const added = (await clusterOf(home, 'production')).endpoints.at(-1);
    assert.equal(added?.apiKey, key);
    assert.equal(added?.source, undefined);
    const list = await qcc(home, ['endpoint', 'list', 'production']);
    assert.doesNotMatch(list.stdout, /PRIVATE-manual/);
  });
});
