/** A numeric sample: plain arrays for convenience, typed arrays for millions of values. */
export type Sample = readonly number[] | Float64Array;

/** Count, mean and unbiased variance of a sample. */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/**
 * Throws unless `x` has at least `min` values, all finite. The check rides on the sum, so a
 * clean sample costs one pass; only a bad one is scanned for the offending index.
 */
export function sumChecked(fn: string, name: string, x: Sample, min: number): number {
  if (x.length < min) throw new Error(`${fn}: '${name}' needs at least ${min} values, got ${x.length}`);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  if (!Number.isFinite(sum)) {
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) throw new Error(`${fn}: '${name}[${i}]' is ${x[i]}, not a finite number`);
    }
    throw new Error(`${fn}: the sum of '${name}' overflows`);
  }
  return sum;
}

/** Mean and variance by the two-pass algorithm, which avoids the cancellation of sum-of-squares. */
export function moments(fn: string, name: string, x: Sample, min = 2): Moments {
  const n = x.length;
  const mean = sumChecked(fn, name, x, min) / n;
  let ss = 0;
  let comp = 0; // the second-pass correction of Chan, Golub & LeVeque (1983)
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    ss += d * d;
    comp += d;
  }
  const variance = n > 1 ? (ss - (comp * comp) / n) / (n - 1) : 0;
  return { n, mean, variance };
}

/** A sorted copy as a Float64Array; the caller's sample is never reordered. */
export function sortedCopy(x: Sample): Float64Array {
  return Float64Array.from(x).sort();
}

/** Validates a confidence level in (0, 1), defaulting to 0.95. */
export function confidenceLevel(fn: string, confidence: number | undefined): number {
  const c = confidence ?? 0.95;
  if (!(c > 0 && c < 1)) throw new Error(`${fn}: 'confidence' must be between 0 and 1, got ${confidence}`);
  return c;
}

/** Validates two samples (each non-empty and finite) and returns sorted copies of both. */
export function sortedPair(fn: string, x: Sample, y: Sample): [Float64Array, Float64Array] {
  sumChecked(fn, "x", x, 1);
  sumChecked(fn, "y", y, 1);
  return [sortedCopy(x), sortedCopy(y)];
}

/**
 * Walks two sorted samples together one group of equal values at a time, as rank and ECDF
 * statistics need: `visit(cx, cy, i, j)` gets how many of the group come from x and from y, and
 * how many values of x and of y lie at or below it.
 */
export function walkTieGroups(
  sx: Float64Array,
  sy: Float64Array,
  visit: (cx: number, cy: number, i: number, j: number) => void,
): void {
  const nx = sx.length;
  const ny = sy.length;
  let i = 0;
  let j = 0;
  while (i < nx || j < ny) {
    const v = j >= ny || (i < nx && sx[i]! <= sy[j]!) ? sx[i]! : sy[j]!;
    const i0 = i;
    const j0 = j;
    while (i < nx && sx[i] === v) i++;
    while (j < ny && sy[j] === v) j++;
    visit(i - i0, j - j0, i, j);
  }
}
