import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The credentials a client presented, in Claude Code's two styles. It may send both (a key exported in the shell
 * beside the token from settings.json), so either may be the one that counts.
 */
export function presentedCredentials(headers: IncomingHttpHeaders): string[] {
  const found: string[] = [];
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) found.push(apiKey);
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization?.trim() ?? '')?.[1];
  if (bearer) found.push(bearer);
  return found;
}

/** Compares secrets in constant time, so response timing does not leak how much of a guess was right. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  // An empty secret is no secret: it never matches, whatever was presented.
  if (presented === undefined || expected === '') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
