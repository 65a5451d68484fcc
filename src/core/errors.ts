import { fillTemplate } from './template.js';

/**
 * The one catalogue of qcc's errors. Code branches on `code`, never on message text. Each entry carries the exit
 * code the CLI uses, the HTTP status (and Anthropic error type) the gateway answers with, and the message in both
 * languages. A user error's message names the fix.
 */

interface CatalogueEntry {
  readonly exit: number;
  readonly http: number;
  /** The Anthropic `error.type` the gateway puts in its body. */
  readonly type: AnthropicErrorType;
  readonly en: string;
  readonly zh: string;
}

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

const entry = (
  exit: number,
  http: number,
  type: AnthropicErrorType,
  en: string,
  zh: string,
): CatalogueEntry => ({ exit, http, type, en, zh });

export const errorCatalogue = {
  // ── general ──────────────────────────────────────────────────────────────
  QCC_ERR_USAGE: entry(2, 400, 'invalid_request_error', '{detail}', '{detail}'),
  QCC_ERR_ARGUMENT_MISSING: entry(
    2,
    400,
    'invalid_request_error',
    'missing argument <{name}> — `{command} --help` shows how to call it',
    '缺少参数 <{name}> — 用 `{command} --help` 查看用法',
  ),
  QCC_ERR_ARGUMENTS_EXCESS: entry(
    2,
    400,
    'invalid_request_error',
    'too many arguments — `{command} --help` shows how to call it',
    '参数过多 — 用 `{command} --help` 查看用法',
  ),
  QCC_ERR_OPTION_UNKNOWN: entry(
    2,
    400,
    'invalid_request_error',
    'unknown option {option}{hint} — `{command} --help` lists the options',
    '未知选项 {option}{hint} — 用 `{command} --help` 查看全部选项',
  ),
  QCC_ERR_OPTION_VALUE_MISSING: entry(
    2,
    400,
    'invalid_request_error',
    '{option} needs a value — `{command} --help` shows how to call it',
    '{option} 需要一个值 — 用 `{command} --help` 查看用法',
  ),
  QCC_ERR_OPTION_CHOICE: entry(
    2,
    400,
    'invalid_request_error',
    "invalid value '{value}' for {option} — choose one of {choices}",
    "{option} 的值 '{value}' 无效 — 可选：{choices}",
  ),
  QCC_ERR_COMMAND_UNKNOWN: entry(
    2,
    400,
    'invalid_request_error',
    "unknown command '{name}'{hint} — `{command} --help` lists the commands",
    "未知命令 '{name}'{hint} — 用 `{command} --help` 查看全部命令",
  ),
  QCC_ERR_NEEDS_TTY: entry(
    2,
    400,
    'invalid_request_error',
    '{what} is missing and there is no terminal to ask — pass {flag}',
    '缺少{what}，且当前不是交互式终端 — 请使用 {flag}',
  ),
  QCC_ERR_CANCELLED: entry(130, 499, 'api_error', 'cancelled', '已取消'),
  QCC_ERR_NODE_VERSION: entry(
    1,
    500,
    'api_error',
    'qcc needs Node.js {required} or newer, this is {found} — install a newer Node.js (https://nodejs.org)',
    'qcc 需要 Node.js {required} 或更高版本，当前为 {found} — 请安装新版 Node.js (https://nodejs.org)',
  ),
  QCC_ERR_INTERNAL: entry(70, 500, 'api_error', 'internal error: {detail}', '内部错误：{detail}'),
  QCC_ERR_FILE_READ: entry(1, 500, 'api_error', 'cannot read {file}: {reason}', '无法读取 {file}：{reason}'),
  QCC_ERR_FILE_WRITE: entry(1, 500, 'api_error', 'cannot write {file}: {reason}', '无法写入 {file}：{reason}'),

  // ── configuration file ───────────────────────────────────────────────────
  QCC_ERR_CONFIG_MALFORMED: entry(
    5,
    500,
    'api_error',
    '{file} is not valid JSON (line {line}, column {column}: {detail}) — fix that line; qcc left the file untouched',
    '{file} 不是有效的 JSON（第 {line} 行第 {column} 列：{detail}）— 请修正该行；qcc 未改动此文件',
  ),
  QCC_ERR_CONFIG_INVALID: entry(
    5,
    422,
    'invalid_request_error',
    '{file} has {count} problem(s) — fix them and try again:\n{problems}',
    '{file} 有 {count} 处问题 — 请修正后重试：\n{problems}',
  ),
  QCC_ERR_CONFIG_VERSION: entry(
    5,
    500,
    'api_error',
    '{file} has version {found}, newer than this qcc understands ({known}) — upgrade qcc',
    '{file} 的版本为 {found}，高于当前 qcc 支持的版本 {known} — 请升级 qcc',
  ),
  QCC_ERR_CONFIG_LOCKED: entry(
    1,
    503,
    'api_error',
    'another qcc process is writing {file} — try again in a moment',
    '另一个 qcc 进程正在写入 {file} — 请稍后重试',
  ),
  QCC_ERR_SETTING_UNKNOWN: entry(
    2,
    400,
    'invalid_request_error',
    "unknown setting '{key}'{hint} — `qcc config list` shows every setting",
    "未知的设置项 '{key}'{hint} — 用 `qcc config list` 查看全部设置",
  ),
  QCC_ERR_SETTING_VALUE: entry(
    2,
    400,
    'invalid_request_error',
    'invalid value for {key}: {reason}',
    '{key} 的值无效：{reason}',
  ),

  // ── profiles ─────────────────────────────────────────────────────────────
  QCC_ERR_PROFILE_NOT_FOUND: entry(
    3,
    404,
    'not_found_error',
    "profile '{name}' not found — `qcc list` shows your profiles",
    "配置 '{name}' 不存在 — 用 `qcc list` 查看已有配置",
  ),
  QCC_ERR_PROFILE_EXISTS: entry(
    4,
    409,
    'invalid_request_error',
    "a profile named '{name}' already exists — pick another name, or `qcc remove {name}` first",
    "已存在名为 '{name}' 的配置 — 请换一个名称，或先执行 `qcc remove {name}`",
  ),
  QCC_ERR_PROFILE_NAME: entry(
    2,
    400,
    'invalid_request_error',
    "'{name}' is not a valid profile name — use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    "'{name}' 不是有效的配置名 — 请使用 1–64 个字母、数字、'.'、'_' 或 '-'，并以字母或数字开头",
  ),
  QCC_ERR_PROFILE_IN_USE: entry(
    4,
    409,
    'invalid_request_error',
    "profile '{name}' is used by {users} — pass --force to remove it anyway",
    "配置 '{name}' 正被{users}使用 — 如仍要删除请加 --force",
  ),
  QCC_ERR_NO_PROFILES: entry(
    3,
    404,
    'not_found_error',
    'no profiles yet — add one with `qcc add NAME`',
    '还没有任何配置 — 用 `qcc add 名称` 添加一个',
  ),
  QCC_ERR_NO_DEFAULT: entry(
    3,
    404,
    'not_found_error',
    'no default profile — name one (`qcc use NAME`) or set it with `qcc default NAME`',
    '没有默认配置 — 请指定名称（`qcc use 名称`）或用 `qcc default 名称` 设置',
  ),
  QCC_ERR_URL_INVALID: entry(
    2,
    400,
    'invalid_request_error',
    "'{url}' is not a usable base URL — give an http:// or https:// address, e.g. https://api.anthropic.com",
    "'{url}' 不是可用的 Base URL — 请填写 http:// 或 https:// 地址，例如 https://api.anthropic.com",
  ),
  QCC_ERR_KEY_EMPTY: entry(
    2,
    400,
    'invalid_request_error',
    'the API key is empty — pass --api-key KEY',
    'API Key 为空 — 请使用 --api-key KEY',
  ),
  QCC_ERR_VENDOR_UNKNOWN: entry(
    2,
    400,
    'invalid_request_error',
    "unknown vendor '{vendor}'{hint} — `qcc vendors` lists them",
    "未知的服务商 '{vendor}'{hint} — 用 `qcc vendors` 查看列表",
  ),
  QCC_ERR_NOTHING_TO_CHANGE: entry(
    2,
    400,
    'invalid_request_error',
    'nothing to change — pass {flags}',
    '没有要修改的内容 — 请使用 {flags}',
  ),
  QCC_ERR_FLAG_CONFLICT: entry(
    2,
    400,
    'invalid_request_error',
    '{first} and {second} cannot be used together — keep one',
    '{first} 与 {second} 不能同时使用 — 请只保留一个',
  ),

  // ── clusters and endpoints ───────────────────────────────────────────────
  QCC_ERR_NOT_A_CLUSTER: entry(
    2,
    400,
    'invalid_request_error',
    "'{name}' is a plain profile, not a cluster — `qcc endpoint add CLUSTER --primary {name}` makes a cluster from it",
    "'{name}' 是普通配置而不是集群 — 可用 `qcc endpoint add 集群名 --primary {name}` 基于它创建集群",
  ),
  QCC_ERR_CLUSTER_EXISTS: entry(
    4,
    409,
    'invalid_request_error',
    "'{name}' already exists — see it with `qcc endpoint list {name}`, add to it with `qcc endpoint add {name} -f PROFILE`, or start over with `qcc remove {name}`",
    "'{name}' 已存在 — 用 `qcc endpoint list {name}` 查看，用 `qcc endpoint add {name} -f 配置名` 追加，或先 `qcc remove {name}` 后重建",
  ),
  QCC_ERR_ENDPOINT_NOT_FOUND: entry(
    3,
    404,
    'not_found_error',
    "no endpoint '{id}' in '{cluster}' — `qcc endpoint list {cluster}` shows the IDs",
    "'{cluster}' 中没有 ID 为 '{id}' 的 endpoint — 用 `qcc endpoint list {cluster}` 查看 ID",
  ),
  QCC_ERR_ENDPOINT_AMBIGUOUS: entry(
    2,
    400,
    'invalid_request_error',
    "'{id}' matches several endpoints in '{cluster}' ({matches}) — type more of the ID",
    "'{id}' 匹配 '{cluster}' 中的多个 endpoint（{matches}）— 请输入更完整的 ID",
  ),
  QCC_ERR_LAST_ENDPOINT: entry(
    4,
    409,
    'invalid_request_error',
    "'{id}' is the last endpoint of '{cluster}' — remove the whole cluster with `qcc remove {cluster}`",
    "'{id}' 是 '{cluster}' 的最后一个 endpoint — 如需删除整个集群请用 `qcc remove {cluster}`",
  ),
  QCC_ERR_SELECTED_TWICE: entry(
    2,
    400,
    'invalid_request_error',
    "'{name}' is selected more than once — a profile goes in one group only",
    "'{name}' 被重复选择 — 每个配置只能属于一个组",
  ),
  QCC_ERR_NO_PRIMARY: entry(
    2,
    400,
    'invalid_request_error',
    'a cluster needs at least one primary — pass --primary PROFILE[,PROFILE…]',
    '集群至少需要一个主节点 — 请使用 --primary 配置名[,配置名…]',
  ),
  QCC_ERR_CLUSTER_MEMBER: entry(
    2,
    400,
    'invalid_request_error',
    "'{name}' is a cluster — clusters are built from plain profiles (`qcc list` shows which are which)",
    "'{name}' 是集群 — 集群只能由普通配置组成（用 `qcc list` 查看）",
  ),
  QCC_ERR_CLUSTER_EDIT: entry(
    2,
    400,
    'invalid_request_error',
    "'{name}' is a cluster: `qcc edit` changes only its description — change its endpoints with `qcc endpoint set|add|remove {name}`, or edit the profiles they reuse",
    "'{name}' 是集群：`qcc edit` 只能修改其描述 — 请用 `qcc endpoint set|add|remove {name}` 修改其 endpoint，或修改它复用的配置",
  ),
  QCC_ERR_WEIGHT: entry(
    2,
    400,
    'invalid_request_error',
    "weight must be a whole number from 1 to 1000, not '{value}'",
    "权重必须是 1 到 1000 之间的整数，而不是 '{value}'",
  ),
  QCC_ERR_PRIORITY: entry(
    2,
    400,
    'invalid_request_error',
    "priority must be 1 (primary), 2 (secondary) or 3 (fallback), not '{value}'",
    "优先级必须是 1（主）、2（副）或 3（兜底），而不是 '{value}'",
  ),

  // ── Claude Code integration ──────────────────────────────────────────────
  QCC_ERR_CLAUDE_SETTINGS_MALFORMED: entry(
    5,
    500,
    'api_error',
    '{file} is not valid JSON (line {line}, column {column}: {detail}) — fix that line; qcc left the file untouched',
    '{file} 不是有效的 JSON（第 {line} 行第 {column} 列：{detail}）— 请修正该行；qcc 未改动此文件',
  ),
  QCC_ERR_CLAUDE_SETTINGS_SHAPE: entry(
    5,
    500,
    'api_error',
    '{file}: {detail} — fix it by hand; qcc left the file untouched',
    '{file}：{detail} — 请手动修正；qcc 未改动此文件',
  ),
  QCC_ERR_CLAUDE_MISSING: entry(
    127,
    500,
    'api_error',
    'Claude Code (`claude`) is not installed — install it with `npm install -g @anthropic-ai/claude-code`, then run `claude`; its settings already point at {target}',
    '未安装 Claude Code（`claude`）— 请用 `npm install -g @anthropic-ai/claude-code` 安装后运行 `claude`；其配置已指向 {target}',
  ),

  // ── gateway and daemon ───────────────────────────────────────────────────
  QCC_ERR_GATEWAY_NOT_RUNNING: entry(
    6,
    503,
    'api_error',
    'the gateway is not running — start it with `qcc proxy start`',
    '代理服务器未运行 — 用 `qcc proxy start` 启动',
  ),
  QCC_ERR_GATEWAY_RUNNING: entry(
    6,
    409,
    'api_error',
    'a gateway is already running for {home} (pid {pid}) — see it with `qcc proxy status`, or `qcc proxy restart`',
    '{home} 的代理服务器已在运行（PID {pid}）— 用 `qcc proxy status` 查看，或 `qcc proxy restart` 重启',
  ),
  QCC_ERR_PORT_INVALID: entry(
    2,
    400,
    'invalid_request_error',
    "invalid port '{value}' — use a number from 1 to 65535",
    "端口 '{value}' 无效 — 请使用 1 到 65535 之间的数字",
  ),
  QCC_ERR_PORT_BUSY: entry(
    6,
    503,
    'api_error',
    '{host}:{port} is already in use by another program — pick another port with --port, or stop that program',
    '{host}:{port} 已被其他程序占用 — 请用 --port 换一个端口，或停止该程序',
  ),
  QCC_ERR_GATEWAY_START: entry(
    6,
    503,
    'api_error',
    'the gateway did not start: {detail} — see `qcc proxy logs`',
    '代理服务器启动失败：{detail} — 请查看 `qcc proxy logs`',
  ),
  QCC_ERR_GATEWAY_UNREACHABLE: entry(
    6,
    503,
    'api_error',
    'the gateway (pid {pid}) does not answer at {url}: {detail} — `qcc proxy restart` starts it afresh',
    '代理服务器（PID {pid}）在 {url} 无响应：{detail} — 可用 `qcc proxy restart` 重新启动',
  ),
  QCC_ERR_PROXY_KEY_REQUIRED: entry(
    6,
    500,
    'api_error',
    'binding the gateway to {host} exposes it beyond this machine — set a proxy key first: `qcc config set proxy.proxyKey <secret>`',
    '将代理绑定到 {host} 会暴露给其他机器 — 请先设置代理密钥：`qcc config set proxy.proxyKey <密钥>`',
  ),
  QCC_ERR_UNAUTHORIZED: entry(
    2,
    401,
    'authentication_error',
    'this gateway needs its proxy key: send it as x-api-key or Authorization: Bearer',
    '此代理需要代理密钥：请通过 x-api-key 或 Authorization: Bearer 发送',
  ),
  QCC_ERR_ADMIN_TOKEN: entry(
    2,
    403,
    'permission_error',
    'this control route needs the admin token from {file} — if the file changed, `qcc proxy restart` makes the gateway take it',
    '此管理接口需要 {file} 中的管理令牌 — 若该文件已变更，用 `qcc proxy restart` 让代理使用新令牌',
  ),
  QCC_ERR_ROUTE_NOT_FOUND: entry(
    3,
    404,
    'not_found_error',
    'qcc has no route {method} {path}',
    'qcc 没有路由 {method} {path}',
  ),
  QCC_ERR_BODY_TOO_LARGE: entry(
    2,
    413,
    'request_too_large',
    'request body is larger than proxy.maxBodyBytes ({limit} bytes)',
    '请求体超过 proxy.maxBodyBytes（{limit} 字节）',
  ),
  QCC_ERR_NO_ENDPOINT: entry(
    6,
    503,
    'overloaded_error',
    'no endpoint of qcc became available within {waitedMs} ms (every endpoint is cooling down or open)',
    '在 {waitedMs} 毫秒内没有可用的 endpoint（所有 endpoint 都在冷却或熔断中）',
  ),
  QCC_ERR_NOTHING_TO_SERVE: entry(
    6,
    503,
    'overloaded_error',
    'qcc has no enabled endpoint to send this to — point it at a profile (`qcc use PROFILE`) or enable an endpoint (`qcc endpoint enable CLUSTER ID`)',
    'qcc 没有已启用的 endpoint 来转发请求 — 请选择配置（`qcc use 名称`）或启用 endpoint（`qcc endpoint enable 集群 ID`）',
  ),
  QCC_ERR_UPSTREAM_FAILED: entry(
    6,
    502,
    'api_error',
    'every endpoint tried failed; last: {detail}',
    '所有尝试的 endpoint 均失败；最后一次：{detail}',
  ),
  QCC_ERR_STREAM_BROKEN: entry(
    6,
    502,
    'api_error',
    'the stream from endpoint {endpoint} broke off: {detail}',
    '来自 endpoint {endpoint} 的流中断：{detail}',
  ),
  QCC_ERR_DRAINING: entry(
    6,
    503,
    'overloaded_error',
    'the gateway is shutting down — retry in a moment',
    '代理服务器正在关闭 — 请稍后重试',
  ),
} as const satisfies Record<`QCC_ERR_${string}`, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;
/** A parameter is language-neutral (a name, a number), or given in both languages when it is itself prose. */
export type ErrorParam = string | number | { readonly en: string; readonly zh: string };
export type ErrorParams = Readonly<Record<string, ErrorParam>>;

export class QccError extends Error {
  override readonly name = 'QccError';
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(renderError(code, params, 'en'), options);
    this.code = code;
    this.params = params;
  }

  get exitCode(): number {
    return errorCatalogue[this.code].exit;
  }

  get httpStatus(): number {
    return errorCatalogue[this.code].http;
  }

  get anthropicType(): AnthropicErrorType {
    return errorCatalogue[this.code].type;
  }
}

export function isQccError(value: unknown, code?: ErrorCode): value is QccError {
  return value instanceof QccError && (code === undefined || value.code === code);
}

export function renderError(code: ErrorCode, params: ErrorParams, lang: 'en' | 'zh'): string {
  const inLang = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, typeof value === 'object' ? value[lang] : value]),
  );
  return fillTemplate(errorCatalogue[code][lang], inLang);
}
