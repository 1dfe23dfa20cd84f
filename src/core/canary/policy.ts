/**
 * What a canary is judged by: traffic steps with a pause at each, metrics with a test and a
 * tolerance, and the limits that end it. The defaults follow Kayenta's (Netflix/Google automated
 * canary analysis): Mann-Whitney at 98% confidence, and a minimum sample before any verdict.
 */

export interface CanaryStep {
  /** The candidate's share of traffic at this step, in percent (0, 100]. */
  readonly weight: number;
  /** How long the step runs before it is judged, in ms. */
  readonly pauseMs: number;
}

export interface CanaryMetricRule {
  readonly name: string;
  /** proportion: counts (errors of requests), a two-proportion test. distribution: histogram counts over shared bins (latency), Mann-Whitney. */
  readonly kind: "proportion" | "distribution";
  /** Which way is better. */
  readonly direction: "higher" | "lower";
  /**
   * How much worse the candidate may be and still pass. proportion: an absolute difference
   * (0.005 = half a percentage point). distribution: on the probability that a candidate value
   * beats a baseline one, beyond a half. Default 0.
   */
  readonly tolerance?: number;
}

export interface CanaryPolicy {
  readonly steps: readonly CanaryStep[];
  readonly metrics: readonly CanaryMetricRule[];
  /** Two-sided confidence of each test. Default 0.98. */
  readonly confidence?: number;
  /** Units each side needs, per metric, before a step can pass or fail. Default 100. */
  readonly minSample?: number;
  /** Failed checks at one step that roll the canary back. Default 1. */
  readonly failureLimit?: number;
  /** Inconclusive checks at one step, in a row, that roll it back. Default 3. */
  readonly inconclusiveLimit?: number;
}

export type ResolvedPolicy = Required<CanaryPolicy>;

/** Counts for a proportion metric, and bin counts over shared bins for a distribution one. */
export type CanaryMeasurement =
  | {
      readonly metric: string;
      readonly kind: "proportion";
      readonly baseline: { readonly successes: number; readonly trials: number };
      readonly candidate: { readonly successes: number; readonly trials: number };
    }
  | {
      readonly metric: string;
      readonly kind: "distribution";
      readonly baseline: readonly number[];
      readonly candidate: readonly number[];
    };

const positiveInteger = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1;

/** Checks a policy and fills its defaults; throws with the field at fault. */
export function resolvePolicy(policy: CanaryPolicy): ResolvedPolicy {
  const fn = "canary";
  if (!Array.isArray(policy.steps) || policy.steps.length === 0) throw new Error(`${fn}: 'steps' needs at least one step`);
  policy.steps.forEach((s, i) => {
    if (!(typeof s.weight === "number" && s.weight > 0 && s.weight <= 100)) throw new Error(`${fn}: 'steps[${i}].weight' must be a percentage in (0, 100], got ${s.weight}`);
    if (i > 0 && !(s.weight > policy.steps[i - 1]!.weight)) throw new Error(`${fn}: 'steps[${i}].weight' must be above the step before it (${policy.steps[i - 1]!.weight})`);
    if (!(typeof s.pauseMs === "number" && Number.isFinite(s.pauseMs) && s.pauseMs >= 0)) throw new Error(`${fn}: 'steps[${i}].pauseMs' must be a duration >= 0 in ms, got ${s.pauseMs}`);
  });
  if (!Array.isArray(policy.metrics) || policy.metrics.length === 0) throw new Error(`${fn}: 'metrics' needs at least one metric to judge by`);
  const names = new Set<string>();
  policy.metrics.forEach((m, i) => {
    if (typeof m.name !== "string" || m.name === "" || names.has(m.name)) throw new Error(`${fn}: 'metrics[${i}].name' must be a name not used before, got ${JSON.stringify(m.name)}`);
    names.add(m.name);
    if (m.kind !== "proportion" && m.kind !== "distribution") throw new Error(`${fn}: 'metrics[${i}].kind' must be proportion or distribution, got ${String(m.kind)}`);
    if (m.direction !== "higher" && m.direction !== "lower") throw new Error(`${fn}: 'metrics[${i}].direction' must be higher or lower, got ${String(m.direction)}`);
    if (m.tolerance !== undefined && !(Number.isFinite(m.tolerance) && m.tolerance >= 0)) throw new Error(`${fn}: 'metrics[${i}].tolerance' must be >= 0, got ${m.tolerance}`);
  });
  const resolved: ResolvedPolicy = {
    steps: policy.steps,
    metrics: policy.metrics,
    confidence: policy.confidence ?? 0.98,
    minSample: policy.minSample ?? 100,
    failureLimit: policy.failureLimit ?? 1,
    inconclusiveLimit: policy.inconclusiveLimit ?? 3,
  };
  if (!(resolved.confidence > 0.5 && resolved.confidence < 1)) throw new Error(`${fn}: 'confidence' must be in (0.5, 1), got ${resolved.confidence}`);
  for (const key of ["minSample", "failureLimit", "inconclusiveLimit"] as const) {
    if (!positiveInteger(resolved[key])) throw new Error(`${fn}: '${key}' must be a whole number >= 1, got ${resolved[key]}`);
  }
  return resolved;
}
