import { after, before, describe } from 'node:test';
import type { TempHome } from '../helpers/temp-home.js';
import { homeAfter, refuses, TWO_CLUSTERS } from './endpoint-fixture.js';

/**
 * `qcc endpoint add CLUSTER -f|--base-url` refused: one line on stderr, a non-zero exit, config.json byte for byte
 * as it was. One home serves the whole file: since nothing may change it, a refusal that did write would also break
 * the ones after it.
 */
describe('qcc endpoint add refusals: one endpoint with -f or --base-url', () => {
  let home: TempHome;
  before(async () => {
    home = await homeAfter(TWO_CLUSTERS);
  });
  after(async () => {
    await home.cleanup();
  });

  // Every value goes through one check (its edge cases are in tests/unit/clusters.test.ts); here, both commands use it.
  for (const weight of ['0', '1001', 'abc']) {
    refuses(() => home, `weight '${weight}' on add -f`, () => ['endpoint', 'add', 'production', '-f', 'ccapi', '-w', weight], new RegExp(`weight must be a whole number from 1 to 1000, not '${weight}'`));
  }
  for (const priority of ['0', '4', 'x']) {
    refuses(() => home, `priority '${priority}' on add -f`, () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--priority', priority], new RegExp(`priority must be 1 \\(primary\\), 2 \\(secondary\\) or 3 \\(fallback\\), not '${priority}'`));
  }

  refuses(() => home, '-f together with --primary', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--primary', 'codecmd'], /--from and --primary cannot be used together/);
  refuses(() => home, '--base-url together with --secondary', () => ['endpoint', 'add', 'production', '--base-url', 'https://x.example.com', '--api-key', 'k-0123456789', '--secondary', 'ccapi'], /cannot be used together/);
  refuses(() => home, '-f together with --base-url', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--base-url', 'https://x.example.com'], /--from and --base-url cannot be used together/);
  refuses(() => home, '-f together with --api-key', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--api-key', 'k-0123456789'], /--from and --api-key cannot be used together/);
  refuses(() => home, '-f together with --auth-style', () => ['endpoint', 'add', 'production', '-f', 'ccapi', '--auth-style', 'x-api-key'], /--from and --auth-style cannot be used together/);
  refuses(() => home, '-f into a plain profile', () => ['endpoint', 'add', 'codecmd', '-f', 'ccapi'], /'codecmd' is a plain profile, not a cluster/);
  refuses(() => home, '-f of an unknown profile', () => ['endpoint', 'add', 'production', '-f', 'nope'], /profile 'nope' not found/);
  refuses(() => home, '--base-url without a key and without a terminal', () => ['endpoint', 'add', 'production', '--base-url', 'https://x.example.com'], /API key is missing.*--api-key/);
  refuses(() => home, 'a bad --base-url', () => ['endpoint', 'add', 'production', '--base-url', 'ftp://x.example.com', '--api-key', 'k-0123456789'], /not a usable base URL/);
});
