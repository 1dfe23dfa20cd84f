/**
 * The canary document alone: its status, the checks of each step with every metric's verdict and
 * reason, the decisions, and the candidate's weight over time. Pure. rollout.ts reuses the parts.
 */
import type { CanaryAction, CanaryCheck, CanaryMetricCheck, CanaryResult, CanaryStatus, CanaryVerdict } from "../../src/core/results/canary";
import { count, decimal, pValue, time } from "./format";
import { lineWidth, plotTitle, themedLayout, type Block, type TableRow, type Theme, type Tone } from "./model";
import type { KindView } from "./kinds";

export function verdictTone(v: CanaryVerdict): Tone {
  return v === "pass" ? "good" : v === "fail" ? "bad" : "warning";
}

export function statusTone(s: CanaryStatus): Tone {
  return s === "promoted" ? "good" : s === "rolled-back" ? "bad" : s === "running" ? "info" : "neutral";
}

export function actionText(a: CanaryAction): string {
  switch (a.type) {
    case "set-weight":
      return `set weight ${a.weight}%`;
    case "wait":
      return `wait until ${time(a.until)}`;
    case "promote":
      return "promote";
    case "rollback":
      return "roll back";
  }
}

function metricCells(m: CanaryMetricCheck): string[] {
  const n = `${count(m.n[0])} / ${count(m.n[1])}`;
  if (!("method" in m)) return [m.metric, m.verdict, n, "", "", m.reason];
  const diff = m.method === "two-proportion" ? `${m.difference > 0 ? "+" : ""}${(m.difference * 100).toFixed(2)} pp` : `${m.difference > 0 ? "+" : ""}${decimal(m.difference, 3)}`;
  return [m.metric, m.verdict, n, diff, pValue(m.pValue), m.reason];
}

/** One table per judged step: each check's metrics, newest check last. */
export function checkTables(checks: readonly CanaryCheck[], steps?: readonly number[]): Block[] {
  const byStep = new Map<number, CanaryCheck[]>();
  for (const c of checks) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);
  return [...byStep.entries()]
    .sort(([a], [b]) => a - b)
    .map(([step, list]): Block => {
      const weight = steps?.[step];
      const last = list[list.length - 1]!;
      return {
        type: "table",
        id: `checks-${step}`,
        caption: `Step ${step + 1}${weight === undefined ? "" : ` (${weight}% to the candidate)`}: ${last.outcome}, ${list.length} check${list.length === 1 ? "" : "s"}`,
        columns: [{ label: "at" }, { label: "metric" }, { label: "verdict" }, { label: "n baseline / candidate", align: "right" }, { label: "difference", align: "right" }, { label: "p", align: "right" }, { label: "reason" }],
        toneColumn: 2,
        rows: list.flatMap((c) => c.metrics.map((m): TableRow => ({ cells: [time(c.t), ...metricCells(m)], tone: verdictTone(m.verdict) }))),
      };
    });
}

export function decisionsTable(doc: CanaryResult): Block {
  return {
    type: "table",
    id: "decisions",
    caption: "Decisions",
    columns: [{ label: "at" }, { label: "action" }, { label: "reasons" }],
    toneColumn: 1,
    rows: doc.decisions.map((d) => ({
      cells: [time(d.t), actionText(d.action), d.reasons.join("; ")],
      tone: d.action.type === "rollback" ? "bad" : d.action.type === "promote" ? "good" : "neutral",
    })),
  };
}

/** The candidate's weight after each decision, as a step line. */
export function weightPlot(doc: CanaryResult, theme: Theme): Block | undefined {
  const pts: { t: number; w: number }[] = [];
  for (const d of doc.decisions) {
    const a = d.action;
    if (a.type === "set-weight") pts.push({ t: d.t, w: a.weight });
    else if (a.type === "promote") pts.push({ t: d.t, w: 100 });
    else if (a.type === "rollback") pts.push({ t: d.t, w: 0 });
  }
  if (pts.length === 0) return undefined;
  const last = doc.checks.reduce((m, c) => Math.max(m, c.t), pts[pts.length - 1]!.t);
  if (last > pts[pts.length - 1]!.t) pts.push({ t: last, w: pts[pts.length - 1]!.w });
  return {
    type: "plot",
    plot: {
      id: "weight",
      height: 220,
      traces: [
        {
          type: "scatter",
          mode: "lines+markers",
          line: { shape: "hv", color: theme.info, width: lineWidth(theme) },
          x: pts.map((p) => p.t),
          y: pts.map((p) => p.w),
          hovertemplate: "%{y}%<extra></extra>",
          showlegend: false,
        },
        {
          type: "scatter",
          mode: "markers",
          x: doc.checks.map((c) => c.t),
          y: doc.checks.map(() => 0),
          marker: { symbol: "diamond", size: 10, color: doc.checks.map((c) => (c.outcome === "pass" ? theme.good : c.outcome === "fail" ? theme.bad : theme.warning)) },
          text: doc.checks.map((c) => `step ${c.step + 1}: ${c.outcome}`),
          hovertemplate: "%{text}<extra></extra>",
          showlegend: false,
          cliponaxis: false,
        },
      ],
      layout: themedLayout(theme, {
        title: plotTitle("Candidate weight; checks as diamonds"),
        xaxis: { type: "date" },
        yaxis: { range: [-5, 105], ticksuffix: "%" },
      }),
    },
  };
}

export function canaryStatusLabel(doc: CanaryResult): string {
  return doc.status === "running" ? `running, step ${doc.step + 1}, ${doc.weight}%` : doc.status;
}

export function buildCanaryView(doc: CanaryResult, theme: Theme): KindView {
  const blocks: Block[] = [];
  blocks.push({
    type: "text",
    text: `Status ${doc.status}; ${doc.step < 0 ? "no step started" : `step ${doc.step + 1}`}; the candidate has ${doc.weight}% of traffic; ${doc.checks.length} check${doc.checks.length === 1 ? "" : "s"}.`,
  });
  const plot = weightPlot(doc, theme);
  if (plot) blocks.push(plot);
  if (doc.checks.length === 0) blocks.push({ type: "text", text: "No checks yet.", tone: "neutral" });
  blocks.push(...checkTables(doc.checks));
  if (doc.decisions.length > 0) blocks.push(decisionsTable(doc));
  return { status: { label: canaryStatusLabel(doc), tone: statusTone(doc.status) }, blocks };
}
