import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { keyOf, withGateway, type GatewayHarness, type HarnessOptions } from '../helpers/gateway-harness.js';
import { streamedReply } from '../helpers/sdk.js';
import { STREAM_ORDER } from '../helpers/sim-http.js';

const TEXT = 'Hello! This is a simulated reply from the qcc upstream simulator.';
const CLIENT_KEY = 'sk-ant-client-key-that-stays-local';

/** Two primaries, the first of them down, and a secondary; the SDK authenticates as Claude Code does through qcc. */
const cluster: HarnessOptions = {
  upstreams: [
    { name: 'a', authStyle: 'bearer' },
    { name: 'b', authStyle: 'bearer' },
    { name: 'c', authStyle: 'x-api-key', priority: 2 },
  ],
};

/** `maxRetries: 0`: the SDK must not hide a gateway failure behind a retry of its own. */
const sdkFor = (h: GatewayHarness): Anthropic => new Anthropic({ baseURL: h.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 10_000 });

function assertUpstreamSawOnlyItsKey(h: GatewayHarness): void {
  for (const seen of h.sim('b').requests) {
    assert.equal(seen.headers.authorization, `Bearer ${keyOf('b')}`);
    assert.equal(seen.headers['x-api-key'], undefined);
    assert.ok(!JSON.stringify(seen.headers).includes(CLIENT_KEY));
    assert.equal(typeof seen.headers['anthropic-version'], 'string');
    assert.match(String(seen.headers['user-agent']), /Anthropic\/JS/);
  }
}

describe('gateway: the official @anthropic-ai/sdk as the client, first primary down', () => {
  it('messages.create (non-streaming) gets the normal answer in one call', async () => {
    await withGateway(cluster, async (h) => {
      await h.sim('a').stop();
      const { data: message, response } = await sdkFor(h)
        .messages.create({ model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello.' }] })
        .withResponse();
      assert.deepEqual(message.content, [{ type: 'text', text: TEXT }]);
      assert.equal(message.stop_reason, 'end_turn');
      assert.match(message.id, /^msg_b_/);
      assert.equal(response.headers.get('x-qcc-attempts'), '2');
      assert.deepEqual(h.failures.map((event) => [h.nameOf(event.route.id), event.failure.reason]), [['a', 'connect-refused']]);
      assert.deepEqual(h.counts(), { a: 0, b: 1, c: 0 });
      assertUpstreamSawOnlyItsKey(h);
    });
  });

  it('messages.stream gets every event and a final message with usage', async () => {
    await withGateway(cluster, async (h) => {
      await h.sim('a').stop();
      const stream = sdkFor(h).messages.stream({
        model: 'claude-test-1',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Say hello.' }],
      });
      const seen: string[] = [];
      for await (const event of stream) seen.push(event.type);
      assert.deepEqual(seen, STREAM_ORDER.filter((name) => name !== 'ping'));
      const final = await stream.finalMessage();
      assert.deepEqual(final.content, [{ type: 'text', text: TEXT }]);
      assert.ok(final.usage.output_tokens > 0);
      assert.deepEqual(h.counts(), { a: 0, b: 1, c: 0 });
      assert.equal(h.failures.length, 1);
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'ok');
      assert.equal(record?.outputTokens, final.usage.output_tokens);
      assertUpstreamSawOnlyItsKey(h);
    });
  });

  it('create({ stream: true }) streams past a stopped primary and one whose first event is overloaded_error', async () => {
    await withGateway(cluster, async (h) => {
      await h.sim('a').stop();
      h.sim('b').fault({ kind: 'error-event' }, { times: 1 });
      const text = await streamedReply(sdkFor(h));
      assert.equal(text, TEXT);
      assert.deepEqual(h.counts(), { a: 0, b: 1, c: 1 });
      assert.equal(h.sim('c').requests[0]?.headers['x-api-key'], keyOf('c'));
    });
  });

  it('a stream broken after its commit is an error for the SDK, never a clean end', async () => {
    await withGateway(cluster, async (h) => {
      await h.sim('a').stop();
      h.sim('b').fault({ kind: 'cut', afterEvents: 5 }, { times: 1 });
      const stream = sdkFor(h).messages.stream({ model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
      await assert.rejects(stream.finalMessage(), (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError, String(error));
        assert.match(error.message, /api_error/);
        return true;
      });
      assert.equal(h.sim('c').requests.length, 0, 'after the commit nothing is retried');
    });
  });

  it('qcc’s own 503 reads as an Anthropic overloaded_error to the SDK', async () => {
    await withGateway({ ...cluster, settings: { proxy: { maxAttempts: 3 }, queue: { holdTimeoutMs: 100 }, health: { failureThreshold: 1 } } }, async (h) => {
      for (const name of ['a', 'b', 'c']) await h.sim(name).stop();
      const error = await sdkFor(h)
        .messages.create({ model: 'claude-test-1', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.equal(error.status, 502);
      assert.equal(error.headers?.get('x-qcc-error'), 'QCC_ERR_UPSTREAM_FAILED');
      assert.equal((error.error as { error: { type: string } }).error.type, 'api_error');

      const held = await sdkFor(h)
        .messages.create({ model: 'claude-test-1', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      assert.ok(held instanceof Anthropic.APIError, String(held));
      assert.equal(held.status, 503);
      assert.equal((held.error as { error: { type: string } }).error.type, 'overloaded_error');
      assert.equal(held.headers?.get('x-qcc-error'), 'QCC_ERR_NO_ENDPOINT');
    });
  });
});
