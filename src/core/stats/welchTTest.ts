import { confidenceLevel, moments, type Moments, type Sample } from "./sample";
import { tTestFromEstimate, type TTestResult } from "./tTest";

/**
 * Welch's unequal-variance t-test (Welch 1947) with the Welch-Satterthwaite degrees of freedom;
 * matches R `t.test(x, y)`. The estimate is mean(x) - mean(y).
 *
 * @example welchTTest([1, 2, 3, 4], [2, 4, 6, 8.5]).pValue // 0.1579 (R: 0.1579)
 */
export function welchTTest(x: Sample, y: Sample, options: { confidence?: number } = {}): TTestResult {
  const fn = "welchTTest";
  const confidence = confidenceLevel(fn, options.confidence);
  return welchFromMoments(moments(fn, "x", x), moments(fn, "y", y), confidence);
}

/** Welch's test from each sample's count, mean and variance (as A/B sufficient statistics give). */
export function welchFromMoments(mx: Moments, my: Moments, confidence = 0.95): TTestResult {
  const fn = "welchTTest";
  const vx = mx.variance / mx.n;
  const vy = my.variance / my.n;
  const se2 = vx + vy;
  // Welch-Satterthwaite df written with shares of se2, so that tiny variances cannot underflow.
  const df = 1 / ((vx / se2) ** 2 / (mx.n - 1) + (vy / se2) ** 2 / (my.n - 1));
  const scale = Math.max(Math.abs(mx.mean), Math.abs(my.mean));
  return tTestFromEstimate(fn, mx.mean - my.mean, Math.sqrt(se2), df, confidence, scale);
}
