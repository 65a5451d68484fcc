// The benchmark's fake upstream, one process for all three targets:
// `node dist/bench/upstream.js --chunks N`. Prints `{"url":…,"pid":…}` once listening; SIGTERM, SIGINT or the loss
// of the parent's IPC channel closes it.
//
// It is `dist/simulator/serve.js` plus two things the benchmark needs:
// - the event gap is chosen per request (header `x-bench-gap-ms`, through the simulator's `slow` fault), so that
//   the JSON phases (no gap: a gap would drip a JSON body in pieces), the streaming phase (a small gap) and the held
//   streams of the RSS phase (a gap of minutes) all run against the same process;
// - recorded requests are forgotten every 100 ms: the simulator keeps each request with its parsed body, which at
//   thousands of 50 KB requests a second would grow to gigabytes and turn the upstream into the bottleneck.
import { parseArgs } from 'node:util';
import { startSimulator, type FaultScript } from '../simulator/index.js';

const GAP_HEADER = 'x-bench-gap-ms';

const gapScript: FaultScript = (request) => {
  const gap = request.headers[GAP_HEADER];
  if (typeof gap !== 'string') return undefined;
  const gapMs = Number(gap);
  return Number.isFinite(gapMs) && gapMs > 0 ? { kind: 'slow', gapMs } : undefined;
};

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    chunks: { type: 'string', default: '5' },
    'latency-ms': { type: 'string', default: '0' },
  },
});

try {
  const simulator = await startSimulator({
    host: '127.0.0.1',
    port: Number(values.port),
    chunks: Number(values.chunks),
    latencyMs: Number(values['latency-ms']),
    name: 'bench',
  });
  simulator.script(gapScript);
  setInterval(() => {
    simulator.reset();
    simulator.script(gapScript);
  }, 100).unref();
  process.stdout.write(`${JSON.stringify({ url: simulator.url, pid: process.pid })}\n`);
  const shutdown = (): void => void simulator.close().then(() => process.exit(0));
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.once('disconnect', shutdown);
} catch (error) {
  process.stderr.write(`bench upstream: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
