import { logGamma } from "./special";
import { sortedPair, walkTieGroups, type Sample } from "./sample";

/** Two-sample Kolmogorov-Smirnov result; `exact` says which p-value was computed. */
export interface KsResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly exact: boolean;
}

/**
 * Two-sided two-sample Kolmogorov-Smirnov test (Smirnov 1939), as R 4.2's `ks.test(x, y)`:
 * the exact distribution when nx * ny < 10,000, counting lattice paths and respecting ties
 * (Schröer & Trenkler 1995, as R's `psmirnov`), otherwise Kolmogorov's limiting distribution.
 *
 * @example ksTwoSample([0.1, 0.2, 0.3], [0.4, 0.5, 0.6, 0.7]).pValue // 0.05714286 (= 2/35)
 */
export function ksTwoSample(x: Sample, y: Sample, options: { exact?: boolean } = {}): KsResult {
  const fn = "ksTwoSample";
  const [sx, sy] = sortedPair(fn, x, y);
  const nx = sx.length;
  const ny = sy.length;
  let statistic = 0;
  let ties = false;
  // The ECDF gap is read only after each distinct value, which is how R treats ties.
  walkTieGroups(sx, sy, (cx, cy, i, j) => {
    if (cx + cy > 1) ties = true;
    statistic = Math.max(statistic, Math.abs(i / nx - j / ny));
  });
  const exact = options.exact ?? nx * ny < 10000;
  let pValue: number;
  if (!exact) {
    const m = (nx * ny) / (nx + ny);
    pValue = statistic < Number.EPSILON ? 1 : 1 - kolmogorovCdf(Math.sqrt(m) * statistic);
  } else if (!ties) {
    pValue = 1 - smirnovCdfNoTies(statistic, nx, ny);
  } else {
    pValue = 1 - smirnovCdfWithTies(statistic, sx, sy);
  }
  return { statistic, pValue: Math.min(1, Math.max(0, pValue)), exact };
}

/** R nudges the statistic down by half a lattice step so rounding cannot turn = into >. */
function latticeThreshold(d: number, nx: number, ny: number): number {
  return (0.5 + Math.floor(d * nx * ny - 1e-7)) / (nx * ny);
}

/** P(D < d) without ties: the normalized path recursion of R's C_pSmirnov2x. */
function smirnovCdfNoTies(d: number, nx: number, ny: number): number {
  const m = Math.min(nx, ny);
  const n = Math.max(nx, ny);
  const q = latticeThreshold(d, m, n);
  const u = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) u[j] = j / n > q ? 0 : 1;
  for (let i = 1; i <= m; i++) {
    const w = i / (i + n);
    u[0] = i / m > q ? 0 : w * u[0]!;
    for (let j = 1; j <= n; j++) u[j] = Math.abs(i / m - j / n) > q ? 0 : w * u[j]! + u[j - 1]!;
  }
  return u[n]!;
}

/**
 * P(D < d) with ties: count the monotone lattice paths through the merged sample that stay
 * inside the band, checking the band only where the pooled value changes (R's `psmirnov`).
 */
function smirnovCdfWithTies(d: number, sx: Float64Array, sy: Float64Array): number {
  const nx = sx.length;
  const ny = sy.length;
  const total = nx + ny;
  const pooled = new Float64Array(total);
  pooled.set(sx);
  pooled.set(sy, nx);
  pooled.sort();
  const q = latticeThreshold(d, nx, ny);
  let paths = new Float64Array(nx + 1); // paths[u]: u values of x among the first k
  let next = new Float64Array(nx + 1);
  paths[0] = 1;
  for (let k = 1; k <= total; k++) {
    const lo = Math.max(0, k - ny);
    const hi = Math.min(k, nx);
    const boundary = k === total || pooled[k - 1] !== pooled[k];
    next.fill(0);
    for (let u = lo; u <= hi; u++) {
      let count = (u <= k - 1 ? paths[u]! : 0) + (u > 0 ? paths[u - 1]! : 0);
      if (boundary && !(q > Math.abs(u / nx - (k - u) / ny))) count = 0;
      next[u] = count;
    }
    [paths, next] = [next, paths];
  }
  const logPaths = logGamma(total + 1) - logGamma(nx + 1) - logGamma(ny + 1);
  return paths[nx]! / Math.exp(logPaths);
}

/**
 * Kolmogorov's limiting distribution P(K <= x), with R's series and its tolerance 1e-6
 * (R `C_pKS2`): the theta-function form below 1, the alternating series above.
 */
export function kolmogorovCdf(x: number, tol = 1e-6): number {
  if (x <= 0) return 0;
  if (x < 1) {
    const kMax = Math.trunc(Math.sqrt(2 - Math.log(tol)));
    const z = -(Math.PI / 2) * (Math.PI / 4) / (x * x);
    const w = Math.log(x);
    let s = 0;
    for (let k = 1; k < kMax; k += 2) s += Math.exp(k * k * z - w);
    return s * Math.sqrt(2 * Math.PI);
  }
  const z = -2 * x * x;
  let sign = -1;
  let k = 1;
  let old = 0;
  let value = 1;
  while (Math.abs(old - value) > tol) {
    old = value;
    value += 2 * sign * Math.exp(z * k * k);
    sign = -sign;
    k++;
  }
  return value;
}
