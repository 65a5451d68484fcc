import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { PtySession } from '../helpers/pty.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

describe('qcc smoke', () => {
  let home: TempHome;
  before(async () => {
    home = await makeTempHome();
  });
  after(async () => {
    await home.cleanup();
  });

  it('prints its version', async () => {
    const result = await runCli(['--version'], { env: home.env });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('asks for a missing key on a terminal and hides it', async () => {
    const session = new PtySession(['add', 'typed', '--base-url', 'https://relay.example.com', '-d', 'x'], home.env);
    await session.expect('API key');
    session.send('sk-typed-secret-0123456789');
    assert.equal(await session.exited, 0);
    assert.doesNotMatch(session.screen, /sk-typed-secret-0123456789/);
    assert.match(session.screen, /Profile 'typed' added/);
  });
});
