/**
 * What a file gets without writing it: metrics over the telemetry conventions of DESIGN.md §4, and
 * the canary policy used when a model names none.
 */
import type { MetricConfig } from "./types";

const byVersion = 'model="$model",version="$version"';
const byArm = 'experiment="$experiment",arm="$arm"';

export const BUILT_IN_METRICS: readonly MetricConfig[] = [
  {
    name: "error_rate",
    kind: "proportion",
    direction: "lower",
    numerator: `sum(increase(model_errors_total{${byVersion}}[$window]))`,
    denominator: `sum(increase(model_requests_total{${byVersion}}[$window]))`,
    unit: "%",
    builtIn: true,
  },
  {
    name: "latency_p95",
    kind: "quantile",
    direction: "lower",
    query: `histogram_quantile(0.95, sum by (le) (rate(model_latency_seconds_bucket{${byVersion}}[$window])))`,
    unit: "s",
    builtIn: true,
  },
  {
    name: "request_rate",
    kind: "rate",
    direction: "higher",
    query: `sum(rate(model_requests_total{${byVersion}}[$window]))`,
    unit: "requests/s",
    builtIn: true,
  },
  {
    name: "conversion",
    kind: "proportion",
    direction: "higher",
    numerator: `sum(increase(experiment_conversions_total{${byArm},metric="conversion"}[$window]))`,
    denominator: `sum(increase(experiment_exposures_total{${byArm}}[$window]))`,
    unit: "%",
    builtIn: true,
  },
];

/** Releases read from the traffic weight: a version is released when its weight first rises above zero. */
export const DEFAULT_RELEASES_QUERY = 'max by (version) (model_traffic_weight{model="$model"})';

/** The variables a metric template may use. */
export const TEMPLATE_VARIABLES = ["model", "version", "experiment", "arm", "window"] as const;

/** The policy a model without one uses; its settings are the schema's defaults for a policy. */
export const DEFAULT_POLICY_NAME = "canary";
