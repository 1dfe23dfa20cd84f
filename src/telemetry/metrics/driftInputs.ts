/**
 * A model's drift inputs from a Prometheus-compatible backend, over the series of DESIGN.md §4:
 * `model_feature` histograms (numeric features), `model_feature_category_total` (categorical
 * ones) and the `model_prediction` histogram. Each window costs one query per series family,
 * grouped by feature and bucket, evaluated at the window's end over its length: six in all,
 * whatever the traffic was.
 */
import type { FeatureInput } from "../../core/drift/inputs";
import { binnedFromCumulative, type LeBucket } from "../../core/drift/buckets";
import type { InstantSample, MetricsApi } from "./api";
import type { TimeWindow } from "./abInputs";
import { escapeLabelValue, promDuration } from "./templates";

export interface DriftFromMetrics {
  /** The prediction first, then features by name. */
  readonly features: FeatureInput[];
  readonly warnings: readonly string[];
}

const PREDICTION = "prediction";

function queries(model: string, window: TimeWindow) {
  const m = `model="${escapeLabelValue(model)}"`;
  const w = promDuration(window.end - window.start);
  return {
    numeric: `sum by (feature, le) (increase(model_feature_bucket{${m}}[${w}]))`,
    categorical: `sum by (feature, category) (increase(model_feature_category_total{${m}}[${w}]))`,
    prediction: `sum by (le) (increase(model_prediction_bucket{${m}}[${w}]))`,
  };
}

/** Samples grouped by one label into cumulative buckets; counts rounded (increase() extrapolates). */
function bucketsBy(samples: readonly InstantSample[], key: (s: InstantSample) => string | undefined): Map<string, LeBucket[]> {
  const out = new Map<string, LeBucket[]>();
  for (const s of samples) {
    const k = key(s);
    const le = s.labels["le"];
    if (k === undefined || le === undefined) continue;
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push({ le, count: Math.max(0, Math.round(s.value)) });
  }
  return out;
}

function countsBy(samples: readonly InstantSample[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of samples) {
    const feature = s.labels["feature"];
    const category = s.labels["category"];
    if (feature === undefined || category === undefined) continue;
    let m = out.get(feature);
    if (!m) out.set(feature, (m = new Map()));
    m.set(category, (m.get(category) ?? 0) + Math.max(0, Math.round(s.value)));
  }
  return out;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reads both windows and pairs them per feature. A feature seen in one window only is left out
 * with a warning; a histogram without its +Inf bucket is reported, not guessed at.
 */
export async function readDriftFeatures(api: MetricsApi, model: string, baseline: TimeWindow, current: TimeWindow, signal?: AbortSignal): Promise<DriftFromMetrics> {
  const qb = queries(model, baseline);
  const qc = queries(model, current);
  const [nb, nc, cb, cc, pb, pc] = await Promise.all([
    api.instant(qb.numeric, baseline.end, signal),
    api.instant(qc.numeric, current.end, signal),
    api.instant(qb.categorical, baseline.end, signal),
    api.instant(qc.categorical, current.end, signal),
    api.instant(qb.prediction, baseline.end, signal),
    api.instant(qc.prediction, current.end, signal),
  ]);
  const warnings: string[] = [];
  const features: FeatureInput[] = [];
  const oneSided = (name: string, inBaseline: boolean): void =>
    void warnings.push(`feature '${name}' has data only in the ${inBaseline ? "baseline" : "current"} window and was left out`);

  const binned = (name: string, b: LeBucket[] | undefined, c: LeBucket[] | undefined): void => {
    if (!b || !c) {
      if (b || c) oneSided(name, Boolean(b));
      return;
    }
    try {
      features.push({ name, data: binnedFromCumulative(b, c) });
    } catch (err) {
      warnings.push(`feature '${name}' was left out: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const prediction = (): string => PREDICTION;
  binned(PREDICTION, bucketsBy(pb, prediction).get(PREDICTION), bucketsBy(pc, prediction).get(PREDICTION));

  const feature = (s: InstantSample): string | undefined => s.labels["feature"];
  const numB = bucketsBy(nb, feature);
  const numC = bucketsBy(nc, feature);
  const catB = countsBy(cb);
  const catC = countsBy(cc);
  const names = [...new Set([...numB.keys(), ...numC.keys(), ...catB.keys(), ...catC.keys()])].filter((n) => n !== PREDICTION).sort(byName);
  for (const name of names) {
    if (numB.has(name) || numC.has(name)) {
      binned(name, numB.get(name), numC.get(name));
      continue;
    }
    const b = catB.get(name);
    const c = catC.get(name);
    if (!b || !c) {
      oneSided(name, Boolean(b));
      continue;
    }
    const total = (k: string): number => (b.get(k) ?? 0) + (c.get(k) ?? 0);
    const categories = [...new Set([...b.keys(), ...c.keys()])].sort((x, y) => total(y) - total(x) || byName(x, y));
    features.push({
      name,
      data: { kind: "categorical", categories, baseline: categories.map((k) => b.get(k) ?? 0), current: categories.map((k) => c.get(k) ?? 0) },
    });
  }
  return { features, warnings };
}
