import { normalCdf, normalSf } from "../stats/distributions";

/** Mann-Kendall trend test result. */
export interface MannKendallResult {
  readonly n: number;
  /** Kendall's S: the number of later-greater pairs minus later-smaller pairs. */
  readonly s: number;
  /** Var(S) under no trend, corrected for ties in the values. */
  readonly variance: number;
  /** Kendall's tau-b of the values against time (their order). */
  readonly tau: number;
  /** (S - sign(S)) / sqrt(Var S): the continuity-corrected normal score. */
  readonly statistic: number;
  /** Two-sided. */
  readonly pValue: number;
}

/**
 * Mann-Kendall test for a monotonic trend in a series taken in time order (Mann 1945; Kendall
 * 1975), with the tie-corrected variance Var(S) = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18 over
 * groups of t tied values, and the two-sided p-value of the normal approximation with a
 * continuity correction of 1 on S (Hipel & McLeod 1994; R package `Kendall`). Matches R
 * `cor.test(seq_along(y), y, method = "kendall", exact = FALSE, continuity = TRUE)`, whose
 * estimate is tau-b: S / sqrt(T0 (T0 - T2)) with T0 = n(n-1)/2 and T2 the tied pairs of values.
 * O(n^2) pairs, which is fine for the few thousand buckets of a report.
 *
 * @example mannKendall([1, 3, 2, 5, 4, 6, 8, 7]).pValue // 0.0094
 */
export function mannKendall(values: readonly number[]): MannKendallResult {
  const fn = "mannKendall";
  if (!Array.isArray(values as unknown)) throw new Error(`${fn}: 'values' must be an array of numbers`);
  const n = values.length;
  if (n < 2) throw new Error(`${fn}: 'values' needs at least 2 values, got ${n}`);
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`${fn}: 'values[${i}]' is ${v}, not a finite number`);
  });
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const vi = values[i]!;
    for (let j = i + 1; j < n; j++) {
      const d = values[j]! - vi;
      if (d > 0) s++;
      else if (d < 0) s--;
    }
  }
  const sorted = Float64Array.from(values).sort();
  let tiePairs = 0; // sum t(t-1)/2
  let tieVariance = 0; // sum t(t-1)(2t+5)
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    tiePairs += (t * (t - 1)) / 2;
    tieVariance += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  const variance = (n * (n - 1) * (2 * n + 5) - tieVariance) / 18;
  if (!(variance > 0)) throw new Error(`${fn}: every value is tied, so the test is undefined`);
  const pairs = (n * (n - 1)) / 2;
  const tau = s / Math.sqrt(pairs * (pairs - tiePairs));
  const statistic = (s - Math.sign(s)) / Math.sqrt(variance);
  const pValue = Math.min(1, 2 * Math.min(normalCdf(statistic), normalSf(statistic)));
  return { n, s, variance, tau, statistic, pValue };
}
