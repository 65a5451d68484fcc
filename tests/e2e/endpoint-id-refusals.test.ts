import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOneLineError, assertUnchanged, snapshot } from '../helpers/assertions.js';
import { writeJson } from '../helpers/config-files.js';
import type { TempHome } from '../helpers/temp-home.js';
import { clusterOf, configFile, homeAfter, homeWithProfiles, qcc, qccOk, readConfig, refuses, TWO_CLUSTERS } from './endpoint-fixture.js';

/**
 * Managing endpoints refused (unknown or ambiguous IDs, values out of range, the last endpoint): one line on stderr,
 * a non-zero exit, config.json byte for byte as it was. One home serves each group of tests.
 */
describe('qcc endpoint set, remove, enable, disable, list refusals', () => {
  let home: TempHome;
  let ids: string[] = [];
  let soloId = '';
  before(async () => {
    home = await homeAfter(TWO_CLUSTERS);
    const idsOf = async (name: string): Promise<string[]> => (await clusterOf(home, name)).endpoints.map((endpoint) => endpoint.id);
    ids = await idsOf('production');
    soloId = (await idsOf('solo'))[0] ?? '';
  });
  after(async () => {
    await home.cleanup();
  });

  // The same checks as `endpoint add -f` (tests/e2e/endpoint-refusals.test.ts), edge cases in tests/unit/clusters.test.ts.
  for (const weight of ['0', '1001', 'abc']) {
    refuses(() => home, `weight '${weight}' on set`, () => ['endpoint', 'set', 'production', ids[0] ?? '', '--weight', weight], new RegExp(`weight must be a whole number from 1 to 1000, not '${weight}'`));
  }
  for (const priority of ['0', '4', 'x']) {
    refuses(() => home, `priority '${priority}' on set`, () => ['endpoint', 'set', 'production', ids[0] ?? '', '--priority', priority], new RegExp(`priority must be 1 \\(primary\\), 2 \\(secondary\\) or 3 \\(fallback\\), not '${priority}'`));
  }

  refuses(() => home, 'an unknown endpoint id on set', () => ['endpoint', 'set', 'production', 'deadbeef', '--weight', '5'], /no endpoint 'deadbeef' in 'production'.*`qcc endpoint list production`/);
  refuses(() => home, 'an unknown endpoint id on remove', () => ['endpoint', 'remove', 'production', 'deadbeef', '--yes'], /no endpoint 'deadbeef'/);
  refuses(() => home, 'an unknown endpoint id on enable', () => ['endpoint', 'enable', 'production', 'deadbeef'], /no endpoint 'deadbeef'/);
  refuses(() => home, 'an unknown endpoint id on disable', () => ['endpoint', 'disable', 'production', 'deadbeef'], /no endpoint 'deadbeef'/);
  refuses(() => home, "an id of another cluster's endpoint", () => ['endpoint', 'disable', 'solo', ids[0] ?? ''], /no endpoint '[0-9a-f]{8}' in 'solo'/);
  refuses(() => home, 'an unknown cluster', () => ['endpoint', 'disable', 'nope', 'deadbeef'], /profile 'nope' not found/);
  refuses(() => home, 'removing the last endpoint of a cluster', () => ['endpoint', 'remove', 'solo', soloId, '--yes'], /is the last endpoint of 'solo'.*`qcc remove solo`/);
  refuses(() => home, '`endpoint set` with nothing to change', () => ['endpoint', 'set', 'production', ids[0] ?? ''], /nothing to change.*--weight.*--priority/);
  refuses(() => home, '`endpoint list` of a plain profile', () => ['endpoint', 'list', 'codecmd'], /'codecmd' is a plain profile, not a cluster/);
  refuses(() => home, '`endpoint list` of an unknown name', () => ['endpoint', 'list', 'nope'], /profile 'nope' not found/);
  refuses(() => home, '`endpoint remove` without --yes and without a terminal', () => ['endpoint', 'remove', 'production', ids[1] ?? ''], /--yes/);
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
