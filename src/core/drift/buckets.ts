/**
 * Histogram plumbing shared by the drift measures: Prometheus cumulative `le` buckets to plain
 * bins, the checks on bin edges, and shared bins for raw samples from baseline quantiles.
 */
import type { DriftBin } from "../results/drift";
import type { FeatureData } from "./inputs";

/** One cumulative bucket as Prometheus exposes it: the count of values <= `le`. */
export interface LeBucket {
  /** A number, or the label text ("0.25", "+Inf"). */
  readonly le: number | string;
  readonly count: number;
}

/** Plain bins: bin i holds the values in (edges[i], edges[i + 1]]. */
export interface Bins {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/**
 * Throws unless `edges` bound `binCount` bins: binCount + 1 strictly increasing edges, finite
 * except that the first may be -Infinity and the last +Infinity.
 */
export function binnedShape(fn: string, edges: readonly number[], binCount: number): void {
  if (binCount < 1) throw new Error(`${fn}: needs at least 1 bin, got ${binCount}`);
  if (edges.length !== binCount + 1) {
    throw new Error(`${fn}: 'edges' must have one more entry than there are bins (${binCount + 1}), got ${edges.length}`);
  }
  edges.forEach((e, i) => {
    const open = (i === 0 && e === -Infinity) || (i === edges.length - 1 && e === Infinity);
    if (!(Number.isFinite(e) || open)) throw new Error(`${fn}: 'edges[${i}]' must be finite (only the outer edges may be infinite), got ${e}`);
    if (i > 0 && !(e > edges[i - 1]!)) throw new Error(`${fn}: 'edges' must increase strictly, but edges[${i}] = ${e} follows ${edges[i - 1]}`);
  });
}

/** Reads an `le` label: a number, or "+Inf" / "Inf" in any case. */
export function parseLe(le: number | string): number {
  if (typeof le === "number") {
    if (Number.isNaN(le)) throw new Error("parseLe: 'le' is NaN");
    return le;
  }
  const text = le.trim();
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  const value = text === "" ? NaN : Number(text);
  if (Number.isNaN(value)) throw new Error(`parseLe: 'le' must be a number or "+Inf", got ${JSON.stringify(le)}`);
  return value;
}

/**
 * Cumulative counts by `le`, sorted, with the +Inf bucket required (it holds the total). A count
 * that falls below an earlier one is raised to it, as Prometheus's `histogram_quantile` does:
 * buckets scraped or extrapolated (`increase()`) separately can disagree by a little.
 */
function cumulative(fn: string, name: string, buckets: readonly LeBucket[]): Map<number, number> {
  const parsed = buckets.map((b, i) => {
    if (!(Number.isFinite(b.count) && b.count >= 0)) throw new Error(`${fn}: '${name}[${i}].count' must be a finite count >= 0, got ${b.count}`);
    return { le: parseLe(b.le), count: b.count };
  });
  parsed.sort((a, b) => a.le - b.le);
  const series = new Map<number, number>();
  let running = 0;
  for (const { le, count } of parsed) {
    if (series.has(le)) throw new Error(`${fn}: '${name}' has two buckets with le = ${le}`);
    if (le === -Infinity) throw new Error(`${fn}: '${name}' has a bucket with le = -Inf`);
    running = Math.max(running, count);
    series.set(le, running);
  }
  if (!series.has(Infinity)) throw new Error(`${fn}: '${name}' needs the le="+Inf" bucket, which holds the total count`);
  return series;
}

/** Per-bucket counts from the cumulative counts at the given `le` values. */
function toBins(les: readonly number[], series: ReadonlyMap<number, number>): number[] {
  let previous = 0;
  return les.map((le) => {
    const c = series.get(le)!;
    const count = c - previous;
    previous = c;
    return count;
  });
}

function lowerEdge(fn: string, lowerBound: number | undefined, firstLe: number): number {
  if (lowerBound === undefined) return -Infinity;
  if (!(Number.isFinite(lowerBound) && lowerBound < firstLe)) {
    throw new Error(`${fn}: 'lowerBound' must be a finite number below the smallest le (${firstLe}), got ${lowerBound}`);
  }
  return lowerBound;
}

/**
 * Prometheus cumulative buckets to plain bins: edges [lowerBound, le_1, ..., +Inf] and the count
 * of each (le_{i-1}, le_i]. `lowerBound` (say 0 for latencies) closes the first bucket; without it
 * the first edge is -Infinity. Empty buckets become bins with count 0.
 *
 * @example bucketsFromCumulative([{ le: "0.1", count: 2 }, { le: "+Inf", count: 5 }]).counts // [2, 3]
 */
export function bucketsFromCumulative(buckets: readonly LeBucket[], options: { lowerBound?: number } = {}): Bins {
  const fn = "bucketsFromCumulative";
  const series = cumulative(fn, "buckets", buckets);
  const les = [...series.keys()];
  return { edges: [lowerEdge(fn, options.lowerBound, les[0]!), ...les], counts: toBins(les, series) };
}

/**
 * Both windows' cumulative buckets as one binned feature. The shared bins are the `le` values
 * present in both windows: a cumulative count at an `le` is exact whatever other buckets exist,
 * so a bucket layout that changed between windows is merged to the common, coarser one.
 */
export function binnedFromCumulative(
  baseline: readonly LeBucket[],
  current: readonly LeBucket[],
  options: { lowerBound?: number } = {},
): Extract<FeatureData, { kind: "binned" }> {
  const fn = "binnedFromCumulative";
  const b = cumulative(fn, "baseline", baseline);
  const c = cumulative(fn, "current", current);
  const les = [...b.keys()].filter((le) => c.has(le));
  return {
    kind: "binned",
    edges: [lowerEdge(fn, options.lowerBound, les[0]!), ...les],
    baseline: toBins(les, b),
    current: toBins(les, c),
  };
}

/** The document's view of plain edges: an infinite edge becomes a missing bound. */
export function binsFromEdges(edges: readonly number[]): DriftBin[] {
  return edges.slice(1).map((upper, i) => {
    const lower = edges[i]!;
    return { ...(Number.isFinite(lower) ? { lower } : {}), ...(Number.isFinite(upper) ? { upper } : {}) };
  });
}

/**
 * The k/bins quantile of a sorted sample as the inverse of its empirical CDF (Hyndman & Fan type
 * 1): the smallest value with at least that share of the sample at or below it. Always a sample
 * value, so a bin that ends at a cut holds at least that value. Integer arithmetic for the index.
 */
function quantileSorted(s: Float64Array, k: number, bins: number): number {
  return s[Math.max(0, Math.ceil((s.length * k) / bins) - 1)]!;
}

/**
 * Cut points at the quantiles 0, 1/bins, ..., 1 of `s`, distinct and below `max`. The 0 quantile
 * (the minimum of `s`) is a cut only above `min`; a higher quantile equal to `min` is kept: it
 * marks a spike at the minimum (zero-inflation), which then gets a bin of its own.
 */
function quantileCuts(s: Float64Array, bins: number, min: number, max: number): number[] {
  const cuts: number[] = [];
  for (let k = 0; k <= bins; k++) {
    const q = quantileSorted(s, k, bins);
    if ((k > 0 || q > min) && q < max && q !== cuts[cuts.length - 1]) cuts.push(q);
  }
  return cuts;
}

/** How many of the sorted values fall in each bin (-Inf, c_1], (c_1, c_2], ..., (c_m, +Inf). */
function countInto(s: Float64Array, cuts: readonly number[]): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  let bin = 0;
  for (let i = 0; i < s.length; i++) {
    while (bin < cuts.length && s[i]! > cuts[bin]!) bin++;
    counts[bin]! += 1;
  }
  return counts;
}

/**
 * Shared bins for two sorted raw samples: cut at the baseline's quantiles 0, 1/bins, ..., 1 (type
 * 1, so every cut is a baseline value and every bin inside the baseline's range holds baseline
 * values; each holds about 1/bins of it, ties never split). The baseline's minimum and maximum
 * are cuts only when current values lie beyond them, which then get bins of their own. Bins are
 * (c_i, c_i+1]; a cut at the pooled minimum makes a bin of the values equal to it (a spike such as
 * zero-inflation). When the baseline gives no cut (it is constant at the pooled maximum) the
 * pooled quantiles are used. The document's first bin starts at the pooled minimum and the last
 * ends at the pooled maximum.
 */
export function sampleBins(
  baseline: Float64Array,
  current: Float64Array,
  bins: number,
): { bins: DriftBin[]; baseline: number[]; current: number[] } {
  const min = Math.min(baseline[0]!, current[0]!);
  const max = Math.max(baseline[baseline.length - 1]!, current[current.length - 1]!);
  let cuts = quantileCuts(baseline, bins, min, max);
  if (cuts.length === 0) {
    const pooled = new Float64Array(baseline.length + current.length);
    pooled.set(baseline);
    pooled.set(current, baseline.length);
    cuts = quantileCuts(pooled.sort(), bins, min, max);
  }
  const edges = [min, ...cuts, max];
  return {
    bins: edges.slice(1).map((upper, i) => ({ lower: edges[i]!, upper })),
    baseline: countInto(baseline, cuts),
    current: countInto(current, cuts),
  };
}
