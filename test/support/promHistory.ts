/**
 * Deterministic metric history with known facts, in the series of DESIGN.md §4, for the Prometheus
 * and VictoriaMetrics integration tests. 14 days at 1-minute resolution ending at a FIXED instant
 * (END_MS), so every run, on every machine, queries the same numbers.
 *
 * What it plants (times from START = END - 14 d):
 * - model `churn`: v1 serves from START; v2 is released at START + 5 d with a real error-rate jump
 *   (1% to 4%); v3 at START + 10 d with none (4% to 4%). A version's counters start at 0 on its
 *   release and keep their last value for one hour after the next release, then stop (go stale).
 *   `model_traffic_weight` is 0/1 per version and switches at each release.
 * - `model_feature{feature="tenure"}` drifts at START + 7.5 d (inside v2's time); `monthly_charges`
 *   and the categorical `plan` never change. Latency and prediction histograms never change.
 * - experiment `checkout`: 50/50 split, conversion 10% (control) vs 12% (treatment), and a mean
 *   metric `revenue` per exposure (experiment_value_sum/_sum_squares/_count).
 * - experiment `onboarding`: designed 50/50 but control gets 55% of exposures (an SRM).
 * - `prodinsights_probe{case}` over the last hour, stored NaN and +Inf values: `all_nan` is NaN
 *   throughout, `mixed` cycles finite, NaN, finite, +Inf.
 *
 * `facts` holds the realised numbers (not only the planted rates); `valueAt` gives any series'
 * stored value at any sample time, so tests can assert exact equality on raw counter values.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { seededOpenUniform } from "../../src/core/stats/random";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 2025-01-15T00:00:00Z. Fixed, so results are reproducible; far enough back to be "history". */
export const END_MS = Date.UTC(2025, 0, 15);
export const START_MS = END_MS - 14 * DAY;
export const STEP_MS = MINUTE;
const N = (END_MS - START_MS) / STEP_MS; // sample indices 0..N
const timeOf = (i: number) => START_MS + i * STEP_MS;

export const RELEASE_V2_MS = START_MS + 5 * DAY;
export const RELEASE_V3_MS = START_MS + 10 * DAY;
export const DRIFT_MS = START_MS + 7.5 * DAY;
const DRAIN_MS = HOUR;

const VERSIONS = [
  { version: "v1", from: START_MS, to: RELEASE_V2_MS, errorRate: 0.01 },
  { version: "v2", from: RELEASE_V2_MS, to: RELEASE_V3_MS, errorRate: 0.04 },
  { version: "v3", from: RELEASE_V3_MS, to: END_MS + 1, errorRate: 0.04 },
] as const;

const LATENCY_LE = [0.05, 0.1, 0.25, 0.5, 1];
const LATENCY_P = [0.2, 0.3, 0.35, 0.12, 0.025, 0.005];
const LATENCY_MID_MS = [30, 75, 175, 375, 750, 1500];
const PREDICTION_LE = [0.2, 0.4, 0.6, 0.8, 1];
const PREDICTION_P = [0.35, 0.3, 0.2, 0.1, 0.05, 0];
const PREDICTION_MID_MILLI = [100, 300, 500, 700, 900, 1000];
export const FEATURES = {
  tenure: { le: [6, 12, 24, 48, 72], before: [0.3, 0.25, 0.2, 0.15, 0.07, 0.03], after: [0.1, 0.15, 0.25, 0.25, 0.15, 0.1], mid: [3, 9, 18, 36, 60, 90] },
  monthly_charges: { le: [20, 40, 60, 80, 100], before: [0.1, 0.2, 0.3, 0.25, 0.1, 0.05], after: [0.1, 0.2, 0.3, 0.25, 0.1, 0.05], mid: [10, 30, 50, 70, 90, 120] },
} as const;
export const PLAN_CATEGORIES = { basic: 0.5, plus: 0.3, pro: 0.2 } as const;
const CHECKOUT_CR = { control: 0.1, treatment: 0.12 } as const;
const CHECKOUT_REVENUE = { control: 50, treatment: 53 } as const; // mean revenue of a conversion
const ONBOARDING_CONTROL_SHARE = 0.55;
const PROBE_FROM = END_MS - HOUR;

interface Series {
  readonly name: string;
  readonly family: string;
  readonly type: "counter" | "gauge" | "histogram" | "unknown";
  readonly labels: Readonly<Record<string, string>>;
  readonly key: string;
  /** Index range where the series has samples, inclusive. */
  first: number;
  last: number;
  readonly values: Float64Array;
}

/** `name{a="x",b="y"}`, labels in the given order: the key tests use with `valueAt`. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const inner = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",");
  return inner ? `${name}{${inner}}` : name;
}

const leText = (le: number | "+Inf") => (le === "+Inf" ? "+Inf" : String(le));

export interface HistoryFacts {
  readonly startMs: number;
  readonly endMs: number;
  readonly stepMs: number;
  readonly releases: readonly { readonly version: string; readonly atMs: number }[];
  readonly driftMs: number;
  readonly driftingFeature: "tenure";
  readonly stableFeatures: readonly string[];
  /** Per version, over its whole life. */
  readonly requests: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly plannedErrorRate: Readonly<Record<string, number>>;
  readonly checkout: {
    readonly exposures: { readonly control: number; readonly treatment: number };
    readonly conversions: { readonly control: number; readonly treatment: number };
    readonly plannedConversionRate: typeof CHECKOUT_CR;
    readonly revenue: Readonly<Record<"control" | "treatment", { readonly sum: number; readonly sumSquares: number; readonly count: number }>>;
  };
  readonly onboarding: {
    readonly exposures: { readonly control: number; readonly treatment: number };
    readonly plannedShares: { readonly control: number; readonly treatment: number };
  };
  /** Number of distinct series and of samples written. */
  readonly seriesCount: number;
  readonly sampleCount: number;
}

export interface History {
  readonly facts: HistoryFacts;
  /** A series' stored value at time `ms` (a sample time), or undefined where it has no sample. */
  valueAt(key: string, ms: number): number | undefined;
  /** OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: seconds, `# EOF` last. */
  writeOpenMetrics(file: string): void;
  /** Prometheus text exposition with ms timestamps for VictoriaMetrics' /api/v1/import/prometheus. */
  writePromText(file: string): void;
}

let cached: History | undefined;

/** The history (built once per process; about a second). */
export function promHistory(): History {
  cached ??= build();
  return cached;
}

function build(): History {
  const uniform = seededOpenUniform(20250115);
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const poisson = (mu: number) => Math.max(0, Math.round(mu + Math.sqrt(mu) * gauss()));
  const binomial = (n: number, p: number) => (p <= 0 || n === 0 ? 0 : p >= 1 ? n : Math.max(0, Math.min(n, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gauss()))));
  /** Splits n into bins with probabilities p (sequential binomials); returns counts per bin. */
  const split = (n: number, p: readonly number[]) => {
    const counts: number[] = [];
    let left = n;
    let mass = 1;
    p.forEach((pk, k) => {
      const c = k === p.length - 1 ? left : binomial(left, mass > 0 ? Math.min(1, pk / mass) : 0);
      counts.push(c);
      left -= c;
      mass -= pk;
    });
    return counts;
  };

  const all: Series[] = [];
  const byKey = new Map<string, Series>();
  const series = (name: string, family: string, type: Series["type"], labels: Record<string, string>): Series => {
    const key = seriesKey(name, labels);
    let s = byKey.get(key);
    if (!s) {
      s = { name, family, type, labels, key, first: -1, last: -1, values: new Float64Array(N + 1) };
      byKey.set(key, s);
      all.push(s);
    }
    return s;
  };
  const put = (s: Series, i: number, value: number) => {
    if (s.first < 0) s.first = i;
    else if (s.last !== i - 1) throw new Error(`promHistory: gap in ${s.key}`);
    s.last = i;
    s.values[i] = value;
  };
  /** Adds `delta` to a counter at sample i (a counter's first sample is its start value, 0). */
  const add = (s: Series, i: number, delta: number) => put(s, i, (s.first < 0 ? 0 : s.values[i - 1]!) + delta);

  const histogram = (family: string, labels: Record<string, string>, le: readonly number[]) => ({
    buckets: [...le, "+Inf" as const].map((b) => series(`${family}_bucket`, family, "histogram", { ...labels, le: leText(b) })),
    sum: series(`${family}_sum`, family, "histogram", labels),
    count: series(`${family}_count`, family, "histogram", labels),
  });
  type Histogram = ReturnType<typeof histogram>;
  /** Observes counts per bin (non-cumulative); `sum` is the sum of the observations. */
  const observe = (h: Histogram, i: number, counts: readonly number[], sum: number) => {
    let cumulative = 0;
    counts.forEach((c, k) => {
      cumulative += c;
      add(h.buckets[k]!, i, cumulative);
    });
    add(h.sum, i, sum);
    add(h.count, i, cumulative);
  };
  /** Keeps a counter/histogram series at its last value (a drained pod still scraped). */
  const hold = (s: Series, i: number) => put(s, i, s.values[i - 1]!);

  const model = "churn";
  const perVersion = VERSIONS.map((v) => {
    const labels = { model, version: v.version };
    return {
      ...v,
      requests: series("model_requests_total", "model_requests", "counter", labels),
      errors: series("model_errors_total", "model_errors", "counter", labels),
      weight: series("model_traffic_weight", "model_traffic_weight", "gauge", labels),
      latency: histogram("model_latency_seconds", labels, LATENCY_LE),
      prediction: histogram("model_prediction", labels, PREDICTION_LE),
      features: Object.fromEntries(Object.entries(FEATURES).map(([feature, f]) => [feature, histogram("model_feature", { ...labels, feature }, f.le)])),
      plan: Object.keys(PLAN_CATEGORIES).map((category) =>
        series("model_feature_category_total", "model_feature_category", "counter", { ...labels, feature: "plan", category }),
      ),
    };
  });
  const arms = ["control", "treatment"] as const;
  const checkout = Object.fromEntries(
    arms.map((arm) => {
      const labels = { experiment: "checkout", arm };
      return [
        arm,
        {
          exposures: series("experiment_exposures_total", "experiment_exposures", "counter", labels),
          conversions: series("experiment_conversions_total", "experiment_conversions", "counter", { ...labels, metric: "conversion" }),
          sum: series("experiment_value_sum", "experiment_value_sum", "unknown", { ...labels, metric: "revenue" }),
          sumSquares: series("experiment_value_sum_squares", "experiment_value_sum_squares", "unknown", { ...labels, metric: "revenue" }),
          count: series("experiment_value_count", "experiment_value_count", "unknown", { ...labels, metric: "revenue" }),
        },
      ];
    }),
  ) as Record<(typeof arms)[number], { exposures: Series; conversions: Series; sum: Series; sumSquares: Series; count: Series }>;
  const onboarding = Object.fromEntries(
    arms.map((arm) => {
      const labels = { experiment: "onboarding", arm };
      return [
        arm,
        {
          exposures: series("experiment_exposures_total", "experiment_exposures", "counter", labels),
          conversions: series("experiment_conversions_total", "experiment_conversions", "counter", { ...labels, metric: "conversion" }),
        },
      ];
    }),
  ) as Record<(typeof arms)[number], { exposures: Series; conversions: Series }>;
  const probeAll = series("prodinsights_probe", "prodinsights_probe", "gauge", { case: "all_nan" });
  const probeMixed = series("prodinsights_probe", "prodinsights_probe", "gauge", { case: "mixed" });

  for (let i = 0; i <= N; i++) {
    const t = timeOf(i);
    const dayPhase = ((t - START_MS) % DAY) / DAY;
    const diurnal = 1 + 0.3 * Math.sin(2 * Math.PI * dayPhase - Math.PI / 2);
    for (const v of perVersion) {
      put(v.weight, i, t >= v.from && t < v.to ? 1 : 0);
      if (t < v.from || t >= v.to + DRAIN_MS) continue;
      const keep = [v.requests, v.errors, ...Object.values(v.features).flatMap((h) => [...h.buckets, h.sum, h.count]), ...v.plan];
      const allSeries = [...keep, ...[v.latency, v.prediction].flatMap((h) => [...h.buckets, h.sum, h.count])];
      if (t >= v.to) {
        for (const s of allSeries) hold(s, i);
        continue;
      }
      // A counter's first sample (at the release) is 0: traffic is counted from the next minute.
      const n = i === 0 || t === v.from ? 0 : poisson(600 * diurnal);
      add(v.requests, i, n);
      add(v.errors, i, binomial(n, v.errorRate));
      const lat = split(n, LATENCY_P);
      observe(v.latency, i, lat, lat.reduce((a, c, k) => a + c * LATENCY_MID_MS[k]!, 0) / 1000);
      const pred = split(n, PREDICTION_P);
      observe(v.prediction, i, pred, pred.reduce((a, c, k) => a + c * PREDICTION_MID_MILLI[k]!, 0) / 1000);
      for (const [feature, f] of Object.entries(FEATURES)) {
        const counts = split(n, t > DRIFT_MS ? f.after : f.before);
        observe(v.features[feature]!, i, counts, counts.reduce((a, c, k) => a + c * f.mid[k]!, 0));
      }
      const plans = split(n, Object.values(PLAN_CATEGORIES));
      v.plan.forEach((s, k) => add(s, i, plans[k]!));
    }
    const m = i === 0 ? 0 : poisson(200 * diurnal);
    const toControl = binomial(m, 0.5);
    for (const arm of arms) {
      const c = checkout[arm];
      const e = arm === "control" ? toControl : m - toControl;
      const conv = binomial(e, CHECKOUT_CR[arm]);
      let sum = 0;
      let sumSquares = 0;
      for (let k = 0; k < conv; k++) {
        const value = Math.max(1, Math.round(CHECKOUT_REVENUE[arm] + 15 * gauss()));
        sum += value;
        sumSquares += value * value;
      }
      add(c.exposures, i, e);
      add(c.conversions, i, conv);
      add(c.sum, i, sum); // revenue per exposure: non-converting exposures count with value 0
      add(c.sumSquares, i, sumSquares);
      add(c.count, i, e);
    }
    const o = i === 0 ? 0 : poisson(100 * diurnal);
    const oControl = binomial(o, ONBOARDING_CONTROL_SHARE);
    for (const arm of arms) {
      const e = arm === "control" ? oControl : o - oControl;
      add(onboarding[arm].exposures, i, e);
      add(onboarding[arm].conversions, i, binomial(e, 0.2));
    }
    if (t >= PROBE_FROM) {
      put(probeAll, i, NaN);
      put(probeMixed, i, [i, NaN, i, Infinity][i % 4]!);
    }
  }

  const last = (s: Series) => s.values[s.last]!;
  const pairOf = <T>(f: (arm: (typeof arms)[number]) => T) => ({ control: f("control"), treatment: f("treatment") });
  const facts: HistoryFacts = {
    startMs: START_MS,
    endMs: END_MS,
    stepMs: STEP_MS,
    releases: VERSIONS.map((v) => ({ version: v.version, atMs: v.from })),
    driftMs: DRIFT_MS,
    driftingFeature: "tenure",
    stableFeatures: ["monthly_charges"],
    requests: Object.fromEntries(perVersion.map((v) => [v.version, last(v.requests)])),
    errors: Object.fromEntries(perVersion.map((v) => [v.version, last(v.errors)])),
    plannedErrorRate: Object.fromEntries(VERSIONS.map((v) => [v.version, v.errorRate])),
    checkout: {
      exposures: pairOf((a) => last(checkout[a].exposures)),
      conversions: pairOf((a) => last(checkout[a].conversions)),
      plannedConversionRate: CHECKOUT_CR,
      revenue: pairOf((a) => ({ sum: last(checkout[a].sum), sumSquares: last(checkout[a].sumSquares), count: last(checkout[a].count) })),
    },
    onboarding: { exposures: pairOf((a) => last(onboarding[a].exposures)), plannedShares: { control: 0.5, treatment: 0.5 } },
    seriesCount: all.length,
    sampleCount: all.reduce((a, s) => a + s.last - s.first + 1, 0),
  };

  const families = new Map<string, Series[]>();
  for (const s of all) families.set(s.family, [...(families.get(s.family) ?? []), s]);
  const formatValue = (x: number) => (Number.isNaN(x) ? "NaN" : x === Infinity ? "+Inf" : x === -Infinity ? "-Inf" : String(x));

  /** Writes time-major within each family (a histogram's buckets, sum and count together per time). */
  const write = (file: string, openMetrics: boolean) => {
    const fd = openSync(file, "w");
    let chunk: string[] = [];
    let size = 0;
    const out = (line: string) => {
      chunk.push(line);
      size += line.length;
      if (size > 1 << 20) flush();
    };
    const flush = () => {
      writeSync(fd, chunk.join(""));
      chunk = [];
      size = 0;
    };
    try {
      for (const [family, members] of families) {
        if (openMetrics) out(`# TYPE ${family} ${members[0]!.type}\n`);
        const prefixes = members.map((s) => `${s.key} `);
        for (let i = 0; i <= N; i++) {
          const ts = openMetrics ? String(timeOf(i) / 1000) : String(timeOf(i));
          members.forEach((s, k) => {
            if (i >= s.first && i <= s.last) out(`${prefixes[k]}${formatValue(s.values[i]!)} ${ts}\n`);
          });
        }
      }
      if (openMetrics) out("# EOF\n");
      flush();
    } finally {
      closeSync(fd);
    }
  };

  return {
    facts,
    valueAt(key, ms) {
      const s = byKey.get(key);
      if (!s) throw new Error(`promHistory: no series ${key}`);
      const i = (ms - START_MS) / STEP_MS;
      if (!Number.isInteger(i)) throw new Error(`promHistory: ${new Date(ms).toISOString()} is not a sample time`);
      return i >= s.first && i <= s.last ? s.values[i] : undefined;
    },
    writeOpenMetrics: (file) => write(file, true),
    writePromText: (file) => write(file, false),
  };
}
