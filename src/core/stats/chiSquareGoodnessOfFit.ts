import { chiSquareSf } from "./distributions";

/** Chi-square goodness-of-fit result. */
export interface ChiSquareResult {
  readonly statistic: number;
  readonly df: number;
  readonly pValue: number;
}

/**
 * Pearson's chi-square goodness-of-fit test (Pearson 1900). `expected` may be proportions or
 * counts: it is rescaled to the observed total. Matches R `chisq.test(observed, p = expected /
 * sum(expected))`. Also the sample-ratio-mismatch check of A/B tests.
 *
 * @example chiSquareGoodnessOfFit([50, 30, 20], [1, 1, 1]).statistic // 14
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], expected: readonly number[]): ChiSquareResult {
  const fn = "chiSquareGoodnessOfFit";
  if (observed.length < 2) throw new Error(`${fn}: 'observed' needs at least 2 categories, got ${observed.length}`);
  if (expected.length !== observed.length) {
    throw new Error(`${fn}: 'expected' has ${expected.length} entries but 'observed' has ${observed.length}`);
  }
  observed.forEach((o, i) => {
    if (!(Number.isFinite(o) && o >= 0)) throw new Error(`${fn}: 'observed[${i}]' must be a count >= 0, got ${o}`);
  });
  expected.forEach((e, i) => {
    if (!(Number.isFinite(e) && e > 0)) throw new Error(`${fn}: 'expected[${i}]' must be > 0, got ${e}`);
  });
  const n = observed.reduce((s, o) => s + o, 0);
  if (n === 0) throw new Error(`${fn}: 'observed' sums to 0`);
  const totalExpected = expected.reduce((s, e) => s + e, 0);
  let statistic = 0;
  observed.forEach((o, i) => {
    const e = (n * expected[i]!) / totalExpected;
    statistic += (o - e) ** 2 / e;
  });
  const df = observed.length - 1;
  return { statistic, df, pValue: chiSquareSf(statistic, df) };
}
