/**
 * The words a confirmation dialog shows before a change to production: which weights move from
 * what to what, and what a policy will do. No `vscode` here, so that they are tested directly.
 */
import type { PolicyConfig } from "../config/types";
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

