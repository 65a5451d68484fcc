import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LogSink, Redactor } from '../../src/daemon/log-sink.js';

describe('LogSink rotation', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qcc-log-sink-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('proxy.log exists, 0600, the moment a rotation happens, and no line is lost across files', async () => {
    const file = join(dir, 'proxy.log');
    const sink = new LogSink({ file, maxBytes: 200, keep: 2, redactor: new Redactor() });
    const written: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      const line = `{"n":${index},"msg":"line ${'x'.repeat(20)}"}\n`;
      written.push(line);
      sink.write(line);
      // Checked synchronously after every write, rotations included: a reader never finds the file missing.
      assert.ok(existsSync(file), `proxy.log missing after write ${index}`);
    }
    await new Promise<void>((resolve) => {
      sink.close();
      setTimeout(resolve, 100);
    });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(`${file}.1`)).mode & 0o777, 0o600);
    assert.equal(existsSync(`${file}.3`), false, 'keep 2 keeps two rotated files');
    const kept = (await readFile(`${file}.2`, 'utf8')) + (await readFile(`${file}.1`, 'utf8')) + (await readFile(file, 'utf8'));
    const tail = written.join('').slice(-kept.length);
    assert.equal(kept, tail, 'the kept files hold the last lines, in order');
  });
});
