import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';

/** What a raw HTTP client saw: the status, headers, every byte that arrived, and the error that ended the body, if any. */
export interface RawExchange {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: Buffer;
  readonly text: string;
  /** When each body chunk arrived (performance.now()), to see pacing without tight timing. */
  readonly chunkTimes: readonly number[];
  readonly startedAt: number;
  readonly endedAt: number;
  readonly error: (Error & { code?: string }) | undefined;
}

export interface ExchangeOptions {
  readonly method?: string;
  readonly path?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly headersTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** A connection pool of the test's own, to control whether a connection is new or kept alive. */
  readonly dispatcher?: Dispatcher;
  /** Called with each body chunk as it arrives. */
  readonly onChunk?: (chunk: Buffer) => void;
}

/** One request with undici, bounded (5 s by default); the body is read to its end or its error, never decoded. */
export async function exchange(baseUrl: string, options: ExchangeOptions = {}): Promise<RawExchange> {
  const startedAt = performance.now();
  const body = options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await request(`${baseUrl}${options.path ?? '/v1/messages'}`, {
    method: (options.method ?? 'POST') as 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body,
    headersTimeout: options.headersTimeoutMs ?? 5_000,
    bodyTimeout: 5_000,
    signal: options.signal,
    dispatcher: options.dispatcher,
  });
  const chunks: Buffer[] = [];
  const chunkTimes: number[] = [];
  let error: RawExchange['error'];
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      chunkTimes.push(performance.now());
      options.onChunk?.(chunk);
    }
  } catch (caught) {
    error = caught as RawExchange['error'];
  }
  const bytes = Buffer.concat(chunks);
  return {
    status: response.statusCode,
    headers: response.headers,
    bytes,
    text: bytes.toString('utf8'),
    chunkTimes,
    startedAt,
    endedAt: performance.now(),
    error,
  };
}

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

/** Complete SSE events only: a block without its blank line after it is not an event yet. */
export function parseSse(text: string): SseEvent[] {
  const blocks = text.split('\n\n');
  blocks.pop();
  return blocks.map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
    const data = /^data: (.*)$/m.exec(block)?.[1];
    return { event, data: data === undefined ? undefined : (JSON.parse(data) as unknown) };
  });
}

export const STREAM_ORDER = [
  'message_start',
  'content_block_start',
  'ping',
  'content_block_delta',
  'content_block_delta',
  'content_block_delta',
  'content_block_delta',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
];

export function messagesBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'claude-test-1', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello.' }], ...extra };
}

/** The error a request failed with, for asserting its `code`. */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the request to fail, but it succeeded');
}
