/**
 * DESIGN §4.7: retries (attempts after a request's first) may be at most `percent` % of the requests in flight, and
 * `min` are always allowed, so a quiet gateway can still retry while an incident cannot multiply the load it puts
 * on upstreams already in trouble (on top of Claude Code's own retries). Envoy's retry budget works the same way.
 */
export class RetryBudget {
  #percent: number;
  #min: number;
  #requests = 0;
  #retries = 0;

  /** `proxy.retryBudgetPercent` and `proxy.retryBudgetMin`. */
  constructor(percent: number, min: number) {
    this.#percent = percent;
    this.#min = min;
  }

  configure(percent: number, min: number): void {
    this.#percent = percent;
    this.#min = min;
  }

  /** Requests in flight. */
  get requests(): number {
    return this.#requests;
  }

  /** Retries in flight. */
  get retries(): number {
    return this.#retries;
  }

  /** Retries allowed in flight now. */
  get allowed(): number {
    return Math.max(this.#min, Math.floor((this.#requests * this.#percent) / 100));
  }

  requestStarted(): void {
    this.#requests += 1;
  }

  requestFinished(): void {
    this.#requests = Math.max(0, this.#requests - 1);
  }

  /** Takes a retry from the budget; false when the budget is spent and the request should fail now instead. */
  tryAcquireRetry(): boolean {
    if (this.#retries >= this.allowed) return false;
    this.#retries += 1;
    return true;
  }

  /** The retry attempt is over, whatever its outcome. */
  releaseRetry(): void {
    this.#retries = Math.max(0, this.#retries - 1);
  }
}
