import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser, type SseEvent } from '../../src/core/sse-parser.js';

function parseAll(...chunks: string[]): { events: SseEvent[]; parser: SseParser } {
  const parser = new SseParser();
  const events = chunks.flatMap((chunk) => parser.push(chunk));
  return { events, parser };
}

const anthropic = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":12,"output_tokens":1}}}',
  '',
  'event: ping',
  'data: {"type": "ping"}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

describe('SseParser', () => {
  it('parses an Anthropic stream', () => {
    const { events, parser } = parseAll(anthropic);
    assert.deepEqual(
      events.map((event) => event.event),
      ['message_start', 'ping', 'content_block_delta', 'message_stop'],
    );
    assert.equal(events[1]?.data, '{"type": "ping"}');
    assert.equal(parser.pending, 0);
  });

  it('gives the same events whatever the chunking, down to one character at a time', () => {
    const whole = parseAll(anthropic).events;
    assert.deepEqual(parseAll(...anthropic.split('')).events, whole);
    for (const size of [2, 3, 7, 64]) {
      const chunks: string[] = [];
      for (let at = 0; at < anthropic.length; at += size) chunks.push(anthropic.slice(at, at + size));
      assert.deepEqual(parseAll(...chunks).events, whole, `chunks of ${size}`);
    }
  });

  it('takes LF, CRLF and lone CR line endings', () => {
    const expected = [{ event: 'a', data: '1' }, { event: 'b', data: '2' }];
    assert.deepEqual(parseAll('event: a\ndata: 1\n\nevent: b\ndata: 2\n\n').events, expected);
    assert.deepEqual(parseAll('event: a\r\ndata: 1\r\n\r\nevent: b\r\ndata: 2\r\n\r\n').events, expected);
    assert.deepEqual(parseAll('event: a\rdata: 1\r\revent: b\rdata: 2\r\r').events, expected);
    assert.deepEqual(parseAll('event: a\r\ndata: 1\r\rdata: 2\n\n').events, [{ event: 'a', data: '1' }, { event: 'message', data: '2' }]);
  });

  it('reads a CRLF split across two pushes as one line end', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: 1\r'), []);
    assert.deepEqual(parser.push('\n\r'), [{ event: 'message', data: '1' }]);
    assert.deepEqual(parser.push('\n'), [], 'that LF completes the CR before it, not a second blank line');
    assert.deepEqual(parser.push('data: 2\r\n\r\n'), [{ event: 'message', data: '2' }]);
    assert.deepEqual(parseAll('data: 1\r', '\ndata: 2\r\n\r\n').events, [{ event: 'message', data: '1\n2' }]);
  });

  it('gives the same events for a CRLF stream pushed one character at a time', () => {
    const crlf = anthropic.replaceAll('\n', '\r\n');
    assert.deepEqual(parseAll(...crlf.split('')).events, parseAll(anthropic).events);
  });

  it('dispatches an event on a lone CR without waiting for the next chunk', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: x\r\r'), [{ event: 'message', data: 'x' }]);
    assert.equal(parser.pending, 0);
  });

  it('skips comment lines', () => {
    assert.deepEqual(parseAll(': keep-alive\ndata: a\n: in between\ndata: b\n\n:\n\n').events, [
      { event: 'message', data: 'a\nb' },
    ]);
  });

  it('joins multi-line data with LF', () => {
    assert.deepEqual(parseAll('data: one\ndata:two\ndata:  three\n\n').events, [
      { event: 'message', data: 'one\ntwo\n three' },
    ]);
  });

  it('removes exactly one space after the colon', () => {
    assert.deepEqual(parseAll('event:x\ndata:  padded \n\n').events, [{ event: 'x', data: ' padded ' }]);
  });

  it('reads a field without a colon as a field with an empty value', () => {
    assert.deepEqual(parseAll('data\ndata\n\n').events, [{ event: 'message', data: '\n' }]);
    assert.deepEqual(parseAll('event: x\nevent\ndata: 1\n\n').events, [{ event: 'message', data: '1' }]);
    assert.deepEqual(parseAll('data:\n\n').events, [{ event: 'message', data: '' }]);
  });

  it('does not dispatch an event without data', () => {
    assert.deepEqual(parseAll('event: ping\n\nid: 7\n\nretry: 5\n\n').events, []);
    assert.deepEqual(parseAll('event: lonely\n\ndata: after\n\n').events, [{ event: 'message', data: 'after' }]);
  });

  it('ignores unknown fields and keeps the last event id across events', () => {
    const { events } = parseAll('id: 1\nfoo: bar\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: x\u0000y\ndata: d\n\n');
    assert.deepEqual(events, [
      { event: 'message', data: 'a', id: '1' },
      { event: 'message', data: 'b', id: '1' },
      { event: 'message', data: 'c' },
      { event: 'message', data: 'd' },
    ]);
  });

  it('strips a byte order mark at the start of the stream only', () => {
    assert.deepEqual(parseAll('\uFEFFdata: a\n\n').events, [{ event: 'message', data: 'a' }]);
    assert.deepEqual(parseAll('', '\uFEFFdata: a\n\n').events, [{ event: 'message', data: 'a' }]);
    assert.deepEqual(parseAll('data: a\n\n\uFEFFdata: b\n\n').events, [{ event: 'message', data: 'a' }]);
  });

  it('keeps an incomplete event buffered and says so in pending', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('event: message_delta\ndata: {"type":"mess'), []);
    assert.ok(parser.pending > 0);
    assert.deepEqual(parser.push('age_delta"}\n'), []);
    assert.ok(parser.pending > 0, 'a complete line of an undispatched event is still pending');
    assert.deepEqual(parser.push('\n'), [{ event: 'message_delta', data: '{"type":"message_delta"}' }]);
    assert.equal(parser.pending, 0);
  });

  it('does not count comments between events as pending', () => {
    const parser = new SseParser();
    parser.push('data: a\n\n: ping\n');
    assert.equal(parser.pending, 0);
  });

  it('handles a long line arriving in many chunks', () => {
    const parser = new SseParser();
    const payload = 'x'.repeat(100_000);
    parser.push('data: ');
    for (let at = 0; at < payload.length; at += 1000) assert.deepEqual(parser.push(payload.slice(at, at + 1000)), []);
    assert.equal(parser.pending, 'data: '.length + payload.length);
    const [event] = parser.push('\n\n');
    assert.equal(event?.data, payload);
  });

  it('forgets everything on reset', () => {
    const parser = new SseParser();
    parser.push('id: 9\ndata: half');
    parser.reset();
    assert.equal(parser.pending, 0);
    assert.deepEqual(parser.push('data: new\n\n'), [{ event: 'message', data: 'new' }]);
  });
});
