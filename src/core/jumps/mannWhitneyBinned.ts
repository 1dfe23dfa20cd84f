import { normalCdf, normalSf } from "../stats/distributions";
import type { MannWhitneyResult } from "../stats/mannWhitneyU";

/**
 * Mann-Whitney U test on two histograms over the same bins, treating each bin as one group of
 * tied values (the Wilcoxon rank-sum test for ordered categories; Lehmann 1975, ch. 1.4). Only
 * the order of the bins matters, so any representative value per bin gives the same answer.
 * It is `mannWhitneyU` on the data expanded to one value per count (R `wilcox.test(x, y, exact =
 * FALSE, correct = TRUE)`: normal approximation with tie and continuity correction), computed
 * from the counts in O(bins) so that millions of observations cost nothing.
 * The statistic is the rank sum of x minus nx(nx+1)/2; it exceeds nx*ny/2 when x tends higher.
 *
 * @example mannWhitneyBinned([1, 2, 2], [2, 1, 0]).statistic // 12
 */
export function mannWhitneyBinned(countsX: readonly number[], countsY: readonly number[]): MannWhitneyResult {
  const fn = "mannWhitneyBinned";
  if (countsX.length !== countsY.length) {
    throw new Error(`${fn}: 'countsX' has ${countsX.length} bins but 'countsY' has ${countsY.length}`);
  }
  for (const [name, counts] of [["countsX", countsX], ["countsY", countsY]] as const) {
    counts.forEach((c, i) => {
      if (!(Number.isFinite(c) && c >= 0)) throw new Error(`${fn}: '${name}[${i}]' must be a count >= 0, got ${c}`);
    });
  }
  const nx = countsX.reduce((s, c) => s + c, 0);
  const ny = countsY.reduce((s, c) => s + c, 0);
  if (!(nx > 0 && ny > 0)) throw new Error(`${fn}: both histograms need at least one observation, got ${nx} and ${ny}`);
  const n = nx + ny;
  let below = 0;
  let rankSumX = 0;
  let tieTerm = 0; // sum of c^3 - c over bins
  countsX.forEach((cx, i) => {
    const c = cx + countsY[i]!;
    if (c === 0) return;
    rankSumX += cx * (below + (c + 1) / 2);
    tieTerm += (c - 1) * c * (c + 1);
    below += c;
  });
  const statistic = rankSumX - (nx * (nx + 1)) / 2;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) throw new Error(`${fn}: every observation falls in the same bin, so the test is undefined`);
  const centered = statistic - (nx * ny) / 2;
  const z = (centered - Math.sign(centered) * 0.5) / sigma;
  const pValue = Math.min(1, 2 * Math.min(normalCdf(z), normalSf(z)));
  return { statistic, pValue };
}
