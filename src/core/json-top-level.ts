/**
 * Finds the raw values of a few top-level keys of a JSON object without parsing the rest. A Claude Code request is
 * ~50 KB and growing, almost all of it inside `messages`, `system` and `tools`; the gateway needs only `stream`,
 * `model` and sometimes `metadata`, which sit before and after that bulk. So the object is walked member by member
 * from both of its ends at once (the walk that has covered fewer bytes takes the next step), and the walks stop as
 * soon as every wanted key is found: the bulk in the middle is never read. When a key is missing, the two walks
 * meet and every byte has been read once, as a one-way walk would.
 *
 * Walking backwards is sound because the end of the object is outside every string: from there, each unescaped
 * quote opens or closes a string in turn. Strings are crossed with the native `indexOf` / `lastIndexOf`.
 *
 * Returns the byte range of each wanted key's value (`{"a":[1,2]}` → a: the bytes of `[1,2]`); a key given twice
 * yields whichever occurrence a walk reaches first. Wanted keys are ASCII, matched byte for byte as written (no escapes). Input that is not a well-formed object yields what the walks
 * found before the point where it stopped making sense; callers treat a missing key as absent, as a failed full
 * parse would (such a request is refused by the upstream anyway).
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

export function topLevelValues(bytes: Uint8Array, wanted: readonly string[]): ValueRanges {
  const found: ValueRanges = new Map();
  const open = skipSpace(bytes, 0);
  if (bytes[open] !== OPEN_BRACE) return found;
  const close = skipSpaceBack(bytes, bytes.length - 1);
  // `front`: just past the last member the forward walk read. `back`: the first byte of the last member the backward
  // walk read (at first, the closing brace). Each walk is off once it meets the other or finds the input malformed.
  let front = open + 1;
  let back = close;
  let forward = true;
  let backward = close > open && bytes[close] === CLOSE_BRACE;
  while (found.size < wanted.length && (forward || backward)) {
    if (forward && (!backward || front - open <= close - back)) {
      let index = skipSpace(bytes, front);
      if (bytes[index] === COMMA) index = skipSpace(bytes, index + 1);
      const member = index < back || !backward ? memberAt(bytes, index) : undefined;
      if (!member) {
        forward = false;
        // Met, not malformed: whatever the backward walk has not read, the forward walk has.
        if (index >= back) backward = false;
        continue;
      }
      take(found, wanted, bytes, member);
      front = member.end;
    } else {
      let index = skipSpaceBack(bytes, back - 1);
      if (index < front) {
        forward = backward = false;
        continue;
      }
      if (bytes[index] === COMMA) index = skipSpaceBack(bytes, index - 1);
      const member = index >= front ? memberEndingAt(bytes, index) : undefined;
      if (!member) {
        backward = false;
        continue;
      }
      take(found, wanted, bytes, member);
      back = member.keyStart;
    }
  }
  return found;
}

/** Starts with `{` and ends with `}`, whitespace aside: an object, not cut short (its inside is not checked). */
export function isWholeObject(bytes: Uint8Array): boolean {
  const open = skipSpace(bytes, 0);
  const close = skipSpaceBack(bytes, bytes.length - 1);
  return close > open && bytes[open] === OPEN_BRACE && bytes[close] === CLOSE_BRACE;
}

function take(found: ValueRanges, wanted: readonly string[], bytes: Uint8Array, member: Member): void {
  const key = wantedKey(bytes, member.keyStart + 1, member.keyEnd, wanted);
  if (key !== undefined && !found.has(key)) found.set(key, { start: member.start, end: member.end });
}

/** The wanted key spelled by bytes[start, end), compared byte by byte (no string is made for keys not wanted). */
function wantedKey(bytes: Uint8Array, start: number, end: number, wanted: readonly string[]): string | undefined {
  const length = end - start;
  for (const key of wanted) {
    if (key.length !== length) continue;
    let index = 0;
    while (index < length && key.charCodeAt(index) === bytes[start + index]) index += 1;
    if (index === length) return key;
  }
  return undefined;
}

interface Member {
  /** The key's opening quote, and the index of its closing quote. */
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly start: number;
  readonly end: number;
}

/** The member whose key opens at `index` (`"key": value`); undefined when there is none there. */
function memberAt(bytes: Uint8Array, index: number): Member | undefined {
  if (bytes[index] !== QUOTE) return undefined;
  const keyEnd = stringEnd(bytes, index);
  if (keyEnd < 0) return undefined;
  const colon = skipSpace(bytes, keyEnd);
  if (bytes[colon] !== COLON) return undefined;
  const start = skipSpace(bytes, colon + 1);
  const end = valueEnd(bytes, start);
  if (end < 0) return undefined;
  return { keyStart: index, keyEnd: keyEnd - 1, start, end };
}

/** The member whose value's last byte is at `last`; undefined when the bytes before it are not `"key":`. */
function memberEndingAt(bytes: Uint8Array, last: number): Member | undefined {
  const start = valueStart(bytes, last);
  if (start < 0) return undefined;
  const colon = skipSpaceBack(bytes, start - 1);
  if (bytes[colon] !== COLON) return undefined;
  const keyLast = skipSpaceBack(bytes, colon - 1);
  if (bytes[keyLast] !== QUOTE) return undefined;
  const keyStart = stringStart(bytes, keyLast);
  if (keyStart < 0) return undefined;
  return { keyStart, keyEnd: keyLast, start, end: last + 1 };
}

/** The index just past the closing quote of the string that opens at `start`; -1 when it never closes. */
function stringEnd(bytes: Uint8Array, start: number): number {
  let index = start + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, index);
    if (quote < 0) return -1;
    if (!escaped(bytes, quote)) return quote + 1;
    index = quote + 1;
  }
}

/** The index of the opening quote of the string whose closing quote is at `last`; -1 when there is none. */
function stringStart(bytes: Uint8Array, last: number): number {
  let index = last - 1;
  while (index >= 0) {
    const quote = bytes.lastIndexOf(QUOTE, index);
    if (quote < 0) return -1;
    if (!escaped(bytes, quote)) return quote;
    index = quote - 1;
  }
  return -1;
}

/** A quote after an odd number of backslashes is part of the string. */
function escaped(bytes: Uint8Array, quote: number): boolean {
  let backslashes = 0;
  while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
  return backslashes % 2 === 1;
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

/** The index of the first byte of the value whose last byte is at `last`; -1 when it never opens. */
function valueStart(bytes: Uint8Array, last: number): number {
  if (last < 0) return -1;
  const final = bytes[last];
  if (final === QUOTE) return stringStart(bytes, last);
  if (final !== CLOSE_BRACE && final !== CLOSE_BRACKET) {
    let index = last;
    while (index >= 0) {
      const byte = bytes[index];
      if (byte === COLON || byte === COMMA || byte === OPEN_BRACE || byte === OPEN_BRACKET || isSpace(byte)) break;
      index -= 1;
    }
    return index < last ? index + 1 : -1;
  }
  let depth = 0;
  let index = last;
  while (index >= 0) {
    const byte = bytes[index];
    if (byte === QUOTE) {
      index = stringStart(bytes, index);
      if (index < 0) return -1;
      index -= 1;
      continue;
    }
    if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth += 1;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth -= 1;
      if (depth === 0) return index;
    }
    index -= 1;
  }
  return -1;
}

/** The index of the first byte from `start` on that is not JSON whitespace (`bytes.length` when there is none). */
export function skipSpace(bytes: Uint8Array, start: number): number {
  let index = start;
  while (index < bytes.length && isSpace(bytes[index])) index += 1;
  return index;
}

function skipSpaceBack(bytes: Uint8Array, start: number): number {
  let index = start;
  while (index >= 0 && isSpace(bytes[index])) index -= 1;
  return index;
}

const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
