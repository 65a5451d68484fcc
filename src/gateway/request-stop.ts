/** Why qcc stops working on a request: its client left, or a draining gateway ran out of time. */
export type StopReason = 'client-closed' | 'shutdown';

/**
 * The stop of one request, heard by the one phase in flight (the attempt, then the relay). A plain object with one
 * listener slot rather than an AbortSignal per request: an EventTarget listener costs microseconds, and a listener on
 * a gateway-wide signal would cost more with every request in flight (Node walks its listener list on each add and
 * remove). The attempt still gives undici an AbortSignal of its own.
 */
export class RequestStop {
  #reason: StopReason | undefined;
  #listener: ((reason: StopReason) => void) | undefined;

  get reason(): StopReason | undefined {
    return this.#reason;
  }

  get stopped(): boolean {
    return this.#reason !== undefined;
  }

  /** The first reason wins; the listener, if any, hears it once. */
  stop(reason: StopReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.(reason);
  }

  /** The phase in flight listens; a request already stopped calls it at once. */
  listen(listener: (reason: StopReason) => void): void {
    if (this.#reason !== undefined) {
      listener(this.#reason);
      return;
    }
    this.#listener = listener;
  }

  unlisten(listener: (reason: StopReason) => void): void {
    if (this.#listener === listener) this.#listener = undefined;
  }
}

/** The stops of the requests in flight, so that a gateway out of drain time stops them all; later ones at once. */
export class StopRegistry {
  readonly #inflight = new Set<RequestStop>();
  #shutDown = false;

  get shutDown(): boolean {
    return this.#shutDown;
  }

  track(stop: RequestStop): void {
    if (this.#shutDown) stop.stop('shutdown');
    else this.#inflight.add(stop);
  }

  untrack(stop: RequestStop): void {
    this.#inflight.delete(stop);
  }

  shutdown(): void {
    this.#shutDown = true;
    for (const stop of this.#inflight) stop.stop('shutdown');
    this.#inflight.clear();
  }
}
