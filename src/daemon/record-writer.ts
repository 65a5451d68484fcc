import type { RequestRecord } from '../core/request-record.js';
import type { StateDb } from '../store/state-db.js';
import type { Logger } from './log-sink.js';

/** Small, frequent batches: each write holds the event loop, so none may be long. */
const FLUSH_EVERY_MS = 200;
const FLUSH_AT_RECORDS = 50;
/** A checkpoint at the first quiet moment once the WAL holds this many rows (~100 pages)… */
const CHECKPOINT_WHEN_QUIET_ROWS = 1_000;
/** …and after a flush whatever the traffic once it holds this many (~1,000 pages, SQLite's own default). */
const CHECKPOINT_ANYWAY_ROWS = 10_000;

export interface RecordWriterOptions {
  readonly db: Pick<StateDb, 'recordRequests' | 'checkpoint' | 'uncheckpointedRows'>;
  readonly log: Logger;
  /** True when no request is in flight: nobody waits while the disk is synced. */
  readonly quiet: () => boolean;
}

/**
 * Writes request records to state.db so that the request path never waits for the disk: records are batched, and
 * the WAL checkpoint (the one write that syncs) runs when no request is in flight, or, under traffic that never
 * pauses, at SQLite's usual interval.
 */
export class RecordWriter {
  #pending: RequestRecord[] = [];
  #checkpointQueued = false;
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly options: RecordWriterOptions) {
    this.#timer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    this.#timer.unref();
  }

  /** One finished request; called after the gateway counted it out of the requests in flight. */
  add(record: RequestRecord): void {
    this.#pending.push(record);
    if (this.#pending.length >= FLUSH_AT_RECORDS) this.flush();
    if (!this.#checkpointQueued && this.options.db.uncheckpointedRows >= CHECKPOINT_WHEN_QUIET_ROWS && this.options.quiet()) {
      // After the response's own callbacks have run; skipped if a request has come in since.
      this.#checkpointQueued = true;
      setImmediate(() => {
        this.#checkpointQueued = false;
        if (this.options.quiet()) this.#checkpoint();
      });
    }
  }

  flush(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    try {
      this.options.db.recordRequests(batch);
    } catch (error) {
      this.options.log.error({ err: error, lost: batch.length }, 'could not write requests to state.db');
      return;
    }
    if (this.options.db.uncheckpointedRows >= CHECKPOINT_ANYWAY_ROWS) this.#checkpoint();
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }

  #checkpoint(): void {
    try {
      this.options.db.checkpoint();
    } catch (error) {
      // Nothing is lost: the rows stay in the WAL, and the next checkpoint (or closing the database) moves them.
      this.options.log.warn({ err: error }, 'could not checkpoint state.db');
    }
  }
}
