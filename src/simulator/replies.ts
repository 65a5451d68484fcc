import type { RecordedRequest, ReplyText } from './types.js';

/** What the answer depends on, read once from the request body. */
export interface RequestFacts {
  readonly bytes: number;
  readonly stream: boolean;
  readonly model: string;
  readonly cacheControl: boolean;
}

export interface Usage {
  readonly input_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
  readonly output_tokens: number;
}

export const DEFAULT_REPLY = 'Hello! This is a simulated reply from the qcc upstream simulator.';
const DEFAULT_MODEL = 'claude-sonnet-4-5';

export function readFacts(body: unknown, raw: Buffer): RequestFacts {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return {
    bytes: raw.length,
    stream: fields.stream === true,
    model: typeof fields.model === 'string' ? fields.model : DEFAULT_MODEL,
    // A substring test is enough: only a marked prompt makes the real API read from its cache.
    cacheControl: raw.includes('cache_control'),
  };
}

/** About four bytes a token, like the real tokenizer on English text. */
export function promptTokens(facts: RequestFacts): number {
  return Math.max(1, Math.ceil(facts.bytes / 4));
}

export function outputTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * Deterministic usage, so tests can check that the gateway reads it: with `cache_control` most of the prompt comes
 * from the cache, as on a warm turn of Claude Code.
 */
export function usageFor(facts: RequestFacts, output: number): Usage {
  const total = promptTokens(facts);
  if (!facts.cacheControl) {
    return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output };
  }
  const read = Math.max(1, Math.floor((total * 3) / 4));
  const creation = Math.max(1, Math.floor(total / 8));
  return {
    input_tokens: Math.max(1, total - read - creation),
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: read,
    output_tokens: output,
  };
}

export function sseEvent(name: string, json: string): string {
  return `event: ${name}\ndata: ${json}\n\n`;
}

const CONTENT_BLOCK_START = sseEvent(
  'content_block_start',
  '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
);
const PING = sseEvent('ping', '{"type":"ping"}');
const CONTENT_BLOCK_STOP = sseEvent('content_block_stop', '{"type":"content_block_stop","index":0}');
export const MESSAGE_STOP = sseEvent('message_stop', '{"type":"message_stop"}');
export const OVERLOADED_EVENT = sseEvent(
  'error',
  '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
);

/** The parts of an answer that depend only on its text. */
interface TextParts {
  readonly textJson: string;
  readonly outputTokens: number;
  /** `content_block_delta` × chunks, then the closing events up to and including `message_stop`. */
  readonly tail: readonly string[];
}

function textParts(text: string, chunks: number): TextParts {
  const output = outputTokens(text);
  const tail: string[] = [];
  for (let i = 0; i < chunks; i++) {
    const piece = text.slice(Math.floor((i * text.length) / chunks), Math.floor(((i + 1) * text.length) / chunks));
    tail.push(
      sseEvent(
        'content_block_delta',
        `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}`,
      ),
    );
  }
  tail.push(
    CONTENT_BLOCK_STOP,
    sseEvent(
      'message_delta',
      `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${output}}}`,
    ),
    MESSAGE_STOP,
  );
  return { textJson: JSON.stringify(text), outputTokens: output, tail };
}

/**
 * Builds Messages API answers. With a constant reply text everything but the id, the model and the usage is
 * serialised once, because the benchmark pushes thousands of these a second through the gateway.
 */
export class Replies {
  readonly #replyText: ReplyText;
  readonly #chunks: number;
  readonly #fixed: TextParts | undefined;

  constructor(replyText: ReplyText, chunks: number) {
    this.#replyText = replyText;
    this.#chunks = chunks;
    this.#fixed = typeof replyText === 'string' ? textParts(replyText, chunks) : undefined;
  }

  #parts(request: RecordedRequest): TextParts {
    if (this.#fixed) return this.#fixed;
    return textParts((this.#replyText as (request: RecordedRequest) => string)(request), this.#chunks);
  }

  /** The non-streaming `message` object, as JSON. */
  message(id: string, request: RecordedRequest, facts: RequestFacts): string {
    const parts = this.#parts(request);
    return (
      `{"id":"${id}","type":"message","role":"assistant","model":${JSON.stringify(facts.model)},` +
      `"content":[{"type":"text","text":${parts.textJson}}],"stop_reason":"end_turn","stop_sequence":null,` +
      `"usage":${JSON.stringify(usageFor(facts, parts.outputTokens))}}`
    );
  }

  /** The SSE events of a streamed answer, in the real API's order. */
  events(id: string, request: RecordedRequest, facts: RequestFacts): string[] {
    const parts = this.#parts(request);
    const start = sseEvent(
      'message_start',
      `{"type":"message_start","message":{"id":"${id}","type":"message","role":"assistant",` +
        `"model":${JSON.stringify(facts.model)},"content":[],"stop_reason":null,"stop_sequence":null,` +
        `"usage":${JSON.stringify(usageFor(facts, 1))}}}`,
    );
    return [start, CONTENT_BLOCK_START, PING, ...parts.tail];
  }
}

export function countTokensBody(facts: RequestFacts): string {
  return `{"input_tokens":${promptTokens(facts)}}`;
}

export const MODELS_BODY = JSON.stringify({
  data: [
    { type: 'model', id: 'claude-opus-4-1', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
    { type: 'model', id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
    { type: 'model', id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  ],
  has_more: false,
  first_id: 'claude-opus-4-1',
  last_id: 'claude-haiku-4-5',
});

export const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>' +
  '<body><h1>502 Bad Gateway</h1><p>The upstream service is temporarily unavailable.</p></body></html>\n';
