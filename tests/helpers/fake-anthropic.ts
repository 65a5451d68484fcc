import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeAnthropic {
  readonly baseUrl: string;
  readonly requests: readonly SeenRequest[];
  close(): Promise<void>;
}

/**
 * The smallest Anthropic Messages API that Claude Code accepts, on 127.0.0.1:0: `POST /v1/messages` answers `reply`
 * as an SSE stream (or as JSON when the body does not ask for a stream), `HEAD /` and anything else answer 200 with
 * `{}`. Every request is recorded, so a test checks what Claude Code sent, not only what it printed.
 */
export async function startFakeAnthropic(reply: string): Promise<FakeAnthropic> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.method !== 'POST' || !request.url?.startsWith('/v1/messages')) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(request.method === 'HEAD' ? undefined : '{}');
        return;
      }
      const asked = parse(body);
      const message = {
        id: 'msg_fake_0001',
        type: 'message',
        role: 'assistant',
        model: typeof asked.model === 'string' ? asked.model : 'claude-fake',
        content: [] as unknown[],
        stop_reason: null as string | null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      };
      if (asked.stream !== true) {
        const whole = { ...message, content: [{ type: 'text', text: reply }], stop_reason: 'end_turn' };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(whole));
        return;
      }
      const event = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.end(
        event('message_start', { message }) +
          event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
          event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply } }) +
          event('content_block_stop', { index: 0 }) +
          event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } }) +
          event('message_stop', {}),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parse(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
