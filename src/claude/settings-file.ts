import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { QccError } from '../core/errors.js';
import { copyFilePrivately, readJsonFile, toJsonText, writeFileAtomically } from '../store/json-file.js';
import type { QccPaths } from '../store/paths.js';
import {
  applyTarget,
  detectIndent,
  ownedValues,
  withOwnedValues,
  type ClaudeTarget,
  type OwnedValues,
  type SettingsObject,
} from './settings-patch.js';

/** What `qcc restore` needs: the owned values before qcc's first change, and whether file and `env` existed. */
interface Backup {
  readonly version: 1;
  readonly file: string;
  readonly savedAt: string;
  readonly fileExisted: boolean;
  readonly envExisted: boolean;
  readonly values: OwnedValues;
}

interface CurrentSettings {
  readonly exists: boolean;
  readonly settings: SettingsObject;
  readonly text: string;
}

async function readSettings(file: string): Promise<CurrentSettings> {
  const read = await readJsonFile(file, 'QCC_ERR_CLAUDE_SETTINGS_MALFORMED');
  if (!read.exists) return { exists: false, settings: {}, text: '' };
  const value = read.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new QccError('QCC_ERR_CLAUDE_SETTINGS_SHAPE', { file, detail: 'the top level must be a JSON object' });
  }
  const env = (value as SettingsObject).env;
  if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env))) {
    throw new QccError('QCC_ERR_CLAUDE_SETTINGS_SHAPE', { file, detail: '"env" must be an object' });
  }
  return { exists: true, settings: value as SettingsObject, text: read.text };
}

/** The base URL and credential Claude Code currently has in its settings.json, if any. */
export async function readClaudeTarget(paths: QccPaths): Promise<ClaudeTarget | undefined> {
  const { settings } = await readSettings(paths.claudeSettingsFile);
  const values = ownedValues(settings);
  const token = values.ANTHROPIC_AUTH_TOKEN ?? values.ANTHROPIC_API_KEY;
  if (!values.ANTHROPIC_BASE_URL || !token) return undefined;
  return {
    baseUrl: values.ANTHROPIC_BASE_URL,
    token,
    authStyle: values.ANTHROPIC_AUTH_TOKEN ? 'bearer' : 'x-api-key',
  };
}

/**
 * Points Claude Code at `target`. Before the first change qcc keeps the owned values (for `qcc restore`) and a
 * copy of the whole file; a malformed file is refused before anything is written.
 */
export async function pointClaudeAt(paths: QccPaths, target: ClaudeTarget, now: Date): Promise<void> {
  const file = paths.claudeSettingsFile;
  const current = await readSettings(file);
  if (!(await readBackup(paths))) {
    if (current.exists) await copyFilePrivately(file, join(paths.backupsDir, `claude-settings.${stamp(now)}.json`));
    const backup: Backup = {
      version: 1,
      file,
      savedAt: now.toISOString(),
      fileExisted: current.exists,
      envExisted: 'env' in current.settings,
      values: ownedValues(current.settings),
    };
    await writeFileAtomically(paths.claudeBackupFile, toJsonText(backup));
  }
  const next = applyTarget(current.settings, target);
  await writeFileAtomically(file, toJsonText(next, detectIndent(current.text)));
}

export type RestoreResult = { readonly restored: false } | { readonly restored: true; readonly removedFile: boolean };

/** Puts back the owned values from before qcc's first change; everything else in the file stays as it is now. */
export async function restoreClaudeSettings(paths: QccPaths): Promise<RestoreResult> {
  const backup = await readBackup(paths);
  if (!backup) return { restored: false };
  const file = paths.claudeSettingsFile;
  const current = await readSettings(file);
  const next = withOwnedValues(current.settings, backup.values, backup.envExisted);
  const removedFile = !backup.fileExisted && Object.keys(next).length === 0;
  if (removedFile) await rm(file, { force: true });
  else await writeFileAtomically(file, toJsonText(next, detectIndent(current.text)));
  await rm(paths.claudeBackupFile, { force: true });
  return { restored: true, removedFile };
}

async function readBackup(paths: QccPaths): Promise<Backup | undefined> {
  const read = await readJsonFile(paths.claudeBackupFile, 'QCC_ERR_CONFIG_MALFORMED');
  if (!read.exists) return undefined;
  const backup = read.value as Partial<Backup>;
  if (backup.version !== 1 || typeof backup.values !== 'object' || backup.values === null) {
    throw new QccError('QCC_ERR_CLAUDE_SETTINGS_SHAPE', {
      file: paths.claudeBackupFile,
      detail: 'this backup is not one qcc wrote',
    });
  }
  return backup as Backup;
}

const stamp = (date: Date): string => date.toISOString().replace(/[:.]/g, '-');

