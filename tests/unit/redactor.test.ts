import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskKey } from '../../src/core/mask.js';
import { Redactor } from '../../src/daemon/log-sink.js';

describe('log redaction', () => {
  it('masks every known secret the way listings do', () => {
    const secrets = ['sk-ant-api03-0123456789abcdefWXYZ', 'relaykey-0123', 'pk-8char'];
    const redactor = new Redactor();
    redactor.setSecrets(secrets);
    for (const secret of secrets) {
      assert.equal(redactor.apply(`{"detail":"key ${secret} refused"}`), `{"detail":"key ${maskKey(secret)} refused"}`);
    }
  });

  it('a short secret (a proxy key may have 8 characters) shows less than half of itself, never all of it', () => {
    const redactor = new Redactor();
    for (const secret of ['pk-8char', 'proxy-key-10', 'sk-short-key-0123']) {
      redactor.setSecrets([secret]);
      const shown = redactor.apply(secret).replace('…', '');
      assert.ok(shown.length < secret.length / 2, `${secret} logged as ${redactor.apply(secret)}`);
    }
  });

  it('anything shaped like a provider key is masked even when it is not configured', () => {
    const redactor = new Redactor();
    const line = redactor.apply('token sk-unknown-0123456789abcdef here');
    assert.equal(line, `token ${maskKey('sk-unknown-0123456789abcdef')} here`);
  });
});
