import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayEnvironment } from '../../src/core/gateway-environment.js';

describe('gatewayEnvironment', () => {
  it('holds glibc malloc to two arenas, and keeps the rest of the environment', () => {
    const env = { PATH: '/usr/bin', QCC_HOME: '/tmp/q' };
    assert.deepEqual(gatewayEnvironment(env), { PATH: '/usr/bin', QCC_HOME: '/tmp/q', MALLOC_ARENA_MAX: '2' });
    assert.equal('MALLOC_ARENA_MAX' in env, false, 'the caller’s environment is not changed');
  });

  it('leaves a MALLOC_ARENA_MAX the user set, even an empty one', () => {
    assert.equal(gatewayEnvironment({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX, '8');
    assert.equal(gatewayEnvironment({ MALLOC_ARENA_MAX: '' }).MALLOC_ARENA_MAX, '');
  });
});
