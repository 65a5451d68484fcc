import type { ServerResponse } from 'node:http';
import { QccError } from '../core/errors.js';
import { classifyError, streamBrokenFailure, streamErrorDetail, timeoutFailure, type AttemptFailure } from '../core/outcome.js';
import type { Usage } from '../core/usage.js';
import type { Committed } from './attempt.js';
import { streamErrorEvent } from './error-response.js';
import type { RequestStop, StopReason } from './request-stop.js';

export type RelayOutcome =
  | { readonly kind: 'complete'; readonly bytes: number; readonly usage: Usage }
  /** The upstream broke after the commit: the client got an `event: error` (or a cut connection), never a clean end. */
  | { readonly kind: 'broken'; readonly bytes: number; readonly usage: Usage; readonly failure: AttemptFailure }
  | { readonly kind: 'client-closed'; readonly bytes: number; readonly usage: Usage };

export interface RelayContext {
  readonly endpointId: string;
  readonly attempts: number;
  readonly streamIdleTimeoutMs: number;
  /** Stopped by a draining gateway out of time: the stream is ended with an error event, not cut silently. */
  readonly stop: RequestStop;
}

/**
 * Sends a committed answer to the client: status, headers, the held bytes, then each chunk as undici reads it, with
 * backpressure in both directions (the upstream is paused while the client is slow, and aborted when the client
 * leaves). Usage is read from a copy after each chunk is written, so it never delays the bytes.
 */
export function relay(res: ServerResponse, committed: Committed, context: RelayContext): Promise<RelayOutcome> {
  const { call, inspector } = committed;
  let bytes = 0;
  try {
    res.writeHead(committed.status, [...committed.headers, 'x-qcc-endpoint', context.endpointId, 'x-qcc-attempts', String(context.attempts)]);
    for (const chunk of committed.held) {
      bytes += chunk.length;
      res.write(chunk);
    }
  } catch (error) {
    // Nobody will read the rest: the upstream is stopped rather than left to fill the call's waiting chunks.
    call.abort(new Error('the answer could not be relayed'));
    inspector.dispose();
    throw error;
  }

  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RelayOutcome): void => {
      if (settled) return;
      settled = true;
      res.off('drain', onDrain);
      res.off('close', onClose);
      context.stop.unlisten(onStop);
      resolve(outcome);
    };
    const broken = (failure: AttemptFailure): void => {
      // A stream the client can read gets Anthropic's own way of saying so; anything else is cut, so that a
      // truncated answer can never look complete.
      if (committed.stream && inspector.plain && !res.destroyed) {
        res.end(streamErrorEvent(new QccError('QCC_ERR_STREAM_BROKEN', { endpoint: context.endpointId, detail: failure.detail })));
      } else {
        res.destroy();
      }
      settle({ kind: 'broken', bytes, usage: inspector.usage, failure });
      call.abort(new Error(failure.detail));
      inspector.dispose();
    };
    const onData = (chunk: Buffer): void => {
      if (settled) return;
      bytes += chunk.length;
      if (!res.write(chunk)) call.pause();
      inspector.write(chunk);
    };
    const onDrain = (): void => call.resume();
    const onEnd = (): void => {
      void inspector.end().then(() => {
        if (settled) return;
        if (!committed.stream || committed.clientError || !inspector.readable || inspector.messageStop) {
          // Ended first, read after: the client's last bytes do not wait for the usage to be parsed.
          res.end();
          settle({ kind: 'complete', bytes, usage: inspector.usage });
          return;
        }
        // A stream that ended without message_stop.
        const usage = inspector.usage;
        if (usage.error === null) {
          broken(streamBrokenFailure(inspector.pending > 0 ? 'the stream ended in the middle of an event' : 'the stream ended without message_stop'));
          return;
        }
        // The upstream broke off with Anthropic's own `event: error` (overloaded mid-answer): the client has that
        // event already, and the endpoint failed this answer all the same.
        res.end();
        settle({ kind: 'broken', bytes, usage, failure: streamBrokenFailure(streamErrorDetail(usage.error)) });
      });
    };
    const onError = (error: Error): void => {
      if (settled) return;
      if (res.destroyed || res.writableEnded) {
        settle({ kind: 'client-closed', bytes, usage: inspector.usage });
        return;
      }
      const cause = classifyError(error);
      broken(
        cause.kind === 'failure' && cause.reason === 'body-timeout'
          ? timeoutFailure('stream-idle-timeout', context.streamIdleTimeoutMs)
          : streamBrokenFailure(cause.kind === 'failure' ? cause.detail : 'aborted'),
      );
    };
    const onClose = (): void => {
      if (res.writableFinished || settled) return;
      // The client left: stop the upstream too, it is generating for nobody.
      settle({ kind: 'client-closed', bytes, usage: inspector.usage });
      call.abort(new Error('the client closed the connection'));
      inspector.dispose();
    };
    // A shutdown is qcc cutting the stream itself: the client must hear it, but the endpoint did nothing wrong. A
    // client that left is heard here too when it left before this relay began listening for `close`.
    const onStop = (reason: StopReason): void => {
      if (reason === 'shutdown') broken({ ...streamBrokenFailure('the gateway shut down before the stream ended'), breaker: false });
      else onClose();
    };
    res.on('drain', onDrain);
    res.once('close', onClose);
    if (res.writableNeedDrain) call.pause();
    // What arrived while the relay was being set up (a short body may have ended already) comes first.
    call.read({ data: onData, end: onEnd, error: onError });
    // Last, because a request stopped already is told at once.
    if (!settled) context.stop.listen(onStop);
  });
}
