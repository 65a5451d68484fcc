import { groupSchema, setting, type GroupValues } from './setting-spec.js';
import { z } from 'zod';

const MiB = 1024 * 1024;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Every setting of `qcc config`, by group. Defaults follow DESIGN.md §3–§9 and seed 003's FailoverPolicy. */
export const settingGroups = {
  proxy: {
    host: setting.string('127.0.0.1', {
      en: 'address the gateway listens on; anything but loopback needs proxy.proxyKey',
      zh: '代理监听的地址；非回环地址必须设置 proxy.proxyKey',
    }),
    port: setting.int(7860, { min: 1, max: 65535 }, { en: 'port the gateway listens on', zh: '代理监听的端口' }),
    proxyKey: setting.secret({
      en: 'key every client must present when the gateway listens beyond loopback',
      zh: '代理监听非回环地址时，每个客户端都必须提供的密钥',
    }),
    maxBodyBytes: setting.bytes(32 * MiB, { min: 1024, max: 512 * MiB }, {
      en: 'largest request body accepted',
      zh: '接受的最大请求体',
    }),
    maxAttempts: setting.int(4, { min: 1, max: 10 }, {
      en: 'endpoints tried at most for one request',
      zh: '单个请求最多尝试的 endpoint 数',
    }),
    retryBudgetPercent: setting.percent(20, {
      en: 'retries allowed as a share of requests in flight',
      zh: '重试次数占进行中请求的最大比例',
    }),
    retryBudgetMin: setting.int(3, { min: 0, max: 1000 }, {
      en: 'retries always allowed in flight, whatever the share',
      zh: '无论比例如何，始终允许进行中的重试数',
    }),
    connectTimeoutMs: setting.duration(10 * SECOND, { min: 100, max: 5 * MINUTE }, {
      en: 'time to connect to an endpoint',
      zh: '连接 endpoint 的超时时间',
    }),
    firstByteTimeoutMs: setting.duration(
      60 * SECOND,
      { min: 100, max: 30 * MINUTE },
      {
        en: 'time a stream may take to send its first event before the next endpoint is tried',
        zh: '流式响应发出第一个事件的时限，超时后改试下一个 endpoint',
      },
    ),
    responseTimeoutMs: setting.duration(
      10 * MINUTE,
      { min: 100, max: HOUR },
      { en: 'time a non-streaming request may take before its response headers arrive', zh: '非流式请求等待响应头的时限' },
    ),
    streamIdleTimeoutMs: setting.duration(
      5 * MINUTE,
      { min: SECOND, max: HOUR },
      {
        en: 'silence after which a committed stream counts as broken (Anthropic sends pings)',
        zh: '已提交的流静默多久即视为中断（Anthropic 会发送 ping）',
      },
    ),
    cooldownMaxMs: setting.duration(
      5 * MINUTE,
      { min: SECOND, max: HOUR },
      {
        en: 'longest cool-down an endpoint gets from a 429/529 Retry-After',
        zh: '429/529 的 Retry-After 给 endpoint 带来的最长冷却时间',
      },
    ),
    drainTimeoutMs: setting.duration(
      30 * SECOND,
      { min: 0, max: 10 * MINUTE },
      { en: 'how long `qcc proxy stop` lets streams in flight finish', zh: '`qcc proxy stop` 等待进行中的流结束的时长' },
    ),
    logLevel: setting.enum(['error', 'warn', 'info', 'debug'], 'info', {
      en: 'lowest level written to proxy.log',
      zh: '写入 proxy.log 的最低日志级别',
    }),
    logMaxBytes: setting.bytes(10 * MiB, { min: 64 * 1024, max: 1024 * MiB }, {
      en: 'size at which proxy.log is rotated',
      zh: 'proxy.log 轮转时的大小',
    }),
    logFiles: setting.int(3, { min: 1, max: 50 }, { en: 'rotated log files kept', zh: '保留的轮转日志文件数' }),
  },
  health: {
    failureThreshold: setting.int(3, { min: 1, max: 100 }, {
      en: 'consecutive failures that open an endpoint breaker',
      zh: '使 endpoint 熔断器打开的连续失败次数',
    }),
    successThreshold: setting.int(1, { min: 1, max: 100 }, {
      en: 'successful trials that close a half-open breaker',
      zh: '使半开熔断器关闭的成功试探次数',
    }),
    openBaseMs: setting.duration(
      30 * SECOND,
      { min: 100, max: HOUR },
      {
        en: 'open time after the first opening; it grows by this much with each re-opening',
        zh: '首次熔断的打开时长；每次再熔断都增加这么多',
      },
    ),
    openMaxMs: setting.duration(10 * MINUTE, { min: 100, max: 24 * HOUR }, {
      en: 'longest time a breaker stays open',
      zh: '熔断器保持打开的最长时间',
    }),
  },
  queue: {
    holdTimeoutMs: setting.duration(
      2 * MINUTE,
      { min: 0, max: 9 * MINUTE },
      {
        en: 'how long a request waits for an endpoint to become available before failing with 503',
        zh: '请求等待可用 endpoint 的时长，超时后返回 503',
      },
    ),
  },
  loadbalancer: {
    strategy: setting.enum(
      ['weighted', 'round-robin', 'random', 'least-latency', 'least-inflight'],
      'weighted',
      { en: 'how an endpoint is picked inside a tier', zh: '同一层级内选择 endpoint 的方式' },
    ),
    sticky: setting.boolean(true, {
      en: 'keep a Claude Code session on one endpoint while it stays available',
      zh: '在 endpoint 可用期间，让同一个 Claude Code 会话固定使用它',
    }),
  },
  failover: {
    autoFailover: setting.boolean(true, {
      en: 'move the active profile to the next priority group when it fails',
      zh: '当前活跃配置故障时，切换到下一优先级组',
    }),
    autoRecovery: setting.boolean(false, {
      en: 'move back to a higher priority profile once it is healthy again',
      zh: '更高优先级的配置恢复健康后切回',
    }),
    failureThreshold: setting.int(3, { min: 1, max: 100 }, {
      en: 'consecutive failed checks before a failover',
      zh: '触发故障转移前的连续失败检查次数',
    }),
    successThreshold: setting.int(3, { min: 1, max: 100 }, {
      en: 'consecutive passed checks before a recovery',
      zh: '触发恢复前的连续成功检查次数',
    }),
    checkIntervalMs: setting.duration(MINUTE, { min: SECOND, max: HOUR }, {
      en: 'time between profile health checks',
      zh: '配置健康检查的间隔',
    }),
    cooldownMs: setting.duration(5 * MINUTE, { min: 0, max: 24 * HOUR }, {
      en: 'least time between two failovers',
      zh: '两次故障转移之间的最短间隔',
    }),
    recoveryDelayMs: setting.duration(
      10 * MINUTE,
      { min: 0, max: 24 * HOUR },
      { en: 'time without failure before a recovery', zh: '恢复前需持续无故障的时长' },
    ),
    notifyOnFailover: setting.boolean(true, { en: 'log and announce failovers', zh: '记录并通知故障转移' }),
    notifyOnRecovery: setting.boolean(true, { en: 'log and announce recoveries', zh: '记录并通知恢复' }),
    maxFailoversPerHour: setting.int(10, { min: 1, max: 1000 }, {
      en: 'failovers allowed in any hour',
      zh: '每小时允许的最多故障转移次数',
    }),
    webhookUrl: setting.url({
      en: 'URL that receives every failover, recovery and manual switch as JSON',
      zh: '以 JSON 接收每次故障转移、恢复和手动切换的 URL',
    }),
  },
} as const;

export type SettingGroups = typeof settingGroups;
export type GroupName = keyof SettingGroups;

export type Settings = { readonly [G in GroupName]: GroupValues<SettingGroups[G]> };

/** Every group defaulted, so `{}` (or no `settings` at all) is a complete set of settings. */
export const settingsSchema = z
  .strictObject(Object.fromEntries(Object.entries(settingGroups).map(([name, group]) => [name, groupSchema(group)])))
  .prefault({}) as unknown as z.ZodType<Settings, unknown>;
