import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ResponseInspector } from '../../src/gateway/response-inspector.js';

const event = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
const START = event('message_start', { type: 'message_start', message: { model: 'claude-x', usage: { input_tokens: 120, output_tokens: 1 } } });
const DELTA = event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hé "x"' } });
const END_DELTA = event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 42 } });
const STOP = event('message_stop', { type: 'message_stop' });

/** Feeds the chunks as an upstream would send them, and reads what the inspector made of the stream. */
async function inspect(chunks: readonly (string | Buffer)[], encoding?: string): Promise<ResponseInspector> {
  const inspector = new ResponseInspector(true, encoding);
  for (const chunk of chunks) inspector.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  await inspector.end();
  return inspector;
}

describe('ResponseInspector on a stream', () => {
  it('reads usage and the end of a stream sent an event per chunk, the deltas passed over', async () => {
    const inspector = await inspect([START, DELTA, DELTA, DELTA, END_DELTA, STOP]);
    const first = await inspector.first();
    assert.equal(first.kind === 'event' && first.event.event, 'message_start');
    assert.equal(inspector.usage.inputTokens, 120);
    assert.equal(inspector.usage.outputTokens, 42);
    assert.equal(inspector.usage.stopReason, 'end_turn');
    assert.equal(inspector.usage.messageStop, true);
    assert.equal(inspector.pending, 0);
  });

  it('hears an event that shares a chunk with a delta', async () => {
    const inspector = await inspect([START, DELTA, DELTA + END_DELTA + STOP]);
    assert.equal(inspector.usage.outputTokens, 42);
    assert.equal(inspector.usage.messageStop, true);
    // Some relays leave out the event lines: the type is in the data.
    const unnamed = await inspect([START, DELTA, `${DELTA}data: {"type":"message_stop"}\n\n`]);
    assert.equal(unnamed.usage.messageStop, true);
  });

  it('takes the last event line of a chunk that begins like a delta', async () => {
    const inspector = await inspect([START, DELTA, `event: content_block_delta\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`]);
    assert.equal(inspector.usage.messageStop, true);
    // The later event line may follow the data, too.
    const after = await inspect([START, DELTA, `event: content_block_delta\ndata: {"type":"message_stop"}\nevent: message_stop\n\n`]);
    assert.equal(after.usage.messageStop, true);
  });

  it('reads a delta that begins inside the chunk before it, and the events after it', async () => {
    const split = DELTA.indexOf('data:');
    const inspector = await inspect([START + DELTA.slice(0, split), DELTA.slice(split), DELTA, END_DELTA, STOP]);
    assert.equal(inspector.usage.outputTokens, 42);
    assert.equal(inspector.usage.messageStop, true);
    assert.equal(inspector.pending, 0);
  });

  it('reads a stream cut inside a character, and one with CRLF line ends', async () => {
    const bytes = Buffer.from(START + DELTA);
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    const cutInside = await inspect([bytes.subarray(0, cut), bytes.subarray(cut), DELTA, END_DELTA, STOP]);
    assert.equal(cutInside.usage.outputTokens, 42);
    const crlf = (text: string): string => text.replaceAll('\n', '\r\n');
    const withCrlf = await inspect([crlf(START), crlf(DELTA), crlf(DELTA), crlf(END_DELTA), crlf(STOP)]);
    assert.equal(withCrlf.usage.outputTokens, 42);
    assert.equal(withCrlf.usage.messageStop, true);
  });

  it('knows a stream that stopped in the middle of an event, after whole deltas', async () => {
    const inspector = await inspect([START, DELTA, DELTA, 'event: message_delta\ndata: {"type":"mess']);
    assert.equal(inspector.usage.messageStop, false);
    assert.ok(inspector.pending > 0);
  });

  it('reads a gzip-encoded stream on a decoded copy', async () => {
    const inspector = await inspect([gzipSync(START + DELTA + DELTA + END_DELTA + STOP)], 'gzip');
    assert.equal(inspector.usage.outputTokens, 42);
    assert.equal(inspector.usage.messageStop, true);
    assert.equal(inspector.plain, false);
  });
});
