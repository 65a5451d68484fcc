import { spawn } from 'node:child_process';
import { QccError } from '../core/errors.js';

/**
 * Runs `claude` in the foreground with the terminal attached and resolves with its exit code (128 + signal number
 * when a signal ended it, as a shell would report). While it runs, Ctrl-C belongs to Claude Code, not to qcc.
 */
export function launchClaude(args: readonly string[], env: NodeJS.ProcessEnv, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('claude', [...args], {
      stdio: 'inherit',
      env,
      // npm installs `claude.cmd` on Windows, which only a shell can run.
      shell: process.platform === 'win32',
    });
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    const done = (): void => void process.off('SIGINT', ignore);
    child.once('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(
        error.code === 'ENOENT'
          ? new QccError('QCC_ERR_CLAUDE_MISSING', { target }, { cause: error })
          : new QccError('QCC_ERR_INTERNAL', { detail: `could not start claude: ${error.message}` }, { cause: error }),
      );
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return (signal && numbers[signal]) ?? 1;
}
