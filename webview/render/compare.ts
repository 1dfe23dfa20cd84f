/**
 * Version comparison (`compare` document): each proportion or mean metric as an A/B test of two
 * versions (baseline first), quantile metrics by Mann-Whitney, and the metrics left out. Pure.
 */
import type { CompareResult } from "../../src/core/results/report";
import { count, decimal, interval, percent, points, pValue, signedDecimal } from "./format";
import { lineWidth, plotText, plotTitle, themedLayout, toneColor, type Block, type PlotObject, type TableRow, type Theme, type Tone } from "./model";
import type { KindView } from "./kinds";

type MetricRow = { metric: string; tone: Tone; verdict: string; relative?: { estimate: number; ci: readonly [number, number] }; cells: string[] };

const VERDICT: Record<string, { label: string; tone: Tone }> = {
  winner: { label: "better", tone: "good" },
  loser: { label: "worse", tone: "bad" },
  inconclusive: { label: "no significant difference", tone: "neutral" },
  "insufficient-data": { label: "insufficient data", tone: "warning" },
};

function metricRows(doc: CompareResult): MetricRow[] {
  return doc.metrics.map((m): MetricRow => {
    const r = m.result;
    const fmt = r.metricKind === "proportion" ? (v: number) => percent(v, 2) : (v: number) => decimal(v, 4);
    const diff = r.metricKind === "proportion" ? (v: number) => points(v) : (v: number) => signedDecimal(v, 3);
    const [base, cand] = r.arms;
    const value = (a: typeof base): string => (a === undefined ? "" : a.status === "ok" ? `${fmt(a.estimate)} (n ${count(a.n)})` : a.reason);
    const c = r.comparisons[0];
    if (!c || c.status !== "ok") {
      return { metric: m.metric, tone: "warning", verdict: "insufficient data", cells: [m.metric, value(base), value(cand), "", "", "", c?.status === "insufficient-data" ? c.reason : "insufficient data"] };
    }
    const v = VERDICT[c.verdict] ?? { label: c.verdict, tone: "neutral" as const };
    const rel = c.relative.status === "ok" ? c.relative : undefined;
    const relText = (x: number): string => percent(x, 1, true);
    return {
      metric: m.metric,
      tone: v.tone,
      verdict: v.label,
      ...(rel ? { relative: { estimate: rel.estimate, ci: rel.ci } } : {}),
      cells: [
        m.metric,
        value(base),
        value(cand),
        `${diff(c.absolute.estimate)} (${interval(c.absolute.ci, diff)})`,
        rel ? `${relText(rel.estimate)} (${interval(rel.ci, relText)})` : "n/a",
        pValue(c.adjustedPValue),
        v.label,
      ],
    };
  });
}

export function buildCompareView(doc: CompareResult, theme: Theme): KindView {
  const blocks: Block[] = [];
  const rows = metricRows(doc);
  const warnings = doc.metrics.flatMap((m) => [...m.warnings, ...m.result.warnings].map((w) => `${m.metric}: ${w}`));
  if (warnings.length > 0) blocks.push({ type: "list", items: warnings, tone: "warning" });
  if (rows.length > 0) {
    blocks.push({
      type: "table",
      id: "metrics",
      caption: `${doc.candidate} against ${doc.baseline}, each metric as an A/B test of versions`,
      columns: [
        { label: "metric" },
        { label: doc.baseline, align: "right" },
        { label: doc.candidate, align: "right" },
        { label: "difference", align: "right" },
        { label: "relative", align: "right" },
        { label: "p", align: "right" },
        { label: "verdict" },
      ],
      rows: rows.map((r): TableRow => ({ cells: r.cells, tone: r.tone })),
    });
    const plotted = rows.filter((r) => r.relative !== undefined);
    if (plotted.length > 0) {
      const trace: PlotObject = {
        type: "scatter",
        mode: "markers",
        y: plotted.map((r) => plotText(r.metric)),
        x: plotted.map((r) => r.relative!.estimate),
        customdata: plotted.map((r) => [r.relative!.ci[0], r.relative!.ci[1]]),
        text: plotted.map((r) => plotText(`${r.metric}: ${r.verdict}`)),
        hovertemplate: "%{text}: %{x:+.1%} (%{customdata[0]:+.1%} to %{customdata[1]:+.1%})<extra></extra>",
        error_x: {
          type: "data",
          symmetric: false,
          array: plotted.map((r) => r.relative!.ci[1] - r.relative!.estimate),
          arrayminus: plotted.map((r) => r.relative!.estimate - r.relative!.ci[0]),
          color: theme.foreground,
          thickness: lineWidth(theme, 1.5),
          width: 6,
        },
        marker: { size: 10, color: plotted.map((r) => toneColor(theme, r.tone)) },
        showlegend: false,
      };
      blocks.push({
        type: "plot",
        plot: {
          id: "forest",
          height: 90 + 40 * plotted.length,
          traces: [trace],
          layout: themedLayout(theme, {
            title: plotTitle(`${doc.candidate} relative to ${doc.baseline}`),
            xaxis: { tickformat: "+.1%", zeroline: true, zerolinewidth: lineWidth(theme, 1) },
            yaxis: { type: "category", autorange: "reversed" },
          }),
        },
      });
    }
  }
  const distributions = doc.distributions ?? [];
  if (distributions.length > 0) {
    blocks.push({
      type: "table",
      id: "distributions",
      caption: "Quantile metrics: whole histograms compared by Mann-Whitney",
      columns: [
        { label: "metric" },
        { label: "quantile", align: "right" },
        { label: doc.baseline, align: "right" },
        { label: doc.candidate, align: "right" },
        { label: `P(${doc.candidate} > ${doc.baseline})`, align: "right" },
        { label: "p", align: "right" },
        { label: "verdict" },
      ],
      toneColumn: 6,
      rows: distributions.map((d) => ({
        cells: [d.metric, `p${Math.round(d.quantile * 100)}`, `${decimal(d.baseline.value, 3)} (n ${count(d.baseline.n)})`, `${decimal(d.candidate.value, 3)} (n ${count(d.candidate.n)})`, d.probabilityHigher.toFixed(3), pValue(d.pValue), d.verdict],
        tone: d.verdict === "worse" ? "bad" : d.verdict === "better" ? "good" : "neutral",
      })),
    });
  }
  const skipped = doc.skipped ?? [];
  if (skipped.length > 0) blocks.push({ type: "list", items: skipped.map((s) => `${s.metric}: skipped (${s.reason})`), tone: "neutral" });
  const worse = [...rows.filter((r) => r.tone === "bad").map((r) => r.metric), ...distributions.filter((d) => d.verdict === "worse").map((d) => d.metric)];
  const better = [...rows.filter((r) => r.tone === "good").map((r) => r.metric), ...distributions.filter((d) => d.verdict === "better").map((d) => d.metric)];
  const status =
    worse.length > 0
      ? { label: `${doc.candidate} worse on ${worse.join(", ")}`, tone: "bad" as const }
      : better.length > 0
        ? { label: `${doc.candidate} better on ${better.join(", ")}`, tone: "good" as const }
        : { label: "no significant difference", tone: "neutral" as const };
  return { status, blocks };
}
