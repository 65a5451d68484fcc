import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { skipSpace } from '../core/json-top-level.js';
import { SseParser, type SseEvent } from '../core/sse-parser.js';
import { UsageTally, type Usage } from '../core/usage.js';

/** How a chunk that is one `content_block_delta` event begins (the form Anthropic and the relays send). */
const CONTENT_DELTA = Buffer.from('event: content_block_delta\n');
const EVENT_FIELD = Buffer.from('event:');
const LF = 0x0a;
const CR = 0x0d;

/** A non-streaming body's chunks are kept for its usage only up to this size (they are the bytes sent, not copies). */
const MAX_JSON_BYTES = 1024 * 1024;

export type FirstSign =
  | { readonly kind: 'event'; readonly event: SseEvent }
  | { readonly kind: 'text'; readonly char: string }
  | { readonly kind: 'end' }
  /** An encoding qcc cannot decode: the body goes through unread. */
  | { readonly kind: 'opaque' };

/**
 * Reads a copy of an upstream response beside the bytes that go to the client: the first SSE event (the stream
 * commit point, §4.6), the first character of a JSON body (a "200" that is not Anthropic's), and the token usage
 * (§4.9). Upstreams are asked for identity encoding, but one that compresses anyway is decoded here on a copy;
 * the client still gets the compressed bytes it was sent.
 */
export class ResponseInspector {
  readonly #stream: boolean;
  readonly #text = new StringDecoder('utf8');
  readonly #parser = new SseParser();
  readonly #tally = new UsageTally();
  readonly #decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  /** The chunks of a non-streaming body; undefined once it passed MAX_JSON_BYTES. */
  #json: Buffer[] | undefined = [];
  #jsonBytes = 0;
  /** The last byte of the stream read so far: after a LF, the UTF-8 decoder holds no part of a character. */
  #lastByte = -1;
  #first: FirstSign | undefined;
  #onFirst: ((sign: FirstSign) => void) | undefined;
  #finished: Promise<void>;
  #ended = false;
  #undecodable = false;

  readonly #opaque: boolean;

  constructor(stream: boolean, contentEncoding: string | undefined) {
    this.#stream = stream;
    this.#decoder = decoderFor(contentEncoding);
    const encoding = contentEncoding?.trim().toLowerCase();
    this.#opaque = this.#decoder === undefined && encoding !== undefined && encoding !== '' && encoding !== 'identity';
    if (this.#opaque) this.#first = { kind: 'opaque' };
    if (this.#decoder) {
      const decoder = this.#decoder;
      decoder.on('data', (chunk: Buffer) => this.#take(chunk));
      this.#finished = new Promise((resolve) => {
        decoder.once('end', () => resolve(this.#finish()));
        // A body that does not decode is no Anthropic answer we can read; its bytes still go through as they are.
        decoder.once('error', () => {
          this.#undecodable = true;
          resolve(this.#finish());
        });
      });
    } else {
      this.#finished = Promise.resolve();
    }
  }

  /** Whether the client's bytes are the bytes inspected (no content-encoding): only then may qcc add an event. */
  get plain(): boolean {
    return this.#decoder === undefined && !this.#opaque;
  }

  /** Whether the body is read at all (plain or decoded): only then can its end be judged complete or not. */
  get readable(): boolean {
    return !this.#opaque && !this.#undecodable;
  }

  get usage(): Usage {
    return this.#tally.snapshot();
  }

  /** A stream's `message_stop` has passed: it ended whole. */
  get messageStop(): boolean {
    return this.#tally.messageStop;
  }

  /** Characters of an event that never completed: non-zero at the end means the stream stopped mid-event. */
  get pending(): number {
    return this.#parser.pending;
  }

  write(chunk: Buffer): void {
    if (this.#opaque) return;
    if (this.#decoder) this.#decoder.write(chunk);
    else this.#take(chunk);
  }

  /** The upstream body ended; resolves once everything written has been read. */
  end(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      if (this.#decoder) this.#decoder.end();
      else this.#finish();
    }
    return this.#finished;
  }

  /** Stops decoding a body that will not be read to its end. */
  dispose(): void {
    this.#decoder?.destroy();
  }

  /** The first sign of the body: its first complete event, its first non-blank character, or its end. */
  first(): Promise<FirstSign> {
    if (this.#first) return Promise.resolve(this.#first);
    return new Promise((resolve) => {
      this.#onFirst = resolve;
    });
  }

  #take(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#stream) {
      if (!this.#isWholeDelta(chunk)) this.#takeText(this.#text.write(chunk));
      this.#lastByte = chunk[chunk.length - 1] as number;
      return;
    }
    if (!this.#first) {
      const index = skipSpace(chunk, 0);
      if (index < chunk.length) this.#signal({ kind: 'text', char: String.fromCharCode(chunk[index] as number) });
    }
    if (this.#json && this.#jsonBytes + chunk.length <= MAX_JSON_BYTES) {
      this.#json.push(chunk);
      this.#jsonBytes += chunk.length;
    } else {
      this.#json = undefined;
    }
  }

  /**
   * A chunk that is exactly one `content_block_delta` event, arriving between events after the first one, is passed
   * over without being decoded or parsed: deltas are the bulk of a stream, and the gateway reads nothing in them
   * (the commit was decided by the first event; usage, the end and errors come in other events).
   */
  #isWholeDelta(chunk: Buffer): boolean {
    return this.#first !== undefined && this.#lastByte === LF && this.#parser.atEventBoundary && isOneDeltaEvent(chunk);
  }

  #takeText(text: string): void {
    if (text.length === 0) return;
    const events = this.#parser.push(text);
    for (const event of events) {
      this.#signal({ kind: 'event', event });
      this.#tally.addEvent(event);
    }
  }

  #finish(): void {
    if (this.#stream) this.#takeText(this.#text.end());
    else if (this.#json && this.#jsonBytes > 0) this.#tally.addMessageBytes(Buffer.concat(this.#json, this.#jsonBytes));
    this.#signal({ kind: 'end' });
  }

  #signal(sign: FirstSign): void {
    if (this.#first) return;
    this.#first = sign;
    this.#onFirst?.(sign);
    this.#onFirst = undefined;
  }
}

/**
 * The chunk is `event: content_block_delta`, then lines with no CR, no blank line and no other `event:` line, then
 * the blank line that ends it. One pass in JavaScript: four native Buffer searches cost three times as much on
 * chunks this short, and a stream is mostly such chunks.
 */
function isOneDeltaEvent(chunk: Buffer): boolean {
  const length = chunk.length;
  if (length <= CONTENT_DELTA.length + 2 || chunk[length - 1] !== LF || chunk[length - 2] !== LF) return false;
  if (!startsWith(chunk, 0, CONTENT_DELTA)) return false;
  // From the line end of `event: content_block_delta` to the one before the closing blank line.
  for (let index = CONTENT_DELTA.length - 1; index < length - 2; index += 1) {
    const byte = chunk[index];
    if (byte === CR) return false;
    if (byte === LF && (chunk[index + 1] === LF || startsWith(chunk, index + 1, EVENT_FIELD))) return false;
  }
  return true;
}

function startsWith(chunk: Buffer, at: number, prefix: Buffer): boolean {
  for (let index = 0; index < prefix.length; index += 1) {
    if (chunk[at + index] !== prefix[index]) return false;
  }
  return true;
}

function decoderFor(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      return zlib.createInflate({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}
