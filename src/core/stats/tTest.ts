import { studentTQuantile, studentTSf } from "./distributions";

/** The result of a two-sided t-test, shaped like R's `t.test` output. */
export interface TTestResult {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
  readonly ci: readonly [number, number];
  readonly estimate: number;
}

/**
 * R's test for data too constant to test: a standard error below 10 ulps of the larger mean.
 * Callers that want a value rather than an error ask first.
 */
export function isEssentiallyConstant(standardError: number, scale: number): boolean {
  return !(standardError > 10 * Number.EPSILON * scale);
}

/**
 * Two-sided t-test from an estimate, its standard error and degrees of freedom; the common tail
 * of Welch, Student and paired tests. Refuses a zero standard error as R does ("data are
 * essentially constant") instead of dividing by it.
 */
export function tTestFromEstimate(
  fn: string,
  estimate: number,
  standardError: number,
  df: number,
  confidence: number,
  scale: number,
): TTestResult {
  if (isEssentiallyConstant(standardError, scale)) {
    throw new Error(`${fn}: the data are essentially constant, so the test is undefined`);
  }
  const statistic = estimate / standardError;
  const pValue = Math.min(1, 2 * studentTSf(Math.abs(statistic), df));
  const q = studentTQuantile(1 - (1 - confidence) / 2, df);
  return { statistic, df, pValue, ci: [estimate - q * standardError, estimate + q * standardError], estimate };
}
