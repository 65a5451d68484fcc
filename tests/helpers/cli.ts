import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI, as a user runs it. Tests run after `npm run build`. */
export const QCC_BIN = fileURLToPath(new URL('../../../dist/bin/qcc.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** Spawns `node dist/bin/qcc.js ARGS` with piped (non-TTY) stdio and collects what it printed. */
export function runCli(args: readonly string[], options: RunOptions): Promise<CliResult> {
  return runProgram(process.execPath, [QCC_BIN, ...args], { input: '', ...options }, `qcc ${args.join(' ')}`);
}

/**
 * Runs a program to its end and collects what it printed; stdin is `input` (or nothing at all without it). Killed,
 * and the promise rejected, after `timeoutMs` (default 30 s).
 */
export function runProgram(command: string, args: readonly string[], options: RunOptions, label = `${command} ${args.join(' ')}`): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
