import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOneLineError, assertUnchanged, snapshot } from '../helpers/assertions.js';
import { writeJson } from '../helpers/config-files.js';
import type { TempHome } from '../helpers/temp-home.js';
import { clusterOf, configFile, homeWithProfiles, qcc, qccOk, readConfig } from './endpoint-fixture.js';

/**
 * Every refusal is one line on stderr, a non-zero exit, and config.json byte for byte as it was. One home serves
 * the whole file: since nothing may change it, a refusal that did write would also break the ones after it.
 */
describe('qcc endpoint refusals', () => {
  let home: TempHome;
  let ids: string[] = [];
  let soloId = '';
  before(async () => {
    home = await homeWithProfiles();
    await qccOk(home, ['endpoint', 'add', 'production', '--primary', 'codecmd', '--secondary', 'deepseek']);
    await qccOk(home, ['endpoint', 'add', 'solo', '--primary', 'ccapi']);
    const idsOf = async (name: string): Promise<string[]> => (await clusterOf(home, name)).endpoints.map((endpoint) => endpoint.id);
    ids = await idsOf('production');
    soloId = (await idsOf('solo'))[0] ?? '';
  });
  after(async () => {
    await home.cleanup();
  });

  const refuses = (title: string, args: () => string[], message: RegExp): void => {
    it(title, async () => {
      const before = await snapshot(configFile(home));
      assertOneLineError(await qcc(home, args()), message);
      await assertUnchanged(before);
    });
  };

  refuses(
    'an existing name, with a hint to `endpoint list` and `remove`',
    () => ['endpoint', 'add', 'production', '--primary', 'ccapi'],
    /'production' already exists.*`qcc endpoint list production`.*`qcc remove production`/,
  );
  refuses('an existing plain profile name', () => ['endpoint', 'add', 'codecmd', '--primary', 'ccapi'], /'codecmd' already exists/);
  refuses('an unknown profile', () => ['endpoint', 'add', 'new', '--primary', 'codecmd,nope'], /profile 'nope' not found/);
  refuses('an unknown secondary', () => ['endpoint', 'add', 'new', '--primary', 'codecmd', '--secondary', 'nope'], /profile 'nope' not found/);
  refuses(
    'a profile selected twice in one group',
    () => ['endpoint', 'add', 'new', '--primary', 'codecmd,codecmd'],
    /'codecmd' is selected more than once/,
  );
  refuses(
    'a profile selected in two groups',
    () => ['endpoint', 'add', 'new', '--primary', 'codecmd', '--fallback', 'codecmd'],
    /'codecmd' is selected more than once/,
  );
  refuses('a cluster as a member', () => ['endpoint', 'add', 'new', '--primary', 'production'], /'production' is a cluster/);
  refuses('a cluster as the -f source', () => ['endpoint', 'add', 'solo', '-f', 'production'], /'production' is a cluster/);
  refuses('an empty --primary', () => ['endpoint', 'add', 'new', '--primary', ''], /at least one primary.*--primary/);
  refuses('a --primary of separators only', () => ['endpoint', 'add', 'new', '--primary', ' , '], /at least one primary/);
  refuses('an invalid cluster name', () => ['endpoint', 'add', 'no/slash', '--primary', 'codecmd'], /not a valid profile name/);

  for (const weight of ['0', '1001', 'abc', '1.5', '-5', '']) {
    refuses(`weight '${weight}' on add`, () => ['endpoint', 'add', 'production', '-f', 'ccapi', '-w', weight], /weight must be a whole number from 1 to 1000/);
    refuses(`weight '${weight}' on set`, () => ['endpoint', 'set', 'production', ids[0] ?? '', '--weight', weight], /weight must be a whole number/);
  }
  for (const priority of ['0', '4', 'x', 'primaryx']) {
    refuses(`priority '${priority}' on add`, () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--priority', priority], /priority must be 1 \(primary\), 2 \(secondary\) or 3 \(fallback\)/);
    refuses(`priority '${priority}' on set`, () => ['endpoint', 'set', 'production', ids[0] ?? '', '--priority', priority], /priority must be 1/);
  }

  refuses('an unknown endpoint id on set', () => ['endpoint', 'set', 'production', 'deadbeef', '--weight', '5'], /no endpoint 'deadbeef' in 'production'.*`qcc endpoint list production`/);
  refuses('an unknown endpoint id on remove', () => ['endpoint', 'remove', 'production', 'deadbeef', '--yes'], /no endpoint 'deadbeef'/);
  refuses('an unknown endpoint id on enable', () => ['endpoint', 'enable', 'production', 'deadbeef'], /no endpoint 'deadbeef'/);
  refuses('an unknown endpoint id on disable', () => ['endpoint', 'disable', 'production', 'deadbeef'], /no endpoint 'deadbeef'/);
  refuses("an id of another cluster's endpoint", () => ['endpoint', 'disable', 'solo', ids[0] ?? ''], /no endpoint '[0-9a-f]{8}' in 'solo'/);
  refuses('an unknown cluster', () => ['endpoint', 'disable', 'nope', 'deadbeef'], /profile 'nope' not found/);
  refuses('removing the last endpoint of a cluster', () => ['endpoint', 'remove', 'solo', soloId, '--yes'], /is the last endpoint of 'solo'.*`qcc remove solo`/);
  refuses('`endpoint set` with nothing to change', () => ['endpoint', 'set', 'production', ids[0] ?? ''], /nothing to change.*--weight.*--priority/);
  refuses('-f together with --primary', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--primary', 'codecmd'], /--from and --primary cannot be used together/);
  refuses('--base-url together with --secondary', () => ['endpoint', 'add', 'production', '--base-url', 'https://x.example.com', '--api-key', 'k-0123456789', '--secondary', 'ccapi'], /cannot be used together/);
  refuses('-f together with --base-url', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--base-url', 'https://x.example.com'], /--from and --base-url cannot be used together/);
  refuses('-f together with --api-key', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--api-key', 'k-0123456789'], /--from and --api-key cannot be used together/);
  refuses('-f together with --auth-style', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--auth-style', 'x-api-key'], /--from and --auth-style cannot be used together/);
  refuses('--weight without a source (it would be dropped)', () => ['endpoint', 'add', 'new', '--primary', 'codecmd', '-w', '300'], /--weight applies to one endpoint added with -f/);
  refuses('--priority without a source', () => ['endpoint', 'add', 'production', '--priority', '2'], /--priority applies to one endpoint/);
  refuses('-f into a plain profile', () => ['endpoint', 'add', 'codecmd', '-f', 'ccapi'], /'codecmd' is a plain profile, not a cluster/);
  refuses('-f of an unknown profile', () => ['endpoint', 'add', 'production', '-f', 'nope'], /profile 'nope' not found/);
  refuses('--base-url without a key and without a terminal', () => ['endpoint', 'add', 'production', '--base-url', 'https://x.example.com'], /API key is missing.*--api-key/);
  refuses('a bad --base-url', () => ['endpoint', 'add', 'production', '--base-url', 'ftp://x.example.com', '--api-key', 'k-0123456789'], /not a usable base URL/);
  refuses('`endpoint list` of a plain profile', () => ['endpoint', 'list', 'codecmd'], /'codecmd' is a plain profile, not a cluster/);
  refuses('`endpoint list` of an unknown name', () => ['endpoint', 'list', 'nope'], /profile 'nope' not found/);
  refuses('`endpoint remove` without --yes and without a terminal', () => ['endpoint', 'remove', 'production', ids[1] ?? ''], /--yes/);
});

describe('qcc endpoint with ID prefixes', () => {
  let home: TempHome;
  before(async () => {
    home = await homeWithProfiles();
    const config = (await readConfig(home)) as unknown as { profiles: unknown[] };
    // Two ids that share a prefix cannot be made on purpose through the CLI: write them.
    const endpoint = (id: string, priority: number) => ({
      id,
      baseUrl: `https://${id}.example.com`,
      apiKey: `sk-${id}-PRIVATE-0000-beef`,
      authStyle: 'bearer',
      weight: 100,
      priority,
      enabled: true,
    });
    config.profiles.push({
      name: 'prefixes',
      kind: 'cluster',
      description: '',
      endpoints: [endpoint('abcd0001', 1), endpoint('abcd0002', 1), endpoint('ef012345', 2)],
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await writeJson(configFile(home), config);
  });
  after(async () => {
    await home.cleanup();
  });

  it('an ambiguous prefix names the matches, changes nothing', async () => {
    const before = await snapshot(configFile(home));
    for (const prefix of ['abcd', 'ABCD000', 'a']) {
      assertOneLineError(
        await qcc(home, ['endpoint', 'set', 'prefixes', prefix, '--weight', '5']),
        new RegExp(`'${prefix}' matches several endpoints in 'prefixes' \\(abcd0001, abcd0002\\) — type more of the ID`),
      );
    }
    assertOneLineError(await qcc(home, ['endpoint', 'remove', 'prefixes', 'abcd', '--yes']), /matches several endpoints/);
    await assertUnchanged(before);
  });

  it('a unique prefix (any case) is accepted', async () => {
    await qccOk(home, ['endpoint', 'set', 'prefixes', 'abcd0002', '--weight', '7']);
    await qccOk(home, ['endpoint', 'disable', 'prefixes', 'EF']);
    const cluster = (await readConfig(home)).profiles.find((profile) => profile.name === 'prefixes');
    assert.deepEqual(
      cluster?.endpoints.map((endpoint) => [endpoint.id, endpoint.weight, endpoint.enabled]),
      [
        ['abcd0001', 100, true],
        ['abcd0002', 7, true],
        ['ef012345', 100, false],
      ],
    );
  });
});
