import assert from 'node:assert/strict';
import type { FaultScript } from '../../src/simulator/index.js';

/**
 * Requests to a gateway as Claude Code makes them, with fetch: a whole answer, or a stream read as it arrives (so a
 * test can act while it is in flight).
 */
export interface Answer {
  readonly status: number;
  readonly text: string;
}

/** A prompt with this text gets a slow stream from a simulator scripted with `slowScript`. */
export const SLOW_PROMPT = 'please answer slowly';

/** Streams for `SLOW_PROMPT` come with `gapMs` between events (~11 events); every other request is normal. */
export const slowScript = (gapMs: number): FaultScript => (request) =>
  JSON.stringify(request.body ?? '').includes(SLOW_PROMPT) ? { kind: 'slow', gapMs } : undefined;

export async function ask(url: string, content = 'hello'): Promise<Answer> {
  const response = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-e2e', max_tokens: 16, messages: [{ role: 'user', content }] }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, text: await response.text() };
}

export interface StreamInFlight {
  /** Resolves on the first bytes of the answer. */
  readonly firstBytes: Promise<void>;
  /** Everything the client received, and when the body ended. */
  readonly done: Promise<{ readonly text: string; readonly endedAt: number }>;
  /** The body has ended (cleanly or not). */
  readonly ended: () => boolean;
}

export function slowStream(url: string, timeoutMs = 60_000): StreamInFlight {
  let first: () => void = () => undefined;
  let finished = false;
  const firstBytes = new Promise<void>((resolve) => (first = resolve));
  const done = (async () => {
    try {
      const response = await fetch(`${url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-e2e', max_tokens: 16, stream: true, messages: [{ role: 'user', content: SLOW_PROMPT }] }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      assert.equal(response.status, 200);
      assert.ok(response.body);
      const decoder = new TextDecoder();
      let text = '';
      for await (const chunk of response.body) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        first();
      }
      return { text, endedAt: Date.now() };
    } finally {
      finished = true;
      first();
    }
  })();
  return { firstBytes, done, ended: () => finished };
}

/** The event names of an SSE text, in order. */
export const sseEvents = (sse: string): string[] => [...sse.matchAll(/^event: (.+)$/gm)].map((match) => match[1] ?? '');
