import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { QCC_BIN } from './cli.js';

/**
 * Runs the CLI under a real pseudo-terminal (util-linux `script`), so prompts behave as they do for a person:
 * `expect` waits for text on the screen, `send` types a line.
 */
export class PtySession {
  private output = '';
  private consumed = 0;
  private readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    const command = [process.execPath, QCC_BIN, ...args].map(shellQuote).join(' ');
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...env, TERM: 'xterm', COLUMNS: '120', LINES: '40' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code ?? -1)));
  }

  /** Everything printed so far, with terminal escape sequences removed. */
  get screen(): string {
    return stripAnsi(this.output);
  }

  /** Waits until `text` appears after what earlier expectations consumed. */
  async expect(text: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = stripAnsi(this.output).slice(this.consumed);
      const index = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
      if (index >= 0) {
        this.consumed += index + (typeof text === 'string' ? text.length : (rest.match(text)?.[0].length ?? 0));
        return;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${this.screen}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Types `text` and Enter. */
  send(text: string): void {
    this.child.stdin.write(`${text}\r`);
  }

  /** Sends raw keys, e.g. '\u001b[B' for the down arrow. */
  press(keys: string): void {
    this.child.stdin.write(keys);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- terminal escape sequences are control characters by definition
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007|\r/g, '');
}
