/**
 * What a drift or jumps document says in one line, and whether it fires: shared by the models
 * (drift level on the model) and the monitors. No `vscode` here.
 */
import { percent, pIs, points } from "../../core/format";
import type { DriftResult } from "../../core/results/drift";
import type { JumpsResult } from "../../core/results/jumps";
import { failureOf, type InsightsRun } from "./insights";
import type { MonitorState } from "./types";

export interface Evidence {
  readonly state: MonitorState;
  readonly detail: string;
}

/** An exit 2 that says the windows hold no data is "insufficient data", not a broken monitor. */
const NO_DATA = /\bno (data|rows|feature values|model_feature|log files match)\b/;

/** A run that failed, as a monitor state. */
export function failedEvidence(run: InsightsRun): Evidence {
  const reason = failureOf(run).replace(/^prodinsights \S+: /, "");
  return { state: run.code === 2 && NO_DATA.test(reason) ? "insufficient-data" : "error", detail: reason };
}

export function driftEvidence(run: InsightsRun): Evidence & { readonly document?: DriftResult; readonly drifted: readonly string[] } {
  if (run.code !== 0) return { ...failedEvidence(run), drifted: [] };
  const doc = run.document as DriftResult;
  const drifted = doc.features.filter((f) => f.status === "ok" && f.level === "drift").map((f) => f.name);
  const possible = doc.features.filter((f) => f.status === "ok" && f.level === "possible").map((f) => f.name);
  const of = `${doc.counts.drift} of ${doc.tested} features`;
  switch (doc.verdict) {
    case "drift":
      return { state: "firing", detail: `${drifted.join(", ")} drifted (${of})`, document: doc, drifted };
    case "insufficient-data":
      return { state: "insufficient-data", detail: "too little data in the windows to test any feature", document: doc, drifted };
    case "possible":
      return { state: "ok", detail: `possible drift: ${[...drifted, ...possible].join(", ")}`, document: doc, drifted };
    default:
      return { state: "ok", detail: drifted.length > 0 ? `${drifted.join(", ")} drifted (${of}; below the dataset's share)` : `no drift (${doc.tested} features)`, document: doc, drifted };
  }
}

const change = (doc: JumpsResult, d: number): string => (doc.metric.kind === "proportion" ? points(d) : `${d > 0 ? "+" : ""}${Number(d.toPrecision(3))}`);
const level = (doc: JumpsResult, v: number): string => (doc.metric.kind === "proportion" ? percent(v) : String(Number(v.toPrecision(3))));

/**
 * Fires when the latest release made the metric worse, or when the latest change in level (found
 * in the data, announced or not) was for the worse: the metric has not come back.
 */
export function jumpsEvidence(run: InsightsRun): Evidence & { readonly document?: JumpsResult } {
  if (run.code !== 0) return failedEvidence(run);
  const doc = run.document as JumpsResult;
  const name = doc.metric.name;
  const latest = doc.jumps.at(-1);
  if (latest?.status === "ok" && latest.direction === "worse") {
    return { state: "firing", detail: `${name} ${change(doc, latest.difference.estimate)} at ${latest.version} (${pIs(latest.adjustedPValue)})`, document: doc };
  }
  const cp = doc.changePoints.status === "ok" ? doc.changePoints.points.at(-1) : undefined;
  if (cp?.direction === "worse") {
    const prior = doc.events.filter((e) => e.t <= cp.t).at(-1);
    const at = cp.coincidesWith.length > 0 ? cp.coincidesWith.join(", ") : `${new Date(cp.t).toISOString().slice(0, 16)}Z${prior ? ` (after ${prior.version})` : " (no release before it)"}`;
    return { state: "firing", detail: `${name} ${level(doc, cp.before.mean)} → ${level(doc, cp.after.mean)} at ${at}`, document: doc };
  }
  if (latest?.status === "ok") return { state: "ok", detail: `${name} ${latest.direction === "better" ? "better" : "no worse"} after ${latest.version} (${change(doc, latest.difference.estimate)})`, document: doc };
  if (latest) return { state: "insufficient-data", detail: `${name} at ${latest.version}: ${latest.reason}`, document: doc };
  if (doc.changePoints.status !== "ok") return { state: "insufficient-data", detail: `${name}: ${doc.changePoints.reason}`, document: doc };
  return { state: "ok", detail: `${name}: no release and no worse change in the range`, document: doc };
}
