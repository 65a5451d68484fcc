/**
 * What a person types at "choose primaries (e.g. 1,2,4)": numbers separated by commas (ASCII or Chinese) or
 * spaces, and ranges such as 2-4. Problems are data, so the prompt can explain them and ask again.
 */
export type SelectionProblem =
  | { readonly kind: 'empty' }
  | { readonly kind: 'not-a-number'; readonly token: string }
  | { readonly kind: 'out-of-range'; readonly value: number }
  | { readonly kind: 'duplicate'; readonly value: number };

export type SelectionResult =
  | { readonly ok: true; readonly values: readonly number[] }
  | { readonly ok: false; readonly problem: SelectionProblem };

export function parseSelection(input: string, allowed: readonly number[], required: boolean): SelectionResult {
  const tokens = input.split(/[\s,，、]+/).filter(Boolean);
  if (tokens.length === 0) return required ? { ok: false, problem: { kind: 'empty' } } : { ok: true, values: [] };
  const values: number[] = [];
  for (const token of tokens) {
    const range = /^(\d+)-(\d+)$/.exec(token);
    const bounds = range ? [Number(range[1]), Number(range[2])] : /^\d+$/.test(token) ? [Number(token)] : undefined;
    if (!bounds) return { ok: false, problem: { kind: 'not-a-number', token } };
    // Checked before spreading, so a slip such as "1-1000000000" is an answer to explain, not a hang.
    const beyond = bounds.find((value) => value > Math.max(0, ...allowed));
    if (beyond !== undefined) return { ok: false, problem: { kind: 'out-of-range', value: beyond } };
    const expanded = bounds.length === 2 ? spread(bounds[0] ?? 0, bounds[1] ?? 0) : bounds;
    for (const value of expanded) {
      if (!allowed.includes(value)) return { ok: false, problem: { kind: 'out-of-range', value } };
      if (values.includes(value)) return { ok: false, problem: { kind: 'duplicate', value } };
      values.push(value);
    }
  }
  return { ok: true, values };
}

function spread(from: number, to: number): number[] {
  const values: number[] = [];
  for (let value = Math.min(from, to); value <= Math.max(from, to); value += 1) values.push(value);
  return values;
}
