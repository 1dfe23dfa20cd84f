import { normalQuantile } from "../stats/distributions";
import { confidenceLevel } from "../stats/sample";

/** Theil-Sen line with Sen's interval for the slope. */
export interface TheilSenResult {
  /** The median of the pairwise slopes (y_j - y_i) / (t_j - t_i) over pairs with t_j > t_i. */
  readonly slope: number;
  /** median(y) - slope * median(t) (Conover 1980), scipy's default "separate" intercept. */
  readonly intercept: number;
  /** Sen's distribution-free interval for the slope at `confidence`. */
  readonly ci: readonly [number, number];
  readonly confidence: number;
  readonly n: number;
  /** How many pairwise slopes there are (N in Sen 1968). */
  readonly pairs: number;
}

/** numpy's `round`: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const frac = x - f;
  if (frac > 0.5) return f + 1;
  if (frac < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** sum k(k-1)(2k+5) over groups of k equal values. */
function tieTerm(x: readonly number[]): number {
  const sorted = Float64Array.from(x).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const k = j - i;
    sum += k * (k - 1) * (2 * k + 5);
    i = j;
  }
  return sum;
}

/**
 * Theil-Sen slope (Theil 1950; Sen 1968): the median of all pairwise slopes, robust to outliers,
 * with Sen's rank-based interval: with N pairwise slopes sorted and C = z_{(1+confidence)/2}
 * sqrt(Var S), where Var S = [n(n-1)(2n+5) - ties in t - ties in y] / 18 (Sen's eq. 2.6), the
 * bounds are the slopes of 1-based rank round((N - C)/2) and round((N + C)/2) + 1, clamped to
 * the available ranks. Rounding is half-to-even. This is `scipy.stats.theilslopes(y, t,
 * alpha=confidence)` of scipy 1.10 exactly, including its subtraction of ties in y (Sen's
 * formula has ties in t only; with y continuous the two agree). Pairs with equal t carry no
 * slope and are skipped, as in scipy. O(n^2) time and memory in the pairs.
 *
 * @example theilSen([0, 1, 2, 3, 4, 5], [1, 2.5, 2.9, 4.2, 5.1, 6.3]).slope // 1.05
 */
export function theilSen(t: readonly number[], y: readonly number[], confidence?: number): TheilSenResult {
  const fn = "theilSen";
  const level = confidenceLevel(fn, confidence);
  if (!Array.isArray(t as unknown) || !Array.isArray(y as unknown)) throw new Error(`${fn}: 't' and 'y' must be arrays of numbers`);
  const n = y.length;
  if (t.length !== n) throw new Error(`${fn}: 't' has ${t.length} values but 'y' has ${n}`);
  for (const [name, arr] of [["t", t], ["y", y]] as const) {
    arr.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new Error(`${fn}: '${name}[${i}]' is ${v}, not a finite number`);
    });
  }
  // Pairs in order of t, so each pair with distinct times is visited once.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => t[a]! - t[b]!);
  const ts = Float64Array.from(order, (i) => t[i]!);
  const ys = Float64Array.from(order, (i) => y[i]!);
  let pairs = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (ts[j]! > ts[i]!) pairs++;
  if (pairs === 0) throw new Error(`${fn}: 't' needs at least 2 distinct values, so that a slope exists`);
  const slopes = new Float64Array(pairs);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (ts[j]! > ts[i]!) slopes[k++] = (ys[j]! - ys[i]!) / (ts[j]! - ts[i]!);
    }
  }
  // scipy: z = norm.ppf(alpha / 2) < 0; a negative variance (only possible when every y and
  // many t are tied) is taken as 0 where scipy would return NaN.
  const z = normalQuantile((1 - level) / 2);
  const variance = Math.max(0, (n * (n - 1) * (2 * n + 5) - tieTerm(t) - tieTerm(y)) / 18);
  const sigma = Math.sqrt(variance);
  const upper = Math.min(roundHalfEven((pairs - z * sigma) / 2), pairs - 1);
  const lower = Math.max(roundHalfEven((pairs + z * sigma) / 2) - 1, 0);
  const m = pairs >> 1;
  const [lo, below, middle, hi] = orderStatistics(slopes, [lower, Math.max(m - 1, 0), m, upper]);
  const slope = pairs % 2 === 1 ? middle! : (below! + middle!) / 2;
  const intercept = median(Float64Array.from(y).sort()) - slope * median(Float64Array.from(t).sort());
  return { slope, intercept, ci: [lo!, hi!], confidence: level, n, pairs };
}

/**
 * The values of the given 0-based ranks in x, as if x were sorted: quickselect (Hoare 1961) with
 * a median-of-three pivot, reordering x in place. Ranks are taken in increasing order, each
 * searched only above the previous one, which the partitioning leaves in place. O(len) on
 * average against the sort's O(len log len): it matters for the millions of slopes of a few
 * thousand buckets.
 */
function orderStatistics(x: Float64Array, ranks: readonly number[]): number[] {
  const out = new Map<number, number>();
  let from = 0;
  for (const r of [...ranks].sort((a, b) => a - b)) {
    if (!out.has(r)) out.set(r, select(x, r, from, x.length - 1));
    from = r;
  }
  return ranks.map((r) => out.get(r)!);
}

/** Quickselect of rank r within x[lo..hi]; on return x[lo..r] <= x[r] <= x[r..hi]. */
function select(x: Float64Array, r: number, lo: number, hi: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const a = x[lo]!;
    const b = x[mid]!;
    const c = x[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (x[i]! < pivot) i++;
      while (x[j]! > pivot) j--;
      if (i <= j) {
        const tmp = x[i]!;
        x[i] = x[j]!;
        x[j] = tmp;
        i++;
        j--;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else return x[r]!;
  }
  return x[r]!;
}

/** The median of sorted values; the mean of the middle two for an even count. */
function median(sorted: Float64Array): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}
