import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { assertNoSecret } from '../helpers/assertions.js';
import { GatewayHome, pidAlive } from '../helpers/gateway-home.js';

const KEY_A = 'sk-gw-sdk-alpha-PRIVATE-7c41e9d2b8a3';
const KEY_B = 'sk-gw-sdk-bravo-PRIVATE-2f8a6c0d4e19';
/** What the SDK sends; the gateway must strip both before anything reaches a provider. */
const SDK_API_KEY = 'sk-ant-sdk-client-PRIVATE-55aa33cc11ee';
const SDK_AUTH_TOKEN = 'sdk-bearer-client-PRIVATE-9d9d7b7b5f5f';
const REPLY_B = 'Bravo answers through the qcc gateway.';
const MODEL = 'claude-sdk-e2e';

/**
 * Issue 4, "Tests": end to end with the official @anthropic-ai/sdk through a gateway that the CLI started as a
 * background process, with a cluster whose first primary is down. `maxRetries: 0`, so the SDK cannot hide a
 * gateway failure behind a retry of its own; what the providers saw is checked, not only what the SDK returned.
 */
describe('the official SDK through a gateway started by `qcc proxy start`, first primary down', () => {
  let gw: GatewayHome;
  let simA: Simulator;
  let simB: Simulator;
  let client: Anthropic;
  let endpointA: string;
  let endpointB: string;

  before(async () => {
    gw = await GatewayHome.create();
    simA = await startSimulator({ name: 'alpha', apiKey: KEY_A, authStyle: 'x-api-key' });
    simB = await startSimulator({ name: 'bravo', apiKey: KEY_B, authStyle: 'bearer', replyText: REPLY_B, chunks: 4 });
    await gw.addProfile('a', simA, KEY_A, 'x-api-key');
    await gw.addProfile('b', simB, KEY_B, 'bearer');
    await gw.ok(['endpoint', 'add', 'prod', '--primary', 'a,b', '--no-auto-start']);
    const shown = JSON.parse((await gw.ok(['endpoint', 'list', 'prod', '--json'])).stdout) as { endpoints: { id: string; source: string }[] };
    endpointA = shown.endpoints.find((endpoint) => endpoint.source === 'a')?.id ?? '';
    endpointB = shown.endpoints.find((endpoint) => endpoint.source === 'b')?.id ?? '';
    assert.ok(endpointA && endpointB, JSON.stringify(shown));
    await simA.stop(); // connection refused from now on
    // The SDK sends Bearer (authToken); an x-api-key as well, as Claude Code does with both variables set.
    client = new Anthropic({
      baseURL: gw.url,
      authToken: SDK_AUTH_TOKEN,
      defaultHeaders: { 'x-api-key': SDK_API_KEY },
      maxRetries: 0,
      timeout: 20_000,
    });
  });
  after(async () => {
    await gw.cleanup();
    await simA.close();
    await simB.close();
  });

  it('`qcc proxy start --cluster prod --port P` returns once the gateway answers, detached, and status shows it', async () => {
    const runtime = await gw.start(['--cluster', 'prod']);
    // No waiting: when the command has returned, the gateway answers.
    const direct = await gw.fetchStatus();
    assert.equal(direct.activeProfile, 'prod');
    assert.equal(runtime.port, gw.port);
    assert.equal(runtime.url, gw.url);
    assert.ok(pidAlive(runtime.pid), 'the gateway outlived the command that started it');
    assert.equal(await gw.pidFile(), runtime.pid);
    const status = await gw.status();
    assert.equal(status.pid, runtime.pid);
    assert.equal(status.activeProfile, 'prod');
    assert.equal(status.requests.total, 0);
  });

  it('streaming and non-streaming requests succeed on b; a saw nothing; b saw its own key, none of the SDK’s', async () => {
    const rounds = 4;
    for (let round = 0; round < rounds; round += 1) {
      const message = await client.messages.create({
        model: MODEL,
        max_tokens: 64,
        messages: [{ role: 'user', content: `non-streaming ${round}` }],
      });
      assert.equal(message.type, 'message');
      assert.deepEqual(message.content, [{ type: 'text', text: REPLY_B }]);
      assert.match(message.id, /^msg_bravo_/);
      assert.equal(message.stop_reason, 'end_turn');

      const final = await client.messages
        .stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: `streaming ${round}` }] })
        .finalMessage();
      assert.deepEqual(final.content, [{ type: 'text', text: REPLY_B }]);
      assert.match(final.id, /^msg_bravo_/);
      assert.equal(final.stop_reason, 'end_turn');
      assert.ok(final.usage.output_tokens > 0);
    }

    assert.equal(simA.requests.length, 0, 'the stopped provider received nothing');
    const seen = simB.requests.filter((request) => request.path.startsWith('/v1/messages'));
    assert.equal(seen.length, rounds * 2, 'b received each request exactly once');
    assert.equal(seen.filter((request) => (request.body as { stream?: boolean }).stream === true).length, rounds);
    for (const request of seen) {
      assert.equal(request.headers.authorization, `Bearer ${KEY_B}`);
      assert.equal(request.headers['x-api-key'], undefined, 'b takes Bearer only, never both');
      assert.ok(request.headers['anthropic-version'], 'anthropic-version passes through');
      const all = JSON.stringify(request.headers);
      assert.ok(!all.includes(SDK_API_KEY) && !all.includes(SDK_AUTH_TOKEN), `a client credential reached the provider: ${all}`);
      assert.ok(!all.includes(KEY_A), 'a’s key went to b');
    }
  });

  it('`qcc proxy status` shows the counters and a as open with its last error, and no key', async () => {
    const status = await gw.status();
    assert.equal(status.requests.total, 8);
    assert.equal(status.requests.ok, 8);
    assert.equal(status.requests.failed, 0);
    assert.ok(status.requests.retries >= 3, `a was tried first and failed over: ${status.requests.retries} retries`);
    assert.ok(status.requests.outputTokens > 0);
    const a = status.endpoints.find((endpoint) => endpoint.id === endpointA);
    const b = status.endpoints.find((endpoint) => endpoint.id === endpointB);
    assert.ok(a && b, JSON.stringify(status.endpoints));
    assert.equal(a.state, 'open', 'three refused connections open a’s breaker');
    assert.ok(a.availableAt !== null);
    assert.match(a.lastError ?? '', /ECONNREFUSED|refused/i);
    assert.ok(a.failures >= 3);
    assert.equal(b.state, 'closed');
    assert.equal(b.requests, 8);
    assert.equal(b.successRate, 1);

    const human = await gw.ok(['proxy', 'status']);
    assert.match(human.stdout, /● running {2}http:\/\/127\.0\.0\.1:\d+ {2}PID \d+/);
    assert.ok(human.stdout.includes(gw.url));
    assert.match(human.stdout, /requests: 8 total, 8 ok, 0 client errors, 0 failed/);
    assert.match(human.stdout, /active profile: prod/);
    const rowA = human.stdout.split('\n').find((line) => line.includes(endpointA)) ?? '';
    assert.match(rowA, /\bopen\b/, human.stdout);
    assert.match(rowA, /ECONNREFUSED|refused/i, human.stdout);
    const rowB = human.stdout.split('\n').find((line) => line.includes(endpointB)) ?? '';
    assert.match(rowB, /\bclosed\b.*100%/, human.stdout);

    const adminToken = (await readFile(gw.file('admin-token'), 'utf8')).trim();
    for (const result of gw.outputs) assertNoSecret(result, KEY_A, KEY_B, SDK_API_KEY, SDK_AUTH_TOKEN, adminToken);
    assertNoSecret(JSON.stringify(status), KEY_A, KEY_B, adminToken);
  });
});
