import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import type { CliResult } from './cli.js';

/** A user error as DESIGN §10 wants it: a non-zero exit and exactly one line on stderr, with no stack trace. */
export function assertOneLineError(result: CliResult, message: RegExp, exitCode?: number): void {
  const shown = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  assert.notEqual(result.code, 0, shown);
  if (exitCode !== undefined) assert.equal(result.code, exitCode, shown);
  assert.match(result.stderr, /^[^\n]+\n$/, `stderr is not a single line\n${shown}`);
  assert.doesNotMatch(result.stderr, /\n\s+at |Error:|TypeError/, shown);
  assert.match(result.stderr, message, shown);
}

/**
 * No key leaks: neither the whole key nor its middle (what a mask hides) appears in anything the command printed.
 */
export function assertNoSecret(result: CliResult | string, ...secrets: string[]): void {
  const text = typeof result === 'string' ? result : `${result.stdout}\n${result.stderr}`;
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `the key ${secret} appears unmasked in:\n${text}`);
    const hidden = secret.slice(6, -4);
    assert.ok(!text.includes(hidden), `part of the key ${secret} (${hidden}) appears in:\n${text}`);
  }
}

/** The bytes of some files (null for a missing one), to prove later that a failed command left them alone. */
export async function snapshot(...files: string[]): Promise<Map<string, Buffer | null>> {
  const entries = await Promise.all(files.map(async (file) => [file, await readFile(file).catch(() => null)] as const));
  return new Map(entries);
}

export async function assertUnchanged(before: Map<string, Buffer | null>): Promise<void> {
  for (const [file, bytes] of before) {
    const now = await readFile(file).catch(() => null);
    assert.deepEqual(now, bytes, `${file} changed`);
  }
}

/** The permission bits of a file, e.g. 0o600. */
export async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

export async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}
