import { insufficient } from "../results/common";
import type { DriftFeature, DriftLevelCounts, DriftMethod, DriftResult, DriftVerdict } from "../results/drift";
import { baselineIsConstant, measureFeature, prepareFeature, type PreparedFeature } from "./featureDrift";
import type { FeatureInput } from "./inputs";
import { driftLevel, possibleBound } from "./levels";
import { checkThreshold, DEFAULT_THRESHOLDS, DRIFT_METHODS, isPValueMethod, selectMethod } from "./selectMethod";

/** A feature's own choice of method and threshold. */
export interface DriftOverride {
  readonly method?: DriftMethod;
  readonly threshold?: number;
}

export interface DriftOptions {
  /** One method for every feature (Evidently's `stattest`); default: chosen per column. */
  readonly method?: DriftMethod;
  /** One threshold for every feature, whatever its method (Evidently's `stattest_threshold`). */
  readonly threshold?: number;
  /** Thresholds by method, e.g. `{ psi: 0.2 }`; they win over `threshold`. */
  readonly thresholds?: Readonly<Partial<Record<DriftMethod, number>>>;
  /** Overrides by feature name; they win over everything above. */
  readonly features?: Readonly<Record<string, DriftOverride>>;
  /** Share of tested features at which the dataset drifts (Evidently's `drift_share`). Default 0.5. */
  readonly driftShare?: number;
  /** Quantile bins for raw numeric samples (the histogram, PSI and Jensen-Shannon). Default 10. */
  readonly bins?: number;
}

const DEFAULT_DRIFT_SHARE = 0.5;
const DEFAULT_BINS = 10;

function checkMethod(fn: string, name: string, method: unknown): void {
  if (method !== undefined && !DRIFT_METHODS.includes(method as DriftMethod)) {
    throw new Error(`${fn}: '${name}' must be one of ${DRIFT_METHODS.join(", ")}, got ${JSON.stringify(method)}`);
  }
}

function checkOptions(
  fn: string,
  options: DriftOptions,
  features: readonly FeatureInput[],
  warnings: string[],
): { driftShare: number; bins: number } {
  checkMethod(fn, "method", options.method);
  if (options.threshold !== undefined && !(Number.isFinite(options.threshold) && options.threshold > 0)) {
    throw new Error(`${fn}: 'threshold' must be a number > 0, got ${options.threshold}`);
  }
  for (const [method, threshold] of Object.entries(options.thresholds ?? {})) {
    checkMethod(fn, `thresholds.${method}`, method);
    checkThreshold(fn, `thresholds.${method}`, method as DriftMethod, threshold);
  }
  const names = new Set(features.map((f) => f.name));
  for (const [name, own] of Object.entries(options.features ?? {})) {
    if (typeof own !== "object" || own === null) throw new Error(`${fn}: 'features[${JSON.stringify(name)}]' must be an object such as { method, threshold }`);
    if (!names.has(name)) warnings.push(`an override names feature ${JSON.stringify(name)}, which is not among the features`);
    checkMethod(fn, `features[${JSON.stringify(name)}].method`, own.method);
  }
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(driftShare > 0 && driftShare <= 1)) throw new Error(`${fn}: 'driftShare' must be in (0, 1], got ${options.driftShare}`);
  const bins = options.bins ?? DEFAULT_BINS;
  if (!(Number.isInteger(bins) && bins >= 2 && bins <= 1000)) throw new Error(`${fn}: 'bins' must be a whole number from 2 to 1000, got ${options.bins}`);
  return { driftShare, bins };
}

/** The method and threshold for one feature: its override, then the options, then Evidently's rule. */
function choose(fn: string, at: string, f: PreparedFeature, own: DriftOverride | undefined, options: DriftOptions) {
  let method = own?.method ?? options.method ?? selectMethod(f.n.baseline, f.columnType);
  let source: "default" | "options" | "feature" | "fallback" = own?.method ? "feature" : options.method ? "options" : "default";
  let fallback: string | undefined;
  if (method === "wasserstein" && baselineIsConstant(f)) {
    // A constant baseline has sd 0: the normed distance is undefined, but a change is not.
    method = "jensenshannon";
    source = "fallback";
    fallback = "the baseline is constant, so the normed Wasserstein distance is undefined; Jensen-Shannon distance was used instead";
  }
  const threshold = own?.threshold ?? options.thresholds?.[method] ?? options.threshold ?? DEFAULT_THRESHOLDS[method];
  checkThreshold(fn, `threshold of ${at}`, method, threshold);
  return { method, source, threshold, fallback };
}

function ownOverride(options: DriftOptions, name: string): DriftOverride | undefined {
  const table = options.features;
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * Data drift between a baseline and a current window, feature by feature (DESIGN.md §6), as
 * Evidently does it: each column's measure is chosen from the reference size and the column type
 * (`selectMethod`) unless overridden; each gets a level (none, possible, drift; `levels.ts`); the
 * dataset drifts when the share of drifted features reaches `driftShare`. An empty window or an
 * all-NaN sample makes that feature insufficient data, left out of the shares and warned about.
 * Feature and category names are carried through as given.
 *
 * @example analyzeDrift([{ name: "flag", data: { kind: "categorical", categories: ["no", "yes"], baseline: [70, 30], current: [50, 50] } }]).verdict // "drift"
 */
export function analyzeDrift(features: readonly FeatureInput[], options: DriftOptions = {}): DriftResult {
  const fn = "analyzeDrift";
  const warnings: string[] = [];
  const { driftShare, bins } = checkOptions(fn, options, features, warnings);
  const seen = new Set<string>();
  const results: DriftFeature[] = features.map((feature, index) => {
    const at = `${fn}: features[${index}]`;
    if (typeof feature.name !== "string") throw new Error(`${at}: 'name' must be a string`);
    if (seen.has(feature.name)) throw new Error(`${at}: the name ${JSON.stringify(feature.name)} is used twice`);
    seen.add(feature.name);
    const prepared = prepareFeature(at, feature.data, bins);
    const label = `feature ${JSON.stringify(feature.name)}`;
    if (prepared.status !== "ok") {
      return { name: feature.name, ...insufficient(prepared.reason), n: prepared.n, ...(prepared.missing ? { missing: prepared.missing } : {}) };
    }
    if (prepared.missing) {
      const m = prepared.missing;
      warnings.push(`${label}: ${m.baseline} baseline and ${m.current} current values were NaN or infinite and were left out`);
    }
    const { method, source, threshold, fallback } = choose(fn, `features[${index}]`, prepared, ownOverride(options, feature.name), options);
    if (fallback) warnings.push(`${label}: ${fallback}`);
    const measured = measureFeature(at, method, prepared, (sentence) => warnings.push(`${label}: ${sentence}`));
    const tested = isPValueMethod(method) ? measured.pValue! : measured.score;
    return {
      name: feature.name,
      status: "ok",
      dataKind: prepared.dataKind,
      columnType: prepared.columnType,
      method,
      methodSource: source,
      score: measured.score,
      ...(measured.statistic === undefined ? {} : { statistic: measured.statistic }),
      ...(measured.pValue === undefined ? {} : { pValue: measured.pValue }),
      threshold,
      comparedWith: isPValueMethod(method) ? "pValue" : "score",
      possibleBound: possibleBound(method, threshold),
      level: driftLevel(method, threshold, tested),
      n: prepared.n,
      ...(prepared.missing ? { missing: prepared.missing } : {}),
      histogram: prepared.histogram,
    };
  });
  return summarize(results, driftShare, warnings);
}

function summarize(features: readonly DriftFeature[], driftShare: number, warnings: string[]): DriftResult {
  const counts: DriftLevelCounts = {
    none: features.filter((f) => f.status === "ok" && f.level === "none").length,
    possible: features.filter((f) => f.status === "ok" && f.level === "possible").length,
    drift: features.filter((f) => f.status === "ok" && f.level === "drift").length,
    insufficientData: features.filter((f) => f.status !== "ok").length,
  };
  const tested = counts.none + counts.possible + counts.drift;
  if (counts.insufficientData > 0) {
    const names = features.filter((f) => f.status !== "ok").map((f) => JSON.stringify(f.name));
    warnings.push(
      `${counts.insufficientData} of ${features.length} features could not be tested and are left out of the drift share: ` +
        `${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}`,
    );
  }
  const rest = { tested, counts, features, warnings };
  if (tested === 0) return { kind: "drift", verdict: "insufficient-data", driftShare, ...rest };
  const shareDrifted = counts.drift / tested;
  const shareAtLeastPossible = (counts.drift + counts.possible) / tested;
  const verdict: DriftVerdict = shareDrifted >= driftShare ? "drift" : shareAtLeastPossible >= driftShare ? "possible" : "none";
  return { kind: "drift", verdict, driftShare, shareDrifted, shareAtLeastPossible, ...rest };
}
