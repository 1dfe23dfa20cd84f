/**
 * A prodinsights.yaml for the history of promHistory.ts: one backend at `url`, the model churn,
 * a `revenue` mean metric over the experiment_value_* series, and the planted experiments.
 */
export function historyConfigYaml(url: string): string {
  return [
    "backends:",
    `  local: {url: '${url}'}`,
    "models:",
    "  churn:",
    "metrics:",
    "  revenue:",
    "    kind: mean",
    '    sum: sum(increase(experiment_value_sum{experiment="$experiment",arm="$arm",metric="revenue"}[$window]))',
    '    sum_squares: sum(increase(experiment_value_sum_squares{experiment="$experiment",arm="$arm",metric="revenue"}[$window]))',
    '    count: sum(increase(experiment_value_count{experiment="$experiment",arm="$arm",metric="revenue"}[$window]))',
    "experiments:",
    "  checkout: {arms: [control, treatment], metrics: [conversion, revenue]}",
    "  onboarding: {arms: [control, treatment], weights: [50, 50]}",
    "",
  ].join("\n");
}
