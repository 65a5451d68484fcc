import type { AuthStyle } from '../config/schema.js';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded; neither are the inbound
 * credentials (the endpoint's own key replaces them) nor `host` and `content-length`, which the client library
 * sets for the outbound request.
 */
const DROPPED_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'authorization',
  'x-api-key',
  'cookie',
  'accept-encoding',
  'expect',
]);

const DROPPED_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  // This gateway's own, set on every answer it relays (an upstream that is a qcc gateway too sends its own).
  'x-qcc-endpoint',
  'x-qcc-attempts',
]);

export interface Credential {
  readonly apiKey: string;
  readonly authStyle: AuthStyle;
}

/**
 * The outbound headers as a flat [name, value, …] list: every end-to-end header of the client in its order
 * (`anthropic-version`, `anthropic-beta`, `user-agent`, `x-claude-code-session-id` …), the endpoint's credential
 * in its auth style (never both styles), and `accept-encoding: identity`, so that the gateway can read the first
 * event and the token usage without decoding.
 */
export function upstreamHeaders(rawHeaders: readonly string[], credential: Credential): string[] {
  const named = connectionTokens(rawHeaders);
  const out: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    const lower = name.toLowerCase();
    if (DROPPED_REQUEST.has(lower) || named?.has(lower)) continue;
    out.push(name, rawHeaders[index + 1] as string);
  }
  if (credential.authStyle === 'bearer') out.push('authorization', `Bearer ${credential.apiKey}`);
  else out.push('x-api-key', credential.apiKey);
  out.push('accept-encoding', 'identity');
  return out;
}

/** A flat [name, value, …] list, as `ServerResponse.writeHead` takes it without building an object first. */
export type HeaderList = (string | string[])[];

/** Response headers for the client (undici's, names in lower case): hop-by-hop ones and cookies of the provider removed. */
export function clientHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderList {
  const connection = headers.connection;
  const named =
    connection === undefined
      ? undefined
      : new Set(String(connection).split(',').map((token) => token.trim().toLowerCase()));
  const out: HeaderList = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || DROPPED_RESPONSE.has(name) || named?.has(name)) continue;
    out.push(name, value);
  }
  return out;
}

/** Headers named in `Connection` are hop-by-hop too (RFC 9110 §7.6.1); undefined when there is no `Connection`. */
function connectionTokens(rawHeaders: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    // The length first: most names are not 'connection', and need not be lower-cased to know it.
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const token of (rawHeaders[index + 1] as string).split(',')) {
      const trimmed = token.trim().toLowerCase();
      if (trimmed) (tokens ??= new Set()).add(trimmed);
    }
  }
  return tokens;
}
