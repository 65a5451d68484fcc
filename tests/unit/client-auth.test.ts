import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presentedCredentials, sameSecret } from '../../src/gateway/client-auth.js';

describe('client credentials', () => {
  it('an empty secret never matches, not even an empty credential', () => {
    assert.equal(sameSecret('', ''), false);
    assert.equal(sameSecret(undefined, ''), false);
    assert.equal(sameSecret('anything', ''), false);
  });

  it('matches only the same secret, of the same length', () => {
    assert.equal(sameSecret('proxy-key-0123', 'proxy-key-0123'), true);
    assert.equal(sameSecret('proxy-key-012', 'proxy-key-0123'), false);
    assert.equal(sameSecret('proxy-key-0124', 'proxy-key-0123'), false);
    assert.equal(sameSecret(undefined, 'proxy-key-0123'), false);
  });

  it('reads both of Claude Code’s styles, and neither when empty', () => {
    assert.deepEqual(presentedCredentials({ 'x-api-key': 'k1', authorization: 'Bearer t1' }), ['k1', 't1']);
    assert.deepEqual(presentedCredentials({ authorization: 'bearer  t2 ' }), ['t2']);
    assert.deepEqual(presentedCredentials({ 'x-api-key': '', authorization: 'Basic abc' }), []);
  });
});
