import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { RequestOutcome, RequestRecord } from '../core/request-record.js';
import { ensurePrivateFileSync } from './private-file.js';

/** The WAL file is cut back to this size when it is reset after a checkpoint, not left at its largest. */
const WAL_KEEP_BYTES = 4 * 1024 * 1024;

/**
 * `state.db`: runtime state in SQLite (node:sqlite), in WAL mode so the CLI can read while the gateway writes.
 * This is the single-machine implementation of DESIGN §13's state interface; the file holds traffic facts, so it
 * is 0600.
 *
 * A commit appends to the WAL without waiting for the disk (`synchronous = NORMAL`); what waits for the disk is the
 * checkpoint that moves the WAL into the database file, two fsyncs that hold the event loop for 12–25 ms on this
 * project's test machine. SQLite would run one inside whichever commit finds 1,000 pages in the WAL, in the middle
 * of traffic; here checkpoints happen only when the owner calls `checkpoint()` (the daemon's `RecordWriter` picks
 * the moment), and when the last connection closes.
 */
export class StateDb {
  private readonly db: DatabaseSync;
  private readonly insertRequest: StatementSync;
  private closed = false;
  #uncheckpointedRows = 0;

  private constructor(file: string) {
    ensurePrivateFileSync(file);
    this.db = new DatabaseSync(file);
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      PRAGMA wal_autocheckpoint = 0;
      PRAGMA journal_size_limit = ${WAL_KEEP_BYTES};
      CREATE TABLE IF NOT EXISTS requests (
        id TEXT NOT NULL,
        at INTEGER NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        profile TEXT,
        endpoint_id TEXT,
        attempts INTEGER NOT NULL,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        stream INTEGER NOT NULL,
        ttfb_ms INTEGER,
        duration_ms INTEGER NOT NULL,
        bytes_in INTEGER NOT NULL,
        bytes_out INTEGER NOT NULL,
        model TEXT,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_creation_tokens INTEGER NOT NULL,
        cache_read_tokens INTEGER NOT NULL,
        error TEXT
      );
      CREATE INDEX IF NOT EXISTS requests_at ON requests (at);
    `);
    // Rows go in in time order with the rowid as key and one index: an insert is an append, not a b-tree search.
    this.insertRequest = this.db.prepare('INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  }

  static open(file: string): StateDb {
    return new StateDb(file);
  }

  /** Writes a batch in one transaction: one fsync for many requests keeps the request path off the disk. */
  recordRequests(records: readonly RequestRecord[]): void {
    if (records.length === 0) return;
    this.db.exec('BEGIN');
    try {
      for (const r of records) {
        this.insertRequest.run(
          r.id, r.at, r.method, r.path, r.profile, r.endpointId, r.attempts, r.status, r.outcome, r.stream ? 1 : 0, r.ttfbMs,
          r.durationMs, r.bytesIn, r.bytesOut, r.model, r.inputTokens, r.outputTokens, r.cacheCreationTokens,
          r.cacheReadTokens, r.error,
        );
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    this.#uncheckpointedRows += records.length;
  }

  /** Rows committed to the WAL since the last checkpoint. */
  get uncheckpointedRows(): number {
    return this.#uncheckpointedRows;
  }

  /**
   * Moves the WAL into the database file and syncs both (a PASSIVE checkpoint: it never waits for a reader, and
   * what a reader still needs is moved by the next one).
   */
  checkpoint(): void {
    try {
      this.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } finally {
      this.#uncheckpointedRows = 0;
    }
  }

  recentRequests(limit: number): RequestRecord[] {
    const rows = this.db.prepare('SELECT * FROM requests ORDER BY rowid DESC LIMIT ?').all(limit) as Record<string, unknown>[];
    return rows.map(toRecord);
  }

  /** Forgets requests older than `before` (ms since the epoch). */
  pruneRequests(before: number): number {
    return Number(this.db.prepare('DELETE FROM requests WHERE at < ?').run(before).changes);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function toRecord(row: Record<string, unknown>): RequestRecord {
  return {
    id: String(row.id),
    at: Number(row.at),
    method: String(row.method),
    path: String(row.path),
    profile: (row.profile as string | null) ?? null,
    endpointId: (row.endpoint_id as string | null) ?? null,
    attempts: Number(row.attempts),
    status: Number(row.status),
    outcome: row.outcome as RequestOutcome,
    stream: Number(row.stream) === 1,
    ttfbMs: row.ttfb_ms === null ? null : Number(row.ttfb_ms),
    durationMs: Number(row.duration_ms),
    bytesIn: Number(row.bytes_in),
    bytesOut: Number(row.bytes_out),
    model: (row.model as string | null) ?? null,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cacheCreationTokens: Number(row.cache_creation_tokens),
    cacheReadTokens: Number(row.cache_read_tokens),
    error: (row.error as string | null) ?? null,
  };
}
