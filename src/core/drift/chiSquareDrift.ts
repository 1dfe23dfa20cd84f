import { chiSquareGoodnessOfFit } from "../stats/chiSquareGoodnessOfFit";
import { pairedTotals } from "./counts";
import { PSI_ZERO_FLOOR } from "./psi";

/** Evidently's chi-square drift test, with Cohen's w as its effect size. */
export interface ChiSquareDriftResult {
  readonly statistic: number;
  readonly pValue: number;
  /** Cohen's w = sqrt(X² / n current), which does not grow with the sample. */
  readonly effectSize: number;
  /** Indices of categories that the current window has and the baseline never had. */
  readonly unseen: readonly number[];
}

/**
 * Pearson's goodness of fit of the current counts to the baseline's proportions, as Evidently's
 * `chisquare` measure does with scipy's `chisquare(f_obs, f_exp)`. Categories empty in both windows
 * are left out. A category the baseline never had makes the statistic infinite (scipy: inf,
 * p = 0); a document holds no Infinity, so its baseline share is floored at 0.0001 (the PSI
 * convention), which keeps X² finite and huge and p at or near 0, and the caller is told.
 * Fewer than 2 categories with data means both windows are the same single category: X² = 0, p = 1.
 *
 * @example chiSquareDrift([50, 50], [40, 60]).pValue // 0.04550026
 */
export function chiSquareDrift(baseline: readonly number[], current: readonly number[]): ChiSquareDriftResult {
  const [nb, nc] = pairedTotals("chiSquareDrift", ["baseline", "current"], baseline, current);
  const used = baseline.map((_, i) => i).filter((i) => baseline[i]! > 0 || current[i]! > 0);
  const unseen = used.filter((i) => baseline[i] === 0);
  if (used.length < 2) return { statistic: 0, pValue: 1, effectSize: 0, unseen };
  const test = chiSquareGoodnessOfFit(
    used.map((i) => current[i]!),
    used.map((i) => (baseline[i] === 0 ? PSI_ZERO_FLOOR : baseline[i]! / nb)),
  );
  return { statistic: test.statistic, pValue: test.pValue, effectSize: Math.sqrt(test.statistic / nc), unseen };
}
