import type { IncomingMessage } from 'node:http';
import { QccError } from '../core/errors.js';
import { topLevelValues } from '../core/json-top-level.js';

/**
 * Reads the whole request body, so that it can be sent again to another endpoint. Bodies larger than `limit` are
 * refused as soon as they pass it (the rest is not read).
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new QccError('QCC_ERR_BODY_TOO_LARGE', { limit }));
  }
  // A body of a declared length is whole once that many bytes are in: waiting for 'end' as well would cost every
  // request another turn of the event loop.
  const expected = Number.isSafeInteger(declared) && declared > 0 ? declared : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const whole = (): void => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(new QccError('QCC_ERR_BODY_TOO_LARGE', { limit }));
        return;
      }
      chunks.push(chunk);
      if (size === expected) whole();
    };
    req.on('data', onData);
    req.once('end', whole);
    req.once('error', reject);
  });
}

export interface RequestFacts {
  /** The body asks for a stream (`"stream": true`); Claude Code says `accept: application/json` even then. */
  readonly stream: boolean;
  /** Claude Code's session, for affinity: the header, else the session inside `metadata.user_id`. */
  readonly session: string | undefined;
  readonly model: string | undefined;
}

/**
 * What the gateway needs to know of a request, read without changing a byte of it and without parsing the body:
 * only the top-level keys it needs are located, and only their (small) values are parsed.
 */
export function requestFacts(headers: IncomingMessage['headers'], body: Buffer): RequestFacts {
  const header = headers['x-claude-code-session-id'];
  const session = typeof header === 'string' && header ? header : undefined;
  const values = topLevelValues(body, session === undefined ? WITH_METADATA : WITHOUT_METADATA);
  const raw = (key: string): unknown => {
    const range = values.get(key);
    if (!range) return undefined;
    try {
      return JSON.parse(body.toString('utf8', range.start, range.end));
    } catch {
      return undefined;
    }
  };
  const model = raw('model');
  const metadata = session === undefined ? (raw('metadata') as { user_id?: unknown } | undefined) : undefined;
  return {
    stream: raw('stream') === true,
    session: session ?? sessionFromUserId(metadata?.user_id),
    model: typeof model === 'string' ? model : undefined,
  };
}

const WITHOUT_METADATA = ['stream', 'model'] as const;
const WITH_METADATA = ['stream', 'model', 'metadata'] as const;

/** `metadata.user_id` is a JSON string (or an older `user_…_session_<uuid>` form) that carries the session id. */
function sessionFromUserId(userId: unknown): string | undefined {
  if (typeof userId !== 'string' || !userId) return undefined;
  try {
    const value = JSON.parse(userId) as { session_id?: unknown };
    if (typeof value.session_id === 'string') return value.session_id;
  } catch {
    // not JSON: fall through to the older form
  }
  return /session_([0-9a-f-]{8,})/i.exec(userId)?.[1];
}
