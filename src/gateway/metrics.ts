/**
 * The gateway's /metrics: every series of DESIGN.md §4, through prom-client, never sampled.
 *
 * Label values that come from traffic (feature names, categories) are bounded, so that hostile or
 * merely varied input cannot grow the series without limit: a model's features are the ones its
 * assertions declare, else the first MAX_FEATURES seen; a feature's categories are the declared
 * domain, else the first MAX_CATEGORIES seen, the rest counted as "__other__". prom-client escapes
 * label values in the exposition format.
 *
 * With a simulated clock (the demo) each sample carries that clock's timestamp, so that Prometheus
 * files a replayed day at the time it stands for rather than when it was scraped.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { MetricSnapshots } from "./snapshots";

export const MAX_FEATURES = 50;
export const MAX_CATEGORIES = 50;
export const OTHER_CATEGORY = "__other__";

/** Bucket bounds for numeric features, when gateway.yaml gives none: wide, in 1-2.5-5 steps, both signs. */
export const DEFAULT_FEATURE_BUCKETS = ((): number[] => {
  const positive = [0.01, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 100_000];
  return [...positive.map((b) => -b).reverse(), 0, ...positive];
})();
/** Scores in [0, 1] in twentieths; a regression model's predictions should set their own. */
export const DEFAULT_PREDICTION_BUCKETS = Array.from({ length: 20 }, (_, i) => (i + 1) / 20);
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface FeatureLimits {
  readonly names: Set<string>;
  readonly declared: boolean;
  readonly categories: Map<string, { readonly values: Set<string>; readonly declared: boolean }>;
}

interface VersionSeries {
  readonly requests: Counter.Internal;
  readonly errors: Counter.Internal;
  readonly latency: Histogram.Internal<string>;
  readonly prediction: Histogram.Internal<string>;
  readonly features: Map<string, Histogram.Internal<string>>;
}

export interface ModelTelemetry {
  readonly name: string;
  /** Feature names declared by the model's assertions, with their categories if any. */
  readonly features?: Readonly<Record<string, { readonly values?: readonly string[] }>>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly limits = new Map<string, FeatureLimits>();
  private readonly byVersion = new Map<string, VersionSeries>();
  private readonly byArm = new Map<string, Counter.Internal>();
  private snapshots: MetricSnapshots | undefined;
  private readonly requests: Counter;
  private readonly errors: Counter;
  private readonly latency: Histogram;
  private readonly prediction: Histogram;
  private readonly feature: Histogram;
  private readonly category: Counter;
  private readonly outcome: Counter;
  private readonly shadow: Counter;
  private readonly weight: Gauge;
  private readonly exposures: Counter;
  private readonly conversions: Counter;
  private readonly valueSum: Counter;
  private readonly valueSquares: Counter;
  private readonly valueCount: Counter;
  private readonly violations: Counter;

  constructor(
    models: readonly ModelTelemetry[],
    private readonly clock?: () => number,
  ) {
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });
    this.requests = counter("model_requests_total", "Requests answered, by model and version.", ["model", "version"]);
    this.errors = counter("model_errors_total", "Requests that failed: a 5xx from the model server, a timeout, or the server unreachable.", ["model", "version"]);
    this.latency = new Histogram({ name: "model_latency_seconds", help: "Time from the request to the model server's full response.", labelNames: ["model", "version"], buckets: LATENCY_BUCKETS, registers });
    this.prediction = new Histogram({ name: "model_prediction", help: "Numeric predictions.", labelNames: ["model", "version"], buckets: DEFAULT_PREDICTION_BUCKETS, registers });
    this.feature = new Histogram({ name: "model_feature", help: "Numeric feature values.", labelNames: ["model", "version", "feature"], buckets: DEFAULT_FEATURE_BUCKETS, registers });
    this.category = counter("model_feature_category_total", "Categorical feature values.", ["model", "version", "feature", "category"]);
    this.outcome = counter("model_outcome_total", "Delayed outcomes (ground truth, feedback) by the version that made the prediction.", ["model", "version", "outcome"]);
    this.shadow = counter("model_shadow_comparisons_total", "Shadow predictions compared with the primary's.", ["model", "version", "shadow", "agree"]);
    this.weight = new Gauge({ name: "model_traffic_weight", help: "Percent of the model's traffic routed to the version.", labelNames: ["model", "version"], registers });
    this.exposures = counter("experiment_exposures_total", "Requests assigned to an experiment's arm.", ["experiment", "arm"]);
    this.conversions = counter("experiment_conversions_total", "Conversions credited to an experiment's arm.", ["experiment", "arm", "metric"]);
    this.valueSum = counter("experiment_value_sum", "Sum of a mean metric's values per arm.", ["experiment", "arm", "metric"]);
    this.valueSquares = counter("experiment_value_sum_squares", "Sum of squares of a mean metric's values per arm.", ["experiment", "arm", "metric"]);
    this.valueCount = counter("experiment_value_count", "Values of a mean metric per arm.", ["experiment", "arm", "metric"]);
    this.violations = counter("model_assertion_violations_total", "Model assertions broken by a request; never blocking.", ["model", "version", "assertion"]);
    for (const m of models) {
      const declared = Object.keys(m.features ?? {});
      const categories = new Map(Object.entries(m.features ?? {}).filter(([, f]) => f.values).map(([name, f]) => [name, { values: new Set(f.values), declared: true }]));
      this.limits.set(m.name, { names: new Set(declared), declared: declared.length > 0, categories });
    }
  }

  /**
   * The series of one model version, looked up once: prom-client checks and hashes the labels of
   * every call made with a label object, which costs more than the count itself on the hot path.
   */
  private version(model: string, version: string): VersionSeries {
    const key = `${model}\u0000${version}`;
    let series = this.byVersion.get(key);
    if (!series) {
      series = {
        requests: this.requests.labels(model, version),
        errors: this.errors.labels(model, version),
        latency: this.latency.labels(model, version),
        prediction: this.prediction.labels(model, version),
        features: new Map(),
      };
      this.byVersion.set(key, series);
    }
    return series;
  }

  request(model: string, version: string, seconds: number, failed: boolean): void {
    const series = this.version(model, version);
    series.requests.inc();
    if (failed) series.errors.inc();
    series.latency.observe(seconds);
  }

  predicted(model: string, version: string, prediction: unknown): void {
    if (typeof prediction === "number" && Number.isFinite(prediction)) this.version(model, version).prediction.observe(prediction);
  }

  features(model: string, version: string, features: Readonly<Record<string, unknown>>): void {
    const limits = this.limits.get(model);
    if (!limits) return;
    for (const [feature, value] of Object.entries(features)) {
      if (!limits.names.has(feature)) {
        if (limits.declared || limits.names.size >= MAX_FEATURES) continue;
        limits.names.add(feature);
      }
      if (typeof value === "number") {
        if (!Number.isFinite(value)) continue;
        const series = this.version(model, version).features;
        let child = series.get(feature);
        if (!child) series.set(feature, (child = this.feature.labels(model, version, feature)));
        child.observe(value);
      } else if (typeof value === "string" || typeof value === "boolean") {
        this.category.inc({ model, version, feature, category: this.categoryOf(limits, feature, String(value)) });
      }
    }
  }

  private categoryOf(limits: FeatureLimits, feature: string, value: string): string {
    let known = limits.categories.get(feature);
    if (!known) limits.categories.set(feature, (known = { values: new Set(), declared: false }));
    if (known.values.has(value)) return value;
    if (known.declared || known.values.size >= MAX_CATEGORIES || value.length > 64) return OTHER_CATEGORY;
    known.values.add(value);
    return value;
  }

  outcomeSeen(model: string, version: string, outcome: string): void {
    this.outcome.inc({ model, version, outcome });
  }

  shadowCompared(model: string, version: string, shadow: string, agree: boolean): void {
    this.shadow.inc({ model, version, shadow, agree: String(agree) });
  }

  weights(model: string, versions: ReadonlyArray<{ readonly name: string; readonly weight: number }>): void {
    for (const v of versions) this.weight.set({ model, version: v.name }, v.weight);
  }

  exposed(experiment: string, arm: string): void {
    const key = `${experiment}\u0000${arm}`;
    let child = this.byArm.get(key);
    if (!child) this.byArm.set(key, (child = this.exposures.labels(experiment, arm)));
    child.inc();
  }

  converted(experiment: string, arm: string, metric: string, value?: number): void {
    if (value === undefined) {
      this.conversions.inc({ experiment, arm, metric });
      return;
    }
    this.valueSum.inc({ experiment, arm, metric }, value);
    this.valueSquares.inc({ experiment, arm, metric }, value * value);
    this.valueCount.inc({ experiment, arm, metric });
  }

  violated(model: string, version: string, assertion: string): void {
    this.violations.inc({ model, version, assertion });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Takes a snapshot of every series each `everyMs` of the clock's time, for the next scrape to
   * return (snapshots.ts); only with a simulated clock that runs fast. Returns the stop function.
   */
  snapshotEvery(everyMs: number, checkRealMs = 20): () => void {
    const clock = this.clock;
    if (!clock) throw new Error("snapshots need a simulated clock");
    this.snapshots = new MetricSnapshots();
    let next = Math.ceil(clock() / everyMs) * everyMs;
    const timer = setInterval(() => {
      const now = clock();
      if (now < next) return;
      // One snapshot for the minutes passed since the last check: the values did not change in between.
      void this.registry.getMetricsAsJSON().then((families) => this.snapshots?.take(Math.floor(now / everyMs) * everyMs, families));
      next = Math.floor(now / everyMs) * everyMs + everyMs;
    }, checkRealMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The exposition text; with a simulated clock, every sample stamped with its time. */
  async text(): Promise<string> {
    if (this.snapshots) return this.snapshots.render();
    const text = await this.registry.metrics();
    if (!this.clock) return text;
    const stamp = ` ${Math.floor(this.clock())}`;
    return text.replace(/^([^#\n].*)$/gm, `$1${stamp}`);
  }
}
