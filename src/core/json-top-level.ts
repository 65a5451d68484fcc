/**
 * Finds the raw values of a few top-level keys of a JSON object without parsing the rest. A Claude Code request is
 * ~50 KB and growing, almost all of it inside strings; the gateway needs only `stream`, `model` and sometimes
 * `metadata`, so it jumps from quote to quote with the native `indexOf` instead of building the whole object
 * (which cost a full parse and ~100 KB of garbage per request).
 *
 * Returns the byte range of each wanted key's value (`{"a":[1,2]}` → a: the bytes of `[1,2]`). Input that is not a
 * well-formed object yields whatever was found before the point where it stopped making sense; callers treat a
 * missing key as absent, exactly as a failed full parse would.
 */
export type ValueRanges = Map<string, { readonly start: number; readonly end: number }>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const decoder = new TextDecoder();

export function topLevelValues(bytes: Uint8Array, wanted: readonly string[]): ValueRanges {
  const found: ValueRanges = new Map();
  let index = skipSpace(bytes, 0);
  if (bytes[index] !== OPEN_BRACE) return found;
  index += 1;
  while (index < bytes.length && found.size < wanted.length) {
    index = skipSpace(bytes, index);
    if (bytes[index] === COMMA) index = skipSpace(bytes, index + 1);
    if (bytes[index] !== QUOTE) return found;
    const keyEnd = stringEnd(bytes, index);
    if (keyEnd < 0) return found;
    const key = decoder.decode(bytes.subarray(index + 1, keyEnd - 1));
    index = skipSpace(bytes, keyEnd);
    if (bytes[index] !== COLON) return found;
    const start = skipSpace(bytes, index + 1);
    const end = valueEnd(bytes, start);
    if (end < 0) return found;
    if (wanted.includes(key) && !found.has(key)) found.set(key, { start, end });
    index = end;
  }
  return found;
}

/** The index just past the closing quote of the string that opens at `start`; -1 when it never closes. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let index = start + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, index);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    index = quote + 1;
  }
}

/** The index just past the value that starts at `start` (an object, array, string or literal); -1 when unclosed. */
function valueEnd(bytes: Uint8Array, start: number): number {
  if (start >= bytes.length) return -1;
  const first = bytes[start];
  if (first === QUOTE) return stringEnd(bytes, start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let index = start;
    while (index < bytes.length) {
      const byte = bytes[index];
      if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) break;
      index += 1;
    }
    return index > start ? index : -1;
  }
  let depth = 0;
  let index = start;
  while (index < bytes.length) {
    const byte = bytes[index];
    if (byte === QUOTE) {
      index = stringEnd(bytes, index);
      if (index < 0) return -1;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
    index += 1;
  }
  return -1;
}

function skipSpace(bytes: Uint8Array, start: number): number {
  let index = start;
  while (index < bytes.length && isSpace(bytes[index])) index += 1;
  return index;
}

const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
