import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { settingEntries } from '../../src/config/setting-keys.js';
import { runCli } from '../helpers/cli.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

/** The README is the front door: its command reference and settings table stay in step with the CLI. */
describe('README', () => {
  let home: TempHome;
  let readme: string;
  before(async () => {
    home = await makeTempHome();
    readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  });
  after(() => home.cleanup());

  async function commandsOf(group: string[]): Promise<string[]> {
    const { stdout, code } = await runCli([...group, '--help'], { env: home.env });
    assert.equal(code, 0);
    const section = stdout.split(/^Commands:$/m)[1] ?? '';
    return [...section.matchAll(/^ {2}([a-z-]+)(?:\|[a-z]+)?[ [<]/gm)].map((match) => match[1] as string);
  }

  it('documents every command that --help lists', async () => {
    const top = await commandsOf([]);
    assert.ok(top.includes('use') && top.includes('proxy'), `unexpected help: ${top.join(', ')}`);
    for (const command of top) {
      const groups = ['config', 'endpoint', 'proxy'];
      if (!groups.includes(command)) {
        assert.match(readme, new RegExp('`qcc ' + command + '[ `]'), `README lacks qcc ${command}`);
        continue;
      }
      for (const sub of await commandsOf([command])) {
        assert.match(readme, new RegExp('`qcc ' + command + ' ' + sub + '[ `]|/ `?' + sub + ' '), `README lacks qcc ${command} ${sub}`);
      }
    }
  });

  it('lists every setting with its key', () => {
    for (const entry of settingEntries) {
      if (entry.group === 'failover') continue; // described as a group
      assert.ok(readme.includes(entry.key), `README lacks setting ${entry.key}`);
    }
  });

  it('names the test command that CI runs', async () => {
    const ci = await readFile(new URL('../../../.ci/run', import.meta.url), 'utf8');
    assert.match(ci, /^npm test$/m);
    assert.match(readme, /^npm test\b/m);
  });
});
