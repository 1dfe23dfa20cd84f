import { confidenceLevel, moments, type Sample } from "./sample";
import { tTestFromEstimate, type TTestResult } from "./tTest";

/**
 * Student's two-sample t-test with pooled variance (Student 1908); matches R
 * `t.test(x, y, var.equal = TRUE)`. The estimate is mean(x) - mean(y).
 *
 * @example studentTTest([1, 2, 3, 4], [2, 4, 6, 8.5]).df // 6
 */
export function studentTTest(x: Sample, y: Sample, options: { confidence?: number } = {}): TTestResult {
  const fn = "studentTTest";
  const confidence = confidenceLevel(fn, options.confidence);
  const mx = moments(fn, "x", x, 1);
  const my = moments(fn, "y", y, 1);
  const df = mx.n + my.n - 2;
  if (df < 1) throw new Error(`${fn}: needs at least 3 values in all, got ${mx.n + my.n}`);
  const pooled = ((mx.n - 1) * mx.variance + (my.n - 1) * my.variance) / df;
  const se = Math.sqrt(pooled * (1 / mx.n + 1 / my.n));
  const scale = Math.max(Math.abs(mx.mean), Math.abs(my.mean));
  return tTestFromEstimate(fn, mx.mean - my.mean, se, df, confidence, scale);
}
