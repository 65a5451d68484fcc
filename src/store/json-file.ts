import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
  const source = stripBom(text);
  try {
    return JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const { line, column } = lineAndColumn(source, errorOffset(source, message));
    throw new QccError(malformedCode, { file, line, column, detail: shortDetail(message) });
  }
}

/**
 * Where JSON.parse stopped. V8 names the offset ("at position 42") except for an unexpected token, where it quotes
 * the text instead; there the shortest prefix that fails on something other than its own end ends at the token.
 */
function errorOffset(source: string, message: string): number {
  const match = /at position (\d+)/.exec(message);
  if (match) return Number(match[1]);
  if (!message.startsWith('Unexpected token')) return source.length;
  let low = 0;
  let high = source.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsBeforeEnd(source.slice(0, middle + 1))) high = middle;
    else low = middle + 1;
  }
  return low;
}

function failsBeforeEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (message.startsWith('Unexpected end')) return false;
    const match = /at position (\d+)/.exec(message);
    return !match || Number(match[1]) < prefix.length;
  }
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  const lines = source.slice(0, offset).split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** V8's reason without the position or the quoted text, which may span lines: the error stays one line. */
function shortDetail(message: string): string {
  const token = /^Unexpected token '(.+?)',/su.exec(message);
  // The token itself may be a line break or another control character: shown escaped, as in JSON.
  if (token) return `Unexpected token '${JSON.stringify(token[1]).slice(1, -1)}'`;
  return message.replace(/(?: in JSON)? at position \d+.*$/s, '');
}

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * Replaces a file all at once: the content goes to a temporary file beside it (0600 from the start: every file qcc
 * writes holds a key or a conversation, Claude Code's settings.json too once it carries a token), is flushed to disk,
 * then renamed over the target, so a reader sees the old file or the new one and never half of one. A target that is
 * a symlink (a dotfiles checkout), even one whose file does not exist yet, is written through: the link stays. Run
 * as root (`sudo qcc …`), the file keeps its owner, so the user can still read it.
 */
export async function writeFileAtomically(file: string, content: string | Buffer): Promise<void> {
  const target = await writeTarget(file);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const owner = process.getuid?.() === 0 ? await stat(target).catch(() => undefined) : undefined;
    const handle = await open(temp, 'wx', 0o600);
    try {
      if (owner) await handle.chown(owner.uid, owner.gid);
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new QccError('QCC_ERR_FILE_WRITE', { file, reason: errnoText(error) }, { cause: error });
  }
}

/** The file a write lands in: the file itself, or what a symlink points at (which may not exist yet). */
async function writeTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    try {
      return resolve(dirname(file), await readlink(file));
    } catch {
      return file; // not a link: the file is new
    }
  }
}

/** A byte-for-byte backup copy. Unlike `copyFile`, which keeps the source's mode, the copy is 0600 from the start. */
export async function copyFilePrivately(source: string, target: string): Promise<void> {
  let content: Buffer;
  try {
    content = await readFile(source);
  } catch (error) {
    throw new QccError('QCC_ERR_FILE_READ', { file: source, reason: errnoText(error) }, { cause: error });
  }
  await writeFileAtomically(target, content);
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
