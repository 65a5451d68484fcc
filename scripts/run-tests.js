#!/usr/bin/env node
// Runs the compiled test files with node:test. Usage: node scripts/run-tests.js [unit|integration|e2e ...]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = 'build/tests';
const suites = process.argv.slice(2);
const dirs = (suites.length ? suites : ['unit', 'integration', 'e2e']).map((suite) => join(root, suite));

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return collect(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const files = dirs.flatMap(collect).sort();
if (files.length === 0) {
  console.error(`no test files under ${dirs.join(', ')} — run \`npm run build:test\` first`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=4', '--test-timeout=120000', '--disable-warning=ExperimentalWarning', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
