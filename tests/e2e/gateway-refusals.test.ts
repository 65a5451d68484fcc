import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { assertOneLineError } from '../helpers/assertions.js';
import { type GatewayHome, pidAlive, sleep } from '../helpers/gateway-home.js';
import { soloGateway } from '../helpers/solo-gateway.js';

const KEY = 'sk-gw-refuse-PRIVATE-5e0c2b8d4a71';

/** The pid of a process that has just exited: what a gateway killed by a reboot or `kill -9` leaves in its files. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => {
      assert.ok(child.pid !== undefined);
      resolve(child.pid);
    });
  });
}

/** Holds a port the way another program would. */
function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('qcc proxy start: stale runtime files, a busy port, an exposed bind, an unknown cluster', () => {
  let gw: GatewayHome;
  soloGateway(KEY, (parts) => (gw = parts.gw));

  it('--cluster with an unknown name is refused in one line and starts nothing', async () => {
    const result = await gw.qcc(['proxy', 'start', '--cluster', 'nope', '--port', String(gw.port)]);
    assertOneLineError(result, /'nope'.*qcc list/, 3);
    assert.equal(existsSync(gw.file('proxy.json')), false);
    assert.equal(gw.liveGatewayPids().length, 0);
  });

  it('a stale runtime file (its pid dead) is explained in one line, removed, and start then works', async () => {
    const pid = await deadPid();
    assert.equal(pidAlive(pid), false);
    const staleUrl = `http://127.0.0.1:${gw.port}`;
    await writeFile(
      gw.file('proxy.json'),
      JSON.stringify({ pid, host: '127.0.0.1', port: gw.port, url: staleUrl, startedAt: '2026-01-01T00:00:00.000Z', version: '0.0.1', logFile: gw.file('proxy.log') }),
      { mode: 0o600 },
    );
    await writeFile(gw.file('proxy.pid'), `${pid}\n`, { mode: 0o600 });

    const start = await gw.ok(['proxy', 'start', '--port', String(gw.port)]);
    const staleLines = start.stdout.split('\n').filter((line) => line.includes(String(pid)));
    assert.equal(staleLines.length, 1, start.stdout);
    assert.match(staleLines[0] ?? '', /stale.*PID \d+ was not running/);
    const runtime = await gw.runtime();
    assert.ok(runtime && runtime.pid !== pid && pidAlive(runtime.pid));
    assert.equal(await gw.pidFile(), runtime.pid);
    assert.equal((await gw.status()).pid, runtime.pid);
  });

  it('a stale proxy.pid alone is taken over: start works and the file names the new gateway', async () => {
    const pid = await deadPid();
    await writeFile(gw.file('proxy.pid'), `${pid}\n`, { mode: 0o600 });
    const runtime = await gw.start();
    assert.notEqual(runtime.pid, pid);
    assert.equal(await gw.pidFile(), runtime.pid);
  });

  it('stop with a stale runtime file explains it and says "not running"', async () => {
    const pid = await deadPid();
    await writeFile(gw.file('proxy.json'), JSON.stringify({ pid, host: '127.0.0.1', port: gw.port, url: gw.url }), { mode: 0o600 });
    await writeFile(gw.file('proxy.pid'), `${pid}\n`, { mode: 0o600 });
    const stop = await gw.ok(['proxy', 'stop']);
    assert.match(stop.stdout, new RegExp(`stale.*PID ${pid} was not running`));
    assert.match(stop.stdout, /not running/);
    assert.equal(existsSync(gw.file('proxy.json')), false);
    assert.equal(existsSync(gw.file('proxy.pid')), false);
  });

  it(
    'a runtime file whose pid now belongs to another program is stale, and that program is never signalled',
    async () => {
      const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
      try {
        const pid = bystander.pid ?? 0;
        await writeFile(gw.file('proxy.json'), JSON.stringify({ pid, host: '127.0.0.1', port: gw.port, url: gw.url }), { mode: 0o600 });
        await writeFile(gw.file('proxy.pid'), `${pid}\n`, { mode: 0o600 });
        const stop = await gw.qcc(['proxy', 'stop']);
        assert.match(stop.stdout, /not running/);
        await sleep(300);
        assert.equal(bystander.signalCode, null, 'the bystander was signalled');
      } finally {
        bystander.kill('SIGKILL');
      }
    },
  );

  it('a gateway that refuses the admin token is named in one line with the token file; stop still ends it', async () => {
    const { pid } = await gw.start();
    await writeFile(gw.file('admin-token'), 'not-the-token-the-gateway-holds\n');
    assertOneLineError(await gw.qcc(['proxy', 'start', '--port', String(gw.port)]), /needs the admin token from .*admin-token — if the file changed, `qcc proxy restart`/, 2);
    const stop = await gw.qcc(['proxy', 'stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(pidAlive(pid), false, 'SIGTERM ended it when the control route refused');
  });

  it('a busy port: one line naming host:port and --port, no stack, no pid or runtime file left', async () => {
    const squatter = await occupy(gw.port);
    try {
      const result = await gw.qcc(['proxy', 'start', '--port', String(gw.port)]);
      assertOneLineError(result, new RegExp(`127\\.0\\.0\\.1:${gw.port} is already in use.*--port`), 6);
      assert.equal(existsSync(gw.file('proxy.json')), false);
      assert.equal(existsSync(gw.file('proxy.pid')), false);
      assert.equal(gw.liveGatewayPids().length, 0);
      const status = await gw.qcc(['proxy', 'status']);
      assert.equal(status.code, 3);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('--host 0.0.0.0 without proxy.proxyKey is refused in one line naming `qcc config set proxy.proxyKey`', async () => {
    const result = await gw.qcc(['proxy', 'start', '--host', '0.0.0.0', '--port', String(gw.port)]);
    assertOneLineError(result, /0\.0\.0\.0.*`qcc config set proxy\.proxyKey/, 6);
    assert.equal(existsSync(gw.file('proxy.json')), false);
    assert.equal(existsSync(gw.file('proxy.pid')), false);
  });

});
