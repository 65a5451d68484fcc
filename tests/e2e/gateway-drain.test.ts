import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { assertNoSecret } from '../helpers/assertions.js';
import { GatewayHome, pidAlive, waitUntil } from '../helpers/gateway-home.js';
import { ask, slowScript, slowStream, sseEvents } from '../helpers/gateway-traffic.js';

const KEY = 'sk-gw-drain-PRIVATE-3f9b1d7e5c2a';

/**
 * Resolves once the gateway drains: new connections are refused, or a kept-alive one hears so from the status (the
 * one route still answered, saying `draining`).
 */
async function draining(url: string): Promise<true> {
  return waitUntil('the gateway to drain', async () => {
    const response = await fetch(`${url}/_qcc/status`).catch(() => undefined);
    if (response === undefined) return true;
    return response.ok && ((await response.json()) as { draining: boolean }).draining;
  }, 15_000);
}

/**
 * DESIGN §9: streams in flight are not dropped by a reload; `stop` drains — new requests get 503, streams in flight
 * may finish up to a deadline — then exits.
 */
describe('streams in flight across a reload and a stop', () => {
  let sim: Simulator;
  let gw: GatewayHome;

  before(async () => {
    sim = await startSimulator({ name: 'drain', apiKey: KEY, authStyle: 'x-api-key' });
    sim.script(slowScript(800));
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    gw = await GatewayHome.create();
    await gw.writeConfig({ profiles: [{ name: 'solo', url: sim.url, apiKey: KEY, authStyle: 'x-api-key' }] });
  });
  afterEach(async () => {
    const outputs = gw.outputs;
    await gw.cleanup();
    for (const result of outputs) assertNoSecret(result, KEY);
  });

  it('a stream in flight survives a reload that replaces the upstream connection pool', async () => {
    await gw.start();
    sim.reset();
    sim.script(slowScript(800));
    const stream = slowStream(gw.url);
    await stream.firstBytes;
    const changedAt = Date.now();
    await gw.ok(['config', 'set', 'proxy.connectTimeoutMs', '4s']);
    const reloadedAt = await gw.waitForReload(changedAt, 15_000);
    const { text, endedAt } = await stream.done;
    assert.ok(reloadedAt < endedAt, 'the reload applied while the stream was in flight');
    const seen = sseEvents(text);
    assert.equal(seen[0], 'message_start');
    assert.equal(seen.at(-1), 'message_stop', text);
    assert.ok(!seen.includes('error'), text);
    const upstream = sim.requests.filter((request) => request.path.startsWith('/v1/messages'));
    assert.equal(upstream.length, 1);
    assert.equal(upstream[0]?.completed, true);
    assert.equal(upstream[0]?.aborted, false);
    assert.equal((await ask(gw.url)).status, 200, 'the new pool serves');
  });

  it('a slow stream in flight when `qcc proxy stop` runs still completes (message_stop); then the gateway exits', async () => {
    const { pid } = await gw.start();
    const stream = slowStream(gw.url);
    await stream.firstBytes;
    const stop = gw.qcc(['proxy', 'stop']).then((result) => ({ result, at: Date.now() }));
    await draining(gw.url);
    assert.equal(stream.ended(), false, 'the stream was still in flight when the drain began');
    const status = await gw.qcc(['proxy', 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /● running.*draining/);
    const { text, endedAt } = await stream.done;
    const { result, at } = await stop;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /streams in flight may finish/);
    const seen = sseEvents(text);
    assert.equal(seen.at(-1), 'message_stop', text);
    assert.ok(!seen.includes('error'), text);
    assert.ok(at >= endedAt, 'stop returned only after the stream ended');
    assert.equal(pidAlive(pid), false);
    assert.equal(await gw.runtime(), undefined);
    assert.equal(await gw.pidFile(), undefined);
  });

  it('a stream still going at proxy.drainTimeoutMs ends with an error event, never as if complete', async () => {
    await gw.writeConfig({ profiles: [{ name: 'solo', url: sim.url, apiKey: KEY, authStyle: 'x-api-key' }], settings: { proxy: { drainTimeoutMs: 1000 } } });
    const { pid } = await gw.start();
    const stream = slowStream(gw.url);
    await stream.firstBytes;
    const result = await gw.qcc(['proxy', 'stop']);
    assert.equal(result.code, 0, result.stderr);
    const { text } = await stream.done;
    const seen = sseEvents(text);
    assert.equal(seen.at(-1), 'error', text);
    assert.ok(!seen.includes('message_stop'), text);
    assert.match(text, /"type":"api_error"/);
    assert.equal(pidAlive(pid), false);
  });
});
