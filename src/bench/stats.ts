/** Order statistics over samples; nearest-rank percentiles, so a figure is always a value that was measured. */

export function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** The `p`-th percentile (0–100) of an ascending array, by nearest rank; NaN when empty. */
export function percentile(ascending: Float64Array, p: number): number {
  if (ascending.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * ascending.length);
  return ascending[Math.min(ascending.length, Math.max(1, rank)) - 1] as number;
}

/** The median of a handful of values (repetitions); the mean of the two middle ones when even. NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return Number.NaN;
  const ascending = sorted(finite);
  const middle = ascending.length >> 1;
  return ascending.length % 2 === 1
    ? (ascending[middle] as number)
    : ((ascending[middle - 1] as number) + (ascending[middle] as number)) / 2;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
