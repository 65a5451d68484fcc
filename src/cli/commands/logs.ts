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

  let offset = (await exists(file)) ? (await stat(file)).size : 0;
  let partial = '';
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    const size = (await exists(file)) ? (await stat(file)).size : 0;
    if (size < offset) offset = 0; // rotated: the new file starts from nothing
    if (size === offset) continue;
    const chunk = await readRange(file, offset, size);
    offset = size;
    const text = partial + chunk;
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    complete.filter((line) => line && keep(line)).forEach(show);
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

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
