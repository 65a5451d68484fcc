import { open } from 'node:fs/promises';
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
    throw new QccError('QCC_ERR_SETTING_VALUE', { key: '-n', reason: t('badLines') });
  }
  const minLevel = options.level === undefined ? 0 : LOG_LEVELS[options.level.toLowerCase()];
  if (minLevel === undefined) {
    throw new QccError('QCC_ERR_SETTING_VALUE', { key: '--level', reason: t('badLevel', { levels: Object.keys(LOG_LEVELS).join(', ') }) });
  }
  const file = ctx.paths.logFile;
  const kept = (text: string): string[] => text.split('\n').filter((line) => line && matches(line, minLevel, options.grep));
  const show = (line: string): void => ctx.out.line(options.json ? line : formatLogLine(line, ctx.out.color.dim));

  const rotated = await readLines(`${file}.1`, 0);
  const current = await readLines(file, 0);
  const lines = [rotated, current].flatMap((read) => kept(read?.text ?? ''));
  if (lines.length === 0 && !options.follow && current === undefined) ctx.out.line(t('noLog', { file }));
  if (count > 0) lines.slice(-count).forEach(show);
  if (!options.follow) return;

  // Followed by inode: a rotation renames proxy.log to proxy.log.1, so the rest of the old file is read from there
  // before the new file is read from its start. Each read opens the file once and takes its inode and size from the
  // open handle, so a rotation between two calls cannot mix the files up; only whole lines are taken, and a line
  // still being written is read again, whole, on the next poll.
  let followedIno = current?.ino;
  let offset = current?.consumed ?? 0;
  const emit = (text: string): void => kept(text).forEach(show);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    let read = await readLines(file, offset);
    if (followedIno !== undefined && read?.ino !== followedIno) {
      const rest = await readLines(`${file}.1`, offset);
      if (rest?.ino === followedIno) emit(rest.text);
      offset = 0;
      read = await readLines(file, 0);
    }
    followedIno = read?.ino;
    if (read === undefined) continue;
    if (read.size < offset) {
      offset = 0; // truncated in place: start again from its beginning
      continue;
    }
    offset += read.consumed;
    emit(read.text);
  }
}

function matches(line: string, minLevel: number, grep: string | undefined): boolean {
  if (grep !== undefined && !line.toLowerCase().includes(grep.toLowerCase())) return false;
  if (minLevel === 0) return true;
  const level = /"level":(\d+)/.exec(line);
  return level !== null && Number(level[1]) >= minLevel;
}

/**
 * The whole lines a file holds from `start` on, read through one open handle (`consumed` bytes of it, up to the
 * last line end); undefined when there is no file.
 */
async function readLines(file: string, start: number): Promise<{ ino: number; size: number; consumed: number; text: string } | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { ino, size } = await handle.stat();
    if (size <= start) return { ino, size, consumed: 0, text: '' };
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    const consumed = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
    return { ino, size, consumed, text: buffer.toString('utf8', 0, consumed) };
  } finally {
    await handle.close();
  }
}

