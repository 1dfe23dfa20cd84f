import assert from "node:assert/strict";
import { test } from "node:test";
import { BUILT_IN_METRICS } from "../../../src/config/builtins";
import { escapeLabelValue, fillTemplate, groupByLabel, promDuration } from "../../../src/telemetry/metrics/templates";

const builtIn = (name: string, field: "numerator" | "denominator" | "query") => BUILT_IN_METRICS.find((m) => m.name === name)![field]!;

test("ranges become PromQL durations in the largest whole unit", () => {
  assert.equal(promDuration(7 * 86400e3), "7d");
  assert.equal(promDuration(36 * 3600e3), "36h");
  assert.equal(promDuration(90e3), "90s");
  assert.equal(promDuration(5 * 60e3), "5m");
  assert.equal(promDuration(1500), "1500ms");
  assert.throws(() => promDuration(0), /at least 1 ms/);
});

test("variables are filled, and label values escaped so that no value can break out of its quotes", () => {
  const q = fillTemplate('sum(increase(x{model="$model",version="$version"}[$window]))', { model: "churn", version: "v2", windowMs: 86400e3 });
  assert.equal(q, 'sum(increase(x{model="churn",version="v2"}[1d]))');
  const hostile = 'a"} or vector(1) #\\\n';
  assert.equal(escapeLabelValue(hostile), 'a\\"} or vector(1) #\\\\\\n');
  const filled = fillTemplate('x{model="$model"}', { model: hostile });
  // The whole value stays one string literal: the only unescaped quotes are the template's own two.
  assert.equal(filled.replace(/\\./g, "").match(/"/g)!.length, 2);
  assert.throws(() => fillTemplate('x{arm="$arm"}', {}), /uses \$arm but no arm was given/);
  assert.throws(() => fillTemplate("rate(x[$window])", {}), /uses \$window but no window/);
});

test("a template for one arm becomes one query for all arms, grouped by arm", () => {
  assert.equal(
    groupByLabel(builtIn("conversion", "numerator"), "arm"),
    'sum by (arm) (increase(experiment_conversions_total{experiment="$experiment",metric="conversion"}[$window]))',
  );
  assert.equal(groupByLabel(builtIn("conversion", "denominator"), "arm"), 'sum by (arm) (increase(experiment_exposures_total{experiment="$experiment"}[$window]))');
  assert.equal(groupByLabel('sum(rate(x{arm="$arm"}[5m]))', "arm"), "sum by (arm) (rate(x{}[5m]))");
  assert.equal(groupByLabel('sum by (le) (rate(x{arm="$arm", job="a"}[5m]))', "arm"), 'sum by (le, arm) (rate(x{job="a"}[5m]))');
});

test("a template for one version becomes one query for all versions, quantiles included", () => {
  assert.equal(
    groupByLabel(builtIn("latency_p95", "query"), "version"),
    'histogram_quantile(0.95, sum by (le, version) (rate(model_latency_seconds_bucket{model="$model"}[$window])))',
  );
  assert.equal(groupByLabel(builtIn("error_rate", "numerator"), "version"), 'sum by (version) (increase(model_errors_total{model="$model"}[$window]))');
});

test("templates that cannot be grouped are left to one query per value", () => {
  assert.equal(groupByLabel('sum(x{model="$model"})', "arm"), undefined, "no arm matcher");
  assert.equal(groupByLabel('increase(x{arm="$arm"}[5m])', "arm"), undefined, "no aggregation");
  assert.equal(groupByLabel('sum without (pod) (x{arm="$arm"})', "arm"), undefined, "without");
  assert.equal(groupByLabel('sum(x{arm="$arm"}) / sum(y{arm!="$arm"})', "arm"), undefined, "the label used another way");
});
