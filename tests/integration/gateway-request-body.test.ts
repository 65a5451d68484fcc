import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { pair, sleep, withGateway, type GatewayHarness } from '../helpers/gateway-harness.js';
import { messagesBody } from '../helpers/sim-http.js';

const SESSION = '5b0c5a8e-2f0a-4c55-9a51-0d6c2a7e9f13';

/** A client of its own pace: the request head and the first part of the body now, the rest when the test says. */
interface SlowClient {
  /** Sends more of the body. */
  send(part: string): void;
  /** What the gateway answered, once it closed the connection. */
  readonly answer: Promise<string>;
}

function slowClient(h: GatewayHarness, body: string, first: string, headers: Record<string, string> = {}): SlowClient {
  const socket: Socket = connect(Number(new URL(h.url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
  const head = [
    'POST /v1/messages?beta=true HTTP/1.1',
    'host: 127.0.0.1',
    'content-type: application/json',
    'x-api-key: sk-client-side',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.write(`${head.join('\r\n')}\r\n\r\n${first}`);
  return { send: (part) => void socket.write(part), answer };
}

/** The body, cut after its first `at` characters. */
function split(body: string, at: number): [string, string] {
  return [body.slice(0, at), body.slice(at)];
}

describe('gateway: the request body', () => {
  it('is read whole before any upstream is asked, so that the next endpoint can be sent the same bytes', async () => {
    await withGateway(pair, async (h) => {
      const body = JSON.stringify(messagesBody({ metadata: { user_id: JSON.stringify({ session_id: SESSION }) } }));
      const [head, rest] = split(body, 20);
      const client = slowClient(h, body, head, { 'x-claude-code-session-id': SESSION });
      await h.waitFor(() => h.gateway.inflight === 1, 2_000, 'the request to start');
      await sleep(100);
      assert.equal(h.sim('a').requests.length, 0);
      client.send(rest);
      assert.match(await client.answer, /^HTTP\/1\.1 200 /);
      assert.deepEqual(h.counts(), { a: 1, b: 0 });
      assert.deepEqual(h.sim('a').requests[0]?.body, JSON.parse(body), 'byte for byte');
      const [record] = await h.waitForRecords(1);
      assert.equal(record?.bytesIn, Buffer.byteLength(body));
    });
  });

  it("the first-byte deadline runs from the body's end: a client slower than it is no fault of the endpoint", async () => {
    await withGateway({ ...pair, settings: { proxy: { firstByteTimeoutMs: 200, responseTimeoutMs: 200 } } }, async (h) => {
      const body = JSON.stringify(messagesBody({ stream: true }));
      const [head, rest] = split(body, 20);
      const client = slowClient(h, body, head, { 'x-claude-code-session-id': SESSION });
      await h.waitFor(() => h.gateway.inflight === 1, 2_000, 'the request to start');
      await sleep(400);
      client.send(rest);
      const answer = await client.answer;
      assert.match(answer, /^HTTP\/1\.1 200 /);
      assert.match(answer, /event: message_stop/);
      assert.deepEqual(h.failures, []);
      assert.deepEqual(h.counts(), { a: 1, b: 0 });
    });
  });
});
