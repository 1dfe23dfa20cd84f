import { chiSquareSf, normalQuantile } from "./distributions";
import { confidenceLevel } from "./sample";

/** Two-proportion test result: chi-squared statistic (= z^2), p-value, and the interval for p1 - p2. */
export interface TwoProportionResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly ci: readonly [number, number];
  readonly estimate: number;
}

/** Throws unless `successes` out of `trials` is a proportion; names the arm index. */
export function requireCounts(fn: string, successes: number, trials: number, index: number): void {
  if (!Number.isInteger(trials) || trials <= 0) {
    throw new Error(`${fn}: 'trials[${index}]' must be a positive whole number, got ${trials}`);
  }
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new Error(`${fn}: 'successes[${index}]' must be a whole number from 0 to ${trials}, got ${successes}`);
  }
}

/**
 * Pearson's chi-squared test of two proportions with the unpooled Wald interval for the
 * difference p1 - p2; matches R `prop.test(successes, trials, correct = FALSE)`. Its statistic
 * is the square of the pooled two-proportion z.
 *
 * @example twoProportionTest([378, 462], [3662, 3568]).statistic // 12.1383 (R prop.test: X-squared = 12.138, p = 0.000494)
 */
export function twoProportionTest(
  successes: readonly [number, number],
  trials: readonly [number, number],
  options: { confidence?: number } = {},
): TwoProportionResult {
  const fn = "twoProportionTest";
  const confidence = confidenceLevel(fn, options.confidence);
  successes.forEach((s, i) => requireCounts(fn, s, trials[i]!, i));
  const [a, b] = successes;
  const [n1, n2] = trials;
  const pooled = (a + b) / (n1 + n2);
  if (pooled === 0 || pooled === 1) {
    throw new Error(`${fn}: every trial ${pooled === 0 ? "failed" : "succeeded"} in both arms, so the test is undefined`);
  }
  // Pearson's X^2 over the 2x2 table, as R's chisq.test computes it.
  let statistic = 0;
  for (const [x, n] of [[a, n1], [b, n2]] as const) {
    const e1 = n * pooled;
    const e0 = n * (1 - pooled);
    statistic += (x - e1) ** 2 / e1 + (n - x - e0) ** 2 / e0;
  }
  const p1 = a / n1;
  const p2 = b / n2;
  const estimate = p1 - p2;
  const width = normalQuantile((1 + confidence) / 2) * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return {
    statistic,
    pValue: chiSquareSf(statistic, 1),
    ci: [Math.max(estimate - width, -1), Math.min(estimate + width, 1)],
    estimate,
  };
}
