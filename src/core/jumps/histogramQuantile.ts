/**
 * Quantiles of a histogram with Prometheus `le` buckets: bin i holds values in
 * (edges[i], edges[i + 1]], the first edge may be -Infinity and the last +Infinity.
 */

/** A histogram over shared edges; `edges.length === counts.length + 1`. */
export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** A histogram quantile, with whether the true value may lie beyond it (an open-ended bin). */
export interface HistogramQuantileResult {
  readonly value: number;
  /** The bin that holds the rank, (lower, upper]; an open first bin starts at 0 when its upper edge is positive, as Prometheus assumes. */
  readonly bin: readonly [number, number];
  /** "above": the rank falls in the +Infinity bin, so the true quantile is at least `value`; "below" likewise. */
  readonly censored?: "above" | "below";
}

/** Throws unless `h` is a histogram: increasing edges, one more than counts, counts >= 0. */
export function requireHistogram(fn: string, name: string, h: Histogram): void {
  const { edges, counts } = h;
  if (!Array.isArray(edges as unknown) || !Array.isArray(counts as unknown)) throw new Error(`${fn}: '${name}' needs 'edges' and 'counts' arrays`);
  if (counts.length < 1 || edges.length !== counts.length + 1) {
    throw new Error(`${fn}: '${name}.edges' must have one more entry than '${name}.counts' (${counts.length}), got ${edges.length}`);
  }
  edges.forEach((e, i) => {
    if (typeof e !== "number" || Number.isNaN(e) || (i > 0 && !(e > edges[i - 1]!))) {
      throw new Error(`${fn}: '${name}.edges[${i}]' must be a number above the previous edge, got ${e}`);
    }
  });
  if (edges.slice(1, -1).some((e) => !Number.isFinite(e))) throw new Error(`${fn}: only the first and last of '${name}.edges' may be infinite`);
  counts.forEach((c, i) => {
    if (!(Number.isFinite(c) && c >= 0)) throw new Error(`${fn}: '${name}.counts[${i}]' must be a count >= 0, got ${c}`);
  });
}

/**
 * The value at `rank` (0 to the total count) by linear interpolation within the bin that holds
 * it, exactly as Prometheus `histogram_quantile` does (promql/quantile.go `bucketQuantile`):
 * the first bin whose cumulative count reaches the rank is used; a first bin with an infinite
 * lower edge starts at 0 when its upper edge is positive and otherwise yields its upper edge; a
 * rank in the +Infinity bin yields the highest finite edge. Both of those are flagged `censored`.
 */
export function histogramValueAtRank(h: Histogram, rank: number): HistogramQuantileResult {
  const { edges, counts } = h;
  const bins = counts.length;
  let cumulative = 0;
  let b = 0;
  for (; b < bins; b++) {
    if (cumulative + counts[b]! >= rank) break;
    cumulative += counts[b]!;
  }
  if (b === bins) b = bins - 1; // rounding pushed the rank past the total
  const lower = edges[b]!;
  const upper = edges[b + 1]!;
  if (upper === Infinity) return { value: lower, bin: [lower, upper], censored: "above" };
  let start = lower;
  if (lower === -Infinity) {
    if (upper <= 0) return { value: upper, bin: [lower, upper], censored: "below" };
    start = 0;
  }
  const count = counts[b]!;
  if (count === 0) return { value: start, bin: [start, upper] };
  return { value: start + (upper - start) * ((rank - cumulative) / count), bin: [start, upper] };
}

/**
 * The q-quantile of a histogram, as Prometheus `histogram_quantile(q, ...)`: rank q * total,
 * then linear interpolation within its bin (see `histogramValueAtRank`). Throws on an empty
 * histogram, whose quantile is undefined.
 *
 * @example histogramQuantile({ edges: [0, 0.1, 0.25, 0.5, 1, Infinity], counts: [40, 30, 20, 8, 2] }, 0.95).value // 0.8125
 */
export function histogramQuantile(h: Histogram, q: number): HistogramQuantileResult {
  const fn = "histogramQuantile";
  if (!(q >= 0 && q <= 1)) throw new Error(`${fn}: 'q' must be in [0, 1], got ${q}`);
  requireHistogram(fn, "h", h);
  const total = h.counts.reduce((s, c) => s + c, 0);
  if (!(total > 0)) throw new Error(`${fn}: the histogram is empty, so its quantile is undefined`);
  return histogramValueAtRank(h, q * total);
}
