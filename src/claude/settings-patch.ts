import type { AuthStyle } from '../config/schema.js';

/**
 * The only keys of Claude Code's settings.json that qcc owns, all inside `env`. Claude Code sends
 * `ANTHROPIC_AUTH_TOKEN` as `Authorization: Bearer` and `ANTHROPIC_API_KEY` as `x-api-key`; with both set it warns
 * "Auth conflict", so qcc writes exactly one of them.
 */
export const OWNED_ENV_KEYS = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_API_KEY'] as const;
export type OwnedEnvKey = (typeof OWNED_ENV_KEYS)[number];

export type SettingsObject = Readonly<Record<string, unknown>>;
export type EnvObject = Readonly<Record<string, unknown>>;

/** Where Claude Code should send its requests, and with which credential. */
export interface ClaudeTarget {
  readonly baseUrl: string;
  readonly token: string;
  readonly authStyle: AuthStyle;
}

/** The owned values as they were before qcc's first change; `null` means the key was absent. */
export type OwnedValues = { readonly [K in OwnedEnvKey]: string | null };

export function envOf(settings: SettingsObject): EnvObject {
  const env = settings.env;
  return typeof env === 'object' && env !== null && !Array.isArray(env) ? (env as EnvObject) : {};
}

export function ownedValues(settings: SettingsObject): OwnedValues {
  const env = envOf(settings);
  const value = (key: OwnedEnvKey): string | null => (typeof env[key] === 'string' ? (env[key] as string) : null);
  return {
    ANTHROPIC_BASE_URL: value('ANTHROPIC_BASE_URL'),
    ANTHROPIC_AUTH_TOKEN: value('ANTHROPIC_AUTH_TOKEN'),
    ANTHROPIC_API_KEY: value('ANTHROPIC_API_KEY'),
  };
}

/** Sets the target in `env`, leaving every other key and value where and as it was. */
export function applyTarget(settings: SettingsObject, target: ClaudeTarget): SettingsObject {
  const bearer = target.authStyle === 'bearer';
  return withOwnedValues(settings, {
    ANTHROPIC_BASE_URL: target.baseUrl,
    ANTHROPIC_AUTH_TOKEN: bearer ? target.token : null,
    ANTHROPIC_API_KEY: bearer ? null : target.token,
  });
}

/**
 * Puts the owned keys to the given values (`null` removes one). An `env` that qcc emptied and that did not exist
 * before is removed again, so a restore gives back the user's file as it was.
 */
export function withOwnedValues(settings: SettingsObject, values: OwnedValues, envExisted = true): SettingsObject {
  const env: Record<string, unknown> = { ...envOf(settings) };
  for (const key of OWNED_ENV_KEYS) {
    const value = values[key];
    if (value === null) delete env[key];
    else env[key] = value;
  }
  if (Object.keys(env).length === 0 && !envExisted) {
    const { env: _dropped, ...rest } = settings;
    return rest;
  }
  // Spreading keeps an existing `env` in its place; a new one goes last.
  return { ...settings, env };
}

/** The indentation the user's file uses, so a rewrite does not reformat it. */
export function detectIndent(text: string): string | number {
  const match = /^[\t ]+(?=")/m.exec(text);
  return match ? match[0] : 2;
}
