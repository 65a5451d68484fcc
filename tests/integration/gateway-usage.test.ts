import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { RequestRecord } from '../../src/core/request-record.js';
import { withGateway } from '../helpers/gateway-harness.js';
import { messagesBody, parseSse } from '../helpers/sim-http.js';

interface WireUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** A body with a cached system prompt, so that the simulator reports cache reads and writes as a warm turn does. */
const cachedBody = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  messagesBody({
    model: 'claude-usage-test',
    system: [{ type: 'text', text: 'You are Claude Code. '.repeat(200), cache_control: { type: 'ephemeral' } }],
    ...extra,
  });

/** The usage the client saw in a stream: message_start's, with message_delta's cumulative fields over it. */
function streamUsage(text: string): WireUsage {
  const events = parseSse(text);
  const start = events.find((event) => event.event === 'message_start')?.data as { message: { usage: WireUsage } };
  const delta = events.find((event) => event.event === 'message_delta')?.data as { usage: Partial<WireUsage> };
  return { ...start.message.usage, ...delta.usage };
}

function assertRecorded(record: RequestRecord | undefined, usage: WireUsage): void {
  assert.ok(record, 'no request record');
  assert.ok(usage.input_tokens > 0 && usage.output_tokens > 1, 'the simulator reports real numbers');
  assert.ok(usage.cache_read_input_tokens > 0 && usage.cache_creation_input_tokens > 0, 'cache tokens are reported');
  assert.deepEqual(
    {
      input: record.inputTokens,
      output: record.outputTokens,
      cacheCreation: record.cacheCreationTokens,
      cacheRead: record.cacheReadTokens,
      model: record.model,
    },
    {
      input: usage.input_tokens,
      output: usage.output_tokens,
      cacheCreation: usage.cache_creation_input_tokens,
      cacheRead: usage.cache_read_input_tokens,
      model: 'claude-usage-test',
    },
  );
}

describe('gateway: usage in the request record', () => {
  it('a stream’s tokens come from message_start and message_delta, cache tokens included', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      const res = await h.send({ body: cachedBody({ stream: true }) });
      const [record] = await h.waitForRecords(1);
      assertRecorded(record, streamUsage(res.text));
      assert.equal(record?.stream, true);
      assert.equal(record?.bytesOut, res.bytes.length);
      assert.ok((record?.bytesIn ?? 0) > 4_000);
      assert.notEqual(record?.ttfbMs, null);
    });
  });

  it('a JSON answer’s tokens come from its body', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      const res = await h.send({ body: cachedBody() });
      const [record] = await h.waitForRecords(1);
      assertRecorded(record, (JSON.parse(res.text) as { usage: WireUsage }).usage);
      assert.equal(record?.stream, false);
    });
  });

  for (const stream of [true, false]) {
    it(`gzip-encoded (${stream ? 'stream' : 'JSON'}): the tokens are read from a decoded copy`, async () => {
      await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
        h.sim('a').fault({ kind: 'gzip' }, { times: 1 });
        const res = await h.send({ body: cachedBody({ stream }), headers: { 'accept-encoding': 'gzip' } });
        assert.equal(res.headers['content-encoding'], 'gzip');
        const text = gunzipSync(res.bytes).toString('utf8');
        const [record] = await h.waitForRecords(1);
        assertRecorded(record, stream ? streamUsage(text) : (JSON.parse(text) as { usage: WireUsage }).usage);
        assert.equal(record?.outcome, 'ok');
      });
    });
  }

  it('the answer of the endpoint that served counts after a failover, and the totals add up in the status', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b', priority: 2 }] }, async (h) => {
      h.sim('a').fault({ kind: 'error-event' }, { times: 1 });
      const first = await h.send({ body: cachedBody({ stream: true }) });
      const second = await h.send({ body: cachedBody() });
      const records = await h.waitForRecords(2);
      assertRecorded(records[0], streamUsage(first.text));
      assertRecorded(records[1], (JSON.parse(second.text) as { usage: WireUsage }).usage);
      const status = h.gateway.status();
      const sum = (key: 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheCreationTokens'): number =>
        records.reduce((total, record) => total + record[key], 0);
      assert.equal(status.requests.inputTokens, sum('inputTokens'));
      assert.equal(status.requests.outputTokens, sum('outputTokens'));
      assert.equal(status.requests.cacheReadTokens, sum('cacheReadTokens'));
      assert.equal(status.requests.cacheCreationTokens, sum('cacheCreationTokens'));
      assert.equal(h.endpoint('b').inputTokens, records[0]?.inputTokens);
      assert.equal(h.endpoint('a').inputTokens, records[1]?.inputTokens);
    });
  });
});
