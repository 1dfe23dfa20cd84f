import type { Estimate, InsufficientData } from "../results/common";
import { insufficient } from "../results/common";
import type { JumpsTest } from "../results/jumps";
import { normalQuantile, studentTQuantile } from "../stats/distributions";
import { twoProportionTest } from "../stats/twoProportionTest";
import { isEssentiallyConstant } from "../stats/tTest";
import { welchFromMoments } from "../stats/welchTTest";
import { histogramQuantile, histogramValueAtRank, type Histogram } from "./histogramQuantile";
import type { MetricKind, MetricPoint } from "./inputs";
import { mannWhitneyBinned } from "./mannWhitneyBinned";

/** A window's sufficient statistics: the buckets' fields summed (histograms bin by bin). */
export type WindowData =
  | { readonly kind: "proportion"; readonly n: number; readonly successes: number }
  | { readonly kind: "mean"; readonly n: number; readonly sum: number; readonly sumSquares: number }
  | { readonly kind: "quantile"; readonly n: number; readonly histogram: Histogram };

/** Sums the buckets at `indices`; the points are assumed validated (see analyzeJumps). */
export function aggregateWindow(kind: MetricKind, points: readonly MetricPoint[], indices: readonly number[]): WindowData {
  let n = 0;
  if (kind === "proportion") {
    let successes = 0;
    for (const i of indices) {
      n += points[i]!.n;
      successes += points[i]!.successes ?? 0;
    }
    return { kind, n, successes };
  }
  if (kind === "mean") {
    let sum = 0;
    let sumSquares = 0;
    for (const i of indices) {
      n += points[i]!.n;
      sum += points[i]!.sum ?? 0;
      sumSquares += points[i]!.sumSquares ?? 0;
    }
    return { kind, n, sum, sumSquares };
  }
  let edges: readonly number[] = [];
  let counts: number[] = [];
  for (const i of indices) {
    const h = points[i]!.histogram;
    n += points[i]!.n;
    if (!h) continue;
    if (counts.length === 0) {
      edges = h.edges;
      counts = h.counts.map(() => 0);
    }
    h.counts.forEach((c, b) => (counts[b]! += c));
  }
  return { kind, n, histogram: { edges, counts } };
}

/** One window's estimate, with a possibly censored quantile. */
export type WindowEstimate = Estimate & {
  readonly n: number;
  readonly censored?: "above" | "below";
  readonly bin?: readonly [number, number];
};

/** A window comparison before Holm: everything but the adjusted p-value and the verdict. */
export interface WindowComparison {
  readonly status: "ok";
  readonly before: WindowEstimate;
  readonly after: WindowEstimate;
  readonly difference: Estimate;
  readonly relative: ({ readonly status: "ok" } & Estimate) | InsufficientData;
  readonly test: JumpsTest;
  readonly pValue: number;
  /** The sign of the shift the test saw: for quantiles the rank test's, which may differ from the quantiles'. */
  readonly testSign: -1 | 0 | 1;
}

export interface CompareOptions {
  readonly confidence: number;
  /** Quantile metrics: which quantile. */
  readonly quantile?: number;
}

/**
 * Compares the window after a release with the one before it, with the test for the metric's
 * kind; differences are after minus before.
 * - proportion: Pearson's two-proportion test on the summed successes and units (R `prop.test(
 *   correct = FALSE)`; z is the signed root of its X^2), Wald intervals.
 * - mean: Welch's t-test from the summed n, sum and sum of squares (R `t.test` on the raw data).
 * - quantile: the quantile of each merged histogram by Prometheus' linear interpolation; its
 *   interval maps the distribution-free rank bounds q n -/+ z sqrt(n q (1 - q)) through the same
 *   interpolation; the difference's interval adds the two half-widths in quadrature (each
 *   half-width over z taken as a standard error, as Price & Bonett 2002 do for medians); the
 *   p-value is the Mann-Whitney test over the bins (`mannWhitneyBinned`), a test of a shift of
 *   the whole distribution, not of that quantile alone.
 * The relative change after / before - 1 has a delta-method interval.
 * Data that cannot support the comparison give "insufficient-data" with the reason.
 */
export function compareWindows(before: WindowData, after: WindowData, options: CompareOptions): WindowComparison | InsufficientData {
  const z = normalQuantile(1 - (1 - options.confidence) / 2);
  for (const [side, w] of [["before", before], ["after", after]] as const) {
    if (w.n === 0) return insufficient(`no units in the window ${side} the release`);
  }
  if (before.kind === "proportion" && after.kind === "proportion") return compareProportions(before, after, options.confidence, z);
  if (before.kind === "mean" && after.kind === "mean") return compareMeans(before, after, options.confidence, z);
  if (before.kind === "quantile" && after.kind === "quantile") {
    if (options.quantile === undefined) throw new Error("compareWindows: a quantile metric needs 'quantile'");
    return compareQuantiles(before, after, options.quantile, z);
  }
  throw new Error(`compareWindows: the windows are of different kinds (${before.kind}, ${after.kind})`);
}

type Proportion = Extract<WindowData, { kind: "proportion" }>;
type Mean = Extract<WindowData, { kind: "mean" }>;
type Quantile = Extract<WindowData, { kind: "quantile" }>;

function sign(x: number): -1 | 0 | 1 {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** r - 1 for r = a / b, with Var(r) = (Var a + r^2 Var b) / b^2 (delta method, independent windows). */
function relativeChange(a: number, varA: number, b: number, varB: number, z: number): WindowComparison["relative"] {
  if (b === 0) return insufficient("the value before the release is 0, so a relative change is undefined");
  const ratio = a / b;
  const se = Math.sqrt(varA + ratio ** 2 * varB) / Math.abs(b);
  const change = ratio - 1;
  if (!(Number.isFinite(change) && Number.isFinite(se))) return insufficient("the value before the release is too close to 0 for a relative change");
  return { status: "ok", estimate: change, ci: [change - z * se, change + z * se] };
}

function compareProportions(before: Proportion, after: Proportion, confidence: number, z: number): WindowComparison | InsufficientData {
  const pooled = (before.successes + after.successes) / (before.n + after.n);
  if (pooled === 0) return insufficient("no successes (events) in either window, so the rates cannot be compared");
  if (pooled === 1) return insufficient("every unit is a success in both windows, so the rates cannot be compared");
  const test = twoProportionTest([after.successes, before.successes], [after.n, before.n], { confidence });
  const estimate = (w: Proportion): WindowEstimate => {
    const p = w.successes / w.n;
    const half = z * Math.sqrt((p * (1 - p)) / w.n);
    return { estimate: p, ci: [Math.max(0, p - half), Math.min(1, p + half)], n: w.n };
  };
  const b = estimate(before);
  const a = estimate(after);
  return {
    status: "ok",
    before: b,
    after: a,
    difference: { estimate: test.estimate, ci: test.ci },
    relative: relativeChange(a.estimate, (a.estimate * (1 - a.estimate)) / a.n, b.estimate, (b.estimate * (1 - b.estimate)) / b.n, z),
    test: { method: "two-proportion-z", statistic: sign(test.estimate) * Math.sqrt(test.statistic) },
    pValue: test.pValue,
    testSign: sign(test.estimate),
  };
}

function compareMeans(before: Mean, after: Mean, confidence: number, z: number): WindowComparison | InsufficientData {
  const moments = (w: Mean) => {
    const mean = w.sum / w.n;
    // Rounding can push a zero variance slightly negative; it is zero then.
    return { n: w.n, mean, variance: w.n > 1 ? Math.max(0, (w.sumSquares - w.sum * mean) / (w.n - 1)) : 0 };
  };
  for (const [side, w] of [["before", before], ["after", after]] as const) {
    if (w.n < 2) return insufficient(`1 unit in the window ${side} the release; a mean needs at least 2`);
  }
  const mb = moments(before);
  const ma = moments(after);
  const se = Math.sqrt(ma.variance / ma.n + mb.variance / mb.n);
  if (isEssentiallyConstant(se, Math.max(Math.abs(ma.mean), Math.abs(mb.mean)))) {
    return insufficient("no variation within either window, so the difference has no standard error");
  }
  const test = welchFromMoments(ma, mb, confidence);
  const estimate = (m: { n: number; mean: number; variance: number }): WindowEstimate => {
    const half = studentTQuantile(1 - (1 - confidence) / 2, m.n - 1) * Math.sqrt(m.variance / m.n);
    return { estimate: m.mean, ci: [m.mean - half, m.mean + half], n: m.n };
  };
  return {
    status: "ok",
    before: estimate(mb),
    after: estimate(ma),
    difference: { estimate: test.estimate, ci: test.ci },
    relative: relativeChange(ma.mean, ma.variance / ma.n, mb.mean, mb.variance / mb.n, z),
    test: { method: "welch-t", statistic: test.statistic, df: test.df },
    pValue: test.pValue,
    testSign: sign(test.estimate),
  };
}

function compareQuantiles(before: Quantile, after: Quantile, q: number, z: number): WindowComparison | InsufficientData {
  const total = (w: Quantile) => w.histogram.counts.reduce((s, c) => s + c, 0);
  for (const [side, w] of [["before", before], ["after", after]] as const) {
    if (!(total(w) > 0)) return insufficient(`no observations in the histogram ${side} the release`);
  }
  const estimate = (w: Quantile): WindowEstimate & { half: number } => {
    const count = total(w);
    const point = histogramQuantile(w.histogram, q);
    const spread = z * Math.sqrt(count * q * (1 - q));
    const lo = histogramValueAtRank(w.histogram, Math.max(0, q * count - spread)).value;
    const hi = histogramValueAtRank(w.histogram, Math.min(count, q * count + spread)).value;
    return {
      estimate: point.value,
      ci: [lo, hi],
      n: count,
      half: (hi - lo) / 2,
      ...(point.censored ? { censored: point.censored } : { bin: point.bin }),
    };
  };
  const { half: hb, ...b } = estimate(before);
  const { half: ha, ...a } = estimate(after);
  const occupied = before.histogram.counts.filter((c, i) => c + after.histogram.counts[i]! > 0).length;
  if (occupied < 2) return insufficient("every observation in both windows falls in the same histogram bin, so they cannot be ranked");
  const ranks = mannWhitneyBinned(after.histogram.counts, before.histogram.counts);
  const diff = a.estimate - b.estimate;
  const half = Math.sqrt(ha ** 2 + hb ** 2);
  const na = total(after);
  const nb = total(before);
  return {
    status: "ok",
    before: b,
    after: a,
    difference: { estimate: diff, ci: [diff - half, diff + half] },
    relative: relativeChange(a.estimate, (ha / z) ** 2, b.estimate, (hb / z) ** 2, z),
    test: { method: "mann-whitney-binned", statistic: ranks.statistic },
    pValue: ranks.pValue,
    testSign: sign(ranks.statistic - (na * nb) / 2),
  };
}
