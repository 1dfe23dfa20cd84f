/**
 * One feature's drift: its data made ready for every measure (sorted samples, shared bins or
 * categories), then the chosen measure's score, statistic and p-value.
 */
import type { DriftColumnType, DriftHistogram, DriftMethod, DriftWindowCounts } from "../results/drift";
import { ksTwoSample } from "../stats/ksTwoSample";
import { walkTieGroups, type Sample } from "../stats/sample";
import { binaryZTest } from "./binaryZ";
import { binnedShape, binsFromEdges, sampleBins } from "./buckets";
import { chiSquareDrift } from "./chiSquareDrift";
import { countTotal } from "./counts";
import type { FeatureData } from "./inputs";
import { jensenShannonDistance } from "./jensenShannon";
import { ksBinned } from "./ksBinned";
import { populationStabilityIndex } from "./psi";
import { MAX_CATEGORICAL_UNIQUE } from "./selectMethod";
import { binnedIsPoint, wassersteinBinned, wassersteinDistance } from "./wasserstein";

/** A feature ready for any measure. */
export interface PreparedFeature {
  readonly status: "ok";
  readonly dataKind: FeatureData["kind"];
  readonly columnType: DriftColumnType;
  readonly n: DriftWindowCounts;
  readonly missing?: DriftWindowCounts;
  /** The counts that PSI, Jensen-Shannon, chi-square and z read, and that the renderer draws. */
  readonly histogram: DriftHistogram;
  /** Raw samples, sorted, non-finite values dropped: for KS and Wasserstein. */
  readonly samples?: { readonly x: Float64Array; readonly y: Float64Array };
  /** Binned data: the edges of `histogram`'s bins, infinities kept. */
  readonly edges?: readonly number[];
}

export interface UnpreparedFeature {
  readonly status: "insufficient-data";
  readonly reason: string;
  readonly n: DriftWindowCounts;
  readonly missing?: DriftWindowCounts;
}

/** A measure's outcome: the score, and for tests the statistic and p-value. */
export interface Measured {
  readonly score: number;
  readonly statistic?: number;
  readonly pValue?: number;
}

/** Finite values only, sorted; NaN (missing) and infinities are left out and counted by the caller. */
function finiteSorted(x: Sample): Float64Array {
  let kept = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) kept++;
  const out = new Float64Array(kept);
  let at = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) out[at++] = x[i]!;
  return out.sort();
}

/** The distinct pooled values, or null once there are more than `limit`. */
function fewUniqueValues(x: Float64Array, y: Float64Array, limit: number): number[] | null {
  const values: number[] = [];
  walkTieGroups(x, y, (cx, _cy, i, j) => {
    if (values.length <= limit) values.push(cx > 0 ? x[i - 1]! : y[j - 1]!);
  });
  return values.length > limit ? null : values;
}

function countValues(s: Float64Array, values: readonly number[]): number[] {
  return values.map((v) => {
    let c = 0;
    for (let i = 0; i < s.length; i++) if (s[i] === v) c++;
    return c;
  });
}

/** How many categories or bins hold data in either window. */
function occupied(h: DriftHistogram): number[] {
  return h.baseline.map((_, i) => i).filter((i) => h.baseline[i]! > 0 || h.current[i]! > 0);
}

function emptyWindow(n: DriftWindowCounts, what: string): string | undefined {
  if (!(n.baseline > 0)) return `the baseline window has no ${what}`;
  if (!(n.current > 0)) return `the current window has no ${what}`;
  return undefined;
}

function prepareNumeric(x0: Sample, y0: Sample, bins: number): PreparedFeature | UnpreparedFeature {
  const x = finiteSorted(x0);
  const y = finiteSorted(y0);
  const n = { baseline: x.length, current: y.length };
  const dropped = { baseline: x0.length - x.length, current: y0.length - y.length };
  const missing = dropped.baseline + dropped.current > 0 ? { missing: dropped } : {};
  const empty = emptyWindow(n, "finite values");
  if (empty) {
    const lost = dropped.baseline + dropped.current;
    return { status: "insufficient-data", reason: lost > 0 ? `${empty} (${lost} were NaN or infinite)` : empty, n, ...missing };
  }
  const values = fewUniqueValues(x, y, MAX_CATEGORICAL_UNIQUE);
  const common = { status: "ok" as const, dataKind: "numeric" as const, n, ...missing, samples: { x, y } };
  if (values) {
    // Few unique values: tested like a categorical column over the values (Evidently's rule).
    return {
      ...common,
      columnType: values.length <= 2 ? "binary" : "categorical",
      histogram: { kind: "categorical", categories: values.map(String), baseline: countValues(x, values), current: countValues(y, values) },
    };
  }
  return { ...common, columnType: "numeric", histogram: { kind: "numeric", ...sampleBins(x, y, bins) } };
}

/**
 * Checks a feature's data (a broken shape throws, naming `at`) and prepares it; an empty window
 * or an uninformative histogram is insufficient data. Binned data is always a numeric column:
 * a histogram does not tell how many unique values it holds.
 */
export function prepareFeature(at: string, data: FeatureData, bins: number): PreparedFeature | UnpreparedFeature {
  if (data.kind === "numeric") return prepareNumeric(data.baseline, data.current, bins);
  const n = { baseline: countTotal(at, "baseline", data.baseline), current: countTotal(at, "current", data.current) };
  if (data.baseline.length !== data.current.length) {
    throw new Error(`${at}: 'baseline' has ${data.baseline.length} entries but 'current' has ${data.current.length}`);
  }
  const counts = { baseline: [...data.baseline], current: [...data.current] };
  if (data.kind === "binned") {
    binnedShape(at, data.edges, data.baseline.length);
    const empty = emptyWindow(n, "counts");
    if (empty) return { status: "insufficient-data", reason: empty, n };
    if (data.baseline.length === 1) return { status: "insufficient-data", reason: "a single bucket cannot show a change of distribution", n };
    const histogram = { kind: "numeric" as const, bins: binsFromEdges(data.edges), ...counts };
    return { status: "ok", dataKind: "binned", columnType: "numeric", n, histogram, edges: [...data.edges] };
  }
  if (data.categories.length !== data.baseline.length) {
    throw new Error(`${at}: 'categories' has ${data.categories.length} entries but the counts have ${data.baseline.length}`);
  }
  const seen = new Set<string>();
  data.categories.forEach((c, i) => {
    if (typeof c !== "string") throw new Error(`${at}: 'categories[${i}]' must be a string, got ${typeof c}`);
    if (seen.has(c)) throw new Error(`${at}: 'categories[${i}]' repeats the category ${JSON.stringify(c)}`);
    seen.add(c);
  });
  const empty = emptyWindow(n, "counts");
  if (empty) return { status: "insufficient-data", reason: empty, n };
  const histogram = { kind: "categorical" as const, categories: [...data.categories], ...counts };
  return { status: "ok", dataKind: "categorical", columnType: occupied(histogram).length <= 2 ? "binary" : "categorical", n, histogram };
}

/** Whether the normed Wasserstein distance is undefined because the baseline has no spread. */
export function baselineIsConstant(f: PreparedFeature): boolean {
  if (f.samples) return f.samples.x[0] === f.samples.x[f.samples.x.length - 1];
  return f.edges !== undefined && binnedIsPoint(f.edges, f.histogram.baseline);
}

/**
 * Runs a measure on a prepared feature. `warn` receives sentences about the data (unseen
 * categories, rounded counts). A measure that cannot apply to the column (KS or Wasserstein on
 * unordered categories, z on more than two) throws: it is a configuration mistake.
 */
export function measureFeature(
  at: string,
  method: DriftMethod,
  f: PreparedFeature,
  warn: (sentence: string) => void,
): Measured {
  const h = f.histogram;
  switch (method) {
    case "psi":
      return { score: populationStabilityIndex(h.baseline, h.current) };
    case "jensenshannon":
      return { score: jensenShannonDistance(h.baseline, h.current) };
    case "chisquare": {
      const t = chiSquareDrift(h.baseline, h.current);
      if (t.unseen.length > 0 && h.kind === "categorical") {
        const names = t.unseen.slice(0, 3).map((i) => JSON.stringify(h.categories[i]));
        warn(`${t.unseen.length} categories appear only in the current window (${names.join(", ")}${t.unseen.length > 3 ? ", …" : ""}); chi-square floors their baseline share at 0.0001`);
      } else if (t.unseen.length > 0) {
        warn(`${t.unseen.length} bins hold current values but no baseline values; chi-square floors their baseline share at 0.0001`);
      }
      return { score: t.effectSize, statistic: t.statistic, pValue: t.pValue };
    }
    case "z": {
      const used = occupied(h);
      if (used.length > 2) throw new Error(`${at}: method 'z' needs a binary column, but ${used.length} ${h.kind === "categorical" ? "categories" : "bins"} hold data`);
      // One occupied category: both windows hold only it, and z is 0 (the second count is 0).
      const [first, second] = [used[0]!, used[1]];
      const pair = (c: readonly number[]): [number, number] => [Math.round(c[first]!), second === undefined ? 0 : Math.round(c[second]!)];
      const base = pair(h.baseline);
      const cur = pair(h.current);
      if (used.some((i) => !Number.isInteger(h.baseline[i]) || !Number.isInteger(h.current[i]))) warn("z needs whole counts; the counts were rounded");
      const t = binaryZTest(base, cur);
      return { score: t.difference, statistic: t.statistic, pValue: t.pValue };
    }
    case "ks": {
      if (f.samples) {
        const t = ksTwoSample(f.samples.x, f.samples.y);
        return { score: t.statistic, statistic: t.statistic, pValue: t.pValue };
      }
      if (!f.edges) throw new Error(`${at}: method 'ks' needs ordered values, but the column is categorical`);
      const t = ksBinned(h.baseline, h.current);
      return { score: t.statistic, statistic: t.statistic, pValue: t.pValue };
    }
    case "wasserstein": {
      if (f.samples) return { score: wassersteinDistance(f.samples.x, f.samples.y).normed };
      if (!f.edges) throw new Error(`${at}: method 'wasserstein' needs ordered values, but the column is categorical`);
      return { score: wassersteinBinned(f.edges, h.baseline, h.current).normed };
    }
  }
}
