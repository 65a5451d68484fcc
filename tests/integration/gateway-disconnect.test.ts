import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { pair, withGateway } from '../helpers/gateway-harness.js';
import { messagesBody } from '../helpers/sim-http.js';

describe('gateway: a client that leaves', () => {
  it('mid-stream aborts the upstream request; recorded as client-closed with no failure of the endpoint', async () => {
    await withGateway({ ...pair, upstreams: [{ name: 'a', sim: { eventGapMs: 100 } }, { name: 'b', priority: 2 }] }, async (h) => {
      const leave = new AbortController();
      let received = '';
      const res = await h.send({
        body: messagesBody({ stream: true }),
        signal: leave.signal,
        onChunk: (chunk) => {
          received += chunk.toString('utf8');
          if (received.includes('event: content_block_start')) leave.abort();
        },
      });
      assert.equal(res.status, 200);
      assert.ok(res.error !== undefined, 'the client aborted its read');
      await h.sim('a').waitFor((sim) => sim.requests[0]?.aborted === true, 3_000);
      assert.equal(h.sim('a').requests[0]?.completed, false);
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'client-closed');
      assert.equal(record?.endpointId, h.id('a'));
      assert.deepEqual(h.failures, []);
      const a = h.endpoint('a');
      assert.equal(a.state, 'closed');
      assert.equal(a.failures, 0);
      assert.equal(a.lastError, null);
      assert.equal(a.inflight, 0);
      assert.equal(h.sim('b').requests.length, 0, 'nothing is retried for a client that left');
      assert.equal(h.gateway.inflight, 0);
    });
  });

  it('before the headers aborts the upstream request too, and nothing is retried', async () => {
    await withGateway(pair, async (h) => {
      h.sim('a').fault({ kind: 'hang' });
      const leave = new AbortController();
      const pending = h.send({ body: messagesBody({ stream: true }), signal: leave.signal });
      await h.sim('a').waitFor((sim) => sim.requests.length === 1, 2_000);
      leave.abort();
      await assert.rejects(pending);
      await h.sim('a').waitFor((sim) => sim.requests[0]?.aborted === true, 3_000);
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'client-closed');
      assert.deepEqual(h.failures, []);
      assert.equal(h.endpoint('a').state, 'closed');
      assert.equal(h.sim('b').requests.length, 0);
    });
  });
});

describe('gateway: a client that leaves while sending its body', () => {
  it('is recorded as client-closed, asks no upstream, and leaves nothing in flight', async () => {
    await withGateway(pair, async (h) => {
      const socket = connect(Number(new URL(h.url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{"model":');
      await h.waitFor(() => h.gateway.inflight === 1, 2_000, 'the request to start');
      socket.destroy();
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'client-closed');
      assert.equal(record?.attempts, 0);
      assert.equal(h.gateway.inflight, 0);
      assert.deepEqual(h.counts(), { a: 0, b: 0 });
      // withGateway also fails the test if the handler let the client's ECONNRESET escape as a bug.
    });
  });
});
