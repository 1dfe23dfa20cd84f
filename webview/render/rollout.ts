/**
 * The rollout report: routing now (weights, shadow), the canary's steps with the current one
 * marked, the analysis of each step, the decisions, and the Promote, Abort and Roll back buttons
 * the host allows. Pure: report in, view out; the buttons post actions from draw.ts.
 */
import type { Report, RolloutAction, RolloutReport } from "../../src/core/results/report";
import { plotText, plotTitle, themedLayout, type ActionButton, type Block, type PlotObject, type TableRow, type Theme } from "./model";
import { canaryStatusLabel, checkTables, decisionsTable, statusTone, verdictTone, weightPlot } from "./canary";
import type { KindView } from "./kinds";

const ORDER: readonly RolloutAction[] = ["promote", "abort", "rollback"];

/** The buttons for the actions the host allows, in a fixed order, and why others are missing. */
export function rolloutActions(doc: RolloutReport, report: Pick<Report, "actions" | "actionsDisabledReason">): Extract<Block, { type: "actions" }> {
  const allowed = new Set(report.actions ?? []);
  const candidate = doc.canary?.version;
  const label: Record<RolloutAction, string> = {
    promote: candidate ? `Promote ${candidate}` : "Promote",
    abort: "Abort canary",
    rollback: `Roll back to ${doc.stable}`,
  };
  const buttons = ORDER.filter((a) => allowed.has(a)).map((action): ActionButton => ({ action, label: label[action], secondary: action !== "promote" }));
  const note = buttons.length === 0 ? (report.actionsDisabledReason ?? "No rollout actions are available here.") : report.actionsDisabledReason;
  return { type: "actions", buttons, ...(note ? { note } : {}) };
}

function weightsPlot(doc: RolloutReport, theme: Theme): Block {
  const traces: PlotObject[] = doc.weights.map((w, i) => ({
    type: "bar",
    orientation: "h",
    name: plotText(w.version),
    y: [""],
    x: [w.weight],
    text: [plotText(`${w.version} ${w.weight}%`)],
    textposition: "inside",
    insidetextanchor: "middle",
    hovertemplate: "%{text}<extra></extra>",
    marker: { color: w.version === doc.stable ? theme.series[0] : theme.series[(i % (theme.series.length - 1)) + 1], line: { color: theme.foreground, width: theme.highContrast ? 1 : 0 } },
  }));
  return {
    type: "plot",
    plot: {
      id: "weights",
      height: 130,
      traces,
      layout: themedLayout(theme, {
        title: plotTitle("Traffic now"),
        barmode: "stack",
        xaxis: { range: [0, 100], ticksuffix: "%" },
        yaxis: { showticklabels: false },
        margin: { l: 8, r: 8, t: 32, b: 8 },
        showlegend: false,
      }),
    },
  };
}

export function stepRows(doc: RolloutReport): TableRow[] {
  const canary = doc.canary;
  if (!canary) return [];
  const r = canary.result;
  return canary.steps.map((weight, i): TableRow => {
    const checks = r.checks.filter((c) => c.step === i);
    const last = checks[checks.length - 1];
    const state = i < r.step ? "done" : i === r.step ? (canary.active ? "current" : r.status) : r.status === "promoted" ? "skipped" : "pending";
    return {
      cells: [String(i + 1), `${weight}%`, state, last ? last.outcome : "", String(checks.length)],
      highlight: i === r.step,
      ...(last ? { tone: verdictTone(last.outcome) } : {}),
    };
  });
}

export function buildRolloutView(doc: RolloutReport, report: Pick<Report, "actions" | "actionsDisabledReason">, theme: Theme): KindView {
  const blocks: Block[] = [];
  blocks.push(rolloutActions(doc, report));
  blocks.push(weightsPlot(doc, theme));
  blocks.push({
    type: "table",
    id: "weights",
    caption: `${doc.model} on ${doc.provider}; a rollback returns to ${doc.stable}`,
    columns: [{ label: "version" }, { label: "weight", align: "right" }, { label: "role" }],
    rows: doc.weights.map((w) => ({
      cells: [w.version, `${w.weight}%`, w.version === doc.stable ? "stable" : doc.canary?.active && w.version === doc.canary.version ? "canary" : w.version === doc.shadow?.version ? "shadow" : ""],
    })),
  });
  if (doc.shadow) blocks.push({ type: "text", text: `Shadow: ${doc.shadow.version} receives a copy of ${Number(doc.shadow.share.toFixed(1))}% of requests; its answers are compared, never served.` });
  const canary = doc.canary;
  if (!canary) {
    blocks.push({ type: "text", text: "No canary has run for this model.", tone: "neutral" });
    return { status: { label: `${doc.stable} stable`, tone: "neutral" }, blocks };
  }
  blocks.push({ type: "heading", text: `${canary.active ? "Canary" : "Last canary"}: ${canary.version} against ${canary.baseline}` });
  blocks.push({
    type: "table",
    id: "steps",
    caption: canary.active ? `Status ${canary.result.status}; the candidate has ${canary.result.weight}% of traffic now` : `Ended: ${canary.result.status}`,
    columns: [{ label: "step" }, { label: "weight", align: "right" }, { label: "state" }, { label: "last check" }, { label: "checks", align: "right" }],
    rows: stepRows(doc),
    toneColumn: 3,
  });
  const plot = weightPlot(canary.result, theme);
  if (plot) blocks.push(plot);
  blocks.push(...checkTables(canary.result.checks, canary.steps));
  if (canary.result.decisions.length > 0) blocks.push(decisionsTable(canary.result));
  return { status: { label: `${canary.version}: ${canaryStatusLabel(canary.result)}`, tone: statusTone(canary.result.status) }, blocks };
}
