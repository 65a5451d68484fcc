import { after, before, describe } from 'node:test';
import type { TempHome } from '../helpers/temp-home.js';
import { homeAfter, refuses, TWO_CLUSTERS } from './endpoint-fixture.js';

/**
 * `qcc endpoint add CLUSTER` refused when creating a cluster (appending one endpoint: endpoint-append-refusals): one
 * line on stderr, a non-zero exit, config.json byte for byte as it was. One home serves the whole file: since nothing
 * may change it, a refusal that did write would also break the ones after it.
 */
describe('qcc endpoint add refusals: creating a cluster', () => {
  let home: TempHome;
  before(async () => {
    home = await homeAfter(TWO_CLUSTERS);
  });
  after(async () => {
    await home.cleanup();
  });

  refuses(
    () => home,
    'an existing name, with a hint to `endpoint list` and `remove`',
    () => ['endpoint', 'add', 'production', '--primary', 'ccapi'],
    /'production' already exists.*`qcc endpoint list production`.*`qcc remove production`/,
  );
  refuses(() => home, 'an existing plain profile name', () => ['endpoint', 'add', 'codecmd', '--primary', 'ccapi'], /'codecmd' already exists/);
  refuses(() => home, 'an unknown profile', () => ['endpoint', 'add', 'new', '--primary', 'codecmd,nope'], /profile 'nope' not found/);
  refuses(() => home, 'an unknown secondary', () => ['endpoint', 'add', 'new', '--primary', 'codecmd', '--secondary', 'nope'], /profile 'nope' not found/);
  refuses(
    () => home,
    'a profile selected twice in one group',
    () => ['endpoint', 'add', 'new', '--primary', 'codecmd,codecmd'],
    /'codecmd' is selected more than once/,
  );
  refuses(
    () => home,
    'a profile selected in two groups',
    () => ['endpoint', 'add', 'new', '--primary', 'codecmd', '--fallback', 'codecmd'],
    /'codecmd' is selected more than once/,
  );
  refuses(() => home, 'a cluster as a member', () => ['endpoint', 'add', 'new', '--primary', 'production'], /'production' is a cluster/);
  refuses(() => home, 'a cluster as the -f source', () => ['endpoint', 'add', 'solo', '-f', 'production'], /'production' is a cluster/);
  refuses(() => home, 'an empty --primary', () => ['endpoint', 'add', 'new', '--primary', ''], /at least one primary.*--primary/);
  refuses(() => home, 'a --primary of separators only', () => ['endpoint', 'add', 'new', '--primary', ' , '], /at least one primary/);
  refuses(() => home, 'an invalid cluster name', () => ['endpoint', 'add', 'no/slash', '--primary', 'codecmd'], /not a valid profile name/);

  refuses(() => home, '--weight without a source (it would be dropped)', () => ['endpoint', 'add', 'new', '--primary', 'codecmd', '-w', '300'], /--weight applies to one endpoint added with -f/);
  refuses(() => home, '--priority without a source', () => ['endpoint', 'add', 'production', '--priority', '2'], /--priority applies to one endpoint/);
});
