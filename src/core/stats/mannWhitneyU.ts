import { normalCdf, normalSf } from "./distributions";
import { sortedPair, walkTieGroups, type Sample } from "./sample";

/** Mann-Whitney U / Wilcoxon rank-sum result: W is the rank sum of x minus nx(nx+1)/2. */
export interface MannWhitneyResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Two-sided Mann-Whitney U test by the normal approximation with tie and continuity correction
 * (Mann & Whitney 1947; Lehmann 1975, ties); matches R `wilcox.test(x, y, exact = FALSE,
 * correct = TRUE)`. Ranks come from merging the two sorted samples, so no index sort is needed.
 *
 * @example mannWhitneyU([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]).statistic // 4.5
 */
export function mannWhitneyU(x: Sample, y: Sample): MannWhitneyResult {
  const fn = "mannWhitneyU";
  const [sx, sy] = sortedPair(fn, x, y);
  const nx = sx.length;
  const ny = sy.length;
  const n = nx + ny;
  let rankSumX = 0;
  let tieTerm = 0; // sum of t^3 - t over groups of tied values
  // A group of c tied values below which `below` values lie shares the mid-rank below + (c+1)/2.
  walkTieGroups(sx, sy, (cx, cy, i, j) => {
    const c = cx + cy;
    const below = i + j - c;
    rankSumX += cx * (below + (c + 1) / 2);
    if (c > 1) tieTerm += (c - 1) * c * (c + 1);
  });
  const statistic = rankSumX - (nx * (nx + 1)) / 2;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) throw new Error(`${fn}: every value is tied, so the test is undefined`);
  const centered = statistic - (nx * ny) / 2;
  const z = (centered - Math.sign(centered) * 0.5) / sigma;
  const pValue = Math.min(1, 2 * Math.min(normalCdf(z), normalSf(z)));
  return { statistic, pValue };
}
