import type { Fault, FaultScript, RecordedRequest } from './types.js';

interface Queued {
  readonly fault: Fault;
  remaining: number;
}

/** Which request gets which fault: queued faults first, in call order, then the script. */
export class FaultPlan {
  #queue: Queued[] = [];
  #script: FaultScript | undefined;

  add(fault: Fault, times = Infinity): void {
    checkFault(fault);
    if (times !== Infinity && (!Number.isInteger(times) || times < 1)) {
      throw new RangeError(`fault times must be a positive integer, got ${times}`);
    }
    this.#queue.push({ fault, remaining: times });
  }

  setScript(script: FaultScript): void {
    this.#script = script;
  }

  clear(): void {
    this.#queue = [];
    this.#script = undefined;
  }

  /** The fault for a request whose body has been read. */
  decide(request: RecordedRequest, index: number): Fault | undefined {
    const head = this.#queue[0];
    if (head) return this.#take(head);
    const fault = this.#script?.(request, index);
    if (fault) checkFault(fault);
    return fault;
  }

  /**
   * Claims a queued `refuse` for a connection that has just been accepted. The script is not asked: it decides from a
   * request, and a refused connection never carries one.
   */
  takeRefusal(): boolean {
    const head = this.#queue[0];
    if (head?.fault.kind !== 'refuse') return false;
    this.#take(head);
    return true;
  }

  #take(head: Queued): Fault {
    head.remaining -= 1;
    if (head.remaining <= 0) this.#queue.shift();
    return head.fault;
  }
}

/** A mistyped fault fails where it is set, not as a puzzling answer later. */
export function checkFault(fault: Fault): void {
  switch (fault.kind) {
    case 'status':
      if (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) {
        throw new RangeError(`fault status must be an HTTP status 200–599, got ${fault.status}`);
      }
      return;
    case 'slow':
      if (!(fault.gapMs >= 0)) throw new RangeError(`slow fault gapMs must be >= 0, got ${fault.gapMs}`);
      return;
    case 'cut':
      if (!Number.isInteger(fault.afterEvents) || fault.afterEvents < 0) {
        throw new RangeError(`cut fault afterEvents must be an integer >= 0, got ${fault.afterEvents}`);
      }
      return;
    default:
      return;
  }
}
