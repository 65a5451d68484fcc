import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { keyOf, withGateway } from '../helpers/gateway-harness.js';
import { messagesBody, parseSse } from '../helpers/sim-http.js';

/** What Claude Code 2.1.x sends (DESIGN §4, "what real clients send"), both credential styles at once. */
const claudeCodeHeaders = {
  'x-api-key': 'sk-client-api-key-must-not-travel',
  authorization: 'Bearer client-auth-token-must-not-travel',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
  'user-agent': 'claude-cli/2.1.330 (external, cli)',
  'x-claude-code-session-id': '5b0c8a6e-8f3c-4c55-9d7e-2a1f4d9b6c01',
  'x-stainless-lang': 'js',
  accept: 'application/json',
  'accept-encoding': 'gzip, deflate, br, zstd',
};

describe('gateway: headers to the upstream', () => {
  it('strips inbound credentials and sends each endpoint exactly its own key in its auth style', async () => {
    await withGateway(
      {
        upstreams: [
          { name: 'a', authStyle: 'x-api-key' },
          { name: 'b', authStyle: 'bearer' },
        ],
        settings: { loadbalancer: { strategy: 'round-robin', sticky: false } },
      },
      async (h) => {
        for (let i = 0; i < 4; i++) {
          const res = await h.send({ body: messagesBody({ stream: i % 2 === 0 }), headers: claudeCodeHeaders, path: '/v1/messages?beta=true' });
          // The simulators demand their own key: a wrong or missing one would be a 401 and a failover.
          assert.equal(res.status, 200);
          assert.equal(res.headers['x-qcc-attempts'], '1');
        }
        const [a, b] = [h.sim('a').requests, h.sim('b').requests];
        assert.equal(a.length, 2);
        assert.equal(b.length, 2);
        for (const seen of a) {
          assert.equal(seen.headers['x-api-key'], keyOf('a'));
          assert.equal(seen.headers.authorization, undefined, 'never both styles');
        }
        for (const seen of b) {
          assert.equal(seen.headers.authorization, `Bearer ${keyOf('b')}`);
          assert.equal(seen.headers['x-api-key'], undefined, 'never both styles');
        }
        for (const [name, seen] of [...a.map((r) => ['a', r] as const), ...b.map((r) => ['b', r] as const)]) {
          assert.equal(seen.path, '/v1/messages?beta=true');
          for (const name of ['anthropic-version', 'anthropic-beta', 'user-agent', 'x-claude-code-session-id', 'x-stainless-lang', 'accept'] as const) {
            assert.equal(seen.headers[name], claudeCodeHeaders[name], `${name} passes unchanged`);
          }
          assert.equal(seen.headers['accept-encoding'], 'identity');
          assert.equal(seen.headers.host, new URL(h.sim(name).url).host);
          const text = JSON.stringify(seen.headers);
          assert.ok(!text.includes('must-not-travel'), `a client credential reached an upstream: ${text}`);
        }
      },
    );
  });

  it('drops hop-by-hop headers, and those that Connection names (RFC 9110 §7.6.1)', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      // undici keeps a client's Connection header to itself, so this one is sent with node:http.
      const status = await new Promise<number>((resolve, reject) => {
        const body = JSON.stringify(messagesBody());
        const req = httpRequest(`${h.url}/v1/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            connection: 'keep-alive, x-hop-by-hop',
            'keep-alive': 'timeout=5',
            'x-hop-by-hop': 'for this connection only',
            te: 'trailers',
            'proxy-authorization': 'Basic c2VjcmV0',
            cookie: 'session=client-cookie',
            'x-end-to-end': 'kept',
          },
          timeout: 5_000,
        });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(status, 200);
      const seen = h.sim('a').requests[0]?.headers ?? {};
      for (const name of ['x-hop-by-hop', 'keep-alive', 'te', 'proxy-authorization', 'cookie']) {
        assert.equal(seen[name], undefined, `${name} must not be forwarded`);
      }
      assert.equal(seen['x-end-to-end'], 'kept');
    });
  });

  it('passes the SDK’s anthropic-version through and never forces one', async () => {
    await withGateway({ upstreams: [{ name: 'a', authStyle: 'bearer' }] }, async (h) => {
      await h.send({ body: messagesBody(), headers: { 'anthropic-version': '2026-10-21', authorization: 'Bearer x' } });
      await h.send({ body: messagesBody() });
      assert.equal(h.sim('a').requests[0]?.headers['anthropic-version'], '2026-10-21');
      assert.equal(h.sim('a').requests[1]?.headers['anthropic-version'], undefined);
    });
  });

  it('the body reaches every endpoint tried byte for byte, a role:"system" message and all', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b', priority: 2 }] }, async (h) => {
      h.sim('a').fault({ kind: 'status', status: 502 }, { times: 1 });
      const body = messagesBody({
        stream: true,
        messages: [
          { role: 'system', content: 'You are Claude Code.' },
          { role: 'user', content: 'héllo ✓ '.repeat(8_000) },
        ],
        metadata: { user_id: JSON.stringify({ device_id: 'd', session_id: 's' }) },
      });
      const text = JSON.stringify(body);
      const res = await h.send({ body: text });
      assert.equal(parseSse(res.text).at(-1)?.event, 'message_stop');
      for (const name of ['a', 'b']) {
        const seen = h.sim(name).requests[0];
        assert.equal(seen?.rawBodyBytes, Buffer.byteLength(text));
        assert.deepEqual(seen?.body, body);
      }
    });
  });

  it('response headers of the upstream reach the client', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      const res = await h.send({ body: messagesBody() });
      assert.match(String(res.headers['request-id']), /^req_a_\d+$/);
      assert.equal(res.headers['x-sim-name'], 'a');
      assert.equal(res.headers['content-type'], 'application/json');
    });
  });
});
