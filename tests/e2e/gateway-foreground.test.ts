import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { assertOneLineError } from '../helpers/assertions.js';
import { type GatewayHome, pidAlive, waitUntil, within } from '../helpers/gateway-home.js';
import { soloGateway } from '../helpers/solo-gateway.js';
import { PtySession } from '../helpers/pty.js';

const KEY = 'sk-gw-fore-PRIVATE-9a4e1c7f3b08';

describe('qcc proxy start --foreground', () => {
  let gw: GatewayHome;
  soloGateway(KEY, (parts) => (gw = parts.gw));

  it('--foreground runs attached; a SIGINT sent to qcc alone reaches the gateway, which drains, and qcc exits 0', async () => {
    const foreground = gw.spawn(['proxy', 'start', '--foreground', '--port', String(gw.port)]);
    const status = await waitUntil('the foreground gateway to answer', () => gw.fetchStatus(), 15_000);
    // The gateway answers as soon as it listens, and writes proxy.json right after (its port is known only then).
    const runtime = await waitUntil('the foreground gateway to write proxy.json', () => gw.runtime(), 15_000);
    await gw.track();
    assert.equal(status.pid, runtime.pid);
    assert.ok(existsSync(gw.file('proxy.pid')));
    // Traffic works while attached.
    const response = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();

    process.kill(foreground.pid, 'SIGINT');
    assert.equal(await foreground.exit(15_000), 0, `${foreground.stdout}\n${foreground.stderr}`);
    assert.equal(pidAlive(runtime.pid), false, 'the gateway itself stopped');
    assert.equal(existsSync(gw.file('proxy.json')), false);
    assert.equal(existsSync(gw.file('proxy.pid')), false);
    assert.match(foreground.stdout, /gateway started/);
    assert.match(foreground.stdout, /gateway stopped/);
    assert.doesNotMatch(`${foreground.stdout}${foreground.stderr}`, /ExperimentalWarning/, 'qcc silences node:sqlite’s warning');
  });

  it('--foreground in a terminal: Ctrl-C (which the gateway gets twice) drains it, and qcc exits 0', async () => {
    // `script` runs the command through $SHELL -c. dash (the default /bin/sh here) forks instead of exec'ing and dies of
    // the Ctrl-C itself, hiding qcc's exit code; bash execs the command, as a person's terminal runs qcc directly.
    const session = new PtySession(['proxy', 'start', '--foreground', '--port', String(gw.port)], { ...gw.home.env, SHELL: '/bin/bash' });
    try {
      await waitUntil('the foreground gateway to answer', () => gw.fetchStatus(), 15_000);
      const runtime = await waitUntil('the foreground gateway to write proxy.json', () => gw.runtime(), 15_000);
      await gw.track();
      await session.expect('gateway started');
      session.press('\u0003');
      const code = await within(session.exited, 15_000, () => `qcc still runs; screen:\n${session.screen}`);
      assert.equal(code, 0, session.screen);
      assert.equal(pidAlive(runtime.pid), false);
      assert.equal(existsSync(gw.file('proxy.json')), false);
      assert.equal(existsSync(gw.file('proxy.pid')), false);
      assert.match(session.screen, /gateway stopped/);
    } finally {
      session.kill();
    }
  });

  it('--foreground when a gateway already runs is refused in one line', async () => {
    const running = await gw.start();
    const result = await gw.qcc(['proxy', 'start', '--foreground', '--port', String(gw.port)]);
    assertOneLineError(result, new RegExp(`already running.*pid ${running.pid}`), 6);
    assert.ok(pidAlive(running.pid));
  });
});
