import { after, afterEach, before, beforeEach } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { assertNoSecret } from './assertions.js';
import { GatewayHome } from './gateway-home.js';

/**
 * The fixture of the gateway lifecycle suites, as hooks of the describe it is called in: one simulator for the suite
 * (bearer, demanding `key`), and for every test a fresh home whose only profile, 'solo', points at it. After each
 * test the home is cleaned up (its gateway stopped) and no output of the test may show the key. `use` receives the
 * simulator and each new home.
 */
export function soloGateway(key: string, use: (parts: { sim: Simulator; gw: GatewayHome }) => void): void {
  let sim: Simulator;
  let gw: GatewayHome;
  before(async () => {
    sim = await startSimulator({ name: 'life', apiKey: key, authStyle: 'bearer' });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    gw = await GatewayHome.create();
    await gw.writeConfig({ profiles: [{ name: 'solo', url: sim.url, apiKey: key, authStyle: 'bearer' }] });
    use({ sim, gw });
  });
  afterEach(async () => {
    const outputs = gw.outputs;
    await gw.cleanup();
    for (const result of outputs) assertNoSecret(result, key);
  });
}
