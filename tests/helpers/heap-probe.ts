// Loaded into a gateway process with `node --import`: when the gateway says it is ready, reports the size of V8's
// young generation then, and again after a churn of objects that survive a few scavenges each (as the objects of
// requests in flight do), on the gateway's IPC channel, before the `ready` message itself.
import { getHeapSpaceStatistics } from 'node:v8';

const youngMb = (): number => (getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0) / 1048576;

/** ~200 MB allocated through a sliding window of ~12 MB that stays alive across scavenges. */
function churn(): number {
  const window: unknown[][] = new Array<unknown[]>(400);
  let sum = 0;
  for (let i = 0; i < 6000; i++) {
    const chunk = Array.from({ length: 1000 }, (_, j) => ({ i, j }));
    window[i % window.length] = chunk;
    sum += chunk.length;
  }
  return sum;
}

const send = process.send?.bind(process);
if (send) {
  process.send = ((message: unknown, ...rest: unknown[]) => {
    if ((message as { type?: unknown } | null)?.type === 'ready') {
      const atReady = youngMb();
      churn();
      send({ type: 'heap-probe', atReady, afterChurn: youngMb() });
    }
    return (send as (...args: unknown[]) => boolean)(message, ...rest);
  }) as typeof process.send;
}
