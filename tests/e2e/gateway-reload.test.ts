import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startSimulator, type RecordedRequest, type Simulator } from '../../src/simulator/index.js';
import { assertNoSecret } from '../helpers/assertions.js';
import { GatewayHome } from '../helpers/gateway-home.js';
import { ask } from '../helpers/gateway-traffic.js';

const KEY_A = 'sk-gw-reload-a-PRIVATE-6a0e2c4b8d1f';
const KEY_B = 'sk-gw-reload-b-PRIVATE-d7f3b9e5a2c4';

const messages = (sim: Simulator): RecordedRequest[] => sim.requests.filter((request) => request.path.startsWith('/v1/messages'));

/**
 * DESIGN §9: the running gateway re-reads config.json when it changes — CLI changes apply without a restart, an
 * invalid file is refused and the running configuration kept (streams across a reload: gateway-drain.test.ts).
 */
describe('a running gateway follows config.json: changes through the CLI, refused files', () => {
  let simA: Simulator;
  let simB: Simulator;
  let gw: GatewayHome;
  let idA: string;

  before(async () => {
    simA = await startSimulator({ name: 'alpha', apiKey: KEY_A, authStyle: 'x-api-key' });
    simB = await startSimulator({ name: 'bravo', apiKey: KEY_B, authStyle: 'bearer' });
  });
  after(async () => {
    await simA.close();
    await simB.close();
  });
  beforeEach(async () => {
    simA.reset();
    simB.reset();
    gw = await GatewayHome.create();
    const ids = await gw.writeConfig({
      profiles: [
        { name: 'a', url: simA.url, apiKey: KEY_A, authStyle: 'x-api-key' },
        { name: 'b', url: simB.url, apiKey: KEY_B, authStyle: 'bearer' },
      ],
      cluster: { name: 'prod', primary: ['a', 'b'] },
    });
    idA = ids.a ?? '';
    await gw.start();
  });
  afterEach(async () => {
    const outputs = gw.outputs;
    await gw.cleanup();
    for (const result of outputs) assertNoSecret(result, KEY_A, KEY_B);
  });

  it('`qcc endpoint disable` and `qcc config set` take effect without a restart; only proxy.port asks for one', async () => {
    const pid = (await gw.runtime())?.pid;
    for (let index = 0; index < 4; index += 1) assert.equal((await ask(gw.url)).status, 200);
    assert.ok(messages(simA).length >= 1 && messages(simB).length >= 1, 'both primaries share the load');

    await gw.ok(['endpoint', 'disable', 'prod', idA]);
    await gw.waitForStatus('a to leave the rotation', (status) => !status.endpoints.some((endpoint) => endpoint.id === idA));
    const before = messages(simA).length;
    for (let index = 0; index < 4; index += 1) assert.equal((await ask(gw.url)).status, 200);
    assert.equal(messages(simA).length, before, 'a disabled endpoint gets no traffic');

    await gw.ok(['endpoint', 'enable', 'prod', idA]);
    await gw.waitForStatus('a to come back', (status) => status.endpoints.some((endpoint) => endpoint.id === idA));

    await gw.ok(['config', 'set', 'loadbalancer.strategy', 'round-robin']);
    await gw.waitForStatus('the new strategy', (status) => status.strategy === 'round-robin');
    assert.match((await gw.ok(['proxy', 'status'])).stdout, /strategy: round-robin/);
    assert.equal((await gw.runtime())?.pid, pid, 'the same process all along');
    const restartNote = /take effect on `qcc proxy restart`/;
    assert.doesNotMatch(await readFile(gw.file('proxy.log'), 'utf8'), restartNote, 'no word of a restart when the address did not change');

    // The address is the one thing that needs a restart: the gateway says so and keeps its port.
    const changedAt = Date.now();
    await gw.ok(['config', 'set', 'proxy.port', String(gw.port === 65_535 ? gw.port - 1 : gw.port + 1)]);
    await gw.waitForReload(changedAt);
    assert.match(await readFile(gw.file('proxy.log'), 'utf8'), restartNote);
    assert.equal((await ask(gw.url)).status, 200);
  });

  it('an invalid config.json written by hand is refused: the gateway serves on, status says why; fixing it, even by undoing the edit, clears that', async () => {
    const file = gw.file('config.json');
    const good = await readFile(file, 'utf8');
    const bad = JSON.parse(good) as { settings?: { loadbalancer?: Record<string, unknown> }; profiles: unknown[] };
    bad.settings = { ...bad.settings, loadbalancer: { ...bad.settings?.loadbalancer, strategy: 'fastest' } };
    bad.profiles = bad.profiles.slice(0, 1); // the cluster would disappear if this were applied
    await writeFile(file, `${JSON.stringify(bad, null, 2)}\n`);

    const refused = await gw.waitForStatus('the refusal', (status) => status.configError !== null);
    assert.match(refused.configError ?? '', /loadbalancer\.strategy/);
    assert.equal(refused.strategy, 'weighted');
    assert.equal(refused.activeProfile, 'prod');
    assert.equal(refused.endpoints.length, 2, 'the last good configuration still routes');
    assert.equal((await ask(gw.url)).status, 200);

    const human = await gw.ok(['proxy', 'status']);
    const warning = human.stdout.split('\n').filter((line) => line.includes('config.json was refused'));
    assert.equal(warning.length, 1, human.stdout);
    assert.match(warning[0] ?? '', /running on the last good one: .*config\.json has 1 problem/);
    // The problems follow, one a line, as `dot.path: message`.
    assert.match(human.stdout, /refused.*\n\s+settings\.loadbalancer\.strategy: /);
    assert.equal((JSON.parse((await gw.ok(['proxy', 'status', '--json'])).stdout) as { configError: string }).configError, refused.configError);

    // The user undoes the edit: the very file the gateway runs on is valid again, and the warning goes.
    await writeFile(file, good);
    const fixed = await gw.waitForStatus('the error to clear', (status) => status.configError === null);
    assert.equal(fixed.endpoints.length, 2);

    // Not JSON at all: refused too, the CLI will not write over it, and a real fix applies.
    await writeFile(file, '{ "version": 1, ');
    await gw.waitForStatus('the refusal of broken JSON', (status) => /not valid JSON/.test(status.configError ?? ''));
    assert.equal((await ask(gw.url)).status, 200);
    const blocked = await gw.qcc(['config', 'set', 'loadbalancer.strategy', 'random']);
    assert.equal(blocked.code, 5, 'the CLI does not write over a file it cannot read');
    await writeFile(file, good);
    await gw.ok(['config', 'set', 'loadbalancer.strategy', 'random']);
    const applied = await gw.waitForStatus('the fixed file to apply', (status) => status.configError === null && status.strategy === 'random');
    assert.equal(applied.endpoints.length, 2);
    assert.doesNotMatch((await gw.ok(['proxy', 'status'])).stdout, /refused/);
  });
});
