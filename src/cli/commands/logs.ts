import { open, stat } from 'node:fs/promises';
import { QccError } from '../../core/errors.js';
import { formatLogLine, LOG_LEVELS } from '../../core/log-line.js';
import type { CliContext } from '../context.js';
import { proxyText } from './proxy.text.js';

export interface LogsOptions {
  readonly lines?: string;
  readonly follow?: boolean;
  readonly level?: string;
  readonly grep?: string;
  readonly json?: boolean;
}

const FOLLOW_POLL_MS = 250;

/**
 * `qcc proxy logs`: the last N lines of proxy.log (and of its rotated files when the current one is short), filtered
 * by level and text, as readable lines or raw JSON; `-f` follows the file across rotations until Ctrl-C.
 */
export async function runProxyLogs(ctx: CliContext, options: LogsOptions): Promise<void> {
  const t = proxyText(ctx.lang);
  const count = options.lines === undefined ? 50 : Number(options.lines);
  if (!Number.isInteger(count) || count < 0) {
    throw new QccError('QCC_ERR_SETTING_VALUE', { key: '-n', reason: 'expected a whole number of lines' });
  }
  const minLevel = options.level === undefined ? 0 : LOG_LEVELS[options.level.toLowerCase()];
  if (minLevel === undefined) {
    throw new QccError('QCC_ERR_SETTING_VALUE', { key: '--level', reason: `expected one of: ${Object.keys(LOG_LEVELS).join(', ')}` });
  }
  const file = ctx.paths.logFile;
  const keep = (line: string): boolean => matches(line, minLevel, options.grep);
  const show = (line: string): void => ctx.out.line(options.json ? line : formatLogLine(line, ctx.out.color.dim));

  const lines = await lastLines([`${file}.1`, file], count, keep);
  if (lines.length === 0 && !options.follow && !(await exists(file))) ctx.out.line(t('noLog', { file }));
  lines.forEach(show);
  if (!options.follow) return;

  // Followed by inode: a rotation renames proxy.log to proxy.log.1, so the rest of the old file is read from there
  // before the new file is read from its start, and nothing written around a rotation is lost.
  let followed = await statOf(file);
  let offset = followed?.size ?? 0;
  let partial = '';
  const emit = (chunk: string): void => {
    const complete = (partial + chunk).split('\n');
    partial = complete.pop() ?? '';
    complete.filter((line) => line && keep(line)).forEach(show);
  };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    const now = await statOf(file);
    if (followed !== undefined && now?.ino !== followed.ino) {
      const rotated = await statOf(`${file}.1`);
      if (rotated?.ino === followed.ino && rotated.size > offset) emit(await readRange(`${file}.1`, offset, rotated.size));
      offset = 0;
    } else if (now !== undefined && now.size < offset) {
      offset = 0; // truncated in place
    }
    followed = now;
    if (now === undefined || now.size === offset) continue;
    emit(await readRange(file, offset, now.size));
    offset = now.size;
  }
}

function matches(line: string, minLevel: number, grep: string | undefined): boolean {
  if (grep !== undefined && !line.toLowerCase().includes(grep.toLowerCase())) return false;
  if (minLevel === 0) return true;
  const level = /"level":(\d+)/.exec(line);
  return level !== null && Number(level[1]) >= minLevel;
}

/** The last `count` kept lines across the files, oldest file first. */
async function lastLines(files: readonly string[], count: number, keep: (line: string) => boolean): Promise<string[]> {
  const kept: string[] = [];
  for (const file of files) {
    if (!(await exists(file))) continue;
    const size = (await stat(file)).size;
    const text = await readRange(file, 0, size);
    for (const line of text.split('\n')) if (line && keep(line)) kept.push(line);
  }
  return count === 0 ? [] : kept.slice(-count);
}

async function readRange(file: string, start: number, end: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

async function statOf(file: string): Promise<{ ino: number; size: number } | undefined> {
  return stat(file).then(
    ({ ino, size }) => ({ ino, size }),
    () => undefined,
  );
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
