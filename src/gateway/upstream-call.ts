import type { Dispatcher } from 'undici';

/** Who reads a response body now: the attempt up to its commit point, then the relay. */
export interface BodyReader {
  data(chunk: Buffer): void;
  end(): void;
  /** The upstream failed, or the call was aborted; heard once, and nothing follows. */
  error(error: Error): void;
}

export interface ResponseHead {
  readonly status: number;
  /** As undici parses them: names in lower case, a repeated header as an array. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type CallOptions = Pick<
  Dispatcher.DispatchOptions,
  'origin' | 'path' | 'method' | 'headers' | 'body' | 'headersTimeout' | 'bodyTimeout'
>;

/**
 * One request to one upstream, through undici's dispatch API rather than `request()`: undici's parser hands each
 * response chunk to whichever reader is set, and the relay writes it to the client in the same call. No stream
 * stands between the two sockets, so a stream's events cost no more than the copy they need, and backpressure is
 * undici's own pause and resume.
 *
 * Chunks (and the end, or an error) that arrive while no reader is set wait for the next one: between the commit
 * point and the relay nothing is lost.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  /** Resolves with the response's status and headers, or with the error that came first. */
  readonly head: Promise<ResponseHead | Error>;
  #settleHead: ((head: ResponseHead | Error) => void) | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #reader: BodyReader | undefined;
  #waiting: Buffer[] = [];
  #ended = false;
  #failure: Error | undefined;
  /** Aborted by qcc: what undici says afterwards is not news. */
  #aborted: Error | undefined;

  constructor(dispatcher: Dispatcher, options: CallOptions) {
    this.head = new Promise((resolve) => {
      this.#settleHead = resolve;
    });
    dispatcher.dispatch(options, this);
  }

  /** The response ended or failed (or was aborted): nothing more will come. */
  get over(): boolean {
    return this.#ended || this.#failure !== undefined || this.#aborted !== undefined;
  }

  read(reader: BodyReader): void {
    this.#reader = reader;
    const waiting = this.#waiting;
    if (waiting.length > 0) {
      this.#waiting = [];
      for (const chunk of waiting) reader.data(chunk);
    }
    if (this.#failure) reader.error(this.#failure);
    else if (this.#ended) reader.end();
  }

  // Not once the response is over: the connection may be serving the next request by then, and its parser is shared.
  pause(): void {
    if (!this.over) this.#controller?.pause();
  }

  resume(): void {
    if (!this.over) this.#controller?.resume();
  }

  /** Stops the request (and closes its connection); the reader, or whoever awaits the head, hears `reason`. */
  abort(reason: Error): void {
    if (this.over) return;
    this.#aborted = reason;
    // Not started yet (waiting for a connection): undici calls onRequestStart later, and it aborts there.
    this.#controller?.abort(reason);
    this.#fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#aborted) controller.abort(this.#aborted);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: ResponseHead['headers']): void {
    // 1xx answers (103 Early Hints) are not the response.
    if (status < 200 || this.#aborted) return;
    this.#settleHead?.({ status, headers });
    this.#settleHead = undefined;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#aborted) return;
    if (this.#reader) this.#reader.data(chunk);
    else this.#waiting.push(chunk);
  }

  onResponseEnd(): void {
    if (this.over) return;
    this.#ended = true;
    try {
      this.#reader?.end();
    } catch (error) {
      // undici would report it through onResponseError, which an ended call no longer hears.
      this.#reader?.error(error instanceof Error ? error : new Error(String(error)));
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.over) return;
    this.#fail(error);
  }

  #fail(error: Error): void {
    if (this.#settleHead) {
      this.#settleHead(error);
      this.#settleHead = undefined;
      this.#failure = error;
      return;
    }
    this.#failure = error;
    this.#reader?.error(error);
  }
}
