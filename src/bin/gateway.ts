#!/usr/bin/env node
import './quiet-warnings.js';
import { startupDone } from './gateway-heap.js';
import { parseArgs } from 'node:util';
import { isQccError, renderError, type ErrorParams } from '../core/errors.js';
import { detectLang } from '../i18n/lang.js';
import { resolvePaths } from '../store/paths.js';

/**
 * The hidden entry of the gateway process. `qcc proxy start` runs it detached and waits on the IPC channel for
 * `ready` (or the error that stopped it); `--foreground` runs it attached to the terminal.
 */
type Message = { type: 'ready'; info: unknown } | { type: 'failed'; code: string; params: ErrorParams };

function tell(message: Message): void {
  if (process.send) process.send(message);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { host: { type: 'string' }, port: { type: 'string' }, foreground: { type: 'boolean', default: false } },
    strict: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  // Loaded only now: a static import would load node:sqlite while the modules are linked, before quiet-warnings runs.
  const { runDaemon } = await import('../daemon/daemon.js');
  try {
    return await runDaemon({
      paths: resolvePaths(process.env),
      host: values.host,
      port,
      foreground: values.foreground === true,
      onReady: (info) => {
        startupDone();
        tell({ type: 'ready', info });
        // The CLI that started us may now exit; we must not go with it.
        if (process.connected) process.disconnect();
      },
    });
  } catch (error) {
    if (!isQccError(error)) throw error;
    tell({ type: 'failed', code: error.code, params: error.params });
    process.stderr.write(`✗ ${renderError(error.code, error.params, detectLang())}\n`);
    return error.exitCode;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    tell({ type: 'failed', code: 'QCC_ERR_INTERNAL', params: { detail: String(error) } });
    process.exit(70);
  },
);
