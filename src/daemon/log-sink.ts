import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import pino from 'pino';
import { formatLogLine } from '../core/log-line.js';
import { maskKey, maskKeyLikes } from '../core/mask.js';
import { ensurePrivateFileSync } from '../store/private-file.js';

/**
 * Masks secrets in one place, on the way out: every log line passes through `apply`, whatever logged it. Known
 * secrets (the configured keys, the admin token, the proxy key) are masked as every listing masks them, wherever
 * they appear, and anything shaped like a provider key (`sk-…`) is masked too.
 */
export class Redactor {
  private known: RegExp | undefined;

  setSecrets(secrets: Iterable<string>): void {
    const list = [...new Set(secrets)].filter((secret) => secret.length >= 6).sort((a, b) => b.length - a.length);
    this.known = list.length ? new RegExp(list.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  apply(line: string): string {
    const masked = this.known ? line.replace(this.known, maskKey) : line;
    return maskKeyLikes(masked);
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface LogSinkOptions {
  readonly file: string;
  readonly maxBytes: number;
  readonly keep: number;
  /** Foreground gateways also print their log lines, in the readable form of `qcc proxy logs`. */
  readonly echo?: NodeJS.WritableStream;
  readonly redactor: Redactor;
}

/**
 * proxy.log as JSON lines, rotated by size: proxy.log → proxy.log.1 → … → proxy.log.N (the oldest dropped).
 * Writes are asynchronous (sonic-boom) so logging never blocks a request.
 */
export class LogSink {
  private readonly destination: pino.DestinationStream & { reopen(): void; flushSync(): void; end(): void };
  private size: number;

  constructor(private options: LogSinkOptions) {
    ensurePrivateFileSync(options.file);
    this.destination = pino.destination({ dest: options.file, sync: false, mode: 0o600 }) as never;
    this.size = statSync(options.file).size;
  }

  configure(maxBytes: number, keep: number): void {
    this.options = { ...this.options, maxBytes, keep };
  }

  write(line: string): void {
    const clean = this.options.redactor.apply(line);
    this.destination.write(clean);
    this.options.echo?.write(`${formatLogLine(clean.trimEnd())}\n`);
    this.size += Buffer.byteLength(clean);
    if (this.size >= this.options.maxBytes) this.rotate();
  }

  flush(): void {
    try {
      this.destination.flushSync();
    } catch {
      // Nothing buffered, or the file is gone: nothing to flush.
    }
  }

  close(): void {
    this.flush();
    this.destination.end();
  }

  private rotate(): void {
    const { file, keep } = this.options;
    this.flush();
    rmSync(`${file}.${keep}`, { force: true });
    for (let index = keep - 1; index >= 1; index -= 1) {
      if (existsSync(`${file}.${index}`)) renameSync(`${file}.${index}`, `${file}.${index + 1}`);
    }
    if (existsSync(file)) renameSync(file, `${file}.1`);
    // Created here: the destination reopens asynchronously, and a reader must never find proxy.log missing.
    ensurePrivateFileSync(file);
    this.destination.reopen();
    this.size = 0;
  }
}

export type Logger = pino.Logger;

export function createLogger(sink: LogSink, level: string): Logger {
  return pino(
    { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'msg' },
    { write: (line: string) => sink.write(line) },
  );
}
