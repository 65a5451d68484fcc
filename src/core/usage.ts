import { isWholeObject, topLevelValues } from './json-top-level.js';
import { anthropicErrorOf, type AnthropicError } from './outcome.js';
import type { SseEvent } from './sse-parser.js';

/**
 * Token usage of one response (DESIGN §4.9), read beside the bytes, never in their way: the gateway hands over the
 * events it parsed anyway, and only the few events that carry usage are JSON-parsed. Upstreams are relays of every
 * quality, so nothing here throws: a data line that does not parse is counted in `malformed` and skipped.
 */

export interface Usage {
  readonly model: string | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheReadInputTokens: number;
  readonly stopReason: string | null;
  /** `message_stop` was seen, or a whole (non-streaming) message was read: the answer is complete. */
  readonly messageStop: boolean;
  /** The upstream's `error` event or error body. */
  readonly error: AnthropicError | null;
  /** Data lines of interest that were not the JSON they should be. */
  readonly malformed: number;
}

type Counter = 'inputTokens' | 'outputTokens' | 'cacheCreationInputTokens' | 'cacheReadInputTokens';

const usageFields: ReadonlyArray<readonly [string, Counter]> = [
  ['input_tokens', 'inputTokens'],
  ['output_tokens', 'outputTokens'],
  ['cache_creation_input_tokens', 'cacheCreationInputTokens'],
  ['cache_read_input_tokens', 'cacheReadInputTokens'],
];

export class UsageTally {
  #model: string | null = null;
  readonly #counts: Record<Counter, number> = {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
  };
  #stopReason: string | null = null;
  #messageStop = false;
  #error: AnthropicError | null = null;
  #malformed = 0;

  /**
   * Events and message bodies still to be read, in order. JSON is parsed when the usage is asked for, not as the
   * bytes pass: a stream's first event is what the client waits for before its first byte, and a message's body
   * before its last.
   */
  #unread: (SseEvent | Uint8Array)[] = [];

  /** One event of a `/v1/messages` stream. */
  addEvent(event: SseEvent): void {
    switch (event.event) {
      case 'message_start':
      case 'message_delta':
      case 'error':
        // A relay that repeats these without end is read as it goes, rather than kept.
        if (this.#unread.length >= MAX_UNREAD) this.#readUnread();
        this.#unread.push(event);
        return;
      case 'message_stop':
        this.#messageStop = true;
        return;
      case 'message':
        // No `event:` line (some relays): Anthropic's `type` comes first in the data; content deltas, the bulk of a
        // stream, are recognised from it without a parse.
        if (event.data.startsWith('{"type":"content_block') || event.data.startsWith('{"type":"ping"')) return;
        // Its type is known only once parsed: read now, after what came before it, so that nothing piles up.
        this.#readUnread();
        this.#read(event);
        return;
      default:
        return;
    }
  }

  #readUnread(): void {
    if (this.#unread.length === 0) return;
    const unread = this.#unread;
    this.#unread = [];
    for (const item of unread) {
      if (item instanceof Uint8Array) this.#readMessageBytes(item);
      else this.#read(item);
    }
  }

  #read(event: SseEvent): void {
    let type = event.event;
    let body: object | undefined;
    if (type === 'message') {
      body = this.#parse(event.data);
      const named = body === undefined ? undefined : (body as { type?: unknown }).type;
      if (typeof named !== 'string') return;
      type = named;
    }
    switch (type) {
      case 'message_start': {
        const message = field(body ?? this.#parse(event.data), 'message');
        const model = field(message, 'model');
        if (typeof model === 'string') this.#model = model;
        this.#readUsage(field(message, 'usage'));
        return;
      }
      case 'message_delta': {
        const delta = body ?? this.#parse(event.data);
        this.#readUsage(field(delta, 'usage'));
        this.#readStopReason(field(field(delta, 'delta'), 'stop_reason'));
        return;
      }
      case 'message_stop':
        this.#messageStop = true;
        return;
      case 'error':
        this.#error = anthropicErrorOf(body ?? this.#parse(event.data)) ?? { type: 'unknown', message: '' };
        return;
      default:
        return;
    }
  }

  /** The parsed JSON body of a non-streaming response: a message, or an error. */
  addMessage(body: unknown): void {
    this.#readUnread();
    this.#readMessage(body);
  }

  /** The bytes of a non-streaming response body, read when the usage is asked for. */
  addMessageBytes(bytes: Uint8Array): void {
    this.#unread.push(bytes);
  }

  #readMessage(body: unknown): void {
    if (typeof body !== 'object' || body === null) {
      this.#malformed += 1;
      return;
    }
    const type = (body as { type?: unknown }).type;
    if (type === 'error') {
      this.#error = anthropicErrorOf(body) ?? { type: 'unknown', message: '' };
      return;
    }
    const model = field(body, 'model');
    if (typeof model === 'string') this.#model = model;
    this.#readUsage(field(body, 'usage'));
    this.#readStopReason(field(body, 'stop_reason'));
    if (type === 'message') this.#messageStop = true;
  }

  /**
   * A short body is parsed whole; of a long one (a message's `content` can be long) only the top-level fields that
   * matter are located and parsed. A body that is not one whole JSON object is counted as malformed.
   */
  #readMessageBytes(bytes: Uint8Array): void {
    if (bytes.length <= WHOLE_PARSE_MAX_BYTES) {
      const body = this.#parse(decoder.decode(bytes));
      if (body !== undefined) this.#readMessage(body);
      return;
    }
    if (!isWholeObject(bytes)) {
      this.#malformed += 1;
      return;
    }
    const fields: Record<string, unknown> = {};
    const read = (keys: readonly string[]): void => {
      for (const [key, range] of topLevelValues(bytes, keys)) {
        try {
          fields[key] = JSON.parse(decoder.decode(bytes.subarray(range.start, range.end)));
        } catch {
          this.#malformed += 1;
        }
      }
    };
    read(MESSAGE_FIELDS);
    // Looked for only in an error body: a message has no `error`, and looking for it would read the whole message.
    if (fields.type === 'error') read(['error']);
    this.#readMessage(fields);
  }

  /** `message_stop` was seen (known as events pass, without reading any JSON). */
  get messageStop(): boolean {
    return this.#messageStop;
  }

  snapshot(): Usage {
    this.#readUnread();
    return {
      model: this.#model,
      ...this.#counts,
      stopReason: this.#stopReason,
      messageStop: this.#messageStop,
      error: this.#error,
      malformed: this.#malformed,
    };
  }

  /** A JSON object, or undefined (counted) for anything else. */
  #parse(text: string): object | undefined {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
    } catch {
      // counted below
    }
    this.#malformed += 1;
    return undefined;
  }

  /** `message_delta` usage is cumulative, so every field present replaces what `message_start` said. */
  #readUsage(usage: unknown): void {
    if (typeof usage !== 'object' || usage === null) return;
    for (const [wire, counter] of usageFields) {
      const value = (usage as Record<string, unknown>)[wire];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) this.#counts[counter] = value;
    }
  }

  #readStopReason(value: unknown): void {
    if (typeof value === 'string') this.#stopReason = value;
  }
}

/** Events kept unread at most; a stream has one `message_start` and one `message_delta`. */
const MAX_UNREAD = 8;
const MESSAGE_FIELDS = ['type', 'model', 'usage', 'stop_reason'] as const;
/** Up to this size a whole JSON.parse costs less than locating the fields (measured on a ~600-byte message). */
const WHOLE_PARSE_MAX_BYTES = 4096;
const decoder = new TextDecoder();

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
