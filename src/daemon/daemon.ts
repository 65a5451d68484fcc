import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent } from '../upstream/agent.js';
import type { Config } from '../config/schema.js';
import { isQccError, QccError, renderError } from '../core/errors.js';
import { isLoopback } from '../gateway/client-auth.js';
import type { ReloadResult } from '../gateway/control-api.js';
import { Gateway } from '../gateway/gateway.js';
import type { GatewayObserver } from '../gateway/proxy.js';
import { packageInfo } from '../package-info.js';
import { loadConfig, parseConfigText } from '../store/config-store.js';
import type { QccPaths } from '../store/paths.js';
import { claimPidFile, ensureAdminToken, removeRuntimeFiles, writeRuntimeInfo, type RuntimeInfo } from '../store/runtime-files.js';
import { StateDb } from '../store/state-db.js';
import { createLogger, LogSink, Redactor, type Logger } from './log-sink.js';
import { RecordWriter } from './record-writer.js';

export interface DaemonOptions {
  readonly paths: QccPaths;
  /** Override proxy.host / proxy.port for this run. */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** Print log lines to the terminal too. */
  readonly foreground: boolean;
  /** Called once the gateway answers, with what the CLI records about it. */
  readonly onReady: (info: RuntimeInfo) => void;
}

const KEEP_REQUESTS_MS = 30 * 24 * 3600 * 1000;

/**
 * The composition root of the running gateway (DESIGN §9): configuration, logs, state.db, the upstream pool and the
 * inbound server are built here and nowhere else; the daemon owns the pid and runtime files, reloads config.json
 * when it changes, and drains on stop. Resolves with the process's exit code.
 */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const { paths } = options;
  let { config } = await loadConfig(paths);
  const host = options.host ?? config.settings.proxy.host;
  const port = options.port ?? config.settings.proxy.port;
  if (!isLoopback(host) && config.settings.proxy.proxyKey === null) throw new QccError('QCC_ERR_PROXY_KEY_REQUIRED', { host });

  const claim = await claimPidFile(paths, process.pid);
  if (!claim.claimed) throw new QccError('QCC_ERR_GATEWAY_RUNNING', { home: paths.home, pid: claim.pid });
  const adminToken = await ensureAdminToken(paths);
  const redactor = new Redactor();
  redactor.setSecrets(secretsOf(config, adminToken));
  const sink = new LogSink({
    file: paths.logFile,
    maxBytes: config.settings.proxy.logMaxBytes,
    keep: config.settings.proxy.logFiles,
    redactor,
    ...(options.foreground ? { echo: process.stdout } : {}),
  });
  const log = createLogger(sink, config.settings.proxy.logLevel);
  if (claim.stalePid !== undefined) log.warn({ stalePid: claim.stalePid }, 'took over a stale pid file');

  const db = StateDb.open(paths.stateDb);
  db.pruneRequests(Date.now() - KEEP_REQUESTS_MS);
  const records = new RecordWriter({ db, log, quiet: (): boolean => gateway.inflight === 0 });
  let agent = createAgent(config);

  let stopRequested: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  let lastConfigText = '';
  const reload = async (): Promise<ReloadResult> => {
    let text: string;
    let next: Config;
    try {
      text = await readFile(paths.configFile, 'utf8');
      next = parseConfigText(text, paths.configFile);
    } catch (error) {
      const message = isQccError(error) ? renderError(error.code, error.params, 'en') : String(error);
      gateway.rejectConfig(message);
      // The next valid file is applied even when it is the last good one again (the edit undone), so the refusal clears.
      lastConfigText = '';
      log.error({ error: message }, 'configuration refused; the gateway keeps the last good one');
      return { ok: false, error: message };
    }
    if (text !== lastConfigText) {
      lastConfigText = text;
      if (next.settings.proxy.connectTimeoutMs !== config.settings.proxy.connectTimeoutMs) {
        const old = agent;
        agent = createAgent(next);
        gateway.useDispatcher(agent);
        void old.close();
      }
      // Compared with the last configuration, not with the address in use: `--host`/`--port` may override it.
      if (next.settings.proxy.host !== config.settings.proxy.host || next.settings.proxy.port !== config.settings.proxy.port) {
        log.warn('proxy.host and proxy.port take effect on `qcc proxy restart`');
      }
      config = next;
      gateway.apply(next);
      redactor.setSecrets(secretsOf(next, adminToken));
      log.level = next.settings.proxy.logLevel;
      sink.configure(next.settings.proxy.logMaxBytes, next.settings.proxy.logFiles);
      log.info({ activeProfile: gateway.status().activeProfile }, 'configuration reloaded');
    }
    return { ok: true, activeProfile: gateway.status().activeProfile };
  };

  const gateway = new Gateway({
    config,
    host,
    port,
    dispatcher: agent,
    observer: observerFor(log, records),
    version: packageInfo.version,
    adminToken,
    adminTokenFile: paths.adminTokenFile,
    reload,
    stop: () => stopRequested?.(),
  });
  gateway.server.on('error', (error) => log.error({ err: error }, 'request handler failed'));
  lastConfigText = await readFile(paths.configFile, 'utf8').catch(() => '');

  try {
    await gateway.listen();
  } catch (error) {
    await shutdown();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new QccError('QCC_ERR_PORT_BUSY', { host, port });
    throw new QccError('QCC_ERR_GATEWAY_START', { detail: (error as Error).message }, { cause: error });
  }

  const info: RuntimeInfo = {
    pid: process.pid,
    host,
    port,
    url: gateway.url,
    startedAt: new Date().toISOString(),
    version: packageInfo.version,
    logFile: paths.logFile,
  };
  await writeRuntimeInfo(paths, info);
  const watcher = watchConfig(paths, () => void reload());
  // Left in place until the process exits: Ctrl-C reaches a foreground gateway twice (from the terminal and from
  // qcc), and a second signal must not kill it halfway through its drain or before its runtime files are removed.
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'stop requested');
    stopRequested?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  log.info({ url: gateway.url, version: packageInfo.version, activeProfile: gateway.status().activeProfile }, 'gateway started');
  options.onReady(info);

  await stopped;
  log.info({ inflight: gateway.inflight, drainTimeoutMs: config.settings.proxy.drainTimeoutMs }, 'draining');
  watcher.close();
  await gateway.drain(config.settings.proxy.drainTimeoutMs);
  await shutdown();
  return 0;

  async function shutdown(): Promise<void> {
    records.close();
    db.close();
    await agent.close().catch(() => undefined);
    log.info('gateway stopped');
    sink.close();
    await removeRuntimeFiles(paths, process.pid);
  }
}

function createAgent(config: Config): Agent {
  return new Agent({
    connect: { timeout: config.settings.proxy.connectTimeoutMs },
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
  });
}

/** Every secret the logs must never show. */
function secretsOf(config: Config, adminToken: string): string[] {
  const keys = config.profiles.flatMap((profile) => profile.endpoints.map((endpoint) => endpoint.apiKey));
  return [...keys, adminToken, ...(config.settings.proxy.proxyKey ? [config.settings.proxy.proxyKey] : [])];
}

/** Where the gateway's events go: one log line each, and requests to state.db in batches. */
function observerFor(log: Logger, records: RecordWriter): GatewayObserver {
  return {
    requestFinished(record) {
      records.add(record);
      const level = record.outcome === 'ok' || record.outcome === 'client-error' || record.outcome === 'client-closed' ? 'info' : 'warn';
      if (!log.isLevelEnabled(level)) return;
      log[level](
        {
          reqId: record.id,
          method: record.method,
          path: record.path,
          status: record.status,
          outcome: record.outcome,
          profile: record.profile,
          endpoint: record.endpointId,
          attempts: record.attempts,
          ttfbMs: record.ttfbMs,
          ms: record.durationMs,
          inputTokens: record.inputTokens,
          outputTokens: record.outputTokens,
          ...(record.error ? { error: record.error } : {}),
        },
        'request',
      );
    },
    attemptFailed({ requestId, route, attempt, failure }) {
      log.warn(
        { reqId: requestId, endpoint: route.id, profile: route.profile, attempt, reason: failure.reason, detail: failure.detail, status: failure.status },
        'attempt failed',
      );
    },
  };
}

/**
 * config.json is replaced by rename on every write, so the folder is watched, not the file. Events come in bursts;
 * one reload follows the last of them.
 */
function watchConfig(paths: QccPaths, onChange: () => void): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(paths.home, (_event, filename) => {
      if (filename !== null && filename !== 'config.json') return;
      clearTimeout(timer);
      timer = setTimeout(onChange, 100);
    });
    watcher.on('error', () => undefined);
  } catch {
    // No watching on this file system: `qcc` commands still reload through the control API.
  }
  return {
    close: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
