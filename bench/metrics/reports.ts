/**
 * The six reports of the metrics bench, each two ways over the same Prometheus:
 * - ours: the readers of src/telemetry/metrics (aggregating PromQL, a handful of queries), then
 *   the analysis, as the CLI runs them;
 * - naive: the raw per-minute samples of every series the report needs (bench/metrics/naive.ts),
 *   the same inputs computed in Node, then the same analysis.
 * Windows are those of test/telemetry/metrics/analyses.integration.test.ts.
 */
import { analyzeAb } from "../../src/core/ab/analyzeAb";
import type { AbArmInput } from "../../src/core/ab/armStats";
import { analyzeDrift } from "../../src/core/drift/analyzeDrift";
import { binnedFromCumulative, bucketsFromCumulative, parseLe, type LeBucket } from "../../src/core/drift/buckets";
import type { FeatureInput } from "../../src/core/drift/inputs";
import { analyzeJumps } from "../../src/core/jumps/analyzeJumps";
import type { MetricPoint, MetricSeries, ReleaseEvent } from "../../src/core/jumps/inputs";
import { experimentNamed, parseConfig } from "../../src/config/load";
import type { MetricConfig } from "../../src/config/types";
import { readExperimentArms, readVersionArms, type TimeWindow } from "../../src/telemetry/metrics/abInputs";
import { readDriftFeatures } from "../../src/telemetry/metrics/driftInputs";
import { readMetricSeries, readReleases, releaseStepMs } from "../../src/telemetry/metrics/jumpsInputs";
import type { PrometheusClient } from "../../src/telemetry/prometheus/client";
import type { HistoryFacts } from "../../test/support/promHistory";
import { bucketIncreases, download, increase, sumBy, type RawSeries } from "./naive";
import { abOutcome, driftOutcome, jumpsOutcome, type Outcome } from "./outcome";
import { historyConfigYaml } from "../../test/support/promConfig";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The CLI's step for reading releases (src/cli/commands/jumps.ts). */
const MODEL = "churn";

export interface Report {
  readonly name: string;
  /** What the naive side downloads, for the log. */
  readonly naiveSelectors: readonly string[];
  ours(client: PrometheusClient): Promise<Outcome>;
  naive(client: PrometheusClient): Promise<Outcome>;
}

/** The history's workspace file (test/support/promConfig.ts): built-in metrics plus a `revenue` mean metric. */
function benchConfig(url: string) {
  const text = historyConfigYaml(url);
  const parsed = parseConfig(text);
  if (!parsed.config || parsed.issues.length > 0) throw new Error(`bench config: ${JSON.stringify(parsed.issues)}`);
  return parsed.config;
}

/** Downloads every selector over the windows, all requests at once. */
const downloadAll = (client: PrometheusClient, selectors: readonly string[], windows: readonly TimeWindow[]): Promise<RawSeries[][]> =>
  Promise.all(selectors.map((s) => download(client, s, windows)));

/** Per group (arm or version), each selector's increase over the window. */
function increasesBy(series: readonly RawSeries[][], label: string, window: TimeWindow): Array<Map<string, number>> {
  return series.map((list) => sumBy(list, [label], (s) => increase(s, window.start, window.end)));
}

/** Releases from per-minute traffic weights: the rule of readReleases (jumpsInputs.ts). */
function releasesFrom(weights: readonly RawSeries[], window: TimeWindow): ReleaseEvent[] {
  const byVersion = new Map<string, Map<number, number>>();
  for (const s of weights) {
    const version = s.labels["version"];
    if (version === undefined) continue;
    let m = byVersion.get(version);
    if (!m) byVersion.set(version, (m = new Map()));
    s.t.forEach((t, i) => m.set(t, Math.max(m.get(t) ?? -Infinity, s.v[i]!)));
  }
  const events: ReleaseEvent[] = [];
  for (const [version, m] of byVersion) {
    let serving: boolean | undefined;
    for (const [t, v] of [...m].sort((a, b) => a[0] - b[0])) {
      const now = v > 0;
      if ((now && serving === false) || (serving === undefined && t > window.start && now)) {
        events.push({ t, version, model: MODEL });
        break;
      }
      serving = now;
    }
  }
  return events.sort((a, b) => a.t - b.t);
}

const bucketStarts = (window: TimeWindow, bucketMs: number): number[] => {
  const starts: number[] = [];
  for (let t = window.start; t + bucketMs <= window.end; t += bucketMs) starts.push(t);
  return starts;
};

export function buildReports(facts: HistoryFacts, url: string): Report[] {
  const config = benchConfig(url);
  const metric = (name: string): MetricConfig => {
    const m = config.metrics.get(name);
    if (!m) throw new Error(`bench: no metric ${name}`);
    return m;
  };
  const checkout = experimentNamed(config, "checkout");
  const whole: TimeWindow = { start: facts.startMs, end: facts.endMs };
  const v3 = facts.releases.find((r) => r.version === "v3")!.atMs;
  const arms = ["control", "treatment"];

  const abReport = (name: string, metricName: string, selectors: string[], toArm: (values: Array<Map<string, number>>, arm: string) => AbArmInput): Report => ({
    name,
    naiveSelectors: selectors,
    async ours(client) {
      const read = await readExperimentArms(client, checkout, metric(metricName), whole);
      return abOutcome(read.arms, analyzeAb(read.arms, read.expectedSplit ? { expectedSplit: read.expectedSplit } : {}));
    },
    async naive(client) {
      const values = increasesBy(await downloadAll(client, selectors, [whole]), "arm", whole);
      const inputs = arms.map((arm) => toArm(values, arm));
      return abOutcome(inputs, analyzeAb(inputs, {}));
    },
  });

  const conversion = abReport(
    "A/B checkout conversion",
    "conversion",
    ['experiment_exposures_total{experiment="checkout"}', 'experiment_conversions_total{experiment="checkout",metric="conversion"}'],
    ([units, successes], arm) => ({ name: arm, trials: Math.round(units!.get(arm) ?? 0), successes: Math.round(successes!.get(arm) ?? 0) }),
  );
  const revenue = abReport(
    "A/B checkout revenue (mean)",
    "revenue",
    ["sum", "sum_squares", "count"].map((s) => `experiment_value_${s}{experiment="checkout",metric="revenue"}`),
    ([sum, squares, count], arm) => ({ name: arm, n: Math.round(count!.get(arm) ?? 0), sum: sum!.get(arm) ?? 0, sumSquares: squares!.get(arm) ?? 0 }),
  );

  const baseline: TimeWindow = { start: facts.startMs, end: facts.driftMs };
  const current: TimeWindow = { start: facts.driftMs + HOUR, end: facts.endMs };
  const driftSelectors = [`model_feature_bucket{model="${MODEL}"}`, `model_feature_category_total{model="${MODEL}"}`, `model_prediction_bucket{model="${MODEL}"}`];
  const drift: Report = {
    name: "drift churn",
    naiveSelectors: driftSelectors,
    async ours(client) {
      const read = await readDriftFeatures(client, MODEL, baseline, current);
      return driftOutcome(read.features, analyzeDrift(read.features));
    },
    async naive(client) {
      const [numeric, categorical, prediction] = await downloadAll(client, driftSelectors, [baseline, current]);
      const per = (series: readonly RawSeries[], by: string[], w: TimeWindow) => sumBy(series, by, (s) => Math.round(increase(s, w.start, w.end)));
      /** Cumulative buckets of one feature (or of all series, for the prediction) from "feature\0le" or "le" keys. */
      const buckets = (m: Map<string, number>, name: string | undefined): LeBucket[] =>
        [...m].flatMap(([key, count]) => {
          const parts = key.split("\u0000");
          return name === undefined || parts[0] === name ? [{ le: parts[parts.length - 1]!, count }] : [];
        });
      const features: FeatureInput[] = [];
      features.push({ name: "prediction", data: binnedFromCumulative(buckets(per(prediction!, ["le"], baseline), undefined), buckets(per(prediction!, ["le"], current), undefined)) });
      const numB = per(numeric!, ["feature", "le"], baseline);
      const numC = per(numeric!, ["feature", "le"], current);
      const catB = per(categorical!, ["feature", "category"], baseline);
      const catC = per(categorical!, ["feature", "category"], current);
      const first = (m: Map<string, number>) => [...m.keys()].map((k) => k.split("\u0000")[0]!);
      const numericNames = new Set([...first(numB), ...first(numC)]);
      const names = [...new Set([...numericNames, ...first(catB), ...first(catC)])].sort();
      for (const name of names) {
        if (numericNames.has(name)) {
          features.push({ name, data: binnedFromCumulative(buckets(numB, name), buckets(numC, name)) });
          continue;
        }
        const of = (m: Map<string, number>) => new Map([...m].filter(([k]) => k.split("\u0000")[0] === name).map(([k, c]) => [k.split("\u0000")[1]!, c]));
        const b = of(catB);
        const c = of(catC);
        const total = (k: string): number => (b.get(k) ?? 0) + (c.get(k) ?? 0);
        const categories = [...new Set([...b.keys(), ...c.keys()])].sort((x, y) => total(y) - total(x) || (x < y ? -1 : x > y ? 1 : 0));
        features.push({ name, data: { kind: "categorical", categories, baseline: categories.map((k) => b.get(k) ?? 0), current: categories.map((k) => c.get(k) ?? 0) } });
      }
      return driftOutcome(features, analyzeDrift(features));
    },
  };

  const jumpsReport = (name: string, m: MetricConfig, selectors: string[], points: (series: RawSeries[][], starts: number[]) => MetricPoint[]): Report => {
    const weights = `model_traffic_weight{model="${MODEL}"}`;
    return {
      name,
      naiveSelectors: [...selectors, weights],
      async ours(client) {
        const [series, releases] = await Promise.all([
          readMetricSeries(client, { model: MODEL, metric: m, window: whole, bucketMs: HOUR }),
          readReleases(client, { model: MODEL, window: whole, stepMs: releaseStepMs(HOUR) }),
        ]);
        return jumpsOutcome(series, releases, analyzeJumps(series, releases, { bucketMs: HOUR }));
      },
      async naive(client) {
        const raw = await downloadAll(client, [...selectors, weights], [whole]);
        const releases = releasesFrom(raw.pop()!, whole);
        const series: MetricSeries = {
          name: m.name,
          direction: m.direction,
          kind: m.kind as MetricSeries["kind"],
          ...(m.kind === "quantile" ? { quantile: Number(/histogram_quantile\s*\(\s*([0-9.]+)/.exec(m.query ?? "")?.[1]) } : {}),
          points: points(raw, bucketStarts(whole, HOUR)),
        };
        return jumpsOutcome(series, releases, analyzeJumps(series, releases, { bucketMs: HOUR }));
      },
    };
  };

  const errorRate = jumpsReport(
    "jumps churn error_rate",
    metric("error_rate"),
    [`model_errors_total{model="${MODEL}"}`, `model_requests_total{model="${MODEL}"}`],
    ([errors, requests], starts) => {
      const perHour = (series: RawSeries[]) => sumBy(series, ["model"], (s) => bucketIncreases(s, whole.start, HOUR, starts.length)).get(MODEL)!;
      const e = perHour(errors!);
      const r = perHour(requests!);
      return starts.map((t, k) => {
        const n = Math.round(r[k]!);
        return { t, n, successes: Math.min(n, Math.round(e[k]!)) };
      });
    },
  );

  const latency = jumpsReport("jumps churn latency_p95", metric("latency_p95"), [`model_latency_seconds_bucket{model="${MODEL}"}`], ([buckets], starts) => {
    const byLe = sumBy(buckets!, ["le"], (s) => bucketIncreases(s, whole.start, HOUR, starts.length));
    const les = [...byLe.keys()].sort((a, b) => parseLe(a) - parseLe(b));
    return starts.map((t, k) => {
      const bins = bucketsFromCumulative(
        les.map((le) => ({ le, count: Math.round(byLe.get(le)![k]!) })),
        { lowerBound: 0 },
      );
      return { t, n: bins.counts.reduce((a, b) => a + b, 0), histogram: { edges: bins.edges, counts: bins.counts } };
    });
  });

  const versionWindow: TimeWindow = { start: v3 - 5 * DAY, end: v3 + 4 * DAY };
  const versionSelectors = [`model_errors_total{model="${MODEL}",version=~"v2|v3"}`, `model_requests_total{model="${MODEL}",version=~"v2|v3"}`];
  const versions: Report = {
    name: "versions churn v2 vs v3 error_rate",
    naiveSelectors: versionSelectors,
    async ours(client) {
      const read = await readVersionArms(client, MODEL, ["v2", "v3"], metric("error_rate"), versionWindow);
      return abOutcome(read.arms, analyzeAb(read.arms, { direction: "lower", randomized: false }));
    },
    async naive(client) {
      const [errors, requests] = increasesBy(await downloadAll(client, versionSelectors, [versionWindow]), "version", versionWindow);
      const inputs = ["v2", "v3"].map((v) => ({ name: v, trials: Math.round(requests!.get(v) ?? 0), successes: Math.round(errors!.get(v) ?? 0) }));
      return abOutcome(inputs, analyzeAb(inputs, { direction: "lower", randomized: false }));
    },
  };

  return [conversion, revenue, drift, errorRate, latency, versions];
}
