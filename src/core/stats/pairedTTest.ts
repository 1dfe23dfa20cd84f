import { confidenceLevel, moments, sumChecked, type Sample } from "./sample";
import { tTestFromEstimate, type TTestResult } from "./tTest";

/**
 * Paired t-test: a one-sample t-test on the differences x[i] - y[i]; matches R
 * `t.test(x, y, paired = TRUE)`. The estimate is the mean difference.
 *
 * @example pairedTTest([5, 6, 7, 9], [4, 6, 5, 6]).estimate // 1.5
 */
export function pairedTTest(x: Sample, y: Sample, options: { confidence?: number } = {}): TTestResult {
  const fn = "pairedTTest";
  const confidence = confidenceLevel(fn, options.confidence);
  if (x.length !== y.length) {
    throw new Error(`${fn}: 'x' and 'y' must have the same length, got ${x.length} and ${y.length}`);
  }
  sumChecked(fn, "x", x, 2);
  sumChecked(fn, "y", y, 2);
  const d = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) d[i] = x[i]! - y[i]!;
  const md = moments(fn, "x - y", d);
  return tTestFromEstimate(fn, md.mean, Math.sqrt(md.variance / md.n), md.n - 1, confidence, Math.abs(md.mean));
}
