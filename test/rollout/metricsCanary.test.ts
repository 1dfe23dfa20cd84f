/**
 * A canary whose traffic a provider moves and whose measurements come from a metrics backend:
 * the policy as the state machine's, the PromQL each window asks (answered by a fake MetricsApi),
 * the counts made of the answers, and the provider moved for the candidate.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolvePolicy } from "../../src/core/canary/policy";
import { parseConfig } from "../../src/config/load";
import type { Config, MetricConfig, PolicyConfig } from "../../src/config/types";
import { UnmeasuredMetricError } from "../../src/rollout/gatewayPolicy";
import { measureVersions, metricsPolicy, providerTarget } from "../../src/rollout/metricsCanary";
import type { Capability, RolloutEvent, RolloutProvider, RolloutStatus } from "../../src/rollout/provider";
import { MetricsInputError } from "../../src/telemetry/metrics/abInputs";
import type { InstantSample, MetricsApi, RangeSeries } from "../../src/telemetry/metrics/api";

const c: Config = (() => {
  const r = parseConfig(
    [
      "backends: {prod: {url: 'http://prom:9090'}}",
      "metrics:",
      "  signup:",
      "    kind: proportion",
      "    direction: higher",
      "    numerator: 'increase(signups_total{model=\"$model\",version=\"$version\"}[$window])'",
      "    denominator: 'increase(visits_total{model=\"$model\",version=\"$version\"}[$window])'",
      "  basket:",
      "    kind: mean",
      "    sum: 'sum(increase(basket_sum{model=\"$model\",version=\"$version\"}[$window]))'",
      "    sum_squares: 'sum(increase(basket_sq{model=\"$model\",version=\"$version\"}[$window]))'",
      "    count: 'sum(increase(basket_count{model=\"$model\",version=\"$version\"}[$window]))'",
      "models:",
      "  churn: {rollout: unleash, policy: quick}",
      "policies:",
      "  quick: {steps: [10, 50, 100], interval: 30s, metrics: [error_rate, latency_p95, signup], alpha: 0.05, rollback_on: inconclusive}",
      "  means: {metrics: [error_rate, basket]}",
      "  rates: {metrics: [request_rate]}",
      "",
    ].join("\n"),
  );
  assert.deepEqual(r.issues, []);
  return r.config!;
})();

const policy = (name: string): PolicyConfig => c.policies.get(name)!;
const metric = (name: string): MetricConfig => c.metrics.get(name)!;

describe("metricsPolicy", () => {
  test("steps, interval, alpha and rollback_on as in gatewayPolicy; proportion and quantile metrics by kind, with the gateway's tolerances", () => {
    assert.deepEqual(metricsPolicy(c, policy("quick")), {
      steps: [
        { weight: 10, pauseMs: 30_000 },
        { weight: 50, pauseMs: 30_000 },
        { weight: 100, pauseMs: 30_000 },
      ],
      metrics: [
        { name: "error_rate", kind: "proportion", direction: "lower", tolerance: 0.005 },
        { name: "latency_p95", kind: "distribution", direction: "lower", tolerance: 0.1 },
        { name: "signup", kind: "proportion", direction: "higher", tolerance: 0.005 },
      ],
      confidence: 0.95,
      inconclusiveLimit: 1,
    });
  });

  test("the built-in policy: rolled back only when worse, at 98% confidence", () => {
    const p = metricsPolicy(c, policy("canary"));
    assert.deepEqual(p, {
      steps: [5, 25, 50, 100].map((weight) => ({ weight, pauseMs: 600_000 })),
      metrics: [
        { name: "error_rate", kind: "proportion", direction: "lower", tolerance: 0.005 },
        { name: "latency_p95", kind: "distribution", direction: "lower", tolerance: 0.1 },
      ],
      confidence: 0.98,
    });
    assert.doesNotThrow(() => resolvePolicy(p), "the state machine takes it");
  });

  test("a mean or a rate metric cannot judge a canary", () => {
    assert.throws(
      () => metricsPolicy(c, policy("means")),
      (err: unknown) => err instanceof UnmeasuredMetricError && err.message === "policy 'means' judges 'basket', a mean metric; a canary is judged on proportion and quantile metrics",
    );
    assert.throws(
      () => metricsPolicy(c, policy("rates")),
      (err: unknown) => err instanceof UnmeasuredMetricError && err.message === "policy 'rates' judges 'request_rate', a rate metric; a canary is judged on proportion and quantile metrics",
    );
  });

  test("a metric prodinsights.yaml does not define is refused by name", () => {
    assert.throws(
      () => metricsPolicy(c, { ...policy("quick"), name: "odd", metrics: ["error_rate", "nps"] }),
      (err: unknown) => err instanceof UnmeasuredMetricError && err.message === "policy 'odd' judges 'nps', which prodinsights.yaml does not define",
    );
  });

  test("a metric listed twice in a policy is judged once, as gatewayPolicy does", () => {
    const p = metricsPolicy(c, { ...policy("quick"), metrics: ["error_rate", "error_rate"] });
    assert.deepEqual(p.metrics.map((m) => m.name), ["error_rate"]);
  });

  test("a step that is not a whole percent is refused: providers move whole percents", () => {
    assert.throws(() => metricsPolicy(c, { ...policy("quick"), steps: [2.5, 50] }), /policy 'quick' has a step of 2\.5%; a canary through a rollout provider moves whole percents/);
  });
});

/** Instant queries answered by the first rule whose pattern the query matches; every query kept. */
class FakeMetrics implements MetricsApi {
  readonly asked: { query: string; time: number }[] = [];
  constructor(private readonly rules: readonly (readonly [RegExp, InstantSample[]])[]) {}

  instant(query: string, timeMs: number): Promise<InstantSample[]> {
    this.asked.push({ query, time: timeMs });
    return Promise.resolve(this.rules.find(([pattern]) => pattern.test(query))?.[1] ?? []);
  }

  range(query: string): Promise<RangeSeries[]> {
    return Promise.reject(new Error(`no range queries expected: ${query}`));
  }
}

const byVersion = (values: Record<string, number>): InstantSample[] => Object.entries(values).map(([version, value]) => ({ labels: { version }, value }));
const buckets = (version: string, cumulative: Record<string, number>): InstantSample[] => Object.entries(cumulative).map(([le, value]) => ({ labels: { version, le }, value }));

/** Answers for error_rate and latency_p95 of churn; v9 is another version, which is left out. */
function churnMetrics(): FakeMetrics {
  return new FakeMetrics([
    [/model_errors_total/, byVersion({ v1: 12.4, v2: 3, v9: 50 })],
    [/model_requests_total/, byVersion({ v1: 999.6, v2: 200, v9: 500 })],
    [/model_latency_seconds_bucket/, [...buckets("v1", { "0.1": 50, "0.5": 90, "+Inf": 100 }), ...buckets("v2", { "0.1": 20, "0.5": 60, "+Inf": 80 }), ...buckets("v9", { "0.1": 1, "0.5": 1, "+Inf": 1 })]],
    [/signups_total\{model="churn",version="v1"\}/, [{ labels: {}, value: 30 }]],
    [/signups_total\{model="churn",version="v2"\}/, [{ labels: {}, value: 7 }]],
    [/visits_total\{model="churn",version="v1"\}/, [{ labels: {}, value: 300 }]],
    [/visits_total\{model="churn",version="v2"\}/, [{ labels: {}, value: 50 }]],
  ]);
}

const T = Date.parse("2025-03-01T10:00:00.000Z");

describe("measureVersions", () => {
  test("a proportion metric: one query per template grouped by version over the window, evaluated at its end; counts of the baseline and the candidate", async () => {
    const api = churnMetrics();
    const measured = await measureVersions(api, [metric("error_rate")], "churn", "v1", "v2", T - 5 * 60_000, T);
    assert.deepEqual(measured, [{ metric: "error_rate", kind: "proportion", baseline: { successes: 12, trials: 1000 }, candidate: { successes: 3, trials: 200 } }]);
    assert.deepEqual(
      api.asked.map((q) => q.query).sort(),
      ['sum by (version) (increase(model_errors_total{model="churn"}[5m]))', 'sum by (version) (increase(model_requests_total{model="churn"}[5m]))'],
    );
    assert.ok(api.asked.every((q) => q.time === T));
  });

  test("a template that cannot be grouped is asked once per version, with the baseline's and the candidate's matchers", async () => {
    const api = churnMetrics();
    const measured = await measureVersions(api, [metric("signup")], "churn", "v1", "v2", T - 90_000, T);
    assert.deepEqual(measured, [{ metric: "signup", kind: "proportion", baseline: { successes: 30, trials: 300 }, candidate: { successes: 7, trials: 50 } }]);
    assert.deepEqual(
      api.asked.map((q) => q.query).sort(),
      [
        'increase(signups_total{model="churn",version="v1"}[90s])',
        'increase(signups_total{model="churn",version="v2"}[90s])',
        'increase(visits_total{model="churn",version="v1"}[90s])',
        'increase(visits_total{model="churn",version="v2"}[90s])',
      ],
    );
  });

  test("a quantile metric: its histogram's increase per version and bucket, as bin counts over shared bins", async () => {
    const api = churnMetrics();
    const measured = await measureVersions(api, [metric("latency_p95")], "churn", "v1", "v2", T - 60 * 60_000, T);
    assert.deepEqual(measured, [{ metric: "latency_p95", kind: "distribution", baseline: [50, 40, 10], candidate: [20, 40, 20] }]);
    assert.deepEqual(
      api.asked.map((q) => q.query),
      ['sum by (le, version) (increase(model_latency_seconds_bucket{model="churn"}[1h]))'],
    );
  });

  test("every metric in the policy's order; the candidate first when asked so", async () => {
    const api = churnMetrics();
    const measured = await measureVersions(api, [metric("latency_p95"), metric("error_rate")], "churn", "v2", "v1", T - 30_000, T);
    assert.deepEqual(
      measured.map((m) => [m.metric, m.kind]),
      [
        ["latency_p95", "distribution"],
        ["error_rate", "proportion"],
      ],
    );
    assert.deepEqual(measured[1], { metric: "error_rate", kind: "proportion", baseline: { successes: 3, trials: 200 }, candidate: { successes: 12, trials: 1000 } });
    assert.ok(api.asked.every((q) => q.query.includes("[30s]")));
  });

  test("no data for a version: zero counts for a proportion (inconclusive, never a pass); an error for a histogram", async () => {
    const empty = new FakeMetrics([]);
    assert.deepEqual(await measureVersions(empty, [metric("error_rate")], "churn", "v1", "v2", T - 1000, T), [
      { metric: "error_rate", kind: "proportion", baseline: { successes: 0, trials: 0 }, candidate: { successes: 0, trials: 0 } },
    ]);
    await assert.rejects(measureVersions(empty, [metric("latency_p95")], "churn", "v1", "v2", T - 1000, T), (err: unknown) => err instanceof MetricsInputError && /no histogram of versions v1, v2 in the window/.test(err.message));
  });
});

/** A provider in memory that records its calls. */
function memoryProvider(): RolloutProvider & { calls: unknown[][] } {
  let stable = "v1";
  let weights: Record<string, number> = { v1: 100, v2: 0 };
  const calls: unknown[][] = [];
  const status = (model: string): RolloutStatus => ({ model, provider: "unleash", stable, weights: { ...weights } });
  return {
    kind: "unleash",
    capabilities: new Set<Capability>(["weights", "promote", "rollback", "abort", "history"]),
    calls,
    status: (model) => Promise.resolve(status(model)),
    setWeight(model, version, weight, signal) {
      calls.push(["setWeight", model, version, weight, signal]);
      weights = { [stable]: 100 - weight, [version]: weight };
      return Promise.resolve(status(model));
    },
    promote(model, version, signal) {
      calls.push(["promote", model, version, signal]);
      stable = version;
      weights = { [version]: 100 };
      return Promise.resolve(status(model));
    },
    rollback(model, signal) {
      calls.push(["rollback", model, signal]);
      weights = { [stable]: 100 };
      return Promise.resolve(status(model));
    },
    abort(model, signal) {
      calls.push(["abort", model, signal]);
      return Promise.resolve(status(model));
    },
    history: (): Promise<RolloutEvent[]> => Promise.resolve([]),
  };
}

describe("providerTarget", () => {
  test("setWeight and promote move the candidate on the provider, with the run's signal", async () => {
    const provider = memoryProvider();
    const signal = new AbortController().signal;
    const target = providerTarget(provider, churnMetrics(), c, policy("quick"), { model: "churn", baseline: "v1", candidate: "v2", signal });
    await target.setWeight(10);
    await target.setWeight(50);
    await target.promote();
    assert.deepEqual(provider.calls, [
      ["setWeight", "churn", "v2", 10, signal],
      ["setWeight", "churn", "v2", 50, signal],
      ["promote", "churn", "v2", signal],
    ]);
    assert.deepEqual((await provider.status("churn")).weights, { v2: 100 });
  });

  test("rollback goes to the provider without the run's signal, so that an aborted run still rolls back", async () => {
    const provider = memoryProvider();
    const controller = new AbortController();
    const target = providerTarget(provider, churnMetrics(), c, policy("quick"), { model: "churn", baseline: "v1", candidate: "v2", signal: controller.signal });
    await target.setWeight(10);
    controller.abort();
    await target.rollback();
    assert.deepEqual(provider.calls.at(-1), ["rollback", "churn", undefined]);
    assert.deepEqual((await provider.status("churn")).weights, { v1: 100 });
  });

  test("measure reads every policy metric of the baseline and the candidate over the window since startWindow", async () => {
    let now = T;
    const api = churnMetrics();
    const target = providerTarget(memoryProvider(), api, c, policy("quick"), { model: "churn", baseline: "v1", candidate: "v2", now: () => now });
    await target.startWindow();
    now += 30_000;
    const measured = await target.measure();
    assert.deepEqual(measured, [
      { metric: "error_rate", kind: "proportion", baseline: { successes: 12, trials: 1000 }, candidate: { successes: 3, trials: 200 } },
      { metric: "latency_p95", kind: "distribution", baseline: [50, 40, 10], candidate: [20, 40, 20] },
      { metric: "signup", kind: "proportion", baseline: { successes: 30, trials: 300 }, candidate: { successes: 7, trials: 50 } },
    ]);
    assert.ok(api.asked.length > 0);
    assert.ok(api.asked.every((q) => q.time === T + 30_000 && q.query.includes("[30s]")), JSON.stringify(api.asked));
    // The next window starts afresh.
    api.asked.length = 0;
    now += 5_000;
    await target.startWindow();
    now += 120_000;
    await target.measure();
    assert.ok(api.asked.every((q) => q.time === T + 155_000 && q.query.includes("[2m]")), JSON.stringify(api.asked));
  });

  test("before startWindow, the window starts when the target was made", async () => {
    let now = T;
    const api = churnMetrics();
    const target = providerTarget(memoryProvider(), api, c, policy("canary"), { model: "churn", baseline: "v1", candidate: "v2", now: () => now });
    now += 10 * 60_000;
    await target.measure();
    assert.ok(api.asked.every((q) => q.query.includes("[10m]")), JSON.stringify(api.asked));
  });

  test("a policy with a metric that cannot judge a canary is refused when the target is made", () => {
    assert.throws(() => providerTarget(memoryProvider(), churnMetrics(), c, policy("rates"), { model: "churn", baseline: "v1", candidate: "v2" }), UnmeasuredMetricError);
  });
});
