import { groupSchema, setting, type GroupValues } from './setting-spec.js';
import { z } from 'zod';

const MiB = 1024 * 1024;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Every setting of `qcc config`, by group. Defaults follow DESIGN.md §3–§9 and seed 003's FailoverPolicy. */
export const settingGroups = {
  proxy: {
    host: setting.string('127.0.0.1', 'address the gateway listens on; anything but loopback needs proxy.proxyKey'),
    port: setting.int(7860, { min: 1, max: 65535 }, 'port the gateway listens on'),
    proxyKey: setting.secret('key every client must present when the gateway listens beyond loopback'),
    maxBodyBytes: setting.bytes(32 * MiB, { min: 1024, max: 512 * MiB }, 'largest request body accepted'),
    maxAttempts: setting.int(4, { min: 1, max: 10 }, 'endpoints tried at most for one request'),
    retryBudgetPercent: setting.percent(20, 'retries allowed as a share of requests in flight'),
    retryBudgetMin: setting.int(3, { min: 0, max: 1000 }, 'retries always allowed in flight, whatever the share'),
    connectTimeoutMs: setting.duration(10 * SECOND, { min: 100, max: 5 * MINUTE }, 'time to connect to an endpoint'),
    firstByteTimeoutMs: setting.duration(
      60 * SECOND,
      { min: 100, max: 30 * MINUTE },
      'time a stream may take to send its first event before the next endpoint is tried',
    ),
    responseTimeoutMs: setting.duration(
      10 * MINUTE,
      { min: 100, max: HOUR },
      'time a non-streaming request may take before its response headers arrive',
    ),
    streamIdleTimeoutMs: setting.duration(
      5 * MINUTE,
      { min: SECOND, max: HOUR },
      'silence after which a committed stream counts as broken (Anthropic sends pings)',
    ),
    cooldownMaxMs: setting.duration(
      5 * MINUTE,
      { min: SECOND, max: HOUR },
      'longest cool-down an endpoint gets from a 429/529 Retry-After',
    ),
    drainTimeoutMs: setting.duration(
      30 * SECOND,
      { min: 0, max: 10 * MINUTE },
      'how long `qcc proxy stop` lets streams in flight finish',
    ),
    logLevel: setting.enum(['error', 'warn', 'info', 'debug'], 'info', 'lowest level written to proxy.log'),
    logMaxBytes: setting.bytes(10 * MiB, { min: 64 * 1024, max: 1024 * MiB }, 'size at which proxy.log is rotated'),
    logFiles: setting.int(3, { min: 1, max: 50 }, 'rotated log files kept'),
  },
  health: {
    failureThreshold: setting.int(3, { min: 1, max: 100 }, 'consecutive failures that open an endpoint breaker'),
    successThreshold: setting.int(1, { min: 1, max: 100 }, 'successful trials that close a half-open breaker'),
    openBaseMs: setting.duration(
      30 * SECOND,
      { min: 100, max: HOUR },
      'open time after the first opening; it grows by this much with each re-opening',
    ),
    openMaxMs: setting.duration(10 * MINUTE, { min: 100, max: 24 * HOUR }, 'longest time a breaker stays open'),
  },
  queue: {
    holdTimeoutMs: setting.duration(
      2 * MINUTE,
      { min: 0, max: 9 * MINUTE },
      'how long a request waits for an endpoint to become available before failing with 503',
    ),
  },
  loadbalancer: {
    strategy: setting.enum(
      ['weighted', 'round-robin', 'random', 'least-latency', 'least-inflight'],
      'weighted',
      'how an endpoint is picked inside a tier',
    ),
    sticky: setting.boolean(true, 'keep a Claude Code session on one endpoint while it stays available'),
  },
  failover: {
    autoFailover: setting.boolean(true, 'move the active profile to the next priority group when it fails'),
    autoRecovery: setting.boolean(false, 'move back to a higher priority profile once it is healthy again'),
    failureThreshold: setting.int(3, { min: 1, max: 100 }, 'consecutive failed checks before a failover'),
    successThreshold: setting.int(3, { min: 1, max: 100 }, 'consecutive passed checks before a recovery'),
    checkIntervalMs: setting.duration(MINUTE, { min: SECOND, max: HOUR }, 'time between profile health checks'),
    cooldownMs: setting.duration(5 * MINUTE, { min: 0, max: 24 * HOUR }, 'least time between two failovers'),
    recoveryDelayMs: setting.duration(
      10 * MINUTE,
      { min: 0, max: 24 * HOUR },
      'time without failure before a recovery',
    ),
    notifyOnFailover: setting.boolean(true, 'log and announce failovers'),
    notifyOnRecovery: setting.boolean(true, 'log and announce recoveries'),
    maxFailoversPerHour: setting.int(10, { min: 1, max: 1000 }, 'failovers allowed in any hour'),
    webhookUrl: setting.url('URL that receives every failover, recovery and manual switch as JSON'),
  },
} as const;

export type SettingGroups = typeof settingGroups;
export type GroupName = keyof SettingGroups;

export type Settings = { readonly [G in GroupName]: GroupValues<SettingGroups[G]> };

/** Every group defaulted, so `{}` (or no `settings` at all) is a complete set of settings. */
export const settingsSchema = z
  .strictObject(Object.fromEntries(Object.entries(settingGroups).map(([name, group]) => [name, groupSchema(group)])))
  .prefault({}) as unknown as z.ZodType<Settings, unknown>;
