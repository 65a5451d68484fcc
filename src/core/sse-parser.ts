/**
 * An incremental Server-Sent Events parser (WHATWG HTML, "Interpreting an event stream"). The gateway feeds it every
 * chunk of every stream, so it scans with indexOf and slices each field value once; it never builds strings
 * character by character and runs no regex per line.
 */

export interface SseEvent {
  /** The `event:` field; 'message' when the event has none. */
  readonly event: string;
  /** The `data:` lines joined with LF. */
  readonly data: string;
  /** The last event ID set on the stream (it persists across events), when one was set. */
  readonly id?: string;
}

const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = 0xfeff;

export class SseParser {
  /** An unterminated line: it has no CR or LF yet. */
  #tail = '';
  /** The previous chunk ended in CR, which ended a line: a LF opening the next chunk belongs to that CR. */
  #skipLf = false;
  #started = false;
  #data = '';
  #hasData = false;
  #type = '';
  #lastId = '';
  /** Length of the field lines received for the event not yet dispatched. */
  #eventChars = 0;

  /**
   * Characters received that do not yet belong to a dispatched event: an unterminated line, or the complete lines
   * of an event whose blank line has not come. Non-zero when a stream ends means it ended mid-event.
   */
  get pending(): number {
    return this.#tail.length + this.#eventChars;
  }

  /** Between two events: no line begun, no field of the next event received, no CR waiting for its LF. */
  get atEventBoundary(): boolean {
    return this.#tail.length === 0 && this.#eventChars === 0 && !this.#skipLf;
  }

  push(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    if (chunk.length === 0) return events;
    let text = chunk;
    let pos = 0;
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === BOM) pos = 1;
    }
    if (this.#skipLf) {
      this.#skipLf = false;
      if (text.charCodeAt(pos) === LF) pos += 1;
    }
    if (this.#tail.length > 0) {
      // Look for a line end in the new chunk alone first, so a long line arriving in many chunks is not rescanned.
      if (text.indexOf('\n', pos) === -1 && text.indexOf('\r', pos) === -1) {
        this.#tail += pos === 0 ? text : text.slice(pos);
        return events;
      }
      text = this.#tail + (pos === 0 ? text : text.slice(pos));
      pos = 0;
      this.#tail = '';
    }

    // Both searches are cached and redone only once passed, so a stream without CR is not rescanned per line.
    let cr = text.indexOf('\r', pos);
    let lf = text.indexOf('\n', pos);
    while (pos < text.length) {
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
      if (cr === -1 && lf === -1) break;
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      let next = end + 1;
      if (end === cr) {
        if (next < text.length) {
          if (text.charCodeAt(next) === LF) next += 1;
        } else {
          this.#skipLf = true;
        }
      }
      this.#line(text, pos, end, events);
      pos = next;
    }
    if (pos < text.length) this.#tail = pos === 0 ? text : text.slice(pos);
    return events;
  }

  /** Forgets everything, including the last event ID, as for a new stream. */
  reset(): void {
    this.#tail = '';
    this.#skipLf = false;
    this.#started = false;
    this.#lastId = '';
    this.#clearEvent();
  }

  #line(text: string, start: number, end: number, events: SseEvent[]): void {
    if (start === end) {
      this.#dispatch(events);
      return;
    }
    if (text.charCodeAt(start) === COLON) return;
    this.#eventChars += end - start + 1;
    let colon = text.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end;
    let valueStart = colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart += 1;
    const nameLength = colon - start;
    if (nameLength === 4 && text.startsWith('data', start)) {
      const value = valueStart < end ? text.slice(valueStart, end) : '';
      this.#data = this.#hasData ? `${this.#data}\n${value}` : value;
      this.#hasData = true;
    } else if (nameLength === 5 && text.startsWith('event', start)) {
      this.#type = valueStart < end ? text.slice(valueStart, end) : '';
    } else if (nameLength === 2 && text.startsWith('id', start)) {
      const value = valueStart < end ? text.slice(valueStart, end) : '';
      if (!value.includes('\0')) this.#lastId = value;
    }
    // `retry:` only matters to a reconnecting EventSource; other fields are ignored, as the spec says.
  }

  #dispatch(events: SseEvent[]): void {
    if (this.#hasData) {
      const event = this.#type === '' ? 'message' : this.#type;
      events.push(this.#lastId === '' ? { event, data: this.#data } : { event, data: this.#data, id: this.#lastId });
    }
    this.#clearEvent();
  }

  #clearEvent(): void {
    this.#data = '';
    this.#hasData = false;
    this.#type = '';
    this.#eventChars = 0;
  }
}
