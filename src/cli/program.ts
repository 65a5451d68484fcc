import { Command, Option } from 'commander';
import { defineText } from '../i18n/text.js';
import { packageInfo } from '../package-info.js';
import type { CliContext } from './context.js';
import { reportUsageErrorsInCatalogue } from './usage-errors.js';

const text = defineText({
  en: {
    qcc: 'Quick Claude Config: provider profiles for Claude Code, and a local failover gateway over them',
    help: 'show help for a command',
    version: 'print the version',
    json: 'print JSON',
    init: 'create the qcc home folder; offer to save the provider Claude Code already uses as a first profile',
    initImportAs: "save Claude Code's current provider as profile NAME without asking",
    initSkipImport: "do not offer to save Claude Code's current provider",
    add: 'add a provider profile (base URL + API key)',
    addName: 'profile name',
    baseUrl: 'base URL of the Anthropic-compatible API, e.g. https://api.anthropic.com',
    apiKey: 'API key (prompted for, hidden, on a terminal)',
    authStyle: 'how the key is sent: bearer (Authorization: Bearer, most relays) or x-api-key (the official API)',
    description: 'a note shown in listings',
    vendor: 'fill the base URL and auth style from a known provider (`qcc vendors`)',
    edit: "change a profile's URL, key, auth style or description; clusters reusing it follow",
    list: 'list profiles and clusters',
    show: 'show one profile with its endpoints (keys masked)',
    defaultCmd: 'show the default profile, or make NAME the default',
    remove: 'remove a profile or cluster',
    yes: 'do not ask for confirmation',
    force: 'remove even when clusters or priority groups use it',
    use: "point Claude Code at a profile and launch `claude` (arguments after -- go to claude)",
    useName: 'profile (default: a picker on a terminal, else the default profile)',
    claudeArgs: 'arguments passed to claude',
    noLaunch: 'only update Claude Code settings, do not launch claude',
    restore: "put back the values Claude Code's settings.json had before qcc changed it",
    vendors: 'list known Anthropic-compatible providers',
    config: 'read and change settings (proxy.*, health.*, queue.*, loadbalancer.*, failover.*)',
    configGet: 'print one setting',
    configSet: 'change one setting (durations take 30s, 5m…; sizes take 512KiB, 32MiB…)',
    configList: 'list every setting with its value and default',
    configReset: 'put one setting, or all of them, back to the default',
    configExport: 'write the whole configuration to FILE (API keys left out)',
    includeSecrets: 'include API keys and the proxy key in the export',
    configImport: 'replace the configuration with FILE after checking it (the old one is backed up)',
    configSchema: "print the JSON Schema of config.json",
    endpoint: 'build clusters of endpoints (primaries share the load, secondaries take over)',
    endpointAdd: 'create cluster CLUSTER from existing profiles, or add one endpoint to it (-f PROFILE, or --base-url and --api-key)',
    cluster: 'cluster name',
    primary: 'profiles for the primaries, comma-separated (priority 1)',
    secondary: 'profiles for the secondaries, comma-separated (priority 2)',
    fallback: 'profiles for the fallbacks, comma-separated (priority 3)',
    from: 'add one endpoint reusing profile PROFILE (its key changes follow)',
    weight: 'weight 1–1000 (default 100)',
    priority: 'priority 1 (primary), 2 (secondary) or 3 (fallback)',
    host: 'address for the gateway (default: proxy.host, 127.0.0.1)',
    port: 'port for the gateway (default: proxy.port, 7860)',
    noAutoStart: 'do not offer to start the gateway and Claude Code',
    endpointList: 'list the endpoints of a cluster, grouped by priority',
    endpointRemove: 'remove an endpoint from a cluster',
    endpointId: 'endpoint ID (or a unique prefix)',
    endpointEnable: 'let an endpoint take traffic again',
    endpointDisable: 'take an endpoint out of rotation without removing it',
    endpointSet: "change an endpoint's weight or priority",
    proxy: 'run the local gateway that Claude Code talks to',
    proxyStart: 'start the gateway in the background (returns once it answers)',
    proxyCluster: 'make profile NAME the active one first',
    foreground: 'run attached to this terminal (Ctrl-C stops it)',
    proxyStop: 'stop the gateway; streams in flight may finish first',
    proxyStatus: 'show the gateway, its endpoints and their health (exit code 3 when not running)',
    proxyRestart: 'stop and start the gateway (same address unless given)',
    proxyLogs: 'show the gateway log',
    lines: 'how many lines (default 50)',
    follow: 'keep printing new lines',
    level: 'lowest level shown: debug, info, warn or error',
    grep: 'only lines containing TEXT',
    jsonLines: 'print the raw JSON lines',
  },
  zh: {
    qcc: 'Quick Claude Config：为 Claude Code 管理服务商配置，并提供本地故障转移代理',
    help: '显示命令帮助',
    version: '显示版本',
    json: '以 JSON 输出',
    init: '创建 qcc 目录；若 Claude Code 已配置服务商，可保存为第一个配置',
    initImportAs: '不询问，直接将 Claude Code 当前的服务商保存为配置 NAME',
    initSkipImport: '不询问是否保存 Claude Code 当前的服务商',
    add: '添加服务商配置（Base URL + API Key）',
    addName: '配置名称',
    baseUrl: 'Anthropic 兼容 API 的 Base URL，例如 https://api.anthropic.com',
    apiKey: 'API Key（在终端中会隐藏输入）',
    authStyle: 'Key 的发送方式：bearer（Authorization: Bearer，多数中转）或 x-api-key（官方 API）',
    description: '在列表中显示的备注',
    vendor: '从已知服务商填入 Base URL 与认证方式（见 `qcc vendors`）',
    edit: '修改配置的 URL、Key、认证方式或描述；复用它的集群随之更新',
    list: '列出配置与集群',
    show: '显示单个配置及其 endpoint（Key 已脱敏）',
    defaultCmd: '显示默认配置，或将 NAME 设为默认',
    remove: '删除配置或集群',
    yes: '不再确认',
    force: '即使被集群或优先级组使用也删除',
    use: '让 Claude Code 使用某个配置并启动 `claude`（-- 之后的参数传给 claude）',
    useName: '配置名（默认：终端中弹出选择，否则使用默认配置）',
    claudeArgs: '传给 claude 的参数',
    noLaunch: '只更新 Claude Code 配置，不启动 claude',
    restore: '恢复 Claude Code settings.json 在 qcc 修改之前的值',
    vendors: '列出已知的 Anthropic 兼容服务商',
    config: '查看和修改设置（proxy.*、health.*、queue.*、loadbalancer.*、failover.*）',
    configGet: '显示一个设置项',
    configSet: '修改一个设置项（时长可写 30s、5m…；大小可写 512KiB、32MiB…）',
    configList: '列出全部设置项及其当前值和默认值',
    configReset: '将一个或全部设置项恢复为默认值',
    configExport: '将完整配置写入 FILE（不含 API Key）',
    includeSecrets: '导出时包含 API Key 和代理密钥',
    configImport: '校验 FILE 后用它替换当前配置（旧配置会先备份）',
    configSchema: '输出 config.json 的 JSON Schema',
    endpoint: '管理 endpoint 集群（主节点分担负载，副节点故障时接管）',
    endpointAdd: '用已有配置创建集群 CLUSTER，或向其添加一个 endpoint（-f 配置名，或 --base-url 与 --api-key）',
    cluster: '集群名称',
    primary: '作为主节点的配置，逗号分隔（优先级 1）',
    secondary: '作为副节点的配置，逗号分隔（优先级 2）',
    fallback: '作为兜底节点的配置，逗号分隔（优先级 3）',
    from: '复用配置 PROFILE 添加一个 endpoint（其 Key 变更会同步）',
    weight: '权重 1–1000（默认 100）',
    priority: '优先级 1（主）、2（副）或 3（兜底）',
    host: '代理服务器监听地址（默认 proxy.host，127.0.0.1）',
    port: '代理服务器监听端口（默认 proxy.port，7860）',
    noAutoStart: '创建后不询问是否启动代理和 Claude Code',
    endpointList: '按优先级列出集群中的 endpoint',
    endpointRemove: '从集群中删除 endpoint',
    endpointId: 'endpoint ID（或唯一前缀）',
    endpointEnable: '重新启用 endpoint',
    endpointDisable: '暂停 endpoint（不删除）',
    endpointSet: '修改 endpoint 的权重或优先级',
    proxy: '管理 Claude Code 访问的本地代理服务器',
    proxyStart: '在后台启动代理服务器（就绪后返回）',
    proxyCluster: '先将配置 NAME 设为活跃配置',
    foreground: '在当前终端前台运行（Ctrl-C 停止）',
    proxyStop: '停止代理服务器；进行中的流可先完成',
    proxyStatus: '显示代理服务器、endpoint 及其健康状态（未运行时退出码为 3）',
    proxyRestart: '重启代理服务器（默认沿用原地址）',
    proxyLogs: '查看代理服务器日志',
    lines: '显示行数（默认 50）',
    follow: '持续输出新日志',
    level: '最低日志级别：debug、info、warn 或 error',
    grep: '只显示包含 TEXT 的行',
    jsonLines: '输出原始 JSON 行',
  },
});

/** Commander's section titles, for help in Chinese. */
const HELP_TITLES_ZH: Readonly<Record<string, string>> = {
  'Usage:': '用法：',
  'Options:': '选项：',
  'Commands:': '命令：',
  'Arguments:': '参数：',
  'Global Options:': '全局选项：',
};

/** The command tree. Registration is thin: each action imports its command module only when it runs. */
export function buildProgram(ctx: CliContext): Command {
  const t = text(ctx.lang);
  const program = new Command('qcc')
    .description(t('qcc'))
    .version(packageInfo.version, '-v, --version', t('version'))
    .helpOption('-h, --help', t('help'))
    .helpCommand(false)
    .configureHelp({ styleTitle: (title) => (ctx.lang === 'zh' ? (HELP_TITLES_ZH[title] ?? title) : title) })
    .showSuggestionAfterError(true)
    .exitOverride();
  const json = (): Option => new Option('--json', t('json'));
  const authStyle = (): Option => new Option('--auth-style <style>', t('authStyle')).choices(['bearer', 'x-api-key']);

  program
    .command('init')
    .description(t('init'))
    .option('--import-as <name>', t('initImportAs'))
    .option('--skip-import', t('initSkipImport'))
    .action(async (options) => (await import('./commands/init.js')).runInit(ctx, options));

  program
    .command('add')
    .description(t('add'))
    .argument('<name>', t('addName'))
    .option('--base-url <url>', t('baseUrl'))
    .option('--api-key <key>', t('apiKey'))
    .addOption(authStyle())
    .option('-d, --description <text>', t('description'))
    .option('--vendor <id>', t('vendor'))
    .action(async (name: string, options) => (await import('./commands/profiles.js')).runAdd(ctx, name, options));

  program
    .command('edit')
    .description(t('edit'))
    .argument('<name>', t('addName'))
    .option('--base-url <url>', t('baseUrl'))
    .option('--api-key <key>', t('apiKey'))
    .addOption(authStyle())
    .option('-d, --description <text>', t('description'))
    .action(async (name: string, options) => (await import('./commands/profiles.js')).runEdit(ctx, name, options));

  program
    .command('list')
    .alias('ls')
    .description(t('list'))
    .addOption(json())
    .action(async (options) => (await import('./commands/profiles.js')).runList(ctx, options));

  program
    .command('show')
    .description(t('show'))
    .argument('<name>', t('addName'))
    .addOption(json())
    .action(async (name: string, options) => (await import('./commands/profiles.js')).runShow(ctx, name, options));

  program
    .command('default')
    .description(t('defaultCmd'))
    .argument('[name]', t('addName'))
    .action(async (name: string | undefined) => (await import('./commands/profiles.js')).runDefault(ctx, name));

  program
    .command('remove')
    .alias('rm')
    .description(t('remove'))
    .argument('<name>', t('addName'))
    .option('-y, --yes', t('yes'))
    .option('--force', t('force'))
    .action(async (name: string, options) => (await import('./commands/profiles.js')).runRemove(ctx, name, options));

  program
    .command('use')
    .description(t('use'))
    .argument('[name]', t('useName'))
    .argument('[claudeArgs...]', t('claudeArgs'))
    .option('--no-launch', t('noLaunch'))
    .action(async (name: string | undefined, claudeArgs: string[], options) => (await import('./commands/use.js')).runUse(ctx, name, { ...options, claudeArgs }));

  program
    .command('restore')
    .description(t('restore'))
    .action(async () => (await import('./commands/use.js')).runRestore(ctx));

  program
    .command('vendors')
    .description(t('vendors'))
    .addOption(json())
    .action(async (options) => (await import('./commands/profiles.js')).runVendors(ctx, options));

  const config = program.command('config').description(t('config')).helpCommand(false);
  config
    .command('get')
    .description(t('configGet'))
    .argument('<key>')
    .addOption(json())
    .action(async (key: string, options) => (await import('./commands/config.js')).runConfigGet(ctx, key, options));
  config
    .command('set')
    .description(t('configSet'))
    .argument('<key>')
    .argument('<value>')
    .action(async (key: string, value: string) => (await import('./commands/config.js')).runConfigSet(ctx, key, value));
  config
    .command('list')
    .description(t('configList'))
    .addOption(json())
    .action(async (options) => (await import('./commands/config.js')).runConfigList(ctx, options));
  config
    .command('reset')
    .description(t('configReset'))
    .argument('[key]')
    .action(async (key: string | undefined) => (await import('./commands/config.js')).runConfigReset(ctx, key));
  config
    .command('export')
    .description(t('configExport'))
    .argument('<file>')
    .option('--include-secrets', t('includeSecrets'))
    .action(async (file: string, options) => (await import('./commands/config.js')).runConfigExport(ctx, file, options));
  config
    .command('import')
    .description(t('configImport'))
    .argument('<file>')
    .action(async (file: string) => (await import('./commands/config.js')).runConfigImport(ctx, file));
  config
    .command('schema')
    .description(t('configSchema'))
    .action(async () => (await import('./commands/config.js')).runConfigSchema(ctx));

  const endpoint = program.command('endpoint').description(t('endpoint')).helpCommand(false);
  endpoint
    .command('add')
    .description(t('endpointAdd'))
    .argument('<cluster>', t('cluster'))
    .option('--primary <profiles>', t('primary'))
    .option('--secondary <profiles>', t('secondary'))
    .option('--fallback <profiles>', t('fallback'))
    .option('-f, --from <profile>', t('from'))
    .option('--base-url <url>', t('baseUrl'))
    .option('--api-key <key>', t('apiKey'))
    .addOption(authStyle())
    .option('-w, --weight <weight>', t('weight'))
    .option('--priority <priority>', t('priority'))
    .option('--host <host>', t('host'))
    .option('--port <port>', t('port'))
    .option('--no-auto-start', t('noAutoStart'))
    .action(async (cluster: string, options) => (await import('./commands/endpoint.js')).runEndpointAdd(ctx, cluster, options));
  endpoint
    .command('list')
    .alias('ls')
    .description(t('endpointList'))
    .argument('<cluster>', t('cluster'))
    .addOption(json())
    .action(async (cluster: string, options) => (await import('./commands/endpoint.js')).runEndpointList(ctx, cluster, options));
  endpoint
    .command('remove')
    .alias('rm')
    .description(t('endpointRemove'))
    .argument('<cluster>', t('cluster'))
    .argument('<id>', t('endpointId'))
    .option('-y, --yes', t('yes'))
    .action(async (cluster: string, id: string, options) =>
      (await import('./commands/endpoint.js')).runEndpointRemove(ctx, cluster, id, options),
    );
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    endpoint
      .command(name)
      .description(t(enabled ? 'endpointEnable' : 'endpointDisable'))
      .argument('<cluster>', t('cluster'))
      .argument('<id>', t('endpointId'))
      .action(async (cluster: string, id: string) =>
        (await import('./commands/endpoint.js')).runEndpointToggle(ctx, cluster, id, enabled),
      );
  }
  endpoint
    .command('set')
    .description(t('endpointSet'))
    .argument('<cluster>', t('cluster'))
    .argument('<id>', t('endpointId'))
    .option('-w, --weight <weight>', t('weight'))
    .option('--priority <priority>', t('priority'))
    .action(async (cluster: string, id: string, options) =>
      (await import('./commands/endpoint.js')).runEndpointSet(ctx, cluster, id, options),
    );

  const proxy = program.command('proxy').description(t('proxy')).helpCommand(false);
  const startOptions = (command: Command): Command =>
    command
      .option('--host <host>', t('host'))
      .option('--port <port>', t('port'))
      .option('--cluster <name>', t('proxyCluster'));
  startOptions(proxy.command('start').description(t('proxyStart')))
    .option('--foreground', t('foreground'))
    .action(async (options) => (await import('./commands/proxy.js')).runProxyStart(ctx, options));
  proxy
    .command('stop')
    .description(t('proxyStop'))
    .action(async () => (await import('./commands/proxy.js')).runProxyStop(ctx));
  proxy
    .command('status')
    .description(t('proxyStatus'))
    .addOption(json())
    .action(async (options) => (await import('./commands/proxy.js')).runProxyStatus(ctx, options));
  startOptions(proxy.command('restart').description(t('proxyRestart'))).action(async (options) =>
    (await import('./commands/proxy.js')).runProxyRestart(ctx, options),
  );
  proxy
    .command('logs')
    .description(t('proxyLogs'))
    .option('-n, --lines <n>', t('lines'))
    .option('-f, --follow', t('follow'))
    .option('--level <level>', t('level'))
    .option('--grep <text>', t('grep'))
    .option('--json', t('jsonLines'))
    .action(async (options) => (await import('./commands/logs.js')).runProxyLogs(ctx, options));

  reportUsageErrorsInCatalogue(program);
  return program;
}
