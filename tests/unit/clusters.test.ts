import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyConfig, type Config } from '../../src/config/schema.js';
import {
  appendEndpoint,
  checkPriority,
  checkSelection,
  checkWeight,
  createCluster,
  findEndpoint,
  plainProfiles,
  removeEndpoint,
  updateEndpoint,
} from '../../src/core/clusters.js';
import { isQccError, type ErrorCode } from '../../src/core/errors.js';
import { addProfile, editProfile, removeProfile, type Facts } from '../../src/core/profiles.js';

const NOW = '2026-01-02T03:04:05.000Z';

/** Ids 00000001, 00000002, … so that every test knows which endpoint got which. */
function counterFacts(start = 1): Facts & { readonly issued: string[] } {
  let next = start;
  const issued: string[] = [];
  return {
    now: NOW,
    issued,
    newId: () => {
      const id = (next++).toString(16).padStart(8, '0');
      issued.push(id);
      return id;
    },
  };
}

const KEYS: Record<string, string> = {
  a: 'sk-a-0000000000000000aaaa',
  b: 'sk-b-0000000000000000bbbb',
  c: 'sk-c-0000000000000000cccc',
  d: 'sk-d-0000000000000000dddd',
};

/** Plain profiles a, b, c (bearer) and d (x-api-key on the official API), ids 000000a1…000000a4. */
function baseConfig(): Config {
  const facts = counterFacts(0xa1);
  let config = emptyConfig();
  for (const name of ['a', 'b', 'c']) {
    config = addProfile(config, { name, description: `${name}!`, baseUrl: `https://${name}.example.com`, apiKey: KEYS[name] ?? '', authStyle: 'bearer' }, facts);
  }
  return addProfile(config, { name: 'd', description: '', baseUrl: 'https://api.anthropic.com', apiKey: KEYS.d ?? '', authStyle: 'x-api-key' }, facts);
}

function throwsCode(run: () => unknown, code: ErrorCode, params?: Record<string, string | number>): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isQccError(error), `expected a QccError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (params) assert.deepEqual({ ...error.params }, params);
    return true;
  });
}

const cluster = (config: Config, name: string) => {
  const profile = config.profiles.find((candidate) => candidate.name === name);
  assert.ok(profile, name);
  return profile;
};

describe('createCluster', () => {
  it('reuses each profile with a fresh id, weight 100, its group priority, enabled, and source', () => {
    const before = baseConfig();
    const facts = counterFacts();
    const next = createCluster(before, 'prod', { primary: ['a', 'c'], secondary: ['b'], fallback: ['d'] }, facts);
    const prod = cluster(next, 'prod');
    assert.equal(prod.kind, 'cluster');
    assert.equal(prod.createdAt, NOW);
    assert.equal(prod.description, '');
    assert.deepEqual(prod.endpoints, [
      { id: '00000001', baseUrl: 'https://a.example.com', apiKey: KEYS.a, authStyle: 'bearer', weight: 100, priority: 1, enabled: true, source: 'a' },
      { id: '00000002', baseUrl: 'https://c.example.com', apiKey: KEYS.c, authStyle: 'bearer', weight: 100, priority: 1, enabled: true, source: 'c' },
      { id: '00000003', baseUrl: 'https://b.example.com', apiKey: KEYS.b, authStyle: 'bearer', weight: 100, priority: 2, enabled: true, source: 'b' },
      { id: '00000004', baseUrl: 'https://api.anthropic.com', apiKey: KEYS.d, authStyle: 'x-api-key', weight: 100, priority: 3, enabled: true, source: 'd' },
    ]);
    assert.deepEqual(next.profiles.slice(0, 4), before.profiles, 'the members are untouched');
    assert.equal(next.defaultProfile, before.defaultProfile);
    assert.equal(next.activeProfile, null);
  });

  it('never reuses an id the config already has', () => {
    const before = baseConfig();
    // The counter starts on a's id (000000a1): that one must be skipped.
    const facts = counterFacts(0xa1);
    const prod = cluster(createCluster(before, 'prod', { primary: ['a'], secondary: [], fallback: [] }, facts), 'prod');
    assert.equal(prod.endpoints[0]?.id, '000000a5');
  });

  it('gives fresh ids to every endpoint of one cluster', () => {
    const facts = { now: NOW, newId: (() => { const ids = ['11111111', '11111111', '22222222', '22222222', '33333333']; return () => ids.shift() ?? 'ffffffff'; })() };
    const prod = cluster(createCluster(baseConfig(), 'prod', { primary: ['a', 'b', 'c'], secondary: [], fallback: [] }, facts), 'prod');
    assert.deepEqual(prod.endpoints.map((endpoint) => endpoint.id), ['11111111', '22222222', '33333333']);
  });

  it('refuses an existing name, a bad name, no primary, unknown, clustered and repeated members', () => {
    const config = createCluster(baseConfig(), 'prod', { primary: ['a'], secondary: [], fallback: [] }, counterFacts());
    const none = { secondary: [], fallback: [] };
    throwsCode(() => createCluster(config, 'prod', { primary: ['b'], ...none }, counterFacts(9)), 'QCC_ERR_CLUSTER_EXISTS', { name: 'prod' });
    throwsCode(() => createCluster(config, 'a', { primary: ['b'], ...none }, counterFacts(9)), 'QCC_ERR_CLUSTER_EXISTS', { name: 'a' });
    throwsCode(() => createCluster(config, 'bad name', { primary: ['b'], ...none }, counterFacts(9)), 'QCC_ERR_PROFILE_NAME');
    throwsCode(() => createCluster(config, 'x', { primary: [], secondary: ['a'], fallback: [] }, counterFacts(9)), 'QCC_ERR_NO_PRIMARY');
    throwsCode(() => createCluster(config, 'x', { primary: ['zz'], ...none }, counterFacts(9)), 'QCC_ERR_PROFILE_NOT_FOUND', { name: 'zz' });
    throwsCode(() => createCluster(config, 'x', { primary: ['prod'], ...none }, counterFacts(9)), 'QCC_ERR_CLUSTER_MEMBER', { name: 'prod' });
    throwsCode(() => createCluster(config, 'x', { primary: ['a', 'a'], ...none }, counterFacts(9)), 'QCC_ERR_SELECTED_TWICE', { name: 'a' });
    throwsCode(() => createCluster(config, 'x', { primary: ['a'], secondary: ['b'], fallback: ['a'] }, counterFacts(9)), 'QCC_ERR_SELECTED_TWICE', { name: 'a' });
  });

  it('checkSelection reports the missing primary before anything else', () => {
    throwsCode(() => checkSelection(baseConfig(), { primary: [], secondary: ['zz'], fallback: [] }), 'QCC_ERR_NO_PRIMARY');
  });

  it('plainProfiles leaves clusters out', () => {
    const config = createCluster(baseConfig(), 'prod', { primary: ['a'], secondary: [], fallback: [] }, counterFacts());
    assert.deepEqual(plainProfiles(config).map((profile) => profile.name), ['a', 'b', 'c', 'd']);
  });
});

describe('appendEndpoint', () => {
  const prodConfig = (): Config => createCluster(baseConfig(), 'prod', { primary: ['a'], secondary: [], fallback: [] }, counterFacts());

  it('reuses a profile at the end of the cluster, with the weight and priority given', () => {
    const result = appendEndpoint(prodConfig(), 'prod', { from: 'b' }, { weight: 300, priority: 2 }, counterFacts(0x10));
    assert.equal(result.created, false);
    assert.deepEqual(result.endpoint, {
      id: '00000010',
      baseUrl: 'https://b.example.com',
      apiKey: KEYS.b,
      authStyle: 'bearer',
      weight: 300,
      priority: 2,
      enabled: true,
      source: 'b',
    });
    assert.deepEqual(cluster(result.config, 'prod').endpoints.map((endpoint) => endpoint.id), ['00000001', '00000010']);
  });

  it('defaults to weight 100 and priority 1', () => {
    const { endpoint } = appendEndpoint(prodConfig(), 'prod', { from: 'c' }, {}, counterFacts(0x10));
    assert.deepEqual([endpoint.weight, endpoint.priority], [100, 1]);
  });

  it('creates the cluster when it does not exist', () => {
    const result = appendEndpoint(baseConfig(), 'new', { from: 'a' }, {}, counterFacts());
    assert.equal(result.created, true);
    const created = cluster(result.config, 'new');
    assert.deepEqual([created.kind, created.createdAt, created.endpoints.length], ['cluster', NOW, 1]);
  });

  it('adds a manual endpoint: URL normalised, key trimmed, auth style by host unless given, no source', () => {
    const relay = appendEndpoint(prodConfig(), 'prod', { baseUrl: ' https://relay.example.com/api/ ', apiKey: '  k-123  ' }, { priority: 3 }, counterFacts(0x20));
    assert.deepEqual(relay.endpoint, { id: '00000020', baseUrl: 'https://relay.example.com/api', apiKey: 'k-123', authStyle: 'bearer', weight: 100, priority: 3, enabled: true });
    const official = appendEndpoint(prodConfig(), 'prod', { baseUrl: 'https://api.anthropic.com', apiKey: 'k' }, {}, counterFacts(0x20));
    assert.equal(official.endpoint.authStyle, 'x-api-key');
    const told = appendEndpoint(prodConfig(), 'prod', { baseUrl: 'https://api.anthropic.com', apiKey: 'k', authStyle: 'bearer' }, {}, counterFacts(0x20));
    assert.equal(told.endpoint.authStyle, 'bearer');
  });

  it('refuses a plain profile as the cluster, a cluster as the source, unknown sources, bad values', () => {
    const config = prodConfig();
    throwsCode(() => appendEndpoint(config, 'a', { from: 'b' }, {}, counterFacts(0x10)), 'QCC_ERR_NOT_A_CLUSTER', { name: 'a' });
    throwsCode(() => appendEndpoint(config, 'prod', { from: 'prod' }, {}, counterFacts(0x10)), 'QCC_ERR_CLUSTER_MEMBER', { name: 'prod' });
    throwsCode(() => appendEndpoint(config, 'prod', { from: 'zz' }, {}, counterFacts(0x10)), 'QCC_ERR_PROFILE_NOT_FOUND', { name: 'zz' });
    throwsCode(() => appendEndpoint(config, 'prod', { from: 'b' }, { weight: 0 }, counterFacts(0x10)), 'QCC_ERR_WEIGHT');
    throwsCode(() => appendEndpoint(config, 'prod', { from: 'b' }, { priority: 4 }, counterFacts(0x10)), 'QCC_ERR_PRIORITY');
    throwsCode(() => appendEndpoint(config, 'prod', { baseUrl: 'ftp://x', apiKey: 'k' }, {}, counterFacts(0x10)), 'QCC_ERR_URL_INVALID');
    throwsCode(() => appendEndpoint(config, 'prod', { baseUrl: 'https://x.example.com', apiKey: '  ' }, {}, counterFacts(0x10)), 'QCC_ERR_KEY_EMPTY');
    throwsCode(() => appendEndpoint(config, '../x', { from: 'b' }, {}, counterFacts(0x10)), 'QCC_ERR_PROFILE_NAME');
  });
});

describe('findEndpoint', () => {
  const profile = {
    name: 'prod',
    kind: 'cluster' as const,
    description: '',
    createdAt: NOW,
    endpoints: ['abcd0001', 'abcd0002', 'ef012345', 'abcd'.padEnd(8, '9')].map((id) => ({
      id,
      baseUrl: 'https://x.example.com',
      apiKey: 'k',
      authStyle: 'bearer' as const,
      weight: 100,
      priority: 1 as const,
      enabled: true,
    })),
  };

  it('finds an exact id, or a unique prefix in any case', () => {
    assert.equal(findEndpoint(profile, 'abcd0002').id, 'abcd0002');
    assert.equal(findEndpoint(profile, 'ABCD0002').id, 'abcd0002');
    assert.equal(findEndpoint(profile, 'e').id, 'ef012345');
    assert.equal(findEndpoint(profile, 'abcd9').id, 'abcd9999');
  });

  it('an ambiguous prefix names every match', () => {
    throwsCode(() => findEndpoint(profile, 'abcd'), 'QCC_ERR_ENDPOINT_AMBIGUOUS', { id: 'abcd', cluster: 'prod', matches: 'abcd0001, abcd0002, abcd9999' });
    throwsCode(() => findEndpoint(profile, 'abcd000'), 'QCC_ERR_ENDPOINT_AMBIGUOUS', { id: 'abcd000', cluster: 'prod', matches: 'abcd0001, abcd0002' });
  });

  it('no match, and the empty string, are "not found"', () => {
    throwsCode(() => findEndpoint(profile, 'ff'), 'QCC_ERR_ENDPOINT_NOT_FOUND', { id: 'ff', cluster: 'prod' });
    throwsCode(() => findEndpoint(profile, ''), 'QCC_ERR_ENDPOINT_NOT_FOUND');
    throwsCode(() => findEndpoint(profile, 'abcd00011'), 'QCC_ERR_ENDPOINT_NOT_FOUND');
  });
});

describe('removeEndpoint', () => {
  const config = (): Config => createCluster(baseConfig(), 'prod', { primary: ['a'], secondary: ['b'], fallback: [] }, counterFacts());

  it('removes by id or prefix and returns what it removed', () => {
    const result = removeEndpoint(config(), 'prod', '00000002');
    assert.equal(result.endpoint.source, 'b');
    assert.deepEqual(cluster(result.config, 'prod').endpoints.map((endpoint) => endpoint.id), ['00000001']);
  });

  it('refuses the last endpoint: a cluster without endpoints is removed with `qcc remove`', () => {
    const single = removeEndpoint(config(), 'prod', '00000002').config;
    throwsCode(() => removeEndpoint(single, 'prod', '00000001'), 'QCC_ERR_LAST_ENDPOINT', { id: '00000001', cluster: 'prod' });
  });

  it('refuses plain profiles, unknown clusters and unknown ids', () => {
    throwsCode(() => removeEndpoint(config(), 'a', '000000a1'), 'QCC_ERR_NOT_A_CLUSTER');
    throwsCode(() => removeEndpoint(config(), 'zz', '00000001'), 'QCC_ERR_PROFILE_NOT_FOUND');
    throwsCode(() => removeEndpoint(config(), 'prod', '000000a1'), 'QCC_ERR_ENDPOINT_NOT_FOUND', { id: '000000a1', cluster: 'prod' });
  });
});

describe('updateEndpoint', () => {
  const config = (): Config => createCluster(baseConfig(), 'prod', { primary: ['a'], secondary: ['b'], fallback: [] }, counterFacts());

  it('changes only what is given', () => {
    const { endpoint, config: next } = updateEndpoint(config(), 'prod', '00000002', { weight: 250 });
    assert.deepEqual([endpoint.weight, endpoint.priority, endpoint.enabled], [250, 2, true]);
    assert.deepEqual(cluster(next, 'prod').endpoints[0], cluster(config(), 'prod').endpoints[0]);
    const off = updateEndpoint(next, 'prod', '00000002', { enabled: false }).endpoint;
    assert.deepEqual([off.weight, off.priority, off.enabled], [250, 2, false]);
    const moved = updateEndpoint(next, 'prod', '00000002', { priority: 3 }).endpoint;
    assert.deepEqual([moved.weight, moved.priority, moved.enabled], [250, 3, true]);
  });

  it('validates weight and priority', () => {
    for (const weight of [0, 1001, 1.5, -1, Number.NaN]) {
      throwsCode(() => updateEndpoint(config(), 'prod', '00000001', { weight }), 'QCC_ERR_WEIGHT');
    }
    for (const priority of [0, 4, 1.5]) {
      throwsCode(() => updateEndpoint(config(), 'prod', '00000001', { priority }), 'QCC_ERR_PRIORITY');
    }
    throwsCode(() => updateEndpoint(config(), 'prod', 'ffff', { weight: 5 }), 'QCC_ERR_ENDPOINT_NOT_FOUND');
    throwsCode(() => updateEndpoint(config(), 'a', '000000a1', { weight: 5 }), 'QCC_ERR_NOT_A_CLUSTER');
  });
});

describe('checkWeight and checkPriority', () => {
  it('weight: whole numbers 1–1000, as numbers or digits', () => {
    assert.equal(checkWeight(1), 1);
    assert.equal(checkWeight(1000), 1000);
    assert.equal(checkWeight('300'), 300);
    assert.equal(checkWeight(' 42 '), 42);
    for (const value of ['0', '1001', 'abc', '1.5', '1e2', '-5', '', ' ', '0x10', 0, 1001, 2.5]) {
      throwsCode(() => checkWeight(value), 'QCC_ERR_WEIGHT', { value: String(value) });
    }
  });

  it('priority: 1, 2, 3 or primary, secondary, fallback', () => {
    assert.equal(checkPriority(1), 1);
    assert.equal(checkPriority('2'), 2);
    assert.equal(checkPriority('primary'), 1);
    assert.equal(checkPriority('Secondary'), 2);
    assert.equal(checkPriority(' fallback '), 3);
    for (const value of ['0', '4', 'x', '', '1.0', 'first', 0, 4]) {
      throwsCode(() => checkPriority(value), 'QCC_ERR_PRIORITY', { value: String(value) });
    }
  });
});

describe('sources', () => {
  it('a key or URL edited in the source reaches the cluster; a removed source leaves the last copy', () => {
    let config = createCluster(baseConfig(), 'prod', { primary: ['a'], secondary: ['b'], fallback: [] }, counterFacts());
    config = editProfile(config, 'a', { apiKey: 'sk-new-key-000000000000', baseUrl: 'https://new-a.example.com' });
    const reused = cluster(config, 'prod').endpoints[0];
    assert.deepEqual([reused?.apiKey, reused?.baseUrl], ['sk-new-key-000000000000', 'https://new-a.example.com']);
    config = removeProfile(config, 'b', true).config;
    const orphan = cluster(config, 'prod').endpoints[1];
    assert.deepEqual([orphan?.apiKey, orphan?.baseUrl, orphan?.source], [KEYS.b, 'https://b.example.com', 'b']);
  });
});
