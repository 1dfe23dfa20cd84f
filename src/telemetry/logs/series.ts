/**
 * Time-bucketed metric series from prediction rows, as the release-jump analysis reads them:
 * `error_rate` (proportion of rows with an error), `latency_p95` (0.95 quantile from a histogram over
 * `LATENCY_EDGES_MS`), `prediction_mean` (mean of numeric predictions) and `outcome_rate`
 * (proportion of rows with outcome 1 among rows with a 0/1 outcome).
 *
 * Buckets start at multiples of their width since the epoch. The width is the given `bucketMs`, or
 * the finest of 1m, 5m, 15m, 1h, 6h, 1d, 7d, 28d, 364d (then doubling) that keeps the series within
 * `maxPoints`; with no time range given it widens as the data's span grows, merging buckets, so at
 * most `maxPoints` buckets are ever held.
 */
import type { MetricPoint, MetricSeries } from "../../core/jumps/inputs";
import type { PredictionRecord, TimeWindow } from "./types";

const MINUTE = 60e3;
const LADDER = [MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 360 * MINUTE, 1440 * MINUTE, 7 * 1440 * MINUTE, 28 * 1440 * MINUTE, 364 * 1440 * MINUTE];

/**
 * Latency histogram edges in milliseconds: 0, then ten per decade from 0.1 ms to 100 s (rounded to
 * three significant digits), then +Infinity. Latencies are never negative, so the first bin also
 * holds 0.
 */
export const LATENCY_EDGES_MS: readonly number[] = [
  0,
  ...Array.from({ length: 61 }, (_, i) => Number((0.1 * 10 ** (i / 10)).toPrecision(3))),
  Infinity,
];
const LATENCY_BINS = LATENCY_EDGES_MS.length - 1;

function latencyBin(ms: number): number {
  // Binary search for the first upper edge >= ms: bins are (edges[i], edges[i + 1]].
  let lo = 0;
  let hi = LATENCY_BINS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= LATENCY_EDGES_MS[mid + 1]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

class Bucket {
  n = 0;
  errors = 0;
  latencyN = 0;
  latency: Float64Array | undefined;
  predictionN = 0;
  predictionSum = 0;
  predictionSumSquares = 0;
  outcomeN = 0;
  outcomes = 0;

  merge(o: Bucket): void {
    this.n += o.n;
    this.errors += o.errors;
    this.latencyN += o.latencyN;
    if (o.latency) {
      const mine = (this.latency ??= new Float64Array(LATENCY_BINS));
      for (let i = 0; i < LATENCY_BINS; i++) mine[i]! += o.latency[i]!;
    }
    this.predictionN += o.predictionN;
    this.predictionSum += o.predictionSum;
    this.predictionSumSquares += o.predictionSumSquares;
    this.outcomeN += o.outcomeN;
    this.outcomes += o.outcomes;
  }
}

export interface SeriesOptions {
  readonly bucketMs?: number;
  readonly range?: TimeWindow;
  readonly maxPoints: number;
  readonly outcomeDirection: "higher" | "lower";
}

export class SeriesAggregator {
  private widths: number[];
  private step = 0;
  private buckets = new Map<number, Bucket>();
  private minKey = Infinity;
  private maxKey = -Infinity;
  peakPoints = 0;
  /** Set when a given bucket width had to widen. */
  widened = false;

  constructor(private readonly options: SeriesOptions) {
    const fn = "readPredictionLogs";
    const { bucketMs, range, maxPoints } = options;
    if (bucketMs !== undefined && !(Number.isFinite(bucketMs) && bucketMs >= 1)) {
      throw new Error(`${fn}: 'bucketMs' must be a number of milliseconds >= 1, got ${bucketMs}`);
    }
    if (range && !(Number.isFinite(range.start) && Number.isFinite(range.end) && range.start < range.end)) {
      throw new Error(`${fn}: 'range' must have finite start < end, got ${JSON.stringify(range)}`);
    }
    const custom = bucketMs !== undefined ? Array.from({ length: 40 }, (_, i) => bucketMs * 2 ** i) : undefined;
    this.widths = custom ?? [...LADDER, ...Array.from({ length: 30 }, (_, i) => LADDER[LADDER.length - 1]! * 2 ** (i + 1))];
    if (range) {
      while (this.count(range.start, range.end - 1) > maxPoints && this.step < this.widths.length - 1) this.step++;
      if (this.step > 0 && custom) {
        throw new Error(`${fn}: ${Math.ceil((range.end - range.start) / bucketMs!)} buckets of ${bucketMs} ms cover the range; at most ${maxPoints} are allowed`);
      }
    }
  }

  get width(): number {
    return this.widths[this.step]!;
  }

  private key(t: number): number {
    return Math.floor(t / this.width) * this.width;
  }

  private count(first: number, last: number): number {
    return (this.key(last) - this.key(first)) / this.width + 1;
  }

  add(r: PredictionRecord): void {
    let key = this.key(r.t);
    if (key < this.minKey || key > this.maxKey) {
      const lo = Math.min(this.minKey, key);
      const hi = Math.max(this.maxKey, key);
      if ((hi - lo) / this.width + 1 > this.options.maxPoints) {
        this.widen(lo, hi);
        key = this.key(r.t);
      }
      this.minKey = Math.min(this.minKey, key);
      this.maxKey = Math.max(this.maxKey, key);
    }
    let b = this.buckets.get(key);
    if (!b) {
      b = new Bucket();
      this.buckets.set(key, b);
      if (this.buckets.size > this.peakPoints) this.peakPoints = this.buckets.size;
    }
    b.n++;
    if (r.error) b.errors++;
    if (r.latencyMs !== undefined) {
      b.latencyN++;
      (b.latency ??= new Float64Array(LATENCY_BINS))[latencyBin(r.latencyMs)]! += 1;
    }
    if (typeof r.prediction === "number") {
      b.predictionN++;
      b.predictionSum += r.prediction;
      b.predictionSumSquares += r.prediction * r.prediction;
    }
    if (r.outcome === 0 || r.outcome === 1) {
      b.outcomeN++;
      b.outcomes += r.outcome;
    }
  }

  /** Moves to the first wider width that fits [lo, hi] and merges the buckets into it. */
  private widen(lo: number, hi: number): void {
    while (this.count(lo, hi) > this.options.maxPoints && this.step < this.widths.length - 1) this.step++;
    if (this.options.bucketMs !== undefined) this.widened = true;
    const merged = new Map<number, Bucket>();
    for (const [k, b] of this.buckets) {
      const nk = this.key(k);
      const into = merged.get(nk);
      if (into) into.merge(b);
      else merged.set(nk, b);
    }
    this.buckets = merged;
    this.minKey = this.key(this.minKey);
    this.maxKey = this.key(this.maxKey);
  }

  /** The four series, evenly spaced over the range (or the data's span), empty buckets included. */
  finish(): MetricSeries[] {
    const { range } = this.options;
    const first = range ? this.key(range.start) : this.minKey;
    const last = range ? this.key(range.end - 1) : this.maxKey;
    const keys: number[] = [];
    if (Number.isFinite(first) && Number.isFinite(last)) for (let k = first; k <= last; k += this.width) keys.push(k);
    const empty = new Bucket();
    const at = (k: number): Bucket => this.buckets.get(k) ?? empty;
    const zeros = new Array<number>(LATENCY_BINS).fill(0);
    const points = (f: (b: Bucket, t: number) => MetricPoint): MetricPoint[] => keys.map((k) => f(at(k), k));
    return [
      { name: "error_rate", kind: "proportion", direction: "lower", points: points((b, t) => ({ t, n: b.n, successes: b.errors })) },
      {
        name: "latency_p95",
        kind: "quantile",
        direction: "lower",
        quantile: 0.95,
        points: points((b, t) => ({ t, n: b.latencyN, histogram: { edges: LATENCY_EDGES_MS, counts: b.latency ? Array.from(b.latency) : zeros } })),
      },
      {
        name: "prediction_mean",
        kind: "mean",
        direction: "higher",
        points: points((b, t) => ({ t, n: b.predictionN, sum: b.predictionSum, sumSquares: b.predictionSumSquares })),
      },
      {
        name: "outcome_rate",
        kind: "proportion",
        direction: this.options.outcomeDirection,
        points: points((b, t) => ({ t, n: b.outcomeN, successes: b.outcomes })),
      },
    ];
  }
}
