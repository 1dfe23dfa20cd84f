/**
 * A rollout policy of prodinsights.yaml as the gateway judges it: its metric names mapped to what
 * the gateway measures, with the tolerances a gateway canary allows. One mapping for the CLI's
 * client-side canary (`canary run`) and for the canary the editor asks the gateway to host.
 */
import type { CanaryMetricRule, CanaryPolicy } from "../core/canary/policy";
import type { PolicyConfig } from "../config/types";
import { GATEWAY_CANARY_METRICS, type GatewayCanaryMetric, type GatewayPolicyInput } from "./gateway";

/** prodinsights.yaml's metric names for what the gateway measures. */
const GATEWAY_NAMES: Readonly<Record<string, GatewayCanaryMetric>> = { error_rate: "error_rate", latency_p95: "latency", latency: "latency" };

/** How much worse the candidate may be before a check fails: 0.5 pp of errors, 10% of latency. */
const TOLERANCE: Readonly<Record<GatewayCanaryMetric, number>> = { error_rate: 0.005, latency: 0.1 };

/** A policy that names a metric the gateway does not measure. */
export class UnmeasuredMetricError extends Error {
  override readonly name = "UnmeasuredMetricError";
}

/** The gateway metrics `p` judges, each once, in its order. */
function measuredMetrics(p: PolicyConfig): GatewayCanaryMetric[] {
  const out: GatewayCanaryMetric[] = [];
  for (const name of p.metrics) {
    const measured = GATEWAY_NAMES[name];
    if (!measured) throw new UnmeasuredMetricError(`policy '${p.name}' judges '${name}', which the gateway does not measure; a gateway canary is judged on ${Object.keys(GATEWAY_NAMES).join(", ")}`);
    if (!out.includes(measured)) out.push(measured);
  }
  return out;
}

/** `p` as the canary state machine's policy. */
export function gatewayPolicy(p: PolicyConfig): CanaryPolicy {
  const metrics = measuredMetrics(p).map((name): CanaryMetricRule => {
    const spec = GATEWAY_CANARY_METRICS[name];
    return { name, kind: spec.kind, direction: spec.direction, tolerance: TOLERANCE[name] };
  });
  return canaryPolicyOf(p, metrics);
}

/**
 * `p`'s steps, confidence and rollback rule as the state machine's policy, judged on `metrics`:
 * the one mapping for every host (the gateway's metrics, or the metrics backend's).
 */
export function canaryPolicyOf(p: PolicyConfig, metrics: readonly CanaryMetricRule[]): CanaryPolicy {
  return {
    steps: p.steps.map((weight) => ({ weight, pauseMs: p.intervalMs })),
    metrics,
    confidence: 1 - p.alpha,
    ...(p.rollbackOn === "inconclusive" ? { inconclusiveLimit: 1 } : {}),
  };
}

/** `p` as the body of the admin API's POST /models/M/canary (pauses as durations). */
export function gatewayPolicyInput(p: PolicyConfig): GatewayPolicyInput {
  const policy = gatewayPolicy(p);
  return {
    steps: policy.steps.map((s) => ({ weight: s.weight, pause: `${s.pauseMs}ms` })),
    metrics: policy.metrics.map((m) => ({ name: m.name as GatewayCanaryMetric, ...(m.tolerance !== undefined ? { tolerance: m.tolerance } : {}) })),
    ...(policy.confidence !== undefined ? { confidence: policy.confidence } : {}),
    ...(policy.inconclusiveLimit !== undefined ? { inconclusiveLimit: policy.inconclusiveLimit } : {}),
  };
}
