import type { Router } from './router.js';

export type HoldResult = 'available' | 'timeout' | 'aborted';

/**
 * DESIGN §4.8: when no endpoint can be tried, the request waits (no byte sent) until one leaves its cool-down or
 * open breaker, a verdict or a reload frees one, or `deadline` passes. It wakes on router changes and on the
 * earliest time an endpoint becomes available by itself.
 */
export function holdForEndpoint(router: Router, clock: () => number, deadline: number, signal: AbortSignal): Promise<HoldResult> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (result: HoldResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const check = (): void => {
      if (done) return;
      if (router.hasAvailable()) return finish('available');
      const now = clock();
      if (now >= deadline) return finish('timeout');
      const next = router.nextAvailableAt();
      const wake = next !== undefined && next > now ? Math.min(next, deadline) : deadline;
      clearTimeout(timer);
      timer = setTimeout(check, Math.max(1, wake - now));
    };
    const onAbort = (): void => finish('aborted');
    const unsubscribe = router.onChange(check);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) return finish('aborted');
    check();
  });
}
