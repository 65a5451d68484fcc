import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertNoSecret, assertOneLineError } from '../helpers/assertions.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const KEY = 'sk-chinese-test-key-1a2b3c4d5e6f70';

describe('QCC_LANG=zh: Simplified Chinese output and errors', () => {
  let home: TempHome;
  const outputs: CliResult[] = [];
  const qcc = async (env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> => {
    const result = await runCli(args, { env: { ...home.env, ...env } });
    outputs.push(result);
    return result;
  };
  const zh = (...args: string[]): Promise<CliResult> => qcc({ QCC_LANG: 'zh' }, ...args);

  before(async () => {
    home = await makeTempHome();
  });
  after(async () => {
    for (const result of outputs) assertNoSecret(result, KEY);
    await home.cleanup();
  });

  it('speaks Chinese in commands', async () => {
    assert.match((await zh('list')).stdout, /还没有任何配置。添加一个：qcc add 名称/);
    const add = await zh('add', 'relay', '--base-url', 'https://relay.example.com', '--api-key', KEY);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /已添加配置 'relay'/);
    assert.match(add.stdout, /它是你的默认配置。/);
    const list = await zh('list');
    assert.match(list.stdout, /名称\s+描述\s+BASE URL \/ ENDPOINTS\s+最近使用/);
    assert.match(list.stdout, /从未/);
    assert.match(list.stdout, /⭐ 默认 {3}▶ 当前活跃/);
    const use = await zh('use', 'relay', '--no-launch');
    assert.match(use.stdout, /Claude Code 已切换到 'relay'（https:\/\/relay\.example\.com）/);
    assert.match((await zh('restore')).stdout, /已删除 .*settings\.json：它在 qcc 创建之前并不存在/);
    assert.match((await zh('--help')).stdout, /Quick Claude Config：为 Claude Code 管理服务商配置/);
  });

  it('lists settings with Chinese headers and descriptions', async () => {
    const list = await zh('config', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^设置项\s+值\s+说明\n/);
    assert.match(list.stdout, /\nproxy\.port\s+7860\s+代理监听的端口\n/);
    assert.match(list.stdout, /\nproxy\.connectTimeoutMs\s+10000 \(10s\)\s+连接 endpoint 的超时时间（毫秒）\n/);
    assert.match(list.stdout, /\nproxy\.maxBodyBytes\s+33554432 \(32 MiB\)\s+接受的最大请求体（字节）\n/);
    // Every description is translated: no row of the table is left in English.
    for (const line of list.stdout.trimEnd().split('\n').slice(1)) assert.match(line, /[\u4e00-\u9fff]/, line);
    const json = JSON.parse((await zh('config', 'list', '--json')).stdout) as { key: string; description: string }[];
    assert.equal(json.find((entry) => entry.key === 'proxy.port')?.description, '代理监听的端口');
  });

  it('gives errors in Chinese, still on one line', async () => {
    assertOneLineError(await zh('show', 'nope'), /^✗ 配置 'nope' 不存在 — 用 `qcc list` 查看已有配置\n$/, 3);
    assertOneLineError(await zh('add', 'relay', '--base-url', 'https://x.example.com', '--api-key', KEY), /已存在名为 'relay' 的配置/, 4);
    assertOneLineError(await zh('add', 'x', '--base-url', 'ftp://x.example.com', '--api-key', KEY), /不是可用的 Base URL/, 2);
    assertOneLineError(await zh('add', 'x', '--base-url', 'https://x.example.com'), /缺少API Key，且当前不是交互式终端 — 请使用 --api-key KEY/, 2);
    assertOneLineError(await zh('config', 'get', 'proxy.prot'), /未知的设置项 'proxy\.prot' \(proxy\.port\?\)/, 2);
  });

  it('a mistake on the command line (what commander finds) is one line in the user’s language that names the fix', async () => {
    const en = (...args: string[]): Promise<CliResult> => qcc({ QCC_LANG: 'en' }, ...args);
    const cases: [string[], RegExp, RegExp][] = [
      [['add'], /^✗ 缺少参数 <name> — 用 `qcc add --help` 查看用法\n$/, /^✗ missing argument <name> — `qcc add --help` shows how to call it\n$/],
      [['add', 'x', '--base-ur', 'u'], /^✗ 未知选项 --base-ur \(--base-url\?\) — 用 `qcc add --help` 查看全部选项\n$/, /^✗ unknown option --base-ur \(--base-url\?\)/],
      [['proxi'], /^✗ 未知命令 'proxi' \(proxy\?\) — 用 `qcc --help` 查看全部命令\n$/, /^✗ unknown command 'proxi' \(proxy\?\) — `qcc --help` lists the commands\n$/],
      [['endpoint', 'add'], /^✗ 缺少参数 <cluster> — 用 `qcc endpoint add --help` 查看用法\n$/, /`qcc endpoint add --help`/],
      [['add', 'x', '--base-url'], /^✗ --base-url 需要一个值 — 用 `qcc add --help` 查看用法\n$/, /^✗ --base-url needs a value/],
      [['add', 'x', '--auth-style', 'basic'], /^✗ --auth-style 的值 'basic' 无效 — 可选：bearer, x-api-key\n$/, /^✗ invalid value 'basic' for --auth-style — choose one of bearer, x-api-key\n$/],
      [['list', 'a', 'b'], /^✗ 参数过多 — 用 `qcc list --help` 查看用法\n$/, /^✗ too many arguments — `qcc list --help`/],
    ];
    for (const [args, chinese, english] of cases) {
      assertOneLineError(await zh(...args), chinese, 2);
      assertOneLineError(await en(...args), english, 2);
    }
  });

  it('follows the locale when QCC_LANG is not set, and QCC_LANG wins over it', async () => {
    const { QCC_LANG: _unset, ...withoutLang } = home.env;
    const byLocale = await runCli(['show', 'nope'], { env: { ...withoutLang, LANG: 'zh_CN.UTF-8' } });
    assert.match(byLocale.stderr, /配置 'nope' 不存在/);
    const english = await runCli(['show', 'nope'], { env: { ...home.env, QCC_LANG: 'en', LANG: 'zh_CN.UTF-8' } });
    assert.match(english.stderr, /profile 'nope' not found/);
  });
});
