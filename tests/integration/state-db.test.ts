import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { StateDb } from '../../src/store/state-db.js';
import { servedRecords } from '../helpers/request-records.js';

describe('state.db checkpoints', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-state-db-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('commits stay in the WAL, readable by another connection, until checkpoint() moves them into the file', async () => {
    const file = join(dir, 'state.db');
    const db = StateDb.open(file);
    const reader = new DatabaseSync(file, { readOnly: true });
    try {
      const empty = (await stat(file)).size;
      // ~1,500 pages: SQLite's own policy would have checkpointed at 1,000 pages, growing the file.
      for (let batch = 0; batch < 300; batch += 1) db.recordRequests(servedRecords(batch * 50, 50));
      assert.equal(db.uncheckpointedRows, 15_000);
      assert.equal((await stat(file)).size, empty, 'no checkpoint ran inside a commit');
      assert.ok((await stat(`${file}-wal`)).size > 4_000_000, 'the rows are in the WAL');
      const count = (): number => Number((reader.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n);
      assert.equal(count(), 15_000, 'another connection reads committed rows from the WAL');

      db.checkpoint();
      assert.equal(db.uncheckpointedRows, 0);
      assert.ok((await stat(file)).size > 1_000_000, 'the checkpoint moved the rows into the database file');
      db.recordRequests(servedRecords(15_000, 1));
      assert.ok((await stat(`${file}-wal`)).size <= 4 * 1024 * 1024, 'the WAL is cut back when it is reused');
      assert.equal(count(), 15_001);
    } finally {
      reader.close();
      db.close();
    }
  });
});
