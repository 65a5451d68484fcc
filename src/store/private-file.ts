import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes sure a file exists, 0600 in a 0700 folder, before a writer that opens it by itself (SQLite, the log
 * stream) does: it is never readable by others, not even for a moment, and an older one is made private too.
 */
export function ensurePrivateFileSync(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}
