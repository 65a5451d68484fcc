import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The real Claude Code binary, from the platform package that `@anthropic-ai/claude-code` (a devDependency) pulls in
 * as an optional dependency, e.g. `@anthropic-ai/claude-code-linux-x64/claude`.
 */
export function claudeBinary(): string {
  const platform = `${process.platform}-${process.arch}${isMusl() ? '-musl' : ''}`;
  const name = `@anthropic-ai/claude-code-${platform}`;
  const binary = process.platform === 'win32' ? 'claude.exe' : 'claude';
  let folder: string;
  try {
    folder = dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    throw new Error(`Claude Code for ${platform} is not installed: ${name} is missing — run \`npm install\` (optional dependencies included)`);
  }
  const path = join(folder, binary);
  if (!existsSync(path)) throw new Error(`Claude Code for ${platform} is incomplete: ${path} is missing — reinstall ${name}`);
  return path;
}

function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}
