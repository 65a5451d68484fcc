import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A config.json as a user (or `qcc config import`) might hold it: a plain profile, a cluster reusing it, groups. */
export function configWithCluster(keys: { readonly a: string; readonly b: string }): Record<string, unknown> {
  return {
    version: 1,
    defaultProfile: 'a',
    activeProfile: null,
    profiles: [
      {
        name: 'a',
        kind: 'profile',
        description: 'first',
        endpoints: [{ id: 'aaaa0001', baseUrl: 'https://a.example.com', apiKey: keys.a, authStyle: 'bearer' }],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      {
        name: 'b',
        kind: 'profile',
        description: 'second',
        endpoints: [{ id: 'bbbb0001', baseUrl: 'https://b.example.com', apiKey: keys.b, authStyle: 'x-api-key' }],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      {
        name: 'prod',
        kind: 'cluster',
        description: 'both',
        endpoints: [
          { id: 'cccc0001', baseUrl: 'https://a.example.com', apiKey: keys.a, authStyle: 'bearer', source: 'a' },
          { id: 'cccc0002', baseUrl: 'https://b.example.com', apiKey: keys.b, authStyle: 'x-api-key', priority: 2, source: 'b' },
        ],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ],
    priorityGroups: { primary: ['b'], secondary: [], fallback: [] },
  };
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}
