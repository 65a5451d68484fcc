/**
 * The environment the gateway process starts with: the caller's, with glibc's malloc held to two arenas unless the
 * caller set `MALLOC_ARENA_MAX` itself. glibc gives each thread that allocates an arena of its own (up to eight per
 * core) and keeps what was freed in it; the gateway's file work runs on libuv's pool threads, and their arenas were
 * ~5 MB of its idle RSS and more under load, with no change in CPU per request that a benchmark could see
 * (docs/bench.md). Other C libraries ignore the variable. Whoever starts a gateway (`qcc proxy start`, the
 * benchmark) starts it with this.
 */
export function gatewayEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.MALLOC_ARENA_MAX === undefined ? { ...env, MALLOC_ARENA_MAX: '2' } : env;
}
