import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { resolvePaths, type QccPaths } from '../../src/store/paths.js';
import { ensureAdminToken, readAdminToken } from '../../src/store/runtime-files.js';

describe('the admin token file', () => {
  let dir: string;
  let paths: QccPaths;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-admin-token-'));
    paths = resolvePaths({ HOME: dir, QCC_HOME: join(dir, '.qcc') });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is created once, 0600, and the same token is read back on every later start', async () => {
    const token = await ensureAdminToken(paths);
    assert.match(token, /^[0-9a-f]{48}$/);
    assert.equal((await stat(paths.adminTokenFile)).mode & 0o777, 0o600);
    assert.equal(await ensureAdminToken(paths), token);
    assert.equal(await readAdminToken(paths), token);
  });

  it('an empty file (a crash while it was written) is replaced by a real token, never trusted', async () => {
    await ensureAdminToken(paths);
    await writeFile(paths.adminTokenFile, '\n');
    assert.equal(await readAdminToken(paths), undefined);
    const token = await ensureAdminToken(paths);
    assert.match(token, /^[0-9a-f]{48}$/);
    assert.equal((await readFile(paths.adminTokenFile, 'utf8')).trim(), token);
  });
});
