import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyTarget,
  detectIndent,
  ownedValues,
  withOwnedValues,
  type OwnedValues,
  type SettingsObject,
} from '../../src/claude/settings-patch.js';

const user: SettingsObject = {
  model: 'opus',
  env: { FOO: 'bar', ANTHROPIC_BASE_URL: 'https://mine.example.com', ANTHROPIC_AUTH_TOKEN: 'sk-mine', ANTHROPIC_MODEL: 'x' },
  permissions: { allow: ['Read'], deny: [] },
  hooks: { Stop: [{ hooks: [{ type: 'command', command: 'true' }] }] },
};

describe('settings.json patch', () => {
  it('a bearer target sets the base URL and ANTHROPIC_AUTH_TOKEN, and removes ANTHROPIC_API_KEY', () => {
    const next = applyTarget({ ...user, env: { ...(user.env as object), ANTHROPIC_API_KEY: 'sk-old' } }, {
      baseUrl: 'https://relay.example.com',
      token: 'sk-new',
      authStyle: 'bearer',
    });
    assert.equal(next.permissions, user.permissions, 'other values are the same objects, untouched');
    assert.deepEqual(Object.keys(next), Object.keys(user), 'env stays where it was');
    assert.deepEqual(next, {
      ...user,
      env: { FOO: 'bar', ANTHROPIC_BASE_URL: 'https://relay.example.com', ANTHROPIC_AUTH_TOKEN: 'sk-new', ANTHROPIC_MODEL: 'x' },
    });
  });

  it('an x-api-key target sets ANTHROPIC_API_KEY and removes ANTHROPIC_AUTH_TOKEN', () => {
    const next = applyTarget(user, { baseUrl: 'https://api.anthropic.com', token: 'sk-ant', authStyle: 'x-api-key' });
    const env = next.env as Record<string, unknown>;
    assert.equal(env.ANTHROPIC_API_KEY, 'sk-ant');
    assert.ok(!('ANTHROPIC_AUTH_TOKEN' in env));
    assert.equal(env.FOO, 'bar');
    assert.equal(env.ANTHROPIC_MODEL, 'x', 'only the three owned keys are touched');
  });

  it('never changes the object it is given', () => {
    const frozen = structuredClone(user);
    applyTarget(user, { baseUrl: 'https://relay.example.com', token: 't', authStyle: 'x-api-key' });
    withOwnedValues(user, { ANTHROPIC_BASE_URL: null, ANTHROPIC_AUTH_TOKEN: null, ANTHROPIC_API_KEY: null }, false);
    assert.deepEqual(user, frozen);
  });

  it('puts back any original owned values exactly, whatever targets came in between', () => {
    const originals: OwnedValues[] = [
      { ANTHROPIC_BASE_URL: null, ANTHROPIC_AUTH_TOKEN: null, ANTHROPIC_API_KEY: null },
      { ANTHROPIC_BASE_URL: 'https://a', ANTHROPIC_AUTH_TOKEN: 'tok', ANTHROPIC_API_KEY: null },
      { ANTHROPIC_BASE_URL: 'https://a', ANTHROPIC_AUTH_TOKEN: null, ANTHROPIC_API_KEY: 'key' },
      { ANTHROPIC_BASE_URL: null, ANTHROPIC_AUTH_TOKEN: 'tok', ANTHROPIC_API_KEY: 'key' },
    ];
    for (const values of originals) {
      for (const envExisted of [true, false]) {
        const other = envExisted ? { env: { KEEP: '1' } } : {};
        const start = withOwnedValues({ a: 1, ...other, z: [2] }, values, envExisted);
        const saved = ownedValues(start);
        assert.deepEqual(saved, values);
        let current = start;
        for (const authStyle of ['bearer', 'x-api-key', 'bearer'] as const) {
          current = applyTarget(current, { baseUrl: 'https://relay', token: 'sk', authStyle });
          const env = current.env as Record<string, unknown>;
          assert.ok(!('ANTHROPIC_AUTH_TOKEN' in env && 'ANTHROPIC_API_KEY' in env), 'never both credentials');
        }
        assert.deepEqual(withOwnedValues(current, saved, 'env' in start), start);
      }
    }
  });

  it('keeps an env that existed even when it ends up empty, and drops one it created', () => {
    const owned: OwnedValues = { ANTHROPIC_BASE_URL: null, ANTHROPIC_AUTH_TOKEN: null, ANTHROPIC_API_KEY: null };
    assert.deepEqual(withOwnedValues({ env: { ANTHROPIC_BASE_URL: 'x' } }, owned, true), { env: {} });
    assert.deepEqual(withOwnedValues({ env: { ANTHROPIC_BASE_URL: 'x' } }, owned, false), {});
    assert.deepEqual(withOwnedValues({ env: { OTHER: 'y' } }, owned, false), { env: { OTHER: 'y' } });
  });

  it('reads only string values as owned values', () => {
    assert.deepEqual(ownedValues({ env: { ANTHROPIC_BASE_URL: 42, ANTHROPIC_AUTH_TOKEN: 'tok' } }), {
      ANTHROPIC_BASE_URL: null,
      ANTHROPIC_AUTH_TOKEN: 'tok',
      ANTHROPIC_API_KEY: null,
    });
    assert.deepEqual(ownedValues({}), { ANTHROPIC_BASE_URL: null, ANTHROPIC_AUTH_TOKEN: null, ANTHROPIC_API_KEY: null });
  });

  it("detects the file's indentation", () => {
    assert.equal(detectIndent('{\n  "a": 1\n}'), '  ');
    assert.equal(detectIndent('{\n    "a": {\n        "b": 1\n    }\n}'), '    ');
    assert.equal(detectIndent('{\n\t"a": 1\n}'), '\t');
    assert.equal(detectIndent('{"a":1}'), 2);
    assert.equal(detectIndent(''), 2);
  });
});
