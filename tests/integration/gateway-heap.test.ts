import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempHome } from '../helpers/temp-home.js';

const GATEWAY = fileURLToPath(new URL('../../../dist/bin/gateway.js', import.meta.url));
const PROBE = new URL('../helpers/heap-probe.js', import.meta.url).href;

interface HeapProbe {
  readonly atReady: number;
  readonly afterChurn: number;
}

/** Starts the built gateway with the probe loaded, on a free port of a temporary home; stops it by its pid. */
async function probeGateway(): Promise<HeapProbe> {
  const home = await makeTempHome();
  const child = spawn(process.execPath, ['--import', PROBE, GATEWAY, '--host', '127.0.0.1', '--port', '0'], {
    env: home.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  try {
    return await new Promise<HeapProbe>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no heap probe within 20 s\n${stderr}`)), 20_000);
      child.on('message', (message: { type?: string } & Partial<HeapProbe>) => {
        if (message.type !== 'heap-probe') return;
        clearTimeout(timer);
        resolve({ atReady: Number(message.atReady), afterChurn: Number(message.afterChurn) });
      });
      child.once('exit', (code) => reject(new Error(`the gateway exited (${code}) before the probe\n${stderr}`)));
    });
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await home.cleanup();
  }
}

describe('the gateway process heap', () => {
  it('starts with a young generation its start-up did not grow, and grows it with traffic once ready', async () => {
    const probe = await probeGateway();
    // V8 left to itself doubles the young generation to 16 MB while the gateway loads its modules.
    assert.ok(probe.atReady <= 4, `young generation at ready: ${probe.atReady} MB`);
    // Once ready, V8's own growth applies again.
    assert.ok(probe.afterChurn > probe.atReady, `young generation after churn: ${probe.afterChurn} MB (at ready ${probe.atReady} MB)`);
  });
});
