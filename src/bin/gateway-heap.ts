import { setFlagsFromString } from 'node:v8';

/**
 * When V8 starts a full (mark-compact) collection, for the gateway process. Imported first by the gateway's entry.
 *
 * By default V8 starts incremental marking as soon as the room left below the old generation's limit is smaller than
 * the young generation (16 MB semi-spaces on 64-bit), whether or not the old generation is growing. A proxy keeps
 * little alive between requests, so V8 grows that limit slowly: with ~18 MB live and 100 requests in flight the room
 * stays at ~24 MB, under the young generation, and a full collection ran every ~130 ms, its concurrent marking
 * costing ~100 µs of CPU per request (`--trace-gc`, `--trace-incremental-marking` under `npm run bench`).
 *
 * With a soft trigger, marking starts once the old generation has grown through 80 % of that room since the last
 * full collection, which is what the room is for. The limit itself is unchanged, so a heap that really grows is
 * still collected as before. V8 reads this flag each time it decides, so setting it now, before the gateway
 * allocates, is enough; an older or newer V8 without the flag prints one line and the gateway runs with the default.
 */
export const GATEWAY_V8_FLAGS = '--incremental-marking-soft-trigger=80';

setFlagsFromString(GATEWAY_V8_FLAGS);

/**
 * The young generation is not sized by start-up. V8 doubles the young generation when much of it survives a
 * scavenge; while the gateway starts, nearly everything survives (modules, schemas, the pool: objects that live as
 * long as the process), and that alone took the gateway's young generation from 8 to 16 MB before its first request:
 * ~8 MB more resident while idle, for objects a larger young generation cannot help die. So it does not grow until
 * the gateway is ready (`startupDone`); from then on it grows with the traffic, as V8 decides.
 */
setFlagsFromString('--semi-space-growth-factor=1');

/** V8's own growth factor (2), once start-up is over. */
export function startupDone(): void {
  setFlagsFromString('--semi-space-growth-factor=2');
}
