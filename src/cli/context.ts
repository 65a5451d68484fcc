import { randomBytes } from 'node:crypto';
import { QccError } from '../core/errors.js';
import { detectLang, type Lang } from '../i18n/lang.js';
import { resolvePaths, type QccPaths } from '../store/paths.js';
import { createOutput, type Output, type OutputStreams } from './output.js';
import { createPrompter, type Prompter } from './prompter.js';

/** What every command gets from the composition root (bin/qcc.ts); tests build one with temporary homes. */
export interface CliContext {
  readonly paths: QccPaths;
  readonly env: NodeJS.ProcessEnv;
  readonly lang: Lang;
  readonly out: Output;
  /** Standard input and output are a terminal: prompts are allowed. */
  readonly interactive: boolean;
  readonly prompt: Prompter;
  readonly now: () => Date;
  readonly newId: () => string;
  /** The command that runs this CLI again (node + entry script), for starting the gateway in the background. */
  readonly selfCommand: readonly string[];
}

export interface ProcessLike extends OutputStreams {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: { isTTY?: boolean };
  readonly execPath: string;
  readonly argv: readonly string[];
}

export function createCliContext(proc: ProcessLike): CliContext {
  return {
    paths: resolvePaths(proc.env),
    env: proc.env,
    lang: detectLang(proc.env),
    out: createOutput(proc, proc.env),
    interactive: Boolean(proc.stdin.isTTY && proc.stdout.isTTY),
    prompt: createPrompter(),
    now: () => new Date(),
    newId: () => randomBytes(4).toString('hex'),
    selfCommand: [proc.execPath, proc.argv[1] ?? ''],
  };
}

/** Fails with the flag to use when a value is missing and there is nobody to ask. */
export function requireInteractive(ctx: CliContext, what: string, flag: string): void {
  if (!ctx.interactive) throw new QccError('QCC_ERR_NEEDS_TTY', { what, flag });
}
