import { twoProportionTest } from "../stats/twoProportionTest";

/** The z-test of a binary column: z, its two-sided p-value, and the difference of shares. */
export interface BinaryZResult {
  /** (share current - share baseline) / pooled standard error, of the second category. */
  readonly statistic: number;
  readonly pValue: number;
  /** Share of the second category in current minus its share in the baseline. */
  readonly difference: number;
}

function requireWindow(fn: string, name: string, counts: readonly [number, number]): void {
  counts.forEach((c, i) => {
    if (!(Number.isInteger(c) && c >= 0)) throw new Error(`${fn}: '${name}[${i}]' must be a whole count >= 0, got ${c}`);
  });
  if (counts[0] + counts[1] === 0) throw new Error(`${fn}: '${name}' has no values`);
}

/**
 * Pooled two-proportion z-test for a binary column, Evidently's `z` measure: counts of the first
 * and second category in each window. Computed by `twoProportionTest` (its X² is z²), so the
 * p-value matches R `prop.test(correct = FALSE)`. When both windows hold one and the same
 * category the test is undefined and, as in Evidently, z = 0 and p = 1.
 *
 * @example binaryZTest([60, 40], [40, 60]).pValue // 0.00467773 (z = 2.828)
 */
export function binaryZTest(baseline: readonly [number, number], current: readonly [number, number]): BinaryZResult {
  const fn = "binaryZTest";
  requireWindow(fn, "baseline", baseline);
  requireWindow(fn, "current", current);
  const second = baseline[1] + current[1];
  const total = baseline[0] + baseline[1] + current[0] + current[1];
  if (second === 0 || second === total) return { statistic: 0, pValue: 1, difference: 0 };
  const t = twoProportionTest([current[1], baseline[1]], [current[0] + current[1], baseline[0] + baseline[1]]);
  return { statistic: Math.sign(t.estimate) * Math.sqrt(t.statistic), pValue: t.pValue, difference: t.estimate };
}
