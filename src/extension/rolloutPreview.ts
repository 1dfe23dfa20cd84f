/**
 * The words the rollout actions show: before a change, which weights move from what to what and
 * what a policy will do; after a canary, how it ended. No `vscode` here, so that they are tested
 * directly.
 */
import type { PolicyConfig } from "../config/types";
import type { GatewayCanaryView } from "../rollout/gateway";
import type { ModelSnapshot } from "./production/types";

/** `v2 75% → 0%` for each version whose weight changes, or a line saying nothing changes. */
export function weightChanges(m: ModelSnapshot, after: (version: string) => number): string[] {
  const lines = m.versions.filter((v) => v.weight !== after(v.name)).map((v) => `${v.name}: ${v.weight}% → ${after(v.name)}% of traffic`);
  return lines.length ? ["Traffic:", ...lines] : ["Traffic stays as it is."];
}

/** `steps 25% → 50% → 100%, 30 s each, judged on error_rate, latency_p95 at 98% confidence, rolls back when worse` */
export function describePolicy(p: PolicyConfig): string {
  return `steps ${p.steps.map((s) => `${s}%`).join(" → ")}, ${Math.round(p.intervalMs / 1000)} s each, judged on ${p.metrics.join(", ")} at ${Number(((1 - p.alpha) * 100).toFixed(1))}% confidence, rolls back when ${p.rollbackOn}`;
}


/**
 * How a followed canary ended, from the gateway's last canary: promoted, rolled back by its
 * analysis (a failure: `ok` false, with the analysis's reasons), or aborted by someone before its
 * last step (the gateway then ends it as rolled back, without a decision of the state machine).
 */
export function canaryEnding(model: string, version: string, last: GatewayCanaryView | undefined): { readonly ok: boolean; readonly message: string } {
  const name = `The canary of ${model} ${version}`;
  if (!last || last.version !== version) return { ok: true, message: `${name} ended.` };
  const decision = last.result.decisions.at(-1);
  const why = decision?.reasons.length ? `: ${decision.reasons.join("; ")}` : "";
  if (last.result.status === "promoted") return { ok: true, message: `${name} was promoted${why}.` };
  if (last.result.status === "rolled-back" && decision?.action.type === "rollback") return { ok: false, message: `${name} was rolled back${why}` };
  if (last.result.status === "rolled-back") return { ok: true, message: `${name} was aborted before its last step; ${last.baseline} takes the traffic back.` };
  return { ok: true, message: `${name} ended (${last.result.status}).` };
}

/** Whether a canary that ended was rolled back by its analysis (not aborted by someone). */
export function rolledBackByAnalysis(result: GatewayCanaryView["result"]): boolean {
  return result.status === "rolled-back" && result.decisions.at(-1)?.action.type === "rollback";
}
