/** The two languages qcc speaks. */
export type Lang = 'en' | 'zh';

/**
 * `QCC_LANG` wins; otherwise the POSIX locale variables in their usual order of precedence; otherwise the
 * runtime's locale (what macOS users get when no LANG is exported).
 */
export function detectLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const explicit = env.QCC_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG;
  const raw = explicit && explicit !== 'C' && explicit !== 'POSIX' ? explicit : intlLocale();
  return raw.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function intlLocale(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().locale;
  } catch {
    return 'en';
  }
}
