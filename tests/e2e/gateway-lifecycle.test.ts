import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GatewayHome, pidAlive, waitUntil } from '../helpers/gateway-home.js';
import { soloGateway } from '../helpers/solo-gateway.js';

const KEY = 'sk-gw-life-PRIVATE-0b7e3c9a51d2';

/** The environment a process was started with (Linux). */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe('qcc proxy start / stop / status / restart', () => {
  let gw: GatewayHome;
  soloGateway(KEY, (parts) => (gw = parts.gw));

  it('a second start says it already runs (exit 0, same pid); stop ends it and removes its files; a second stop says "not running"', async () => {
    const first = await gw.start();
    assert.ok(pidAlive(first.pid));
    const again = await gw.ok(['proxy', 'start', '--port', String(gw.port)]);
    assert.match(again.stdout, new RegExp(`already running: ${gw.url.replace(/\./g, '\\.')} \\(PID: ${first.pid}\\)`));
    assert.doesNotMatch(again.stdout, /keeps its address/, 'the same port: nothing to say');
    const other = gw.port === 65535 ? gw.port - 1 : gw.port + 1;
    const elsewhere = await gw.ok(['proxy', 'start', '--port', String(other)]);
    assert.match(elsewhere.stdout, new RegExp(`! It keeps its address; \`qcc proxy restart --port ${other}\` moves it\\.`));
    assert.equal((await gw.runtime())?.pid, first.pid);
    assert.ok(pidAlive(first.pid));

    const stop = await gw.ok(['proxy', 'stop']);
    assert.match(stop.stdout, new RegExp(`Stopping the gateway \\(PID ${first.pid}\\)`));
    assert.match(stop.stdout, /✓ Gateway stopped/);
    assert.equal(pidAlive(first.pid), false, 'the gateway process is gone when stop returns');
    assert.equal(existsSync(gw.file('proxy.json')), false);
    assert.equal(existsSync(gw.file('proxy.pid')), false);
    await assert.rejects(fetch(`${gw.url}/_qcc/status`), 'nothing listens on the port any more');

    const twice = await gw.ok(['proxy', 'stop']);
    assert.match(twice.stdout, /not running/);
  });

  it('status when stopped exits 3 (human and --json)', async () => {
    const human = await gw.qcc(['proxy', 'status']);
    assert.equal(human.code, 3, human.stderr);
    assert.match(human.stdout, /not running/);
    const json = await gw.qcc(['proxy', 'status', '--json']);
    assert.equal(json.code, 3);
    assert.deepEqual(JSON.parse(json.stdout), { running: false });
    const logs = await gw.ok(['proxy', 'logs']);
    assert.equal(logs.stdout, `No log yet at ${gw.file('proxy.log')}.\n`);
  });

  it('restart gives a new pid on the same port', async () => {
    const first = await gw.start();
    const restart = await gw.ok(['proxy', 'restart']);
    const second = await gw.runtime();
    assert.ok(second, restart.stdout);
    assert.notEqual(second.pid, first.pid);
    assert.equal(second.port, gw.port);
    assert.equal(pidAlive(first.pid), false);
    assert.ok(pidAlive(second.pid));
    assert.equal((await gw.status()).pid, second.pid);
  });

  it('starts the gateway with malloc held to two arenas, unless the user set MALLOC_ARENA_MAX', { skip: !existsSync('/proc/self/environ') && 'no /proc here' }, async () => {
    const first = await gw.start();
    assert.equal(environOf(first.pid).MALLOC_ARENA_MAX, '2');
    await gw.ok(['proxy', 'stop']);
    await gw.ok(['proxy', 'start', '--port', String(gw.port)], { env: { ...gw.home.env, MALLOC_ARENA_MAX: '4' } });
    const second = await gw.runtime();
    assert.ok(second);
    assert.equal(environOf(second.pid).MALLOC_ARENA_MAX, '4');
  });

  it('restart when none runs starts one; SIGTERM drains a detached gateway and it removes its files', async () => {
    const restart = await gw.ok(['proxy', 'restart', '--port', String(gw.port)]);
    assert.match(restart.stdout, /Gateway started/);
    const runtime = await gw.runtime();
    assert.ok(runtime && pidAlive(runtime.pid));
    process.kill(runtime.pid, 'SIGTERM');
    await waitUntil('the gateway to exit on SIGTERM', () => !pidAlive(runtime.pid), 15_000);
    assert.equal(existsSync(gw.file('proxy.json')), false);
    assert.equal(existsSync(gw.file('proxy.pid')), false);
    const log = await gw.ok(['proxy', 'logs', '--json', '-n', '4']);
    const messages = log.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; signal?: string });
    assert.ok(messages.some((entry) => entry.msg === 'stop requested' && entry.signal === 'SIGTERM'), log.stdout);
    assert.equal(messages.at(-1)?.msg, 'gateway stopped');
  });

});

describe('qcc proxy start before anything else', () => {
  it('starts in a qcc home that does not exist yet, creating it 0700, and stops again', async () => {
    const gw = await GatewayHome.create();
    try {
      assert.equal(existsSync(gw.qccHome), false);
      const runtime = await gw.start();
      assert.ok(pidAlive(runtime.pid));
      assert.equal(statSync(gw.qccHome).mode & 0o777, 0o700);
      assert.equal((await gw.status()).endpoints.length, 0);
      await gw.ok(['proxy', 'stop']);
      assert.equal(pidAlive(runtime.pid), false);
    } finally {
      await gw.cleanup();
    }
  });
});
