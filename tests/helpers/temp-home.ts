import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away user: its own HOME (so ~/.claude is fake) and QCC_HOME. Never the real ones. */
export interface TempHome {
  readonly root: string;
  readonly home: string;
  readonly qccHome: string;
  readonly claudeSettings: string;
  readonly env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function makeTempHome(): Promise<TempHome> {
  const root = await mkdtemp(join(tmpdir(), 'qcc-test-'));
  const home = join(root, 'home');
  const qccHome = join(home, '.qcc');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    QCC_HOME: qccHome,
    QCC_LANG: 'en',
    NO_COLOR: '1',
    TMPDIR: process.env.TMPDIR,
  };
  return {
    root,
    home,
    qccHome,
    claudeSettings: join(home, '.claude', 'settings.json'),
    env,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
