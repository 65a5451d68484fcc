import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { ADMIN_TOKEN, anthropicError, GatewayHarness, keyOf, startRawUpstream, withGateway } from '../helpers/gateway-harness.js';
import { messagesBody } from '../helpers/sim-http.js';

describe('gateway: routes', () => {
  for (const path of ['/', '/api/hello']) {
    it(`HEAD ${path} (Claude Code’s preflight) is answered locally`, async () => {
      await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
        const res = await h.send({ method: 'HEAD', path });
        assert.equal(res.status, 200);
        assert.equal(res.bytes.length, 0);
        assert.equal(h.sim('a').requests.length, 0);
      });
    });
  }

  it('POST /v1/messages/count_tokens is forwarded with the endpoint’s key', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      const body = messagesBody();
      const res = await h.send({ path: '/v1/messages/count_tokens', body });
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.text), { input_tokens: Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4) });
      assert.equal(res.headers['x-qcc-endpoint'], h.id('a'));
      const seen = h.sim('a').requests[0];
      assert.equal(seen?.path, '/v1/messages/count_tokens');
      assert.equal(seen?.headers['x-api-key'], keyOf('a'));
    });
  });

  it('GET /v1/models is forwarded without a body', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      const res = await h.send({ method: 'GET', path: '/v1/models?limit=20' });
      assert.equal(res.status, 200);
      const models = JSON.parse(res.text) as { data: { id: string }[] };
      assert.ok(models.data.some((model) => model.id === 'claude-sonnet-4-5'));
      const seen = h.sim('a').requests[0];
      assert.equal(seen?.method, 'GET');
      assert.equal(seen?.path, '/v1/models?limit=20');
      assert.equal(seen?.rawBodyBytes, 0);
    });
  });

  it('an unknown /v1/ path is forwarded too, and the upstream’s 404 comes back as a client error', async () => {
    await withGateway({ upstreams: [{ name: 'a' }, { name: 'b' }] }, async (h) => {
      const res = await h.send({ path: '/v1/complete', body: messagesBody() });
      assert.equal(res.status, 404);
      assert.equal(res.headers['x-qcc-error'], undefined);
      assert.equal(res.headers['x-qcc-attempts'], '1');
      assert.equal(anthropicError(res.text).type, 'not_found_error');
    });
  });

  it('an answer without a body by definition (to HEAD, a 204) is relayed, and no failure of the endpoint', async () => {
    const bodiless = await startRawUpstream((req, res) => {
      if (req.method === 'HEAD') res.writeHead(200, { 'content-type': 'application/json', 'content-length': '57' });
      else res.writeHead(204, { 'content-type': 'application/json' });
      res.end();
    });
    try {
      await withGateway({ upstreams: [{ name: 'x', baseUrl: bodiless.url }, { name: 'b', priority: 2 }] }, async (h) => {
        for (const [method, path, status] of [['HEAD', '/v1/models', 200], ['DELETE', '/v1/files/file_1', 204]] as const) {
          const res = await h.send({ method, path });
          assert.equal(res.status, status, `${method} ${path}`);
          assert.equal(res.headers['x-qcc-endpoint'], h.id('x'), `${method} ${path}`);
          assert.equal(res.bytes.length, 0);
        }
        assert.equal(bodiless.handled, 2);
        assert.equal(h.sim('b').requests.length, 0, 'nothing was retried');
        assert.deepEqual(h.failures, []);
        assert.equal(h.endpoint('x').failures, 0);
        const records = await h.waitForRecords(2);
        assert.deepEqual(records.map((record) => record.outcome), ['ok', 'ok']);
      });
    } finally {
      await bodiless.close();
    }
  });

  it('the path of a base URL (a relay’s /api) prefixes every request path', async () => {
    await withGateway({ upstreams: [{ name: 'a', urlPath: '/relay/api/' }] }, async (h) => {
      await h.send({ body: messagesBody(), path: '/v1/messages?beta=true' });
      assert.equal(h.sim('a').requests[0]?.path, '/relay/api/v1/messages?beta=true');
    });
  });

  it('a path outside /v1/ and /_qcc/ is qcc’s 404, and no upstream hears of it', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      const res = await h.send({ method: 'GET', path: '/v2/messages' });
      assert.equal(res.status, 404);
      assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_ROUTE_NOT_FOUND');
      assert.equal(anthropicError(res.text).type, 'not_found_error');
      assert.equal(h.sim('a').requests.length, 0);
    });
  });

  it('a body larger than proxy.maxBodyBytes is refused with 413 request_too_large before any upstream is asked', async () => {
    await withGateway({ upstreams: [{ name: 'a' }], settings: { proxy: { maxBodyBytes: 2_048 } } }, async (h) => {
      const big = JSON.stringify(messagesBody({ padding: 'x'.repeat(4_096) }));
      const declared = await h.send({ body: big });
      assert.equal(declared.status, 413);
      assert.equal(declared.headers['x-qcc-error'], 'QCC_ERR_BODY_TOO_LARGE');
      assert.equal(anthropicError(declared.text).type, 'request_too_large');

      // Chunked, without a content-length: refused once the bytes pass the limit.
      const chunked = await request(`${h.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Readable.from([Buffer.from(big.slice(0, 1_500)), Buffer.from(big.slice(1_500))]),
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
      });
      assert.equal(chunked.statusCode, 413);
      assert.equal(chunked.headers['x-qcc-error'], 'QCC_ERR_BODY_TOO_LARGE');
      await chunked.body.text();

      assert.equal(h.sim('a').requests.length, 0);
      const records = await h.waitForRecords(2);
      assert.deepEqual(records.map((record) => [record.outcome, record.status]), [['rejected', 413], ['rejected', 413]]);

      const fits = await h.send({ body: messagesBody() });
      assert.equal(fits.status, 200);
    });
  });

  it('a bug on the request path is answered 500, recorded, and handed to the daemon; the in-flight count goes back to 0', async () => {
    const h = await GatewayHarness.start({
      upstreams: [{ name: 'a', }],
      onAttemptFailed: () => {
        throw new Error('a bug in an observer');
      },
    });
    try {
      h.sim('a').fault({ kind: 'status', status: 500 });
      const answer = await h.send({ body: messagesBody() });
      assert.equal(answer.status, 500);
      assert.equal(answer.headers['x-qcc-error'], 'QCC_ERR_INTERNAL');
      assert.equal(anthropicError(answer.text).type, 'api_error');
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.outcome, 'failed');
      assert.equal(record?.error, 'QCC_ERR_INTERNAL');
      assert.equal(h.gateway.inflight, 0);
      assert.equal(h.gateway.status().requests.inflight, 0);
      assert.equal(h.endpoint('a').inflight, 0, 'the endpoint holds no attempt in flight either');
      assert.deepEqual(h.serverErrors.map(String), ['Error: a bug in an observer']);
    } finally {
      await h.close();
    }
  });
});

describe('gateway: control routes', () => {
  it('GET /_qcc/status shows endpoints and counters, and no configured key anywhere', async () => {
    await withGateway(
      {
        upstreams: [
          { name: 'a', authStyle: 'x-api-key' },
          { name: 'b', authStyle: 'bearer', priority: 2 },
          { name: 'c', profile: 'other' },
        ],
        priorityGroups: { primary: ['main'], secondary: ['other'] },
        settings: { proxy: { proxyKey: 'pk-proxy-key-0123456789' } },
      },
      async (h) => {
        h.sim('a').fault({ kind: 'status', status: 401 }, { times: 1 });
        await h.send({ body: messagesBody({ stream: true }) });
        const res = await h.send({ method: 'GET', path: '/_qcc/status' });
        assert.equal(res.status, 200);
        assert.equal(res.headers['content-type'], 'application/json');
        const status = JSON.parse(res.text) as { activeProfile: string; endpoints: { id: string; state: string }[]; requests: { total: number } };
        assert.equal(status.activeProfile, 'main');
        assert.deepEqual(
          status.endpoints.map((endpoint) => [h.nameOf(endpoint.id), endpoint.state]),
          [['a', 'open'], ['b', 'closed'], ['c', 'closed']],
        );
        assert.equal(status.requests.total, 1);
        for (const secret of [keyOf('a'), keyOf('b'), keyOf('c'), 'pk-proxy-key-0123456789', ADMIN_TOKEN]) {
          assert.ok(!res.text.includes(secret), `${secret} appears in /_qcc/status`);
          assert.ok(!res.text.includes(secret.slice(6, -4)), `part of ${secret} appears in /_qcc/status`);
        }
      },
    );
  });

  it('an unknown /_qcc/ route is 404 with x-qcc-error, never forwarded', async () => {
    await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
      for (const [method, path] of [['GET', '/_qcc/nothing'], ['POST', '/_qcc/status'], ['GET', '/_qcc/reload']] as const) {
        const res = await h.send({ method, path });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_ROUTE_NOT_FOUND');
      }
      assert.equal(h.sim('a').requests.length, 0);
    });
  });

  for (const path of ['/_qcc/reload', '/_qcc/stop']) {
    it(`POST ${path} needs the admin token`, async () => {
      await withGateway({ upstreams: [{ name: 'a' }] }, async (h) => {
        for (const headers of [{}, { 'x-qcc-admin-token': 'wrong-token' }, { 'x-api-key': ADMIN_TOKEN }] as Record<string, string>[]) {
          const res = await h.send({ path, headers });
          assert.equal(res.status, 403);
          assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_ADMIN_TOKEN');
          assert.equal(anthropicError(res.text).type, 'permission_error');
        }
        assert.equal(h.reloads, 0);
        assert.equal(h.stops, 0);
        const res = await h.send({ path, headers: { 'x-qcc-admin-token': ADMIN_TOKEN } });
        assert.equal(res.status, path === '/_qcc/reload' ? 200 : 202);
        assert.equal(h.reloads + h.stops, 1);
      });
    });
  }
});

describe('gateway: beyond loopback', () => {
  const proxyKey = 'pk-gateway-proxy-key-9f8e7d6c5b4a';
  const options = { upstreams: [{ name: 'a' }], host: '0.0.0.0', settings: { proxy: { proxyKey } } };

  it('bound to 0.0.0.0 with a proxy key, a request without it is refused with 401 and reaches no upstream', async () => {
    await withGateway(options, async (h) => {
      for (const headers of [{}, { 'x-api-key': 'pk-wrong' }, { authorization: 'Bearer pk-wrong' }] as Record<string, string>[]) {
        const res = await h.send({ body: messagesBody(), headers });
        assert.equal(res.status, 401);
        assert.equal(res.headers['x-qcc-error'], 'QCC_ERR_UNAUTHORIZED');
        assert.equal(anthropicError(res.text).type, 'authentication_error');
      }
      const status = await h.send({ method: 'GET', path: '/_qcc/status' });
      assert.equal(status.status, 401, 'the control routes are behind the key too');
      assert.equal(h.sim('a').requests.length, 0);
    });
  });

  it('accepts the proxy key as x-api-key or Bearer, and strips it before the upstream', async () => {
    await withGateway(options, async (h) => {
      const asApiKey = await h.send({ body: messagesBody(), headers: { 'x-api-key': proxyKey } });
      const asBearer = await h.send({ body: messagesBody({ stream: true }), headers: { authorization: `Bearer ${proxyKey}` } });
      assert.equal(asApiKey.status, 200);
      assert.equal(asBearer.status, 200);
      const seen = h.sim('a').requests;
      assert.equal(seen.length, 2);
      for (const request of seen) {
        assert.equal(request.headers['x-api-key'], keyOf('a'));
        assert.equal(request.headers.authorization, undefined);
        assert.ok(!JSON.stringify(request.headers).includes(proxyKey), 'the proxy key reached the upstream');
      }
      const status = await h.send({ method: 'GET', path: '/_qcc/status', headers: { 'x-qcc-admin-token': ADMIN_TOKEN } });
      assert.equal(status.status, 200, 'the CLI reaches the control routes with the admin token');
    });
  });

  it('Claude Code sending both credentials (a stray ANTHROPIC_API_KEY beside the token) is let in by the one that is the key', async () => {
    await withGateway(options, async (h) => {
      for (const headers of [
        { 'x-api-key': 'sk-ant-from-the-shell-0123456789', authorization: `Bearer ${proxyKey}` },
        { 'x-api-key': proxyKey, authorization: 'Bearer sk-ant-from-the-shell-0123456789' },
      ]) {
        const res = await h.send({ body: messagesBody(), headers });
        assert.equal(res.status, 200, JSON.stringify(headers));
      }
      assert.equal(h.sim('a').requests.length, 2);
    });
  });
});
