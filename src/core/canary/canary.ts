/**
 * The canary as a pure state machine. A host (the gateway, or `prodinsights canary run` against
 * any rollout provider) calls `advanceCanary` with the time and, once a step's pause is over, the
 * measurements of the step's window; it gets the next state and the action to carry out: set the
 * candidate's weight, wait, promote or roll back, each with its reasons. The state is the `canary`
 * result document, so a host can persist it and resume after a restart.
 *
 * At the end of each step's pause the metrics are judged (judge.ts). All pass: the next step, or
 * promotion after the last; a step of 100% is never judged (the baseline would have no traffic),
 * so reaching it is the promotion, as in Argo Rollouts. One fails: another pause at the same step, and a rollback once the
 * failure limit is reached. None fails but one is inconclusive (too little data): another pause,
 * and a rollback after `inconclusiveLimit` in a row, so that a canary never promotes on no data.
 */
import type { CanaryAction, CanaryCheck, CanaryDecision, CanaryResult, CanaryVerdict } from "../results/canary";
import { judgeMetric } from "./judge";
import { resolvePolicy, type CanaryMeasurement, type CanaryPolicy } from "./policy";

/** The state machine's memory beyond the document's fields. */
export interface CanaryState extends CanaryResult {
  /** When the current step (or its latest pause) began, ms. */
  readonly stepStartedAt: number;
  /** Failed and inconclusive checks at the current step. */
  readonly failures: number;
  readonly inconclusives: number;
}

export interface CanaryAdvance {
  readonly state: CanaryState;
  readonly action: CanaryAction;
  readonly reasons: readonly string[];
}

/** A canary that has not started: the first advance sets the first step's weight. */
export function newCanary(): CanaryState {
  return { kind: "canary", status: "pending", step: -1, weight: 0, checks: [], decisions: [], stepStartedAt: 0, failures: 0, inconclusives: 0 };
}

function outcomeOf(verdicts: readonly CanaryVerdict[]): CanaryVerdict {
  if (verdicts.includes("fail")) return "fail";
  if (verdicts.includes("inconclusive")) return "inconclusive";
  return "pass";
}

/**
 * The next state and action at time `now`. `measurements` are the metrics over the current step's
 * window (since `stepStartedAt`); they are read only once the step's pause is over.
 */
export function advanceCanary(state: CanaryState, policy: CanaryPolicy, now: number, measurements?: readonly CanaryMeasurement[]): CanaryAdvance {
  const p = resolvePolicy(policy);
  if (!Number.isFinite(now)) throw new Error(`canary: 'now' must be a time in ms, got ${now}`);
  const decide = (next: Omit<CanaryState, "decisions" | "kind">, action: CanaryAction, reasons: string[]): CanaryAdvance => {
    const decision: CanaryDecision = { t: now, action, reasons };
    return { state: { ...next, kind: "canary", decisions: [...state.decisions, decision] }, action, reasons };
  };

  if (state.status === "promoted" || state.status === "rolled-back") {
    return { state, action: { type: state.status === "promoted" ? "promote" : "rollback" }, reasons: [`the canary has ${state.status === "promoted" ? "been promoted" : "been rolled back"}`] };
  }
  if (state.status === "pending") {
    const weight = p.steps[0]!.weight;
    if (weight === 100) return decide({ ...state, status: "promoted", step: 0, weight, stepStartedAt: now, failures: 0, inconclusives: 0 }, { type: "promote" }, ["the first step sends all traffic to the candidate: promoted without a comparison"]);
    return decide({ ...state, status: "running", step: 0, weight, stepStartedAt: now, failures: 0, inconclusives: 0 }, { type: "set-weight", weight }, [`step 1 of ${p.steps.length}: ${weight}% of traffic to the candidate`]);
  }

  const step = p.steps[state.step]!;
  const due = state.stepStartedAt + step.pauseMs;
  if (now < due) return { state, action: { type: "wait", until: due }, reasons: [`step ${state.step + 1} runs until ${new Date(due).toISOString()}`] };

  const byName = new Map((measurements ?? []).map((m) => [m.metric, m]));
  const metrics = p.metrics.map((rule) => judgeMetric(rule, byName.get(rule.name), p));
  const outcome = outcomeOf(metrics.map((m) => m.verdict));
  const check: CanaryCheck = { t: now, step: state.step, metrics, outcome };
  const checked = { ...state, checks: [...state.checks, check] };
  const reasons = metrics.filter((m) => m.verdict === outcome).map((m) => m.reason);

  if (outcome === "fail" || outcome === "inconclusive") {
    const failures = state.failures + (outcome === "fail" ? 1 : 0);
    const inconclusives = outcome === "inconclusive" ? state.inconclusives + 1 : 0;
    const limitHit = outcome === "fail" ? failures >= p.failureLimit : inconclusives >= p.inconclusiveLimit;
    if (limitHit) {
      const why = outcome === "fail" ? `${failures} failed check${failures === 1 ? "" : "s"} at step ${state.step + 1} (limit ${p.failureLimit})` : `${inconclusives} inconclusive checks in a row at step ${state.step + 1}: too little evidence to go on`;
      return decide({ ...checked, status: "rolled-back", weight: 0, failures, inconclusives }, { type: "rollback" }, [why, ...reasons]);
    }
    const until = now + step.pauseMs;
    return decide({ ...checked, stepStartedAt: now, failures, inconclusives }, { type: "wait", until }, [`step ${state.step + 1} runs another ${Math.round(step.pauseMs / 1000)} s`, ...reasons]);
  }

  if (state.step === p.steps.length - 1) {
    return decide({ ...checked, status: "promoted", weight: 100, failures: 0, inconclusives: 0 }, { type: "promote" }, [`all ${p.steps.length} steps passed`, ...reasons]);
  }
  const next = state.step + 1;
  // A step of 100% leaves the baseline nothing to be measured on: reaching it is the promotion.
  if (p.steps[next]!.weight === 100) {
    return decide({ ...checked, status: "promoted", step: next, weight: 100, failures: 0, inconclusives: 0 }, { type: "promote" }, [`step ${state.step + 1} passed; step ${next + 1} sends all traffic to the candidate: promoted`, ...reasons]);
  }
  const weight = p.steps[next]!.weight;
  return decide(
    { ...checked, step: next, weight, stepStartedAt: now, failures: 0, inconclusives: 0 },
    { type: "set-weight", weight },
    [`step ${state.step + 1} passed; step ${next + 1} of ${p.steps.length}: ${weight}% of traffic to the candidate`, ...reasons],
  );
}
