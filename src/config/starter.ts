/**
 * The file `prodinsights init` writes: valid as it stands (one backend, one model), with the rest
 * of the format shown in comments that can be uncommented one block at a time.
 */

export interface StarterOptions {
  /** The Prometheus-compatible API to point at. */
  readonly url?: string;
  readonly model?: string;
}

export function starterConfig(options: StarterOptions = {}): string {
  const url = options.url ?? "http://localhost:9090";
  const model = options.model ?? "churn";
  return `# Production Insights: where this model's telemetry lives, and how to judge it.
# The schema (completion and checks in the editor): dist/prodinsights.schema.json in the extension.
# Check this file and its backends with: prodinsights check
version: 1

backends:
  # Any Prometheus-compatible HTTP API: Prometheus, Thanos, Mimir, VictoriaMetrics.
  prod:
    url: ${url}
    # Secrets are named here, never written: \${env:NAME} reads an environment variable,
    # \${secret:NAME} the editor's secret storage.
    # auth:
    #   bearer: \${env:PROM_TOKEN}
    # headers:
    #   X-Scope-OrgID: team-a
    # timeout: 30s
    # retries: 2

  # Prediction logs (JSONL, CSV or Parquet) work without any monitoring stack.
  # logs:
  #   type: logs
  #   paths: [logs/*.jsonl]

# default_backend: prod    # the first backend unless this says otherwise

models:
  ${model}:
    # Code lenses find versions in MLflow URIs (models:/${model}/3, models:/${model}@champion) and in
    # MODEL_VERSION = "v3"; add your own patterns, the version in the first group.
    # patterns: ['${model}_model_v(\\d+)']
    # metrics: [error_rate, latency_p95, request_rate]   # the key metric first
    # rollout: gateway        # gateway, unleash or argo
    # policy: canary

# Built in: error_rate, latency_p95, request_rate (from model_* series) and conversion (from
# experiment_* series). Add or replace metrics as PromQL templates over $model, $version,
# $experiment, $arm and $window.
# metrics:
#   refund_rate:
#     kind: proportion        # proportion, mean, quantile or rate
#     direction: lower
#     numerator: sum(increase(refunds_total{model="$model",version="$version"}[$window]))
#     denominator: sum(increase(orders_total{model="$model",version="$version"}[$window]))

# experiments:
#   checkout:
#     arms: [control, treatment]    # the baseline first
#     metrics: [conversion]
#     guardrails: [error_rate]
#     alpha: 0.05
#     mde: 0.01

# monitors:
#   ${model}-drift:
#     kind: drift
#     model: ${model}
#     baseline: -14d..-7d
#     current: -1d..now

# policies:
#   canary:
#     steps: [5, 25, 50, 100]
#     interval: 10m
#     metrics: [error_rate, latency_p95]
#     rollback_on: worse
`;
}
