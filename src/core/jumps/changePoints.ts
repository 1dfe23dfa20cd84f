import { normalQuantile } from "../stats/distributions";

/** Options of `pelt`. */
export interface PeltOptions {
  /** The cost of one more change point, in squared units of the values (times weight). */
  readonly penalty: number;
  /** The fewest values a segment may hold. Default 1. */
  readonly minSegment?: number;
  /** Per-value weights (inverse variances up to a common factor). Default all 1. */
  readonly weights?: readonly number[];
}

/** Weighted prefix sums of a centred series, so a segment's cost is O(1). */
class SegmentCost {
  private readonly w: Float64Array;
  private readonly wy: Float64Array;
  private readonly wyy: Float64Array;

  constructor(values: readonly number[], weights: readonly number[]) {
    const n = values.length;
    let sw = 0;
    let swy = 0;
    for (let i = 0; i < n; i++) {
      sw += weights[i]!;
      swy += weights[i]! * values[i]!;
    }
    // Centring first keeps the sums of squares from cancelling on series far from 0.
    const centre = swy / sw;
    this.w = new Float64Array(n + 1);
    this.wy = new Float64Array(n + 1);
    this.wyy = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      const wi = weights[i]!;
      const y = values[i]! - centre;
      this.w[i + 1] = this.w[i]! + wi;
      this.wy[i + 1] = this.wy[i]! + wi * y;
      this.wyy[i + 1] = this.wyy[i]! + wi * y * y;
    }
  }

  /** sum w (y - weighted mean)^2 over values [start, end): twice the Gaussian negative log-likelihood at unit variance. */
  cost(start: number, end: number): number {
    const w = this.w[end]! - this.w[start]!;
    const wy = this.wy[end]! - this.wy[start]!;
    return Math.max(0, this.wyy[end]! - this.wyy[start]! - (wy * wy) / w);
  }
}

function requireSeries(fn: string, values: readonly number[], weights: readonly number[] | undefined): readonly number[] {
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new Error(`${fn}: 'values[${i}]' is ${v}, not a finite number`);
  });
  if (weights === undefined) return values.map(() => 1);
  if (weights.length !== values.length) throw new Error(`${fn}: 'weights' has ${weights.length} entries for ${values.length} values`);
  weights.forEach((w, i) => {
    if (!(Number.isFinite(w) && w > 0)) throw new Error(`${fn}: 'weights[${i}]' must be a positive number, got ${w}`);
  });
  return weights;
}

/**
 * Change points in the mean of a series by PELT (Killick, Fearnhead & Eckley 2012): the exact
 * minimiser of sum over segments of C(segment) + penalty * (number of change points), with the
 * normal mean-change cost C = sum w (y - weighted mean)^2 (the Gaussian likelihood with a known
 * variance sigma^2 / w per value, times sigma^2). Candidates are pruned when F(tau) + C(tau, t) >
 * F(t) (K = 0 for this cost); with a minimum segment length a pruned candidate leaves only after
 * `minSegment` more steps, which keeps the answer exact (it equals optimal partitioning,
 * Jackson et al. 2005). Returns the indices at which new segments start, increasing.
 *
 * @example pelt([0, 0, 0, 0, 5, 5, 5, 5], { penalty: 1 }) // [4]
 */
export function pelt(values: readonly number[], options: PeltOptions): number[] {
  const fn = "pelt";
  const weights = requireSeries(fn, values, options.weights);
  const { penalty } = options;
  if (!(Number.isFinite(penalty) && penalty >= 0)) throw new Error(`${fn}: 'penalty' must be a number >= 0, got ${penalty}`);
  const m = options.minSegment ?? 1;
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`${fn}: 'minSegment' must be a whole number >= 1, got ${m}`);
  const n = values.length;
  if (n < 2 * m) return [];
  const segment = new SegmentCost(values, weights);
  const best = new Float64Array(n + 1).fill(Infinity);
  const previous = new Int32Array(n + 1).fill(-1);
  best[0] = -penalty;
  let candidates: number[] = [0];
  const leavesAt = new Map<number, number>();
  for (let t = m; t <= n; t++) {
    candidates = candidates.filter((tau) => (leavesAt.get(tau) ?? Infinity) > t);
    let value = Infinity;
    let arg = -1;
    for (const tau of candidates) {
      if (t - tau < m) continue;
      const v = best[tau]! + segment.cost(tau, t) + penalty;
      if (v < value) {
        value = v;
        arg = tau;
      }
    }
    best[t] = value;
    previous[t] = arg;
    if (value === Infinity) continue;
    for (const tau of candidates) {
      if (t - tau >= m && !leavesAt.has(tau) && best[tau]! + segment.cost(tau, t) > value) leavesAt.set(tau, t + m);
    }
    candidates.push(t);
  }
  const starts: number[] = [];
  for (let t = previous[n]!; t > 0; t = previous[t]!) starts.push(t);
  return starts.reverse();
}

/** The penalty for `pelt` and the noise level behind it. */
export interface NoisePenalty {
  readonly penalty: number;
  readonly sigma: number;
  /** "mad-of-differences" normally; "rms-of-differences" when most neighbours are equal; "none" for a constant series. */
  readonly estimator: "mad-of-differences" | "rms-of-differences" | "none";
}

/**
 * The penalty factor * sigma^2 * log(n) for `pelt`: factor 2 is the BIC/SIC of Schwarz (1978)
 * and Yao (1988); factor 3 is the per-change term of the modified BIC (Zhang & Siegmund 2007),
 * the changepoint package's "MBIC" value without its segment-length term. sigma is estimated
 * robustly from first differences, so that the changes themselves barely move it:
 * d_i = (y_{i+1} - y_i) / sqrt(1/w_i + 1/w_{i+1}), sigma = MAD(d) / Phi^-1(3/4)
 * (Phi^-1(3/4) = 0.6745; unweighted this is MAD(diff y) / (sqrt(2) 0.6745), as in Fryzlewicz
 * 2014). When more than half the differences are equal the MAD is 0 and the root mean square of
 * d is used instead; a constant series has sigma 0 and so penalty 0.
 *
 * @example noisePenalty([0.1, 0.4, 0.2, 0.5, 0.3, 0.9, 0.6], undefined, 2).penalty // 0.2673
 */
export function noisePenalty(values: readonly number[], weights?: readonly number[], factor = 3): NoisePenalty {
  const fn = "noisePenalty";
  const w = requireSeries(fn, values, weights);
  if (!(Number.isFinite(factor) && factor > 0)) throw new Error(`${fn}: 'factor' must be a positive number, got ${factor}`);
  const n = values.length;
  if (n < 2) throw new Error(`${fn}: 'values' needs at least 2 values, got ${n}`);
  const d = new Float64Array(n - 1);
  for (let i = 0; i + 1 < n; i++) d[i] = (values[i + 1]! - values[i]!) / Math.sqrt(1 / w[i]! + 1 / w[i + 1]!);
  const centre = medianOf(Float64Array.from(d));
  const mad = medianOf(d.map((x) => Math.abs(x - centre)));
  let sigma = mad / normalQuantile(0.75);
  let estimator: NoisePenalty["estimator"] = "mad-of-differences";
  if (sigma === 0) {
    sigma = Math.sqrt(d.reduce((s, x) => s + x * x, 0) / d.length);
    estimator = sigma === 0 ? "none" : "rms-of-differences";
  }
  return { penalty: factor * sigma * sigma * Math.log(n), sigma, estimator };
}

function medianOf(x: Float64Array): number {
  x.sort();
  const m = x.length >> 1;
  return x.length % 2 === 1 ? x[m]! : (x[m - 1]! + x[m]!) / 2;
}
