/**
 * Per-arm (or per-version) sufficient statistics from a Prometheus-compatible backend, for the A/B
 * analysis of an experiment or of two model versions: one instant query per template, grouped by
 * arm or version, evaluated at the end of the range over the whole range.
 */
import { armOrder } from "../../core/ab/armOrder";
import type { AbArmInput } from "../../core/ab/armStats";
import type { ExperimentConfig, MetricConfig } from "../../config/types";
import type { MetricsApi } from "./api";
import { fillTemplate, groupByLabel, type TemplateValues } from "./templates";

/** A request the data cannot answer: a metric of the wrong kind, an arm-less template. */
export class MetricsInputError extends Error {
  override readonly name = "MetricsInputError";
}

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export interface ExperimentArms {
  /** The baseline first: the config's order, or as armOrder puts them. */
  readonly arms: AbArmInput[];
  /** The planned split for the SRM check, when the config gives weights. */
  readonly expectedSplit?: readonly number[];
  readonly warnings: readonly string[];
}

/** The templates whose values make an arm, by the metric's kind. */
function templatesOf(metric: MetricConfig): Array<[string, string]> {
  if (metric.kind === "proportion") return [["numerator", metric.numerator!], ["denominator", metric.denominator!]];
  if (metric.kind === "mean") return [["sum", metric.sum!], ["sum_squares", metric.sumSquares!], ["count", metric.count!]];
  throw new MetricsInputError(`metric '${metric.name}' is a ${metric.kind}; an A/B test needs a proportion or a mean metric`);
}

/** The configured groups in their order, or those found with the baseline first. */
const orderArms = (found: Iterable<string>, configured: readonly string[] | undefined): string[] => (configured ? [...configured] : armOrder(found));

/** Which label splits the units, the values fixed in every query, and the groups wanted, in order. */
interface GroupRequest {
  readonly label: "arm" | "version";
  readonly fixed: TemplateValues;
  /** The groups to report, the baseline first; absent: whatever the telemetry has. */
  readonly names?: readonly string[];
  /** For messages: "experiment 'checkout'", "model 'churn'". */
  readonly what: string;
  /** Whether groups found but not asked for deserve a warning: an experiment's stray arm does, a model's other versions do not. */
  readonly warnExtra: boolean;
}

/** Values per group of one template: one grouped query, or one query per named group. */
async function valuesByGroup(api: MetricsApi, template: string, request: GroupRequest, window: TimeWindow, signal: AbortSignal | undefined): Promise<Map<string, number>> {
  const values: TemplateValues = { ...request.fixed, windowMs: window.end - window.start };
  const { label } = request;
  const out = new Map<string, number>();
  const grouped = groupByLabel(template, label);
  if (grouped !== undefined) {
    for (const s of await api.instant(fillTemplate(grouped, values), window.end, signal)) {
      const name = s.labels[label];
      if (name !== undefined) out.set(name, (out.get(name) ?? 0) + s.value);
    }
    return out;
  }
  if (!request.names) {
    throw new MetricsInputError(
      `the template cannot be grouped by ${label} (it needs a ${label}="$${label}" matcher inside an aggregation such as sum), and ${request.what} lists no ${label}s to query one by one: ${template}`,
    );
  }
  for (const name of request.names) {
    const samples = await api.instant(fillTemplate(template, { ...values, [label]: name }), window.end, signal);
    if (samples.length > 0) out.set(name, samples.reduce((sum, x) => sum + x.value, 0));
  }
  return out;
}

/**
 * Reads a metric's sufficient statistics for every group (arm or version) over `window`. Counts
 * come from `increase()`, which Prometheus extrapolates to the window's edges, so they are
 * rounded to whole units.
 */
async function readGroups(api: MetricsApi, metric: MetricConfig, request: GroupRequest, window: TimeWindow, signal?: AbortSignal): Promise<{ arms: AbArmInput[]; warnings: string[] }> {
  const templates = templatesOf(metric);
  const warnings: string[] = [];
  let results: Map<string, Map<string, number>>;
  try {
    // The templates' queries are independent: sent together, as drift's are.
    const values = await Promise.all(templates.map(([, template]) => valuesByGroup(api, template, request, window, signal)));
    results = new Map(templates.map(([field], i) => [field, values[i]!]));
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("fillTemplate:")) {
      throw new MetricsInputError(`metric '${metric.name}' cannot be read per ${request.label}: ${err.message.replace(/^fillTemplate: /, "")}`);
    }
    throw err;
  }
  const found = new Set<string>();
  for (const byGroup of results.values()) for (const name of byGroup.keys()) found.add(name);
  const names = orderArms(found, request.names);
  if (names.length === 0) throw new MetricsInputError(`no data for ${request.what} in the window: no series of metric '${metric.name}'`);
  const extra = [...found].filter((a) => !names.includes(a));
  if (extra.length > 0 && request.warnExtra) warnings.push(`${request.label}s in the telemetry but not asked for were left out: ${extra.join(", ")}`);
  const missing = names.filter((a) => !found.has(a));
  if (missing.length > 0) warnings.push(`no data in the window for ${request.label}${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`);

  const value = (field: string, name: string): number => results.get(field)?.get(name) ?? 0;
  const arms: AbArmInput[] = names.map((name) => {
    if (metric.kind === "proportion") {
      const trials = Math.max(0, Math.round(value("denominator", name)));
      let successes = Math.max(0, Math.round(value("numerator", name)));
      if (successes > trials) {
        warnings.push(`${request.label} ${name}: ${successes} successes exceed ${trials} units; capped (the two counters disagree)`);
        successes = trials;
      }
      return { name, successes, trials };
    }
    return { name, n: Math.max(0, Math.round(value("count", name))), sum: value("sum", name), sumSquares: value("sum_squares", name) };
  });
  return { arms, warnings };
}

/** Every arm of `experiment` for `metric` over `window`: one query per template, grouped by arm. */
export async function readExperimentArms(api: MetricsApi, experiment: ExperimentConfig, metric: MetricConfig, window: TimeWindow, signal?: AbortSignal): Promise<ExperimentArms> {
  const request: GroupRequest = {
    label: "arm",
    fixed: { experiment: experiment.name },
    ...(experiment.arms ? { names: experiment.arms } : {}),
    what: `experiment '${experiment.name}'`,
    warnExtra: true,
  };
  const { arms, warnings } = await readGroups(api, metric, request, window, signal);
  const expectedSplit = experiment.weights && experiment.arms ? experiment.weights : undefined;
  return { arms, ...(expectedSplit ? { expectedSplit } : {}), warnings };
}

/**
 * Two or more versions of `model` for `metric` over `window`, as arms: `versions[0]` is the
 * baseline (the stable version), so that a version comparison is an A/B analysis.
 */
export async function readVersionArms(
  api: MetricsApi,
  model: string,
  versions: readonly string[],
  metric: MetricConfig,
  window: TimeWindow,
  signal?: AbortSignal,
): Promise<ExperimentArms> {
  const request: GroupRequest = { label: "version", fixed: { model }, names: versions, what: `model '${model}'`, warnExtra: false };
  return readGroups(api, metric, request, window, signal);
}
