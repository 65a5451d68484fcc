import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import * as undici from 'undici';
import { Agent } from '../../src/upstream/agent.js';

describe('the gateway\'s undici Agent', () => {
  it('is the class undici exports', () => {
    assert.equal(Agent, undici.Agent);
  });

  it('comes without the rest of undici: the daemon module does not load the package index', () => {
    const daemon = new URL('../../../dist/daemon/daemon.js', import.meta.url).href;
    // A process of its own: this one has loaded the index above.
    const probe = `await import(${JSON.stringify(daemon)});
const { createRequire } = await import('node:module');
const cache = createRequire(import.meta.url).cache;
console.log(JSON.stringify(Object.keys(cache).filter((file) => /undici[\\\\/]index\\.js$/.test(file))));`;
    const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', probe], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), []);
  });
});
