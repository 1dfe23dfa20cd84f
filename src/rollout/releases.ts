/**
 * A rollout provider's history as the jumps analysis's release events: the moments each version
 * began to take traffic, by the same rule as the traffic-weight series (telemetry/metrics/
 * jumpsInputs.ts readReleases), so that both sources give the same releases for the same rollout.
 */
import type { ReleaseEvent } from "../core/jumps/inputs";
import type { RolloutEvent } from "./provider";

/**
 * Each version's first rise from no traffic to some inside `window`, from the whole history
 * (oldest first; the events before the window say what was serving when it began). A version
 * serving when the window begins was released before it. Events that name a version without
 * weights (Argo's revisions) release it at their time. One release per version, as readReleases.
 */
export function releasesFromHistory(model: string, history: readonly RolloutEvent[], window: { readonly start: number; readonly end: number }): ReleaseEvent[] {
  let serving = new Set<string>();
  const released = new Map<string, number>();
  const release = (version: string, t: number): void => {
    if (t >= window.start && t <= window.end && !released.has(version)) released.set(version, t);
  };
  for (const e of [...history].sort((a, b) => a.t - b.t)) {
    if (e.t > window.end) break;
    if (e.version !== undefined) release(e.version, e.t);
    if (!e.weights) continue;
    // The weights after the event are the whole routing: a version it leaves out has no traffic.
    const now = new Set(Object.entries(e.weights).filter(([, weight]) => weight > 0).map(([version]) => version));
    for (const version of now) if (!serving.has(version)) release(version, e.t);
    serving = now;
  }
  return [...released].map(([version, t]) => ({ t, version, model })).sort((a, b) => a.t - b.t);
}
