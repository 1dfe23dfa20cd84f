/**
 * The gateway hosts automatic canaries: on a timer it feeds each running canary's state machine
 * (core/canary) the time and, once a step's pause is over, the candidate's and the baseline's
 * totals over the step (versionStats.ts), and carries out what it decides through the gateway's
 * `change`, so that each decision is persisted and audited like an admin call.
 *
 * The totals of a step start when the step does. After a restart they start at the restart: the
 * canary resumes at its step and weight, and judges only what it has seen since.
 */
import { advanceCanary } from "../core/canary/canary";
import { resolvePolicy, type CanaryMetricRule, type CanaryPolicy } from "../core/canary/policy";
import { durationMs } from "../config/build";
import { didYouMean } from "../config/suggest";
import { isObject } from "./http";
import { promote, rollback, RoutingError, updateCanary, type RoutingState } from "./routing";
import type { GatewayCore } from "./server";
import { GATEWAY_CANARY_METRICS, measurements, since, type VersionTotals } from "./versionStats";

/**
 * Two steps of a minute, judged on errors (half a point of slack) and latency (a candidate request
 * may be the slower of a pair up to 60% of the time: a millisecond of jitter is not a regression).
 */
export const DEFAULT_GATEWAY_POLICY: CanaryPolicy = {
  steps: [
    { weight: 10, pauseMs: 60_000 },
    { weight: 50, pauseMs: 60_000 },
  ],
  metrics: [
    { name: "error_rate", kind: "proportion", direction: "lower", tolerance: 0.005 },
    { name: "latency", kind: "distribution", direction: "lower", tolerance: 0.1 },
  ],
};

const refuse = (message: string): never => {
  throw new RoutingError(message);
};

/**
 * A policy from the admin API's JSON: `steps` as `{weight, pause: "30s"}`, `metrics` as names of
 * GATEWAY_CANARY_METRICS or `{name, tolerance}`, and the limits of CanaryPolicy. Missing parts take
 * DEFAULT_GATEWAY_POLICY's. Throws RoutingError naming the field at fault.
 */
export function parseGatewayPolicy(body: unknown): CanaryPolicy {
  if (body === undefined) return DEFAULT_GATEWAY_POLICY;
  if (!isObject(body)) throw new RoutingError("canary: 'policy' must be an object");
  const steps = body["steps"] === undefined
    ? DEFAULT_GATEWAY_POLICY.steps
    : Array.isArray(body["steps"])
      ? body["steps"].map((s: unknown, i) => {
          if (!isObject(s)) throw new RoutingError(`canary: 'policy.steps[${i}]' must be {weight, pause}`);
          let pauseMs: number;
          try {
            pauseMs = durationMs(String(s["pause"]));
          } catch {
            throw new RoutingError(`canary: 'policy.steps[${i}].pause' must be a duration such as 30s or 5m, got ${JSON.stringify(s["pause"])}`);
          }
          return { weight: s["weight"] as number, pauseMs };
        })
      : refuse("canary: 'policy.steps' must be a list of {weight, pause}");
  const metrics = body["metrics"] === undefined
    ? DEFAULT_GATEWAY_POLICY.metrics
    : Array.isArray(body["metrics"])
      ? body["metrics"].map((m: unknown, i): CanaryMetricRule => {
          const name = isObject(m) ? m["name"] : m;
          const known = Object.keys(GATEWAY_CANARY_METRICS);
          if (typeof name !== "string" || !(name in GATEWAY_CANARY_METRICS)) throw new RoutingError(`canary: 'policy.metrics[${i}]' is ${JSON.stringify(name)}, not a metric the gateway measures (${known.join(", ")}).${typeof name === "string" ? didYouMean(name, known) : ""}`);
          const spec = GATEWAY_CANARY_METRICS[name as keyof typeof GATEWAY_CANARY_METRICS];
          const tolerance = isObject(m) ? m["tolerance"] : undefined;
          return { name, kind: spec.kind, direction: spec.direction, ...(tolerance !== undefined ? { tolerance: tolerance as number } : {}) };
        })
      : refuse("canary: 'policy.metrics' must be a list of metric names");
  const policy: CanaryPolicy = { steps, metrics };
  for (const key of ["confidence", "minSample", "failureLimit", "inconclusiveLimit"] as const) {
    if (body[key] !== undefined) Object.assign(policy, { [key]: body[key] });
  }
  try {
    resolvePolicy(policy);
  } catch (err) {
    throw new RoutingError((err as Error).message.replace(/^canary: '/, "canary: 'policy."));
  }
  return policy;
}

interface StepTotals {
  readonly stepStartedAt: number;
  readonly baseline: VersionTotals;
  readonly candidate: VersionTotals;
}

export class CanaryHost {
  private timer: NodeJS.Timeout | undefined;
  private readonly steps = new Map<string, StepTotals>();

  constructor(
    private readonly gw: GatewayCore,
    private readonly tickMs: number,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Advances every running canary once; an error in one is logged and the others go on. */
  tick(): void {
    for (const [model, route] of Object.entries(this.gw.routing.models)) {
      if (!route.canary) continue;
      try {
        this.advance(model);
      } catch (err) {
        this.log(`canary of ${model}: ${(err as Error).message}`);
      }
    }
  }

  private totals(model: string, baseline: string, candidate: string, stepStartedAt: number): StepTotals {
    return { stepStartedAt, baseline: this.gw.stats.of(model, baseline), candidate: this.gw.stats.of(model, candidate) };
  }

  private advance(model: string): void {
    const canary = this.gw.routing.models[model]!.canary!;
    const { version, baseline, policy, state } = canary;
    const now = this.gw.now();
    let step = this.steps.get(model);
    if (!step || step.stepStartedAt !== state.stepStartedAt) {
      // A step this process did not see begin (a restart): judge what comes from now on.
      step = this.totals(model, baseline, version, state.stepStartedAt);
      this.steps.set(model, step);
    }
    const measured =
      state.status === "running"
        ? measurements(
            policy.metrics.map((m) => m.name),
            since(this.gw.stats.of(model, baseline), step.baseline),
            since(this.gw.stats.of(model, version), step.candidate),
          )
        : undefined;
    const next = advanceCanary(state, policy, now, measured);
    if (next.state === state) return;
    const details = { version, action: next.action, reasons: next.reasons };
    const update = (s: RoutingState): RoutingState =>
      next.action.type === "promote" ? promote(s, model, version, next.state) : next.action.type === "rollback" ? rollback(s, model, next.state) : updateCanary(s, model, next.state);
    this.gw.change("canary", `canary ${next.action.type}`, model, details, update);
    this.log(`canary of ${model} ${version}: ${next.action.type}${next.action.type === "set-weight" ? ` ${next.action.weight}%` : ""}: ${next.reasons.join("; ")}`);
    if (next.state.status === "running") this.steps.set(model, this.totals(model, baseline, version, next.state.stepStartedAt));
    else this.steps.delete(model);
  }
}
