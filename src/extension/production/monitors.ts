/**
 * The monitors of prodinsights.yaml, each checked now: drift (fires when the dataset drifts), jump
 * (fires when the latest release, or the latest change in level, made the metric worse) and
 * threshold (fires when the metric's value over the `current` window crosses `above` or `below`,
 * for any version). Each carries the CLI command that shows its evidence. No `vscode` here.
 */
import type { MetricConfig, MonitorConfig } from "../../config/types";
import { parseTimeRange } from "../../cli/timeRange";
import { decimal, percent } from "../../core/format";
import { fillTemplate, groupByLabel } from "../../telemetry/metrics/templates";
import type { InstantSample } from "../../telemetry/metrics/api";
import { backendOf, driftArgv, json, jumpsArgv, problemOf, type GatherContext } from "./context";
import { driftEvidence, failedEvidence, jumpsEvidence, type Evidence } from "./evidence";
import type { MonitorSnapshot } from "./types";

/** One template for every version at once (grouped by version), with $model and $window filled. */
function versionTemplate(template: string, model: string, windowMs: number): string {
  const grouped = template.includes("$version") ? groupByLabel(template, "version") : template;
  if (grouped === undefined) throw new Error(`cannot read the template per version: ${template}`);
  return fillTemplate(grouped, { model, windowMs });
}

/** PromQL for the metric's value per version over the last `windowMs`. */
export function thresholdQuery(metric: MetricConfig, model: string, windowMs: number): string {
  const t = (template: string | undefined): string => versionTemplate(template!, model, windowMs);
  switch (metric.kind) {
    case "proportion":
      return `(${t(metric.numerator)}) / (${t(metric.denominator)})`;
    case "mean":
      return `(${t(metric.sum)}) / (${t(metric.count)})`;
    default:
      return t(metric.query);
  }
}

const shown = (metric: MetricConfig, v: number): string => (metric.unit === "%" ? percent(v, 2) : `${decimal(v, 3)}${metric.unit ? ` ${metric.unit}` : ""}`);

async function threshold(ctx: GatherContext, monitor: MonitorConfig, metric: MetricConfig): Promise<{ command: string[]; evidence: Evidence }> {
  const model = ctx.config.models.get(monitor.model)!;
  const backend = backendOf(ctx, model.backend);
  if (backend?.type !== "prometheus") {
    return { command: [], evidence: { state: "error", detail: `threshold monitors read Prometheus; model '${model.name}' reads prediction logs (backend '${model.backend}')` } };
  }
  const window = parseTimeRange(monitor.current, ctx.now, "current");
  const query = thresholdQuery(metric, model.name, window.end - window.start);
  const command = ["query", query, "--config", ctx.configFile, "--backend", backend.name, "--at", new Date(window.end).toISOString()];
  const run = await ctx.insights(json(command));
  if (run.code !== 0) return { command, evidence: failedEvidence(run) };
  const samples = (run.document as { series: { labels: InstantSample["labels"]; points: { v: number }[] }[] }).series
    .map((s) => ({ version: s.labels["version"], value: s.points[0]?.v }))
    .filter((s): s is { version: string | undefined; value: number } => s.value !== undefined);
  if (samples.length === 0) return { command, evidence: { state: "insufficient-data", detail: `no ${metric.name} in ${monitor.current}` } };
  const crossed = (v: number): boolean => (monitor.above !== undefined && v > monitor.above) || (monitor.below !== undefined && v < monitor.below);
  const bound = [monitor.above !== undefined ? `above ${shown(metric, monitor.above)}` : "", monitor.below !== undefined ? `below ${shown(metric, monitor.below)}` : ""].filter(Boolean).join(" or ");
  const describe = (s: (typeof samples)[number]): string => `${shown(metric, s.value)}${s.version !== undefined ? ` at ${s.version}` : ""}`;
  const firing = samples.filter((s) => crossed(s.value));
  return firing.length > 0
    ? { command, evidence: { state: "firing", detail: `${metric.name} ${firing.map(describe).join(", ")} (${bound})` } }
    : { command, evidence: { state: "ok", detail: `${metric.name} ${samples.map(describe).join(", ")} (alert ${bound})` } };
}

async function check(ctx: GatherContext, monitor: MonitorConfig): Promise<{ command: readonly string[]; evidence: Evidence }> {
  if (monitor.kind === "drift") {
    const command = driftArgv(ctx, monitor.model, monitor.baseline, monitor.current);
    return { command, evidence: driftEvidence(await ctx.insights(json(command))) };
  }
  const metric = ctx.config.metrics.get(monitor.metric ?? "")!;
  if (monitor.kind === "threshold") return threshold(ctx, monitor, metric);
  const spelt = jumpsArgv(ctx, monitor.model, metric.name);
  if ("error" in spelt) return { command: [], evidence: { state: "error", detail: spelt.error } };
  return { command: spelt.argv, evidence: jumpsEvidence(await ctx.insights(json(spelt.argv))) };
}

export async function gatherMonitor(ctx: GatherContext, monitor: MonitorConfig): Promise<MonitorSnapshot> {
  const base = { name: monitor.name, kind: monitor.kind, model: monitor.model, ...(monitor.metric !== undefined ? { metric: monitor.metric } : {}) };
  try {
    const { command, evidence } = await check(ctx, monitor);
    return { ...base, state: evidence.state, detail: evidence.detail, command };
  } catch (err) {
    return { ...base, state: "error", detail: problemOf(err, monitor.kind).message, command: [] };
  }
}
