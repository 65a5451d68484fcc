import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { assertNoSecret, assertOneLineError, modeOf } from '../helpers/assertions.js';
import { GatewayHome, waitUntil } from '../helpers/gateway-home.js';

const KEY_DEAD = 'sk-gw-logs-dead-PRIVATE-4c1a9e7b3d05';
const KEY_LIAR = 'liar-key-without-sk-shape-PRIVATE-7e2f';
const KEY_LIVE = 'sk-gw-logs-live-PRIVATE-a8d3f6b2c9e1';
/** Not shaped like a provider key, so only "known secret" redaction can hide it. */
const PROXY_KEY = 'proxykey-PRIVATE-c3b1a0f9e8d7';

const READABLE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR|FATAL) \S/;

function body(stream = false): string {
  return JSON.stringify({ model: 'claude-logs', max_tokens: 16, stream, messages: [{ role: 'user', content: 'log me' }] });
}

async function post(url: string, path = '/v1/messages', stream = false): Promise<number> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-client-side-key-PRIVATE-000000' },
    body: body(stream),
    signal: AbortSignal.timeout(15_000),
  });
  await response.arrayBuffer();
  return response.status;
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean);

describe('qcc proxy logs, and what the gateway writes to ~/.qcc', () => {
  let gw: GatewayHome;
  let dead: Simulator;
  let liar: Simulator;
  let live: Simulator;
  let deadId: string;
  let adminToken: string;

  before(async () => {
    gw = await GatewayHome.create();
    dead = await startSimulator({ name: 'dead' });
    // A relay whose 401 quotes the key it was sent: nothing of that body may reach the log.
    liar = await startSimulator({ name: 'liar', apiKey: KEY_LIAR, authStyle: 'x-api-key' });
    liar.fault({
      kind: 'status',
      status: 401,
      body: JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `key ${KEY_LIAR} / ${KEY_DEAD} is invalid` } }),
    });
    live = await startSimulator({ name: 'live', apiKey: KEY_LIVE, authStyle: 'bearer' });
    const ids = await gw.writeConfig({
      profiles: [
        { name: 'dead', url: dead.url, apiKey: KEY_DEAD, authStyle: 'x-api-key' },
        { name: 'liar', url: liar.url, apiKey: KEY_LIAR, authStyle: 'x-api-key' },
        { name: 'live', url: live.url, apiKey: KEY_LIVE, authStyle: 'bearer' },
      ],
      cluster: { name: 'prod', primary: ['dead', 'liar'], secondary: ['live'] },
      settings: { proxy: { proxyKey: PROXY_KEY } },
    });
    deadId = ids.dead ?? '';
    await dead.stop();
    await gw.start();
    adminToken = (await readFile(gw.file('admin-token'), 'utf8')).trim();
    for (let index = 0; index < 6; index += 1) assert.equal(await post(gw.url, '/v1/messages', index % 2 === 1), 200);
    // The log is written asynchronously: wait until the last request is in it.
    await waitUntil('six request lines in proxy.log', async () => lines(await readFile(gw.file('proxy.log'), 'utf8')).filter((line) => line.includes('"msg":"request"')).length >= 6);
  });
  after(async () => {
    await gw.cleanup();
    await Promise.all([dead.close(), liar.close(), live.close()]);
  });

  it('-n 5 prints the last five lines, readable', async () => {
    const result = await gw.ok(['proxy', 'logs', '-n', '5']);
    const shown = lines(result.stdout);
    assert.equal(shown.length, 5, result.stdout);
    for (const line of shown) assert.match(line, READABLE);
    assert.match(shown.at(-1) ?? '', /INFO {2}request {2}.*status=200/);
    assert.equal(lines((await gw.ok(['proxy', 'logs', '-n', '0'])).stdout).length, 0);
  });

  it('--level warn shows only warnings and errors', async () => {
    const result = await gw.ok(['proxy', 'logs', '--level', 'warn']);
    const shown = lines(result.stdout);
    assert.ok(shown.length >= 4, `the failed attempts on dead and liar are warnings:\n${result.stdout}`);
    for (const line of shown) assert.match(line, /^\S+ (WARN |ERROR|FATAL) /, result.stdout);
    assert.ok(shown.some((line) => line.includes('attempt failed') && line.includes(deadId)));
    const bad = await gw.qcc(['proxy', 'logs', '--level', 'loud']);
    assertOneLineError(bad, /--level.*debug, info, warn, error, fatal/, 2);
  });

  it('--grep TEXT keeps the lines that contain TEXT, ignoring case', async () => {
    const result = await gw.ok(['proxy', 'logs', '--grep', deadId.toUpperCase()]);
    const shown = lines(result.stdout);
    assert.ok(shown.length >= 1, result.stdout);
    for (const line of shown) assert.ok(line.toLowerCase().includes(deadId), line);
    const none = await gw.ok(['proxy', 'logs', '--grep', 'no-such-text-in-any-line']);
    assert.equal(none.stdout, '');
  });

  it('--json prints the raw lines: each parses as JSON, and filters still apply', async () => {
    const all = lines((await gw.ok(['proxy', 'logs', '--json', '-n', '1000'])).stdout);
    const fileLines = lines(await readFile(gw.file('proxy.log'), 'utf8'));
    assert.ok(all.length >= 8, all.join('\n'));
    assert.deepEqual(all, fileLines, 'the lines as the gateway wrote them');
    for (const line of all) {
      const entry = JSON.parse(line) as { level: number; time: string; msg: string; pid: number };
      assert.equal(line.match(/"pid":/g)?.length, 1, `one pid per line: ${line}`);
      assert.equal(typeof entry.level, 'number');
      assert.ok(!Number.isNaN(Date.parse(entry.time)), line);
      assert.equal(typeof entry.msg, 'string');
    }
    const warn = lines((await gw.ok(['proxy', 'logs', '--json', '--level', 'warn', '-n', '3'])).stdout);
    assert.equal(warn.length, 3);
    for (const line of warn) assert.ok((JSON.parse(line) as { level: number }).level >= 40, line);
  });

  it('-f prints a line written after it started', async () => {
    const follower = gw.spawn(['proxy', 'logs', '-f', '-n', '1']);
    await waitUntil('the last line before following', () => lines(follower.stdout).length >= 1, 15_000);
    const marker = `/v1/follow-${Date.now().toString(36)}`;
    await post(gw.url, marker);
    await waitUntil(`the line of ${marker}`, () => follower.stdout.includes(`path=${marker}`), 10_000);
    const line = lines(follower.stdout).find((text) => text.includes(marker)) ?? '';
    assert.match(line, READABLE);
    assert.equal(follower.child.exitCode, null, 'it keeps following');
    follower.kill();
    await follower.exit(5_000);
  });

  it('no configured key, no client key and not the admin token ever appear in proxy.log', async () => {
    const files = (await readdir(gw.qccHome)).filter((name) => name.startsWith('proxy.log'));
    const text = (await Promise.all(files.map((name) => readFile(gw.file(name), 'utf8')))).join('\n');
    assert.ok(text.includes('attempt failed'), 'the failures were logged');
    assertNoSecret(text, KEY_DEAD, KEY_LIAR, KEY_LIVE, PROXY_KEY, adminToken, 'sk-client-side-key-PRIVATE-000000');
    assert.doesNotMatch(text, /PRIVATE/);
    for (const result of gw.outputs) assertNoSecret(result, KEY_DEAD, KEY_LIAR, KEY_LIVE, PROXY_KEY, adminToken);
  });

  it('proxy.log, state.db and the admin token are 0600', async () => {
    await waitUntil('state.db to hold the requests', () => existsSync(gw.file('state.db')));
    for (const name of ['proxy.log', 'state.db', 'admin-token', 'proxy.json', 'proxy.pid', 'state.db-wal', 'state.db-shm']) {
      if (name.startsWith('state.db-') && !existsSync(gw.file(name))) continue;
      assert.equal((await modeOf(gw.file(name))).toString(8), '600', name);
    }
    assert.equal(((await stat(gw.qccHome)).mode & 0o777).toString(8), '700');
  });

  it('with a small proxy.logMaxBytes the log rotates to proxy.log.1, keeping proxy.logFiles files, 0600', async () => {
    await gw.ok(['config', 'set', 'proxy.logFiles', '1']);
    const changedAt = Date.now();
    await gw.ok(['config', 'set', 'proxy.logMaxBytes', '64KiB']);
    // The gateway picks the change up by itself: it watches config.json.
    await gw.waitForReload(changedAt);
    const limit = 64 * 1024;
    const sizeOf = async (): Promise<number> => (await stat(gw.file('proxy.log')).catch(() => ({ size: 0 }))).size;
    let sent = 0;
    let rotations = 0;
    let last = await sizeOf();
    while (rotations < 2 && sent < 3_000) {
      await Promise.all(Array.from({ length: 10 }, () => post(gw.url)));
      sent += 10;
      const size = await sizeOf();
      if (size < last) rotations += 1;
      last = size;
    }
    assert.equal(rotations, 2, `${rotations} rotations after ${sent} requests`);
    assert.ok(existsSync(gw.file('proxy.log.1')), `no rotation after ${sent} requests`);
    assert.equal(existsSync(gw.file('proxy.log.2')), false, 'proxy.logFiles 1 keeps one rotated file');
    assert.equal((await modeOf(gw.file('proxy.log.1'))).toString(8), '600');
    assert.equal((await modeOf(gw.file('proxy.log'))).toString(8), '600');
    assert.ok((await stat(gw.file('proxy.log.1'))).size <= limit + 4096, 'rotated near the limit');
    assert.ok((await stat(gw.file('proxy.log'))).size <= limit + 4096);
    const tail = lines((await gw.ok(['proxy', 'logs', '-n', '3'])).stdout);
    assert.equal(tail.length, 3);
    const text = (await readFile(gw.file('proxy.log.1'), 'utf8')) + (await readFile(gw.file('proxy.log'), 'utf8'));
    assertNoSecret(text, KEY_DEAD, KEY_LIAR, KEY_LIVE, PROXY_KEY, adminToken);
  });
});
