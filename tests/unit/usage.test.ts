import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser } from '../../src/core/sse-parser.js';
import { UsageTally } from '../../src/core/usage.js';

const messageStart = {
  event: 'message_start',
  data: JSON.stringify({
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      usage: { input_tokens: 1200, output_tokens: 1, cache_creation_input_tokens: 300, cache_read_input_tokens: 4000 },
    },
  }),
};

function delta(usage: unknown, stopReason: unknown = 'end_turn') {
  return { event: 'message_delta', data: JSON.stringify({ type: 'message_delta', delta: { stop_reason: stopReason }, usage }) };
}

describe('UsageTally', () => {
  it('reads usage from message_start and the cumulative output of message_delta', () => {
    const tally = new UsageTally();
    tally.addEvent(messageStart);
    tally.addEvent({ event: 'content_block_delta', data: '{"type":"content_block_delta"}' });
    tally.addEvent(delta({ output_tokens: 40 }, null));
    tally.addEvent(delta({ output_tokens: 95 }));
    tally.addEvent({ event: 'message_stop', data: '{"type":"message_stop"}' });
    assert.deepEqual(tally.snapshot(), {
      model: 'claude-sonnet-4-5',
      inputTokens: 1200,
      outputTokens: 95,
      cacheCreationInputTokens: 300,
      cacheReadInputTokens: 4000,
      stopReason: 'end_turn',
      messageStop: true,
      error: null,
      malformed: 0,
    });
  });

  it('lets input and cache fields of message_delta override message_start', () => {
    const tally = new UsageTally();
    tally.addEvent(messageStart);
    tally.addEvent(delta({ input_tokens: 1300, output_tokens: 5, cache_read_input_tokens: 0 }));
    const usage = tally.snapshot();
    assert.equal(usage.inputTokens, 1300);
    assert.equal(usage.cacheReadInputTokens, 0);
    assert.equal(usage.cacheCreationInputTokens, 300, 'a field the delta leaves out keeps its value');
  });

  it('records an error event with its type and message', () => {
    const tally = new UsageTally();
    tally.addEvent(messageStart);
    tally.addEvent({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' });
    const usage = tally.snapshot();
    assert.deepEqual(usage.error, { type: 'overloaded_error', message: 'Overloaded' });
    assert.equal(usage.messageStop, false);
  });

  it('counts malformed data and odd fields without throwing', () => {
    const tally = new UsageTally();
    tally.addEvent({ event: 'message_start', data: '{"type":"message_start","message":' });
    tally.addEvent({ event: 'message_delta', data: '[1,2]' });
    tally.addEvent({ event: 'message_delta', data: '{"type":"message_delta","usage":null,"delta":7}' });
    tally.addEvent(delta({ output_tokens: -3, input_tokens: 'many', cache_read_input_tokens: Number.MAX_VALUE * 2 }));
    tally.addEvent({ event: 'message_start', data: '{"type":"message_start","message":{"model":42,"usage":"x"}}' });
    tally.addEvent({ event: 'error', data: 'not json' });
    const usage = tally.snapshot();
    assert.equal(usage.malformed, 3);
    assert.equal(usage.model, null);
    assert.equal(usage.inputTokens, 0);
    assert.equal(usage.outputTokens, 0);
    assert.deepEqual(usage.error, { type: 'unknown', message: '' });
  });

  it('reads a stream whose relay leaves out the event lines, without parsing content deltas', () => {
    const tally = new UsageTally();
    tally.addEvent({ event: 'message', data: messageStart.data });
    tally.addEvent({ event: 'message', data: '{"type":"content_block_delta", broken json' });
    tally.addEvent({ event: 'message', data: JSON.stringify({ type: 'message_delta', usage: { output_tokens: 9 } }) });
    tally.addEvent({ event: 'message', data: '{"type":"message_stop"}' });
    const usage = tally.snapshot();
    assert.equal(usage.inputTokens, 1200);
    assert.equal(usage.outputTokens, 9);
    assert.equal(usage.messageStop, true);
    assert.equal(usage.malformed, 0, 'the content delta was never parsed');
  });

  it('reads events in the order they came, whichever of them carry an event line', () => {
    // The named message_start is read when the usage is asked for; the unnamed delta after it must still come second.
    const tally = new UsageTally();
    tally.addEvent(messageStart);
    tally.addEvent({ event: 'message', data: '{ "type": "message_delta", "usage": { "input_tokens": 1500, "output_tokens": 12 } }' });
    tally.addEvent(delta({ output_tokens: 30 }));
    const usage = tally.snapshot();
    assert.equal(usage.inputTokens, 1500, 'the later delta overrides message_start, not the other way round');
    assert.equal(usage.outputTokens, 30);
  });

  it('gives the same usage for a relay that repeats message_delta many times', () => {
    const tally = new UsageTally();
    tally.addEvent(messageStart);
    for (let output = 1; output <= 100; output++) tally.addEvent(delta({ output_tokens: output }));
    const early = tally.snapshot();
    assert.equal(early.outputTokens, 100);
    tally.addEvent(delta({ output_tokens: 101 }));
    assert.equal(tally.snapshot().outputTokens, 101, 'asked twice, the second answer has what came between');
    assert.equal(tally.snapshot().inputTokens, 1200);
  });

  it('reads a non-streaming message body', () => {
    const tally = new UsageTally();
    tally.addMessageBytes(
      Buffer.from(
        JSON.stringify({
          id: 'msg_1',
          type: 'message',
          model: 'claude-haiku-4-5',
          content: [{ type: 'text', text: 'a "usage": {"output_tokens": 99} }'.repeat(200) }],
          stop_reason: 'max_tokens',
          usage: { input_tokens: 10, output_tokens: 16, cache_read_input_tokens: 2 },
        }),
      ),
    );
    const usage = tally.snapshot();
    assert.equal(usage.model, 'claude-haiku-4-5');
    assert.equal(usage.inputTokens, 10);
    assert.equal(usage.outputTokens, 16);
    assert.equal(usage.cacheReadInputTokens, 2);
    assert.equal(usage.stopReason, 'max_tokens');
    assert.equal(usage.messageStop, true);
  });

  it('reads an error body, and counts a body that is not JSON', () => {
    const tally = new UsageTally();
    tally.addMessage({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
    assert.deepEqual(tally.snapshot().error, { type: 'rate_limit_error', message: 'slow down' });
    tally.addMessageBytes(Buffer.from('<html>'));
    tally.addMessage('text');
    assert.equal(tally.snapshot().malformed, 2);
  });

  for (const [size, text] of [['short', 'hi'], ['long', 'x'.repeat(10_000)]] as const) {
    it(`reads nothing of a ${size} message body cut short, and does not call it complete`, () => {
      const tally = new UsageTally();
      const whole = JSON.stringify({ type: 'message', model: 'm', content: [{ type: 'text', text }], usage: { input_tokens: 5, output_tokens: 1 } });
      tally.addMessageBytes(Buffer.from(whole.slice(0, -20)));
      const usage = tally.snapshot();
      assert.equal(usage.malformed, 1);
      assert.equal(usage.messageStop, false);
      assert.equal(usage.inputTokens, 0);
    });
  }

  it('reads a long error body', () => {
    const tally = new UsageTally();
    tally.addMessageBytes(Buffer.from(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'busy '.repeat(2000) } })));
    assert.equal(tally.snapshot().error?.type, 'overloaded_error');
  });

  it('works on the events of the SSE parser', () => {
    const parser = new SseParser();
    const tally = new UsageTally();
    const stream = `event: message_start\ndata: ${messageStart.data}\n\n${'event: message_delta\n'}data: {"type":"message_delta","usage":{"output_tokens":3}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`;
    for (let at = 0; at < stream.length; at += 5) for (const event of parser.push(stream.slice(at, at + 5))) tally.addEvent(event);
    assert.equal(tally.snapshot().outputTokens, 3);
    assert.equal(tally.snapshot().messageStop, true);
  });
});
