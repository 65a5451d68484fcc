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
