// A simulator in its own process, for the benchmark: `node dist/simulator/serve.js --port 0 --chunks 5`.
// Prints `{"url":…,"pid":…}` once listening; SIGTERM or SIGINT closes it.
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';
import type { Simulator } from './types.js';

async function main(): Promise<Simulator> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      chunks: { type: 'string', default: '5' },
      'event-gap-ms': { type: 'string', default: '0' },
      'latency-ms': { type: 'string', default: '0' },
      name: { type: 'string', default: 'sim' },
    },
  });
  return startSimulator({
    port: Number(values.port),
    chunks: Number(values.chunks),
    eventGapMs: Number(values['event-gap-ms']),
    latencyMs: Number(values['latency-ms']),
    name: values.name,
  });
}

try {
  const simulator = await main();
  process.stdout.write(`${JSON.stringify({ url: simulator.url, pid: process.pid })}\n`);
  const shutdown = (): void => void simulator.close();
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
} catch (error) {
  process.stderr.write(`simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
