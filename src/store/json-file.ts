import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { QccError, type ErrorCode } from '../core/errors.js';

export type JsonRead =
  | { readonly exists: false }
  | { readonly exists: true; readonly text: string; readonly value: unknown };

/**
 * Reads and parses a JSON file. A syntax error becomes `malformedCode` naming the file, line and column; a missing
 * file is `{ exists: false }`, not an error.
 */
export async function readJsonFile(file: string, malformedCode: ErrorCode): Promise<JsonRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { exists: false };
    throw new QccError('QCC_ERR_FILE_READ', { file, reason: errnoText(error) }, { cause: error });
  }
  return { exists: true, text, value: parseJsonText(text, file, malformedCode) };
}

export function parseJsonText(text: string, file: string, malformedCode: ErrorCode): unknown {
  try {
    return JSON.parse(stripBom(text));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const { line, column } = locate(text, detail);
    throw new QccError(malformedCode, { file, line, column, detail: detail.replace(/ in JSON at position.*$/, '') });
  }
}

/** V8 names the offset ("at position 42"); an early end names none, so it points at the end of the text. */
function locate(text: string, message: string): { line: number; column: number } {
  const match = /at position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : text.length;
  const before = stripBom(text).slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * Writes through a temporary file and a rename, so a reader sees the old file or the new one, never half of one.
 * Every file qcc writes holds a key or a conversation (Claude Code's settings.json too, once it carries a token), so
 * every one is 0600 in a 0700 folder.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, text, { fsync: true, mode: 0o600 });
  } catch (error) {
    throw new QccError('QCC_ERR_FILE_WRITE', { file, reason: errnoText(error) }, { cause: error });
  }
}

export function toJsonText(value: unknown, indent: string | number = 2): string {
  return `${JSON.stringify(value, null, indent)}\n`;
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code;
}

export function errnoText(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const errno = error as NodeJS.ErrnoException;
    if (errno.code) return `${errno.code}${errno.syscall ? ` (${errno.syscall})` : ''}`;
    if (errno.message) return errno.message;
  }
  return String(error);
}
