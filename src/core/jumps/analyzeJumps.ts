import { insufficient, type InsufficientData } from "../results/common";
import type {
  JumpsBucket,
  JumpsChangePoint,
  JumpsChangePoints,
  JumpsDirection,
  JumpsResult,
  JumpsSettings,
  JumpsTrend,
  JumpsWindow,
  ReleaseJump,
} from "../results/jumps";
import { holm } from "../stats/adjust";
import { chiSquareSf } from "../stats/distributions";
import { noisePenalty, pelt } from "./changePoints";
import { aggregateWindow, compareWindows, type WindowComparison } from "./compareWindows";
import { histogramQuantile, requireHistogram } from "./histogramQuantile";
import type { MetricPoint, MetricSeries, ReleaseEvent } from "./inputs";
import { mannKendall } from "./mannKendall";
import { theilSen } from "./theilSen";
import { bucketWidth, eventWindows, type WindowSpan } from "./windows";

export interface JumpsOptions {
  /** Significance level for the Holm-adjusted jump p-values and the trend; intervals are at 1 - alpha. Default 0.05. */
  readonly alpha?: number;
  /** The longest each side of a release may be, in ms. Default 3 days. */
  readonly windowMs?: number;
  /** Alternatively, the longest each side may be in buckets. Not together with windowMs. */
  readonly windowBuckets?: number;
  /** The bucket width in ms. Default: the smallest gap between points (needed for a 1-point series). */
  readonly bucketMs?: number;
  /** Quantile metrics: which quantile; overrides series.quantile. */
  readonly quantile?: number;
  readonly changePoints?: {
    /**
     * The penalty per change point is penaltyFactor * sigma-hat^2 * log(n). Default 3 (the
     * modified BIC's term): about 1% false alarms on a flat 168-bucket series, where the BIC's 2
     * gives 7 to 9% (docs/jumps.md). 2 gives the BIC.
     */
    readonly penaltyFactor?: number;
    /** A fixed penalty per change point in squared metric units, instead of the factor. */
    readonly penalty?: number;
    /** The fewest buckets a segment may hold. Default 3, so that a one-bucket spike is not a change. */
    readonly minSegment?: number;
    /** Weight buckets by their units n (relative to the mean n). Default true. */
    readonly weighted?: boolean;
  };
}

const DAY_MS = 86_400_000;
/**
 * Three days each side: one day of a model with a thousand requests a day cannot show an error
 * rate tripling from 1% (p = 0.06 on the generated logs), while releases are rarely closer than
 * that; closer ones cut the window anyway.
 */
const DEFAULT_WINDOW_MS = 3 * DAY_MS;
const DEFAULT_PENALTY_FACTOR = 3;
/** Dispersion across a window's buckets is flagged below this chi-square p-value. */
const DISPERSION_P = 0.001;

/**
 * The release-jump analysis of one metric: for each release, the window before against the
 * window after with the test for the metric's kind (`compareWindows`: two proportions, Welch,
 * or a binned Mann-Whitney with Prometheus quantiles), Holm-adjusted across releases; change
 * points in the per-bucket values by PELT (Killick, Fearnhead & Eckley 2012) with the normal
 * mean cost, buckets weighted by their units, and the penalty 3 sigma-hat^2 log(n) (`noisePenalty`);
 * and the trend by Mann-Kendall (`mannKendall`) with the Theil-Sen slope and Sen's interval
 * (`theilSen`). Each side of a release holds at most `windowMs` (3 days) of whole buckets, cut at
 * the neighbouring releases; the bucket a release falls inside belongs to neither side.
 * Data that cannot support a number give "insufficient-data" with the reason, never NaN; broken
 * inputs (unsorted points, counts that are not counts) throw, naming the field. See docs/jumps.md.
 *
 * @example analyzeJumps({ name: "errors", kind: "proportion", direction: "lower", points: [0, 1, 2, 3].map((h) => ({ t: h * 3600000, n: 1000, successes: h < 2 ? 10 : 30 })) }, [{ t: 7200000, version: "v2" }]).jumps[0].difference.estimate // 0.02
 */
export function analyzeJumps(series: MetricSeries, events: readonly ReleaseEvent[], options: JumpsOptions = {}): JumpsResult {
  const fn = "analyzeJumps";
  const { quantile, points } = validateSeries(fn, series, options.quantile);
  const sortedEvents = validateEvents(fn, events);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`${fn}: 'alpha' must be between 0 and 1, got ${options.alpha}`);
  const confidence = 1 - alpha;
  const times = points.map((p) => p.t);
  const bucketMs = bucketWidth(fn, times, options.bucketMs);
  const window = windowSetting(fn, options, bucketMs);
  const cp = changePointSetting(fn, options.changePoints);
  const warnings: string[] = [];

  const buckets = points.map((p) => bucketValue(series.kind, p, quantile));
  const jumps = releaseJumps(series, points, sortedEvents, bucketMs, window.ms, confidence, quantile, alpha, warnings);
  const okIndices = buckets.flatMap((b, i) => (b.status === "ok" ? [i] : []));
  const empty = buckets.length - okIndices.length;
  if (empty > 0 && buckets.length > 0) {
    warnings.push(`${empty} of ${buckets.length} buckets have no data; the change points and the trend leave them out.`);
  }
  const censored = series.kind === "quantile" ? points.filter((p) => p.histogram && p.n > 0 && histogramQuantile(p.histogram, quantile!).censored).length : 0;
  if (censored > 0) {
    warnings.push(`In ${censored} bucket${censored === 1 ? "" : "s"} the quantile falls in an open-ended histogram bin, so the value shown is that bin's finite edge (as Prometheus does), a bound rather than an estimate.`);
  }
  const changePoints = detectChangePoints(points, buckets, okIndices, sortedEvents, bucketMs, cp, series.direction, warnings);
  const trend = detectTrend(points, buckets, okIndices, confidence, alpha, series.direction);
  if (trend.status === "ok" && trend.significant && changePoints.status === "ok" && changePoints.points.length > 0) {
    warnings.push(
      "The trend test runs on the whole series, which also has change points: a step alone makes Mann-Kendall significant, so read the trend together with the change points.",
    );
  }

  const settings: JumpsSettings = {
    alpha,
    confidence,
    correction: "holm",
    ...(bucketMs === undefined ? {} : { bucketMs }),
    window: { ms: window.ms, ...(window.buckets === undefined ? {} : { buckets: window.buckets }) },
    changePoints: {
      method: "pelt",
      cost: "normal-mean",
      ...(cp.penalty === undefined ? { penaltyFactor: cp.penaltyFactor! } : { penalty: cp.penalty }),
      minSegment: cp.minSegment,
      weighted: cp.weighted,
      ...(bucketMs === undefined ? {} : { tolerance: bucketMs }),
    },
  };
  return {
    kind: "jumps",
    metric: {
      name: series.name,
      kind: series.kind,
      direction: series.direction,
      ...(quantile === undefined ? {} : { quantile }),
    },
    series: buckets,
    events: sortedEvents.map((e) => ({ t: e.t, version: e.version, ...(e.model === undefined ? {} : { model: e.model }) })),
    jumps,
    changePoints,
    trend,
    settings,
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

function isWhole(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

function validateSeries(fn: string, series: MetricSeries, quantileOption: number | undefined): { quantile?: number; points: readonly MetricPoint[] } {
  if (typeof series !== "object" || series === null) throw new Error(`${fn}: 'series' must be an object`);
  if (typeof series.name !== "string") throw new Error(`${fn}: 'series.name' must be a string`);
  if (!["proportion", "mean", "quantile"].includes(series.kind)) {
    throw new Error(`${fn}: 'series.kind' must be proportion, mean or quantile, got ${JSON.stringify(series.kind)}`);
  }
  if (series.direction !== "higher" && series.direction !== "lower") {
    throw new Error(`${fn}: 'series.direction' must be higher or lower, got ${JSON.stringify(series.direction)}`);
  }
  if (!Array.isArray(series.points as unknown)) throw new Error(`${fn}: 'series.points' must be an array`);
  let quantile: number | undefined;
  if (series.kind === "quantile") {
    quantile = quantileOption ?? series.quantile;
    if (quantile === undefined) throw new Error(`${fn}: a quantile metric needs 'series.quantile' (0.95 for p95)`);
    if (!(quantile > 0 && quantile < 1)) throw new Error(`${fn}: 'quantile' must be between 0 and 1, got ${quantile}`);
  }
  let edges: readonly number[] | undefined;
  series.points.forEach((p, i) => {
    const at = `series.points[${i}]`;
    if (typeof p !== "object" || p === null) throw new Error(`${fn}: '${at}' must be an object`);
    if (!isWhole(p.n)) throw new Error(`${fn}: '${at}.n' must be a whole number >= 0, got ${JSON.stringify(p.n)}`);
    if (series.kind === "proportion") {
      if (p.successes === undefined && p.n === 0) return;
      if (!isWhole(p.successes) || p.successes > p.n) {
        throw new Error(`${fn}: '${at}.successes' must be a whole number from 0 to n (${p.n}), got ${JSON.stringify(p.successes)}`);
      }
    } else if (series.kind === "mean") {
      if (p.sum === undefined && p.sumSquares === undefined && p.n === 0) return;
      if (typeof p.sum !== "number" || !Number.isFinite(p.sum)) throw new Error(`${fn}: '${at}.sum' must be a finite number, got ${JSON.stringify(p.sum)}`);
      if (typeof p.sumSquares !== "number" || !(Number.isFinite(p.sumSquares) && p.sumSquares >= 0)) {
        throw new Error(`${fn}: '${at}.sumSquares' must be a finite number >= 0, got ${JSON.stringify(p.sumSquares)}`);
      }
    } else {
      const h = p.histogram;
      if (h === undefined && p.n === 0) return;
      if (typeof h !== "object" || h === null) throw new Error(`${fn}: '${at}.histogram' is missing`);
      requireHistogram(fn, `${at}.histogram`, h);
      const shared: readonly number[] = (edges ??= h.edges);
      if (h.edges.length !== shared.length || h.edges.some((e, k) => e !== shared[k])) {
        throw new Error(`${fn}: '${at}.histogram.edges' differ from the first histogram's; every bucket must share its bins`);
      }
      h.counts.forEach((c, k) => {
        if (!isWhole(c)) throw new Error(`${fn}: '${at}.histogram.counts[${k}]' must be a whole number >= 0, got ${c}`);
      });
      const total = h.counts.reduce((s, c) => s + c, 0);
      if (total !== p.n) throw new Error(`${fn}: '${at}.histogram.counts' sum to ${total} but '${at}.n' is ${p.n}`);
    }
  });
  return { ...(quantile === undefined ? {} : { quantile }), points: series.points };
}

function validateEvents(fn: string, events: readonly ReleaseEvent[]): ReleaseEvent[] {
  if (!Array.isArray(events as unknown)) throw new Error(`${fn}: 'events' must be an array`);
  events.forEach((e, i) => {
    if (typeof e !== "object" || e === null) throw new Error(`${fn}: 'events[${i}]' must be an object`);
    if (!Number.isFinite(e.t)) throw new Error(`${fn}: 'events[${i}].t' must be a finite time in ms, got ${JSON.stringify(e.t)}`);
    if (typeof e.version !== "string" || e.version === "") throw new Error(`${fn}: 'events[${i}].version' must be a non-empty string`);
    if (e.model !== undefined && typeof e.model !== "string") throw new Error(`${fn}: 'events[${i}].model' must be a string`);
  });
  // Array.prototype.sort is stable, so events at the same instant keep their given order.
  return [...events].sort((a, b) => a.t - b.t);
}

/** The longest side of a release, in ms and (with a known bucket width) in whole buckets. */
function windowSetting(fn: string, options: JumpsOptions, bucketMs: number | undefined): { ms: number; buckets?: number } {
  if (options.windowMs !== undefined && options.windowBuckets !== undefined) {
    throw new Error(`${fn}: give 'windowMs' or 'windowBuckets', not both`);
  }
  if (options.windowBuckets !== undefined) {
    if (!(Number.isInteger(options.windowBuckets) && options.windowBuckets >= 1)) {
      throw new Error(`${fn}: 'windowBuckets' must be a whole number >= 1, got ${options.windowBuckets}`);
    }
    // Without a known bucket width the windows are empty anyway; 0 keeps the setting finite.
    return { ms: (bucketMs ?? 0) * options.windowBuckets, buckets: options.windowBuckets };
  }
  const ms = options.windowMs ?? DEFAULT_WINDOW_MS;
  if (!(Number.isFinite(ms) && ms > 0)) throw new Error(`${fn}: 'windowMs' must be a positive number of ms, got ${ms}`);
  if (bucketMs === undefined) return { ms };
  if (ms < bucketMs) throw new Error(`${fn}: 'windowMs' (${ms}) is shorter than one bucket (${bucketMs} ms)`);
  return { ms, buckets: Math.floor(ms / bucketMs + 1e-9) };
}

interface ChangePointSetting {
  readonly penaltyFactor?: number;
  readonly penalty?: number;
  readonly minSegment: number;
  readonly weighted: boolean;
}

function changePointSetting(fn: string, given: JumpsOptions["changePoints"]): ChangePointSetting {
  const { penalty, penaltyFactor } = given ?? {};
  if (penalty !== undefined && penaltyFactor !== undefined) throw new Error(`${fn}: give 'changePoints.penalty' or 'changePoints.penaltyFactor', not both`);
  if (penalty !== undefined && !(typeof penalty === "number" && Number.isFinite(penalty) && penalty >= 0)) {
    throw new Error(`${fn}: 'changePoints.penalty' must be a number >= 0, got ${JSON.stringify(penalty)}`);
  }
  if (penaltyFactor !== undefined && !(typeof penaltyFactor === "number" && Number.isFinite(penaltyFactor) && penaltyFactor > 0)) {
    throw new Error(`${fn}: 'changePoints.penaltyFactor' must be a positive number, got ${JSON.stringify(penaltyFactor)}`);
  }
  const minSegment = given?.minSegment ?? 3;
  if (!(Number.isInteger(minSegment) && minSegment >= 1)) {
    throw new Error(`${fn}: 'changePoints.minSegment' must be a whole number >= 1, got ${minSegment}`);
  }
  const weighted = given?.weighted ?? true;
  if (typeof weighted !== "boolean") throw new Error(`${fn}: 'changePoints.weighted' must be true or false, got ${JSON.stringify(weighted)}`);
  return penalty === undefined ? { penaltyFactor: penaltyFactor ?? DEFAULT_PENALTY_FACTOR, minSegment, weighted } : { penalty, minSegment, weighted };
}

// ---------------------------------------------------------------------------------------------
// The series as plotted

function bucketValue(kind: MetricSeries["kind"], p: MetricPoint, quantile: number | undefined): JumpsBucket {
  if (p.n === 0) return { t: p.t, n: 0, ...insufficient("no units in this bucket") };
  let value: number;
  if (kind === "proportion") value = p.successes! / p.n;
  else if (kind === "mean") value = p.sum! / p.n;
  else value = histogramQuantile(p.histogram!, quantile!).value;
  return { t: p.t, n: p.n, status: "ok", value };
}

// ---------------------------------------------------------------------------------------------
// Jumps at releases

function formatTime(t: number): string {
  return new Date(t).toISOString().replace(".000Z", "Z");
}

function formatDuration(ms: number): string {
  if (ms >= 3_600_000) return `${Number((ms / 3_600_000).toFixed(2))} h`;
  return `${Number((ms / 60_000).toFixed(2))} min`;
}

function windowOf(span: WindowSpan): JumpsWindow {
  return { start: span.start, end: span.end, buckets: span.indices.length, ...(span.limitedBy ? { limitedBy: span.limitedBy } : {}) };
}

interface Draft {
  readonly event: ReleaseEvent;
  readonly spans: { readonly before: WindowSpan; readonly after: WindowSpan };
  readonly n: { readonly before: number; readonly after: number };
  readonly comparison: WindowComparison | InsufficientData;
}

function releaseJumps(
  series: MetricSeries,
  points: readonly MetricPoint[],
  events: readonly ReleaseEvent[],
  bucketMs: number | undefined,
  windowMs: number,
  confidence: number,
  quantile: number | undefined,
  alpha: number,
  warnings: string[],
): ReleaseJump[] {
  const times = points.map((p) => p.t);
  const spans =
    bucketMs === undefined
      ? events.map((e) => ({ before: { start: e.t - windowMs, end: e.t, indices: [], limitedBy: "series" as const }, after: { start: e.t, end: e.t + windowMs, indices: [], limitedBy: "series" as const } }))
      : eventWindows(times, bucketMs, events.map((e) => e.t), windowMs);

  events.forEach((e, k) => {
    const same = events.filter((o, j) => j !== k && o.t === e.t);
    if (same.length > 0 && events.findIndex((o) => o.t === e.t) === k) {
      warnings.push(`Releases ${[e, ...same].map((o) => o.version).join(", ")} happen at the same instant (${formatTime(e.t)}), so their jumps are the same comparison.`);
    }
  });

  const drafts: Draft[] = events.map((event, k) => {
    const span = spans[k]!;
    const before = aggregateWindow(series.kind, points, span.before.indices);
    const after = aggregateWindow(series.kind, points, span.after.indices);
    const n = { before: before.n, after: after.n };
    const missing = (reason: string): Draft => ({ event, spans: span, n, comparison: insufficient(reason) });
    if (bucketMs === undefined) return missing("the series has fewer than 2 buckets, so its bucket width is unknown (pass bucketMs)");
    for (const side of ["before", "after"] as const) {
      if (span[side].indices.length === 0) return missing(emptyWindowReason(side, span[side], bucketMs));
    }
    return { event, spans: span, n, comparison: compareWindows(before, after, { confidence, ...(quantile === undefined ? {} : { quantile }) }) };
  });

  const ok = drafts.flatMap((d) => (d.comparison.status === "ok" ? [d.comparison] : []));
  const adjusted = holm(ok.map((c) => c.pValue));
  const sign = series.direction === "higher" ? 1 : -1;

  return drafts.map((d): ReleaseJump => {
    const head = { version: d.event.version, t: d.event.t, ...(d.event.model === undefined ? {} : { model: d.event.model }) };
    const window = { before: windowOf(d.spans.before), after: windowOf(d.spans.after) };
    noteShortened(d, windowMs, events, warnings);
    const c = d.comparison;
    if (c.status !== "ok") {
      return { ...head, before: { n: d.n.before, window: window.before }, after: { n: d.n.after, window: window.after }, ...c };
    }
    const adjustedPValue = adjusted[ok.indexOf(c)]!;
    const significant = adjustedPValue < alpha;
    const diffSign = Math.sign(c.difference.estimate);
    let direction: JumpsDirection = "none";
    if (significant && diffSign !== 0 && diffSign === c.testSign) direction = sign * diffSign > 0 ? "better" : "worse";
    if (significant && diffSign !== c.testSign) {
      warnings.push(
        `At ${d.event.version} the rank test finds the values ${c.testSign > 0 ? "higher" : "lower"} after the release, but the quantile ` +
          `${diffSign === 0 ? "did not move" : `moved the other way`}; no direction is claimed.`,
      );
    }
    if (series.kind === "proportion") noteDispersion(d.event.version, points, d.spans, warnings);
    if (c.before.censored || c.after.censored) {
      warnings.push(`At ${d.event.version} the quantile falls in an open-ended histogram bin, so its estimate is a bound and the difference understates the change.`);
    }
    return {
      ...head,
      status: "ok",
      before: { ...c.before, window: window.before },
      after: { ...c.after, window: window.after },
      difference: c.difference,
      relative: c.relative,
      test: c.test,
      pValue: c.pValue,
      adjustedPValue,
      direction,
      significant,
    };
  });
}

function emptyWindowReason(side: "before" | "after", span: WindowSpan, bucketMs: number): string {
  if (span.limitedBy === "release") {
    return `the ${side === "before" ? "previous" : "next"} release is too close: the ${formatDuration(span.end - span.start)} between them hold no whole ${formatDuration(bucketMs)} bucket`;
  }
  return `no buckets in the window ${side} the release: the series ${side === "before" ? "starts after it" : "ends before it"}`;
}

function noteShortened(d: Draft, windowMs: number, events: readonly ReleaseEvent[], warnings: string[]): void {
  for (const side of ["before", "after"] as const) {
    const span = d.spans[side];
    if (span.limitedBy !== "release" || span.indices.length === 0) continue;
    const at = side === "before" ? span.start : span.end;
    const other = events.filter((e) => e.t === at).map((e) => e.version).join(", ");
    warnings.push(
      `The window ${side} ${d.event.version} covers ${formatDuration(span.end - span.start)} of the ${formatDuration(windowMs)} asked for: ` +
        `release ${other} ${side === "before" ? "precedes" : "follows"} it at ${formatTime(at)}.`,
    );
  }
}

/**
 * Pearson's chi-square test of one rate across a window's buckets: over-dispersion means units
 * are not independent across buckets (daily cycles, bursts), and then the two-proportion test,
 * which assumes they are, gives p-values and intervals that are too small.
 */
function noteDispersion(version: string, points: readonly MetricPoint[], spans: { before: WindowSpan; after: WindowSpan }, warnings: string[]): void {
  const found: string[] = [];
  for (const side of ["before", "after"] as const) {
    const used = spans[side].indices.map((i) => points[i]!).filter((p) => p.n > 0);
    if (used.length < 3) continue;
    const n = used.reduce((s, p) => s + p.n, 0);
    const rate = used.reduce((s, p) => s + p.successes!, 0) / n;
    if (rate === 0 || rate === 1) continue;
    const statistic = used.reduce((s, p) => s + (p.successes! - p.n * rate) ** 2 / (p.n * rate * (1 - rate)), 0);
    const df = used.length - 1;
    if (chiSquareSf(statistic, df) < DISPERSION_P) found.push(`${side}: ${(statistic / df).toFixed(1)} times binomial`);
  }
  if (found.length > 0) {
    warnings.push(
      `Around ${version} the rate varies between buckets more than chance allows (${found.join("; ")}; chi-square p < ${DISPERSION_P}): ` +
        "the two-proportion test treats units as independent, so its p-value and interval are too optimistic there.",
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Change points and trend

function detectChangePoints(
  points: readonly MetricPoint[],
  buckets: readonly JumpsBucket[],
  okIndices: readonly number[],
  events: readonly ReleaseEvent[],
  bucketMs: number | undefined,
  setting: ChangePointSetting,
  metricDirection: "higher" | "lower",
  warnings: string[],
): JumpsChangePoints {
  const m = setting.minSegment;
  if (okIndices.length < 2 * m || bucketMs === undefined) {
    return insufficient(`change points need at least ${2 * m} buckets with data (two segments of minSegment ${m}), got ${okIndices.length}`);
  }
  const values = okIndices.map((i) => (buckets[i] as Extract<JumpsBucket, { status: "ok" }>).value);
  const meanN = okIndices.reduce((s, i) => s + points[i]!.n, 0) / okIndices.length;
  const weights = okIndices.map((i) => (setting.weighted ? points[i]!.n / meanN : 1));
  const noise = noisePenalty(values, weights, setting.penaltyFactor ?? DEFAULT_PENALTY_FACTOR);
  const penalty = setting.penalty ?? noise.penalty;
  if (noise.estimator === "rms-of-differences") {
    warnings.push("Most neighbouring buckets have equal values, so the noise behind the change-point penalty is the root mean square of the differences, not their MAD.");
  }
  const starts = noise.estimator === "none" && setting.penalty === undefined ? [] : pelt(values, { penalty, minSegment: m, weights });
  const bounds = [0, ...starts, values.length];
  const segments = bounds.slice(0, -1).map((from, k) => {
    const to = bounds[k + 1]!;
    let sw = 0;
    let swy = 0;
    for (let j = from; j < to; j++) {
      sw += weights[j]!;
      swy += weights[j]! * values[j]!;
    }
    return { start: points[okIndices[from]!]!.t, end: points[okIndices[to - 1]!]!.t + bucketMs, buckets: to - from, mean: swy / sw };
  });
  const sign = metricDirection === "higher" ? 1 : -1;
  const found: JumpsChangePoint[] = starts.map((s, k) => {
    const index = okIndices[s]!;
    const t = points[index]!.t;
    const before = segments[k]!;
    const after = segments[k + 1]!;
    const shift = after.mean - before.mean;
    return {
      index,
      t,
      before,
      after,
      shift,
      direction: sign * shift > 0 ? "better" : "worse",
      coincidesWith: events.filter((e) => Math.abs(e.t - t) <= bucketMs).map((e) => e.version),
    };
  });
  if (found.length >= Math.max(5, values.length / 20)) {
    warnings.push(
      `${found.length} change points in ${values.length} buckets: the level moves often, which is how a daily or weekly cycle looks to a step detector. ` +
        "Raise changePoints.penaltyFactor, or use daily buckets, to keep only lasting changes.",
    );
  }
  return { status: "ok", method: "pelt", penalty, sigma: noise.sigma, sigmaEstimator: noise.estimator, points: found };
}

function detectTrend(
  points: readonly MetricPoint[],
  buckets: readonly JumpsBucket[],
  okIndices: readonly number[],
  confidence: number,
  alpha: number,
  metricDirection: "higher" | "lower",
): JumpsTrend {
  if (okIndices.length < 3) return insufficient(`a trend needs at least 3 buckets with data, got ${okIndices.length}`);
  const values = okIndices.map((i) => (buckets[i] as Extract<JumpsBucket, { status: "ok" }>).value);
  if (values.every((v) => v === values[0])) return insufficient("every bucket has the same value, so there is no order to test");
  const t0 = points[okIndices[0]!]!.t;
  const days = okIndices.map((i) => (points[i]!.t - t0) / DAY_MS);
  const mk = mannKendall(values);
  const ts = theilSen(days, values, confidence);
  const significant = mk.pValue < alpha;
  const sign = metricDirection === "higher" ? 1 : -1;
  return {
    status: "ok",
    method: "mann-kendall",
    n: mk.n,
    tau: mk.tau,
    statistic: mk.statistic,
    pValue: mk.pValue,
    slopeMethod: "theil-sen",
    slope: ts.slope,
    slopeCi: ts.ci,
    slopeUnit: "per-day",
    direction: significant && mk.s !== 0 ? (sign * mk.s > 0 ? "better" : "worse") : "none",
    significant,
  };
}
