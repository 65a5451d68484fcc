import assert from 'node:assert/strict';
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertOneLineError } from '../helpers/assertions.js';
import { runCli } from '../helpers/cli.js';
import { CliProcess, waitUntil } from '../helpers/gateway-processes.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const line = (msg: string): string => `${JSON.stringify({ level: 30, time: new Date().toISOString(), pid: 1, msg })}\n`;

/** `qcc proxy logs -f` against a proxy.log this test writes and rotates itself, the way the gateway does. */
describe('qcc proxy logs -f across a rotation', () => {
  let home: TempHome;
  let file: string;
  before(async () => {
    home = await makeTempHome();
    await mkdir(home.qccHome, { recursive: true, mode: 0o700 });
    file = join(home.qccHome, 'proxy.log');
    await writeFile(file, line('before-follow'), { mode: 0o600 });
  });
  after(async () => {
    await home.cleanup();
  });

  it('prints the old file’s last lines and the new file from its start, even when the new file is already longer', async () => {
    const follower = new CliProcess(['proxy', 'logs', '-f', '--json', '-n', '1'], home.env);
    try {
      await waitUntil('the line before following', () => follower.stdout.includes('before-follow'), 15_000);
      // Written, then rotated, then the new file filled past the old offset, all between two polls of the follower.
      await appendFile(file, line('last-in-old-file'));
      await rename(file, `${file}.1`);
      await writeFile(file, Array.from({ length: 20 }, (_, index) => line(`new-file-${index}`)).join(''), { mode: 0o600 });
      await waitUntil('the new file’s last line', () => follower.stdout.includes('new-file-19'), 10_000);
      // A line still being written is shown once it is whole, not cut in two.
      const half = line('written-in-two-parts');
      await appendFile(file, half.slice(0, 30));
      await new Promise((resolve) => setTimeout(resolve, 600));
      await appendFile(file, half.slice(30));
      await waitUntil('the line written in two parts', () => follower.stdout.includes('written-in-two-parts'), 10_000);
      const shown = follower.stdout
        .trim()
        .split('\n')
        .map((text) => (JSON.parse(text) as { msg: string }).msg);
      assert.deepEqual(shown, [
        'before-follow',
        'last-in-old-file',
        ...Array.from({ length: 20 }, (_, index) => `new-file-${index}`),
        'written-in-two-parts',
      ]);
    } finally {
      follower.kill();
      await follower.exit(5_000);
    }
  });

  it('refuses a bad -n or --level in one line, in the user’s language', async () => {
    const zh = await runCli(['proxy', 'logs', '-n', 'many'], { env: { ...home.env, QCC_LANG: 'zh' } });
    assertOneLineError(zh, /^✗ -n 的值无效：应为行数（整数）\n$/, 2);
    const en = await runCli(['proxy', 'logs', '--level', 'loud'], { env: home.env });
    assertOneLineError(en, /^✗ invalid value for --level: expected one of: debug, info, warn, error, fatal\n$/, 2);
  });
});
