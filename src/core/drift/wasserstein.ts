import { moments, sortedPair, walkTieGroups, type Sample } from "../stats/sample";
import { binnedShape } from "./buckets";
import { pairedTotals } from "./counts";

/** The first Wasserstein distance, and the same divided by the reference's population sd. */
export interface WassersteinResult {
  readonly value: number;
  readonly normed: number;
}

/**
 * The first Wasserstein (earth mover's) distance between the empirical distributions of x and y,
 * ∫ |F_x(t) - F_y(t)| dt (Vallender 1974); matches `scipy.stats.wasserstein_distance(x, y)`.
 * `normed` divides it by the population standard deviation (ddof = 0) of x, the reference, as
 * Evidently's `wasserstein` measure does; a constant x has no normed distance and throws.
 *
 * @example wassersteinDistance([0, 1, 3], [5, 6, 8]).normed // 4.0089186 (value 5, sd sqrt(14/9))
 */
export function wassersteinDistance(x: Sample, y: Sample): WassersteinResult {
  const fn = "wassersteinDistance";
  const [sx, sy] = sortedPair(fn, x, y);
  const nx = sx.length;
  const ny = sy.length;
  let value = 0;
  let previous = 0;
  let gap = 0;
  // Between consecutive distinct pooled values both ECDFs are flat: add |F - G| times the step.
  walkTieGroups(sx, sy, (cx, _cy, i, j) => {
    const v = cx > 0 ? sx[i - 1]! : sy[j - 1]!;
    value += gap * (v - previous);
    previous = v;
    gap = Math.abs(i / nx - j / ny);
  });
  if (sx[0] === sx[nx - 1]) throw new Error(`${fn}: 'x' is constant, so its standard deviation is 0 and the normed distance is undefined`);
  const m = moments(fn, "x", sx, 1);
  return { value, normed: value / Math.sqrt((m.variance * (m.n - 1)) / m.n) };
}

/**
 * Whether histogram counts put all their mass on one point when read as `wassersteinBinned`
 * does: only in open outer buckets, and those at the same finite edge. Such a baseline has sd 0.
 */
export function binnedIsPoint(edges: readonly number[], counts: readonly number[]): boolean {
  const points = new Set<number>();
  for (let k = 0; k < counts.length; k++) {
    if (!(counts[k]! > 0)) continue;
    const lo = edges[k]!;
    const hi = edges[k + 1]!;
    if (Number.isFinite(lo) && Number.isFinite(hi)) return false;
    points.add(Number.isFinite(lo) ? lo : hi);
  }
  return points.size <= 1;
}

/**
 * The first Wasserstein distance between two histograms over the same edges (bin i is
 * (edges[i], edges[i + 1]]), reading each finite bin as mass spread uniformly over it, so that
 * both CDFs are piecewise linear and ∫ |F - G| is exact for that reading. An open outer bin
 * (-Infinity or +Infinity edge) is a point mass at its finite edge, as Prometheus's
 * `histogram_quantile` treats the +Inf bucket: differences beyond the last finite edge are not seen.
 * `normed` divides by the baseline's standard deviation under the same reading (bin midpoints plus
 * width² / 12 within finite bins); a baseline that is a single point throws.
 *
 * @example wassersteinBinned([0, 1, 2], [1, 0], [0, 1]).normed // 3.4641016 (value 1, sd 1/sqrt(12))
 */
export function wassersteinBinned(
  edges: readonly number[],
  baseline: readonly number[],
  current: readonly number[],
): WassersteinResult {
  const fn = "wassersteinBinned";
  const [tb, tc] = pairedTotals(fn, ["baseline", "current"], baseline, current);
  binnedShape(fn, edges, baseline.length);
  if (!edges.some(Number.isFinite)) throw new Error(`${fn}: 'edges' needs at least one finite edge, got [${edges.join(", ")}]`);
  let value = 0;
  let f = 0;
  let g = 0;
  let mean = 0;
  const centres: number[] = [];
  const widths: number[] = [];
  for (let k = 0; k < baseline.length; k++) {
    const lo = edges[k]!;
    const hi = edges[k + 1]!;
    const p = baseline[k]! / tb;
    const q = current[k]! / tc;
    const width = Number.isFinite(lo) && Number.isFinite(hi) ? hi - lo : 0;
    const centre = width > 0 ? lo + width / 2 : Number.isFinite(lo) ? lo : hi;
    const d0 = f - g;
    const d1 = d0 + (p - q);
    // ∫ of |d| where d runs linearly from d0 to d1 over the bin; it may cross 0 once.
    value += d0 * d1 >= 0 ? (width * (Math.abs(d0) + Math.abs(d1))) / 2 : (width * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
    f += p;
    g += q;
    mean += p * centre;
    centres.push(centre);
    widths.push(width);
  }
  if (binnedIsPoint(edges, baseline)) {
    throw new Error(`${fn}: the baseline is a single point (all of it in open buckets at one edge), so its standard deviation is 0 and the normed distance is undefined`);
  }
  let variance = 0;
  for (let k = 0; k < baseline.length; k++) {
    const p = baseline[k]! / tb;
    variance += p * ((centres[k]! - mean) ** 2 + widths[k]! ** 2 / 12);
  }
  return { value, normed: value / Math.sqrt(variance) };
}
