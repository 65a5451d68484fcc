/**
 * A key as qcc shows it: the first 6 and last 4 characters (`sk-ant…wxyz`), enough to tell keys apart and never
 * enough to use one. Short keys show less, since 10 known characters of a 14-character key are most of it.
 */
export function maskKey(key: string): string {
  if (key.length >= 20) return `${key.slice(0, 6)}…${key.slice(-4)}`;
  if (key.length >= 10) return `${key.slice(0, 3)}…${key.slice(-2)}`;
  return '…';
}

/** Masks whatever in a text is shaped like a provider key (`sk-…`), configured or not: text from upstreams, log lines. */
export function maskKeyLikes(text: string): string {
  return text.replace(/\bsk-[A-Za-z0-9_-]{12,}/g, maskKey);
}
