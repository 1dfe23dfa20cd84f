/** Checks for the count vectors (histogram bins, categories) that every drift measure reads. */

/**
 * Throws unless `counts` has at least `min` entries, each a finite count >= 0; returns their
 * total. Counts need not be whole numbers: Prometheus `increase()` extrapolates.
 */
export function countTotal(fn: string, name: string, counts: readonly number[], min = 1): number {
  if (counts.length < min) throw new Error(`${fn}: '${name}' needs at least ${min} entries, got ${counts.length}`);
  let total = 0;
  counts.forEach((c, i) => {
    if (!(Number.isFinite(c) && c >= 0)) throw new Error(`${fn}: '${name}[${i}]' must be a finite count >= 0, got ${c}`);
    total += c;
  });
  return total;
}

/** Throws unless two count vectors are over the same bins: equal lengths and a positive total each. */
export function pairedTotals(
  fn: string,
  [a, b]: readonly [string, string],
  x: readonly number[],
  y: readonly number[],
): [number, number] {
  const tx = countTotal(fn, a, x);
  const ty = countTotal(fn, b, y);
  if (x.length !== y.length) throw new Error(`${fn}: '${a}' has ${x.length} entries but '${b}' has ${y.length}`);
  if (!(tx > 0)) throw new Error(`${fn}: '${a}' sums to 0`);
  if (!(ty > 0)) throw new Error(`${fn}: '${b}' sums to 0`);
  return [tx, ty];
}
