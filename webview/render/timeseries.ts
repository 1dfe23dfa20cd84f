/** `timeseries` (the CLI's `query --json`): a line per series, releases as vertical markers. Pure. */
import type { TimeseriesResult, TimeseriesSeries } from "../../src/core/results/report";
import { count } from "./format";
import { lineWidth, plotText, plotTitle, themedLayout, type Block, type PlotObject, type Theme } from "./model";
import type { KindView } from "./kinds";

/** `{version="v1", zone="eu"}`, or the query itself for a series without labels. */
export function seriesName(series: TimeseriesSeries, query: string): string {
  const pairs = Object.entries(series.labels).map(([k, v]) => `${k}="${v}"`);
  return pairs.length > 0 ? `{${pairs.join(", ")}}` : query;
}

/** Past this many points in all, lines are drawn with WebGL (scattergl), so that panning stays smooth. */
export const WEBGL_POINTS = 5000;

export function buildTimeseriesView(doc: TimeseriesResult, theme: Theme): KindView {
  const blocks: Block[] = [];
  if (doc.series.length === 0) {
    blocks.push({ type: "text", text: `The query returned no series: ${doc.query}`, tone: "warning" });
    return { status: { label: "no data", tone: "warning" }, blocks };
  }
  const total = doc.series.reduce((n, s) => n + s.points.length, 0);
  const traces: PlotObject[] = doc.series.map((s, i) => ({
    type: total > WEBGL_POINTS ? "scattergl" : "scatter",
    mode: s.points.length === 1 ? "markers" : "lines",
    name: plotText(seriesName(s, doc.query)),
    x: s.points.map((p) => p.t),
    y: s.points.map((p) => p.v),
    line: { color: theme.series[i % theme.series.length], width: lineWidth(theme, 1.5) },
  }));
  const releases = doc.releases ?? [];
  blocks.push({
    type: "plot",
    plot: {
      id: "series",
      height: 360,
      traces,
      layout: themedLayout(theme, {
        title: plotTitle(doc.query),
        xaxis: { type: "date" },
        hovermode: "x unified",
        shapes: releases.map((r) => ({ type: "line", xref: "x", yref: "paper", x0: r.t, x1: r.t, y0: 0, y1: 1, line: { color: theme.foreground, width: lineWidth(theme, 1), dash: "dot" } })),
        annotations: releases.map((r) => ({ x: r.t, xref: "x", y: 1, yref: "paper", yanchor: "bottom", showarrow: false, text: plotText(r.label), font: { size: 11 } })),
        margin: { l: 8, r: 8, t: releases.length > 0 ? 56 : 32, b: 8 },
      }),
    },
  });
  blocks.push({
    type: "table",
    id: "series",
    columns: [{ label: "series" }, { label: "points", align: "right" }, { label: "last", align: "right" }],
    rows: doc.series.map((s) => ({ cells: [seriesName(s, doc.query), count(s.points.length), s.points.length > 0 ? String(s.points[s.points.length - 1]!.v) : ""] })),
  });
  return { status: { label: `${doc.series.length} series`, tone: "neutral" }, blocks };
}
