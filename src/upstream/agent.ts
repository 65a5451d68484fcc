import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';

/**
 * undici's Agent, loaded from its own module rather than from the package's index. The index also loads fetch,
 * WebSocket, EventSource, the cache and the mocks, which the gateway never uses: ~2.7 MB more resident for the
 * lifetime of the gateway (median of 16 starts each, after one request of each kind) and ~70 ms more at start.
 * tests/integration/undici-agent.test.ts checks that this is the very class the index exports, so an undici that moves
 * the file fails the tests, not the gateway.
 */
const load = createRequire(import.meta.url);

export const Agent = load('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
export type Agent = UndiciAgent;
