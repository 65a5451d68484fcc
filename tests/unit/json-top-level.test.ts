import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { topLevelValues } from '../../src/core/json-top-level.js';

const values = (text: string, wanted: string[]): Record<string, unknown> => {
  const bytes = Buffer.from(text);
  const found = topLevelValues(bytes, wanted);
  return Object.fromEntries([...found].map(([key, range]) => [key, JSON.parse(bytes.toString('utf8', range.start, range.end))]));
};

describe('topLevelValues', () => {
  it('finds top-level values of every kind', () => {
    const text = '{"model":"claude","messages":[{"role":"user","content":"hi"}],"max_tokens":16,"stream":true,"metadata":{"user_id":"u"}}';
    assert.deepEqual(values(text, ['stream', 'model', 'metadata', 'max_tokens']), {
      stream: true,
      model: 'claude',
      metadata: { user_id: 'u' },
      max_tokens: 16,
    });
  });

  it('ignores the same keys nested deeper, in strings or escaped quotes', () => {
    const text = JSON.stringify({
      messages: [{ role: 'user', content: 'say "stream": true, \\"model\\": x {[' }],
      tools: [{ name: 't', input_schema: { properties: { stream: { type: 'boolean' } }, stream: true } }],
      model: 'm',
    });
    assert.deepEqual(values(text, ['stream', 'model']), { model: 'm' });
  });

  it('agrees with JSON.parse on a body shaped like Claude Code’s, with whitespace', () => {
    const body = {
      model: 'claude-sonnet',
      messages: Array.from({ length: 50 }, (_, index) => ({ role: index % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `line ${index} \\ "q" \n` }] })),
      system: [{ type: 'text', text: 'x'.repeat(1000), cache_control: { type: 'ephemeral' } }],
      metadata: { user_id: JSON.stringify({ session_id: 'abc' }) },
      stream: false,
    };
    assert.deepEqual(values(JSON.stringify(body, null, 2), ['stream', 'model', 'metadata']), {
      stream: false,
      model: body.model,
      metadata: body.metadata,
    });
  });

  it('finds nothing in what is not an object, and stops at malformed input', () => {
    assert.deepEqual(values('[1,2]', ['stream']), {});
    assert.deepEqual(values('', ['stream']), {});
    assert.deepEqual(values('{"model":"m","stream":', ['model', 'stream']), { model: 'm' });
    assert.deepEqual(values('{"messages":"unterminated', ['stream']), {});
  });
});

describe('topLevelValues from both ends', () => {
  it('finds the keys at either end without reading the bulk in between', () => {
    // Not JSON in the middle: a walk from the front alone would stop there; both ends are found all the same.
    const text = `{"model":"m","messages":[{"content": "unterminated ]]]} , "stream":false}],"metadata":{"user_id":"u"},"stream":true}`;
    assert.deepEqual(values(text, ['stream', 'model', 'metadata']), { model: 'm', metadata: { user_id: 'u' }, stream: true });
  });

  it('agrees with JSON.parse on random objects, keys in any place and with any spacing', () => {
    let seed = 42;
    const next = (): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const tricky = ['', 'a', '"', '\\', '\\"', '"\\', '{', '}', '[', ']', ':', ',', ' ', '\n', 'é', '"stream":true', '\\\\'];
    const text = (): string => Array.from({ length: Math.floor(next() * 6) }, () => pick(tricky)).join('');
    const value = (depth: number): unknown => {
      const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
      if (kind === 0) return text();
      if (kind === 1) return Math.floor(next() * 2000) - 1000;
      if (kind === 2) return pick([true, false, null]);
      if (kind === 3) return next() * 10;
      if (kind === 4) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [pick(['stream', 'model', text()]), value(depth + 1)]));
    };
    const keys = ['model', 'stream', 'metadata', 'messages', 'tools', 'max_tokens', 'system'];
    for (let round = 0; round < 500; round++) {
      const object: Record<string, unknown> = {};
      for (const key of keys) if (next() < 0.6) object[key] = value(0);
      const spaced = next() < 0.5 ? JSON.stringify(object) : JSON.stringify(object, null, Math.floor(next() * 3) + 1);
      const wanted = keys.filter(() => next() < 0.5);
      const expected = Object.fromEntries(wanted.filter((key) => key in object).map((key) => [key, object[key]]));
      assert.deepEqual(values(spaced, wanted), expected, spaced);
    }
  });
});
