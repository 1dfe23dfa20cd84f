import { kolmogorovCdf, ksTwoSample, type KsResult } from "../stats/ksTwoSample";
import { pairedTotals } from "./counts";

/** Bin indices repeated by their counts: a sample with the same ranks and ties as the binned data. */
function expand(counts: readonly number[]): Float64Array {
  const out = new Float64Array(counts.reduce((s, c) => s + c, 0));
  let at = 0;
  counts.forEach((c, bin) => {
    out.fill(bin, at, at + c);
    at += c;
  });
  return out;
}

/**
 * Two-sample Kolmogorov-Smirnov test on counts over the same ordered bins, every value of a bin
 * taken as tied at its upper edge. KS depends only on ranks, so this is `ksTwoSample` (R
 * `ks.test`) on any data binned that way: exact with ties when the counts are whole and
 * nx * ny < 10,000, otherwise D from the cumulative counts and Kolmogorov's limit, as there.
 * Non-integer counts (Prometheus `increase()`) always take the limit.
 *
 * @example ksBinned([3, 0, 0], [0, 0, 4]).pValue // 0.02857143 (= 1/35, as R ks.test(c(0, 0, 0), c(2, 2, 2, 2)))
 */
export function ksBinned(baseline: readonly number[], current: readonly number[]): KsResult {
  const [nx, ny] = pairedTotals("ksBinned", ["baseline", "current"], baseline, current);
  const whole = [...baseline, ...current].every(Number.isInteger);
  if (whole && nx * ny < 10000) return ksTwoSample(expand(baseline), expand(current));
  let statistic = 0;
  let i = 0;
  let j = 0;
  for (let k = 0; k < baseline.length; k++) {
    i += baseline[k]!;
    j += current[k]!;
    statistic = Math.max(statistic, Math.abs(i / nx - j / ny));
  }
  const m = (nx * ny) / (nx + ny);
  const pValue = statistic < Number.EPSILON ? 1 : 1 - kolmogorovCdf(Math.sqrt(m) * statistic);
  return { statistic, pValue: Math.min(1, Math.max(0, pValue)), exact: false };
}
