import { homedir } from 'node:os';
import { join } from 'node:path';

/** Every file qcc reads or writes, derived once from the environment and handed to whoever needs one. */
export interface QccPaths {
  /** `~/.qcc`, or `QCC_HOME`. */
  readonly home: string;
  readonly configFile: string;
  readonly schemaFile: string;
  readonly stateDb: string;
  readonly runtimeFile: string;
  /** Held by the one running gateway of this home. */
  readonly pidFile: string;
  readonly logFile: string;
  readonly adminTokenFile: string;
  readonly backupsDir: string;
  /** What qcc needs to put back the values it changed in Claude Code's settings. */
  readonly claudeBackupFile: string;
  /** `~/.claude`, or `CLAUDE_CONFIG_DIR` as Claude Code itself honours it. */
  readonly claudeDir: string;
  readonly claudeSettingsFile: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): QccPaths {
  const userHome = env.HOME && env.HOME.length > 0 ? env.HOME : homedir();
  const home = env.QCC_HOME && env.QCC_HOME.length > 0 ? env.QCC_HOME : join(userHome, '.qcc');
  const claudeDir =
    env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.length > 0 ? env.CLAUDE_CONFIG_DIR : join(userHome, '.claude');
  return {
    home,
    configFile: join(home, 'config.json'),
    schemaFile: join(home, 'config.schema.json'),
    stateDb: join(home, 'state.db'),
    runtimeFile: join(home, 'proxy.json'),
    pidFile: join(home, 'proxy.pid'),
    logFile: join(home, 'proxy.log'),
    adminTokenFile: join(home, 'admin-token'),
    backupsDir: join(home, 'backups'),
    claudeBackupFile: join(home, 'claude-settings.backup.json'),
    claudeDir,
    claudeSettingsFile: join(claudeDir, 'settings.json'),
  };
}
