/**
 * The release timeline (`jumps` document): the metric's series with a marker at each release,
 * each jump drawn as the before and after estimates with their intervals over their windows, and
 * the change points found in the data. Pure: document in, view out.
 */
import type { JumpsMetric, JumpsResult, ReleaseJump } from "../../src/core/results/jumps";
import { count, decimal, interval, percent, points, pIs, pValue, signedDecimal, time } from "./format";
import { lineWidth, plotText, plotTitle, themedLayout, toneColor, withAlpha, type Block, type PlotObject, type TableRow, type Theme, type Tone } from "./model";
import type { KindView } from "./kinds";

/** Value and difference formats for a metric: percent and points for proportions. */
export function metricFormat(metric: JumpsMetric): { value: (v: number) => string; diff: (v: number) => string; tick: string } {
  return metric.kind === "proportion"
    ? { value: (v) => percent(v, 2), diff: (v) => points(v), tick: ".1%" }
    : { value: (v) => decimal(v, 3), diff: (v) => signedDecimal(v, 3), tick: "" };
}

function jumpTone(j: ReleaseJump): Tone {
  if (j.status !== "ok") return "neutral";
  return j.direction === "worse" ? "bad" : j.direction === "better" ? "good" : "neutral";
}

function verdict(j: ReleaseJump): string {
  if (j.status !== "ok") return "insufficient data";
  return j.direction === "worse" ? "WORSE" : j.direction === "better" ? "better" : "no change";
}

export function jumpRows(doc: JumpsResult): TableRow[] {
  const f = metricFormat(doc.metric);
  return doc.jumps.map((j): TableRow => {
    if (j.status !== "ok") return { cells: [j.version, time(j.t), "", "", "", "", "", j.reason], tone: "neutral" };
    return {
      cells: [j.version, time(j.t), f.value(j.before.estimate), f.value(j.after.estimate), f.diff(j.difference.estimate), interval(j.difference.ci, f.diff), pValue(j.adjustedPValue), verdict(j)],
      tone: jumpTone(j),
    };
  });
}

/** The annotation at a release: the jump and its interval, or why there is none. */
export function jumpLabel(doc: JumpsResult, j: ReleaseJump): string {
  const f = metricFormat(doc.metric);
  if (j.status !== "ok") return `${j.version}: ${j.reason}`;
  return `${j.version}: ${f.diff(j.difference.estimate)} (${interval(j.difference.ci, f.diff)}), ${pIs(j.adjustedPValue)}`;
}

function timelinePlot(doc: JumpsResult, theme: Theme): Block {
  const f = metricFormat(doc.metric);
  const x = doc.series.map((b) => b.t);
  // A bucket without data is a gap in the line, never a zero.
  const y = doc.series.map((b) => (b.status === "ok" ? b.value : null));
  const traces: PlotObject[] = [
    {
      type: "scatter",
      mode: "lines",
      name: plotText(doc.metric.name),
      x,
      y,
      customdata: doc.series.map((b) => b.n),
      line: { color: theme.series[0] ?? theme.info, width: lineWidth(theme, 1.5) },
      hovertemplate: `%{y${f.tick ? `:${f.tick.replace(".1", ".2")}` : ""}} (%{customdata:,} units)`,
      connectgaps: false,
    },
  ];
  const shapes: PlotObject[] = [];
  const annotations: PlotObject[] = [];
  doc.events.forEach((e, i) => {
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: e.t, x1: e.t, y0: 0, y1: 1, line: { color: theme.foreground, width: lineWidth(theme, 1), dash: "dot" } });
    const j = doc.jumps[i];
    annotations.push({
      x: e.t,
      xref: "x",
      y: 1,
      yref: "paper",
      yanchor: "bottom",
      // Alternate rows, so that neighbouring releases' labels do not overlap.
      yshift: (i % 2) * 16,
      showarrow: false,
      text: plotText(j ? jumpLabel(doc, j) : e.version),
      font: { color: j ? (jumpTone(j) === "neutral" ? theme.foreground : toneColor(theme, jumpTone(j))) : theme.foreground, size: 11 },
      bgcolor: "rgba(0,0,0,0)",
    });
  });
  doc.jumps.forEach((j) => {
    if (j.status !== "ok") return;
    const color = jumpTone(j) === "neutral" ? theme.muted : toneColor(theme, jumpTone(j));
    for (const [side, w] of [["before", j.before], ["after", j.after]] as const) {
      const c = side === "before" ? theme.muted : color;
      // The interval as a band over the window, the estimate as a line through it.
      shapes.push({ type: "rect", xref: "x", yref: "y", x0: w.window.start, x1: w.window.end, y0: w.ci[0], y1: w.ci[1], fillcolor: withAlpha(c, theme.highContrast ? 0.4 : 0.2), line: { width: 0 }, layer: "below" });
      shapes.push({ type: "line", xref: "x", yref: "y", x0: w.window.start, x1: w.window.end, y0: w.estimate, y1: w.estimate, line: { color: c, width: lineWidth(theme, 1.5) } });
    }
  });
  if (doc.changePoints.status === "ok") {
    for (const p of doc.changePoints.points) {
      if (p.coincidesWith.length > 0) continue; // a release marker is already there
      shapes.push({ type: "line", xref: "x", yref: "paper", x0: p.t, x1: p.t, y0: 0, y1: 1, line: { color: toneColor(theme, p.direction === "worse" ? "bad" : "good"), width: lineWidth(theme, 1), dash: "dash" } });
      annotations.push({ x: p.t, xref: "x", y: 0.98, yref: "paper", yanchor: "top", xanchor: "left", showarrow: false, text: plotText(`change ${f.diff(p.shift)}`), font: { size: 11, color: theme.muted } });
    }
  }
  return {
    type: "plot",
    caption: "Dotted lines: releases. Bands: the estimate before and after each release with its interval. Dashed lines: changes no release explains.",
    plot: {
      id: "timeline",
      height: 360,
      traces,
      layout: themedLayout(theme, {
        title: plotTitle(`${doc.metric.name} around releases`),
        margin: { l: 8, r: 8, t: doc.events.length > 1 ? 72 : 56, b: 8 },
        xaxis: { type: "date" },
        yaxis: { tickformat: f.tick, rangemode: "tozero" },
        shapes,
        annotations,
        showlegend: false,
      }),
    },
  };
}

export function buildJumpsView(doc: JumpsResult, theme: Theme): KindView {
  const f = metricFormat(doc.metric);
  const blocks: Block[] = [];
  if (doc.warnings.length > 0) blocks.push({ type: "list", items: doc.warnings, tone: "warning" });
  blocks.push(timelinePlot(doc, theme));
  blocks.push({
    type: "table",
    id: "jumps",
    caption: `${doc.metric.name} (${doc.metric.direction} is better), ${percent(doc.settings.confidence, 0)} intervals, p adjusted by ${doc.settings.correction}`,
    columns: [
      { label: "release" },
      { label: "at" },
      { label: "before", align: "right" },
      { label: "after", align: "right" },
      { label: "change", align: "right" },
      { label: `${percent(doc.settings.confidence, 0)} CI`, align: "right" },
      { label: `p (${doc.settings.correction})`, align: "right" },
      { label: "verdict" },
    ],
    rows: jumpRows(doc),
  });
  if (doc.changePoints.status === "ok") {
    const cps = doc.changePoints.points;
    blocks.push({
      type: "table",
      id: "changes",
      caption: cps.length === 0 ? "No change points found (PELT)." : "Change points (PELT)",
      columns: [{ label: "at" }, { label: "before", align: "right" }, { label: "after", align: "right" }, { label: "shift", align: "right" }, { label: "direction" }, { label: "release" }],
      toneColumn: 4,
      rows: cps.map((p) => ({
        cells: [time(p.t), f.value(p.before.mean), f.value(p.after.mean), f.diff(p.shift), p.direction, p.coincidesWith.length > 0 ? p.coincidesWith.join(", ") : "none (unannounced)"],
        tone: p.direction === "worse" ? "bad" : "good",
      })),
    });
  } else {
    blocks.push({ type: "text", text: `Change points: ${doc.changePoints.reason}`, tone: "neutral" });
  }
  const t = doc.trend;
  blocks.push(
    t.status === "ok"
      ? {
          type: "text",
          text: `Trend (Mann-Kendall over ${count(t.n)} buckets): ${f.diff(t.slope)} per day (${interval(t.slopeCi, f.diff)}), ${pIs(t.pValue)}: ${t.significant ? t.direction : "no significant trend"}.`,
          tone: t.significant && t.direction === "worse" ? "bad" : "neutral",
        }
      : { type: "text", text: `Trend: ${t.reason}`, tone: "neutral" },
  );
  const worse = doc.jumps.filter((j) => j.status === "ok" && j.direction === "worse").map((j) => j.version);
  const status = worse.length > 0 ? { label: `worse after ${worse.join(", ")}`, tone: "bad" as const } : { label: "no release made it worse", tone: "good" as const };
  return { status, blocks };
}
