#!/usr/bin/env node
import './quiet-warnings.js';
import { CommanderError } from 'commander';
import { z } from 'zod';
import { createCliContext, type CliContext } from '../cli/context.js';
import { buildProgram } from '../cli/program.js';
import { isQccError, QccError, renderError } from '../core/errors.js';
import { detectLang } from '../i18n/lang.js';

const REQUIRED_NODE = '22.13.0';

/** The composition root of the CLI, and the only place that ends the process. */
async function main(): Promise<number> {
  if (!nodeIsRecentEnough(process.versions.node)) {
    const error = new QccError('QCC_ERR_NODE_VERSION', { required: REQUIRED_NODE, found: process.versions.node });
    process.stderr.write(`✗ ${renderError(error.code, error.params, detectLang())}\n`);
    return error.exitCode;
  }
  const ctx = createCliContext(process);
  // The schema's own messages (a number out of range) in the user's language too.
  if (ctx.lang === 'zh') z.config(z.locales.zhCN());
  try {
    await buildProgram(ctx).parseAsync(process.argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error, ctx);
  }
}

function report(error: unknown, ctx: CliContext): number {
  if (error instanceof CommanderError) {
    // Commander has printed its own one-line message (or the help) already.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isQccError(error)) {
    ctx.out.error(ctx.out.color.red(`✗ ${renderError(error.code, error.params, ctx.lang)}`));
    if (ctx.env.QCC_DEBUG && error.cause) console.error(error.cause);
    return error.exitCode;
  }
  // Not a user error: a bug. Show everything.
  console.error(error);
  return 70;
}

function nodeIsRecentEnough(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = REQUIRED_NODE.split('.').map(Number);
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

/** Exits once everything written has left: on macOS, pipes are asynchronous and `exit` would cut them short. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main().then(exitAfterFlush, (error: unknown) => {
  console.error(error);
  exitAfterFlush(70);
});
