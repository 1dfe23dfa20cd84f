/**
 * The drift report: per-feature scores and levels, and each feature's baseline and current
 * histograms overlaid (as shares, since the windows differ in size). Pure: document in, view out.
 */
import type { DriftBin, DriftFeature, DriftLevel, DriftResult } from "../../src/core/results/drift";
import { count, decimal, percent, pIs, pValue } from "./format";
import { lineWidth, plotText, plotTitle, themedLayout, toneColor, withAlpha, type Block, type PlotObject, type TableRow, type Theme, type Tone } from "./model";
import type { KindView } from "./kinds";

export function levelTone(level: DriftLevel | "insufficient-data"): Tone {
  return level === "drift" ? "bad" : level === "possible" ? "warning" : level === "none" ? "good" : "neutral";
}

const LEVEL_LABEL: Record<DriftLevel, string> = { none: "none", possible: "possible", drift: "DRIFT" };

/** "(0.05, 0.1]", "≤ 0.05", "> 10", or "3" for a single-value bin. */
export function binLabel(bin: DriftBin): string {
  const { lower, upper } = bin;
  if (lower !== undefined && upper !== undefined) return lower === upper ? decimal(lower) : `(${decimal(lower)}, ${decimal(upper)}]`;
  if (upper !== undefined) return `≤ ${decimal(upper)}`;
  if (lower !== undefined) return `> ${decimal(lower)}`;
  return "all";
}

export function driftRows(doc: DriftResult): TableRow[] {
  return doc.features.map((f): TableRow => {
    const n = [count(f.n.baseline), count(f.n.current)];
    if (f.status !== "ok") return { cells: [f.name, "", "", "", "", "insufficient data", ...n, f.reason], tone: "neutral" };
    const threshold = f.comparedWith === "pValue" ? `p < ${decimal(f.threshold)}` : `≥ ${decimal(f.threshold)}`;
    return {
      cells: [f.name, f.method, decimal(f.score, 3), f.pValue === undefined ? "" : pValue(f.pValue), threshold, LEVEL_LABEL[f.level], ...n, ""],
      tone: levelTone(f.level),
    };
  });
}

/** Scores as bars, colored by level; each bar's hover names the measure and its threshold. */
function scoresPlot(doc: DriftResult, theme: Theme): Block | undefined {
  const ok = doc.features.filter((f): f is Extract<DriftFeature, { status: "ok" }> => f.status === "ok");
  if (ok.length === 0) return undefined;
  return {
    type: "plot",
    plot: {
      id: "scores",
      height: 80 + 28 * ok.length,
      traces: [
        {
          type: "bar",
          orientation: "h",
          y: ok.map((f) => plotText(f.name)),
          x: ok.map((f) => f.score),
          marker: { color: ok.map((f) => toneColor(theme, levelTone(f.level))), line: { color: theme.foreground, width: theme.highContrast ? 1 : 0 } },
          text: ok.map((f) => plotText(`${f.name}: ${f.method} ${decimal(f.score, 3)}${f.pValue === undefined ? "" : `, ${pIs(f.pValue)}`}, ${LEVEL_LABEL[f.level]}`)),
          hovertemplate: "%{text}<extra></extra>",
          textposition: "none",
          showlegend: false,
        },
      ],
      layout: themedLayout(theme, {
        title: plotTitle("Drift score per feature (the effect size of its measure)"),
        yaxis: { type: "category", autorange: "reversed" },
        xaxis: { rangemode: "tozero" },
      }),
    },
  };
}

/** A feature's two histograms overlaid, each as shares of its window. */
export function histogramPlot(f: Extract<DriftFeature, { status: "ok" }>, theme: Theme): PlotObject[] {
  const h = f.histogram;
  const all = (h.kind === "numeric" ? h.bins.map(binLabel) : h.categories).map(plotText);
  // Numeric bins empty in both windows at either end (open Prometheus buckets, say) are left out.
  const used = (i: number): boolean => (h.baseline[i] ?? 0) + (h.current[i] ?? 0) > 0;
  let first = 0;
  let last = all.length - 1;
  if (h.kind === "numeric") {
    while (first < last && !used(first)) first++;
    while (last > first && !used(last)) last--;
  }
  const labels = all.slice(first, last + 1);
  const share = (counts: readonly number[]): number[] => {
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => (total > 0 ? c / total : 0));
  };
  const bar = (name: string, counts: readonly number[], color: string): PlotObject => ({
    type: "bar",
    name,
    x: labels,
    y: share(counts).slice(first, last + 1),
    customdata: counts.slice(first, last + 1),
    marker: { color: withAlpha(color, theme.highContrast ? 0.8 : 0.6), line: { color, width: lineWidth(theme, 0.5) } },
    hovertemplate: "%{x}: %{y:.1%} (%{customdata:,} values)",
    legendgroup: name,
  });
  return [bar("baseline", h.baseline, theme.series[0] ?? theme.info), bar("current", h.current, theme.series[1] ?? theme.warning)];
}

export function buildDriftView(doc: DriftResult, theme: Theme): KindView {
  const blocks: Block[] = [];
  const tested = doc.tested;
  const summary =
    doc.shareDrifted === undefined
      ? "No feature could be tested."
      : `${doc.counts.drift} of ${tested} features drifted (${percent(doc.shareDrifted, 0)}), ${doc.counts.possible} possibly; ` +
        `the dataset counts as drifted at ${percent(doc.driftShare, 0)}.` +
        (doc.counts.insufficientData > 0 ? ` ${doc.counts.insufficientData} could not be tested.` : "");
  blocks.push({
    type: "banner",
    tone: levelTone(doc.verdict === "insufficient-data" ? "insufficient-data" : doc.verdict),
    title: doc.verdict === "drift" ? "Dataset drift" : doc.verdict === "possible" ? "Possible dataset drift" : doc.verdict === "none" ? "No dataset drift" : "Insufficient data",
    text: summary,
  });
  if (doc.warnings.length > 0) blocks.push({ type: "list", items: doc.warnings, tone: "warning" });
  blocks.push({
    type: "table",
    id: "features",
    columns: [
      { label: "feature" },
      { label: "method" },
      { label: "score", align: "right" },
      { label: "p", align: "right" },
      { label: "threshold", align: "right" },
      { label: "level" },
      { label: "n baseline", align: "right" },
      { label: "n current", align: "right" },
      { label: "note" },
    ],
    rows: driftRows(doc),
    toneColumn: 5,
  });
  const scores = scoresPlot(doc, theme);
  if (scores) blocks.push(scores);
  // Drifted features first, so the histograms that matter are on top.
  const order: Record<DriftLevel, number> = { drift: 0, possible: 1, none: 2 };
  const ok = doc.features
    .filter((f): f is Extract<DriftFeature, { status: "ok" }> => f.status === "ok")
    .map((f, i) => ({ f, i }))
    .sort((a, b) => order[a.f.level] - order[b.f.level] || a.i - b.i)
    .map(({ f }) => f);
  if (ok.length > 0) {
    blocks.push({ type: "heading", text: "Baseline and current distributions" });
    blocks.push({ type: "text", text: "Each window's values as shares of that window, on the bins the measure used; drifted features first.", tone: "neutral" });
    blocks.push({
      type: "grid",
      blocks: ok.map((f): Block => ({
        type: "plot",
        plot: {
          id: `histogram-${doc.features.indexOf(f)}`,
          height: 240,
          traces: histogramPlot(f, theme),
          layout: themedLayout(theme, {
            title: plotTitle(`${f.name}: ${LEVEL_LABEL[f.level]}`),
            barmode: "overlay",
            bargap: 0.05,
            showlegend: true,
            legend: { orientation: "h", x: 1, xanchor: "right", y: 1, yanchor: "bottom", font: { size: 11 } },
            yaxis: { tickformat: ".0%", rangemode: "tozero" },
            xaxis: { type: "category", tickangle: -30 },
          }),
        },
      })),
    });
  }
  const label = doc.verdict === "drift" ? "dataset drift" : doc.verdict === "possible" ? "possible drift" : doc.verdict === "none" ? "no dataset drift" : "insufficient data";
  return { status: { label, tone: levelTone(doc.verdict === "insufficient-data" ? "insufficient-data" : doc.verdict) }, blocks };
}
