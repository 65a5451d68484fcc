import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { RequestRecord } from '../../src/core/request-record.js';
import type { Logger } from '../../src/daemon/log-sink.js';
import { RecordWriter } from '../../src/daemon/record-writer.js';
import { servedRecord } from '../helpers/request-records.js';

/** What the writer sees of state.db: rows in, checkpoints. */
class FakeDb {
  rows = 0;
  batches: number[] = [];
  checkpoints = 0;
  uncheckpointedRows = 0;
  failCheckpoint = false;

  recordRequests(records: readonly RequestRecord[]): void {
    this.rows += records.length;
    this.batches.push(records.length);
    this.uncheckpointedRows += records.length;
  }

  checkpoint(): void {
    this.uncheckpointedRows = 0;
    if (this.failCheckpoint) throw new Error('disk I/O error');
    this.checkpoints += 1;
  }
}

function writer(db: FakeDb, quiet: () => boolean): { records: RecordWriter; warnings: string[] } {
  const warnings: string[] = [];
  const log = { warn: (_fields: object, message: string) => warnings.push(message), error: (_fields: object, message: string) => warnings.push(message) };
  return { records: new RecordWriter({ db, log: log as unknown as Logger, quiet }), warnings };
}

function addMany(records: RecordWriter, from: number, count: number): void {
  for (let index = from; index < from + count; index += 1) records.add(servedRecord(index));
}

describe('RecordWriter', () => {
  it('writes records in batches of 50 and never checkpoints while requests are in flight, below 10,000 rows', async () => {
    const db = new FakeDb();
    const { records } = writer(db, () => false);
    addMany(records, 0, 5_000);
    await nextTurn();
    records.close();
    assert.equal(db.rows, 5_000);
    assert.ok(db.batches.every((size) => size === 50));
    assert.equal(db.checkpoints, 0);
  });

  it('checkpoints at the first quiet moment once 1,000 rows wait, after the current callbacks, not inside add()', async () => {
    const db = new FakeDb();
    let quiet = false;
    const { records } = writer(db, () => quiet);
    addMany(records, 0, 999);
    quiet = true;
    records.add(servedRecord(999));
    assert.equal(db.checkpoints, 0, '1,000 rows are committed, but the checkpoint waits for the callbacks of this turn');
    records.add(servedRecord(1000));
    await nextTurn();
    assert.equal(db.checkpoints, 1);
    assert.equal(db.uncheckpointedRows, 0);
    records.close();
  });

  it('skips the checkpoint when a request came in before it could run', async () => {
    const db = new FakeDb();
    let quiet = true;
    const { records } = writer(db, () => quiet);
    addMany(records, 0, 1_050);
    assert.equal(db.checkpoints, 0);
    quiet = false;
    await nextTurn();
    assert.equal(db.checkpoints, 0);
    records.close();
  });

  it('under traffic that never pauses, checkpoints once 10,000 rows wait', () => {
    const db = new FakeDb();
    const { records } = writer(db, () => false);
    addMany(records, 0, 9_999);
    assert.equal(db.checkpoints, 0);
    records.add(servedRecord(9_999));
    assert.equal(db.checkpoints, 1, 'the flush of the 10,000th row checkpoints');
    records.close();
  });

  it('a failing checkpoint is one warning, and records keep being written', () => {
    const db = new FakeDb();
    db.failCheckpoint = true;
    const { records, warnings } = writer(db, () => false);
    addMany(records, 0, 10_050);
    records.close();
    assert.equal(db.rows, 10_050);
    assert.deepEqual(warnings, ['could not checkpoint state.db']);
  });
});
