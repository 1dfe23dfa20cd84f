/**
 * The experiment report (`ab` document): SRM banner, estimates table, forest plot of the lifts,
 * cumulative lift over time when the document carries a series, and progress toward the sample
 * size the MDE needs. Pure: document in, view model out.
 */
import type { AbArm, AbComparison } from "../../src/core/results/ab";
import type { AbReportDocument } from "../../src/core/results/report";
import { count, decimal, interval, percent, points, pIs, pValue, signedDecimal } from "./format";
import { lineWidth, plotText, plotTitle, themedLayout, toneColor, withAlpha, type Block, type PlotObject, type TableRow, type Theme, type Tone } from "./model";
import { meansPerArm, normalQuantile, proportionsPerArm } from "./power";
import type { KindView } from "./kinds";

/** The power the progress bar aims at: the CLI's `sample-size` default. */
export const TARGET_POWER = 0.8;

export function verdictTone(verdict: AbComparison["verdict"] | AbReportDocument["verdict"]): Tone {
  return verdict === "winner" ? "good" : verdict === "loser" ? "bad" : verdict === "insufficient-data" ? "warning" : "neutral";
}

/** How values of this document's metric read: rates in percent, differences in points. */
function formatters(doc: Pick<AbReportDocument, "metricKind">): { value: (v: number) => string; diff: (v: number) => string } {
  return doc.metricKind === "proportion"
    ? { value: (v) => percent(v, 1), diff: (v) => points(v) }
    : { value: (v) => decimal(v, 4), diff: (v) => signedDecimal(v, 3) };
}

const relative = (v: number): string => percent(v, 1, true);

/** The estimates table: one row per arm, the baseline first, each with its comparison. */
export function abRows(doc: AbReportDocument): TableRow[] {
  const f = formatters(doc);
  const byArm = new Map(doc.comparisons.map((c) => [c.arm, c]));
  return doc.arms.map((arm: AbArm, i): TableRow => {
    const value = arm.status === "ok" ? `${f.value(arm.estimate)} ±${f.value((arm.ci[1] - arm.ci[0]) / 2).replace(/^\+/, "")}` : arm.reason;
    const head = [arm.name, count(arm.n), value];
    if (i === 0) return { cells: [...head, "baseline", "", "", "", ""] };
    const c = byArm.get(arm.name);
    if (!c) return { cells: [...head, "", "", "", "", ""] };
    if (c.status !== "ok") return { cells: [...head, "", "", "", "", "insufficient data"], tone: "warning" };
    const lift = c.relative.status === "ok" ? `${relative(c.relative.estimate)} (${interval(c.relative.ci, relative)})` : "n/a";
    const diff = `${f.diff(c.absolute.estimate)} (${interval(c.absolute.ci, f.diff)})`;
    return {
      cells: [...head, lift, diff, pValue(c.adjustedPValue), percent(c.chanceToBeatBaseline, 1), c.verdict],
      tone: verdictTone(c.verdict),
    };
  });
}

/** The forest plot: each arm's relative lift against the baseline with its interval. */
function forestPlot(doc: AbReportDocument, theme: Theme): Block {
  const ok = doc.comparisons.flatMap((c) => (c.status === "ok" && c.relative.status === "ok" ? [{ c, r: c.relative }] : []));
  if (ok.length === 0) return { type: "text", text: "No lift to plot: no arm has a relative lift against the baseline.", tone: "neutral" };
  const baseline = doc.arms[0]?.name ?? "baseline";
  const trace: PlotObject = {
    type: "scatter",
    mode: "markers",
    name: plotText("relative lift"),
    orientation: "h",
    y: ok.map(({ c }) => plotText(c.arm)),
    x: ok.map(({ r }) => r.estimate),
    customdata: ok.map(({ r }) => [r.ci[0], r.ci[1]]),
    text: ok.map(({ c, r }) => plotText(`${c.arm}: ${relative(r.estimate)} (${interval(r.ci, relative)}), ${pIs(c.adjustedPValue)}, ${c.verdict}`)),
    hovertemplate: "%{text}<extra></extra>",
    error_x: {
      type: "data",
      symmetric: false,
      array: ok.map(({ r }) => r.ci[1] - r.estimate),
      arrayminus: ok.map(({ r }) => r.estimate - r.ci[0]),
      color: theme.foreground,
      thickness: lineWidth(theme, 1.5),
      width: 6,
    },
    marker: { size: 10, color: ok.map(({ c }) => toneColor(theme, verdictTone(c.verdict))), line: { color: theme.foreground, width: 1 } },
    showlegend: false,
  };
  return {
    type: "plot",
    plot: {
      id: "forest",
      height: 90 + 40 * ok.length,
      traces: [trace],
      layout: themedLayout(theme, {
        title: plotTitle(`Lift against ${baseline}, ${percent(doc.confidence, 0)} intervals`),
        xaxis: { tickformat: "+.1%", zeroline: true, zerolinewidth: lineWidth(theme, 1), title: { text: "relative lift" } },
        yaxis: { type: "category", autorange: "reversed" },
      }),
    },
  };
}

/** Cumulative relative lift per arm over time, with its interval as a band. */
function cumulativePlot(doc: AbReportDocument, theme: Theme): Block | undefined {
  const series = (doc.series ?? []).filter((s) => s.points.length > 0);
  if (series.length === 0) return undefined;
  const traces = series.flatMap((s, i): PlotObject[] => {
    const color = theme.series[i % theme.series.length] ?? theme.info;
    const x = s.points.map((p) => p.t);
    const name = plotText(s.arm);
    return [
      { type: "scatter", mode: "lines", x, y: s.points.map((p) => p.ci[1]), line: { width: 0, color }, hoverinfo: "skip", showlegend: false, legendgroup: `arm${i}` },
      {
        type: "scatter",
        mode: "lines",
        x,
        y: s.points.map((p) => p.ci[0]),
        line: { width: 0, color },
        fill: "tonexty",
        fillcolor: withAlpha(color, theme.highContrast ? 0.35 : 0.2),
        hoverinfo: "skip",
        showlegend: false,
        legendgroup: `arm${i}`,
      },
      {
        type: "scatter",
        mode: "lines",
        name,
        x,
        y: s.points.map((p) => p.estimate),
        customdata: s.points.map((p) => [p.ci[0], p.ci[1]]),
        line: { color, width: lineWidth(theme) },
        hovertemplate: "%{y:+.1%} (%{customdata[0]:+.1%} to %{customdata[1]:+.1%})",
        legendgroup: `arm${i}`,
      },
    ];
  });
  return {
    type: "plot",
    plot: {
      id: "cumulative",
      height: 280,
      traces,
      layout: themedLayout(theme, {
        title: plotTitle("Cumulative lift over time"),
        xaxis: { type: "date" },
        yaxis: { tickformat: "+.0%", zeroline: true, zerolinewidth: lineWidth(theme, 1) },
      }),
    },
  };
}

/** Progress of the smallest arm toward the units per arm the MDE needs at TARGET_POWER. */
export function abProgress(doc: AbReportDocument): Block {
  const power = doc.power;
  if (power.status !== "ok") {
    return { type: "text", text: `Progress toward the needed sample size: ${power.reason}`, tone: "neutral" };
  }
  const base = doc.arms[0];
  const okArms = doc.arms.filter((a) => a.status === "ok");
  if (!base || base.status !== "ok" || okArms.length < 2) {
    return { type: "text", text: `Power ${percent(power.value, 0)} for an MDE of ${formatters(doc).diff(power.mde)}.`, tone: "neutral" };
  }
  const alpha = 1 - doc.confidence;
  let needed: number;
  if (doc.metricKind === "proportion") {
    const p2 = base.estimate + power.mde < 1 ? base.estimate + power.mde : base.estimate - power.mde;
    needed = proportionsPerArm(base.estimate, p2, alpha, TARGET_POWER);
  } else {
    // The baseline's sd from its interval: half-width = z se, se = sd / sqrt(n).
    const sd = (((base.ci[1] - base.ci[0]) / 2) / normalQuantile(1 - alpha / 2)) * Math.sqrt(base.n);
    needed = meansPerArm(power.mde, sd, alpha, TARGET_POWER);
  }
  const perArm = Math.ceil(needed);
  const smallest = Math.min(...okArms.map((a) => a.n));
  if (!Number.isFinite(perArm) || perArm <= 0) {
    return { type: "text", text: `Power ${percent(power.value, 0)} for an MDE of ${formatters(doc).diff(power.mde)}.`, tone: "neutral" };
  }
  const value = Math.min(1, smallest / perArm);
  return {
    type: "progress",
    label: "Sample size",
    value,
    text:
      `${count(smallest)} of ${count(perArm)} units per arm (${percent(value, 0)}) for ${percent(TARGET_POWER, 0)} power ` +
      `to detect ${formatters(doc).diff(power.mde)} at alpha ${decimal(alpha, 2)}; power now ${percent(power.value, 0)}.`,
  };
}

/** The SRM banner, when the check flags the split. */
export function srmBanner(doc: AbReportDocument): Block | undefined {
  const srm = doc.srm;
  if (srm.status !== "ok" || !srm.flagged) return undefined;
  const total = doc.arms.reduce((sum, a) => sum + a.n, 0);
  const shares = doc.arms.map((a, i) => `${a.name} ${percent(total > 0 ? a.n / total : 0, 1)} (expected ${percent(srm.expected[i] ?? 0, 1)})`);
  return {
    type: "banner",
    id: "srm",
    tone: "bad",
    title: "Sample ratio mismatch",
    text: `The traffic split differs from the expected one (chi-square ${decimal(srm.statistic, 3)}, ${pIs(srm.pValue)}): ${shares.join(", ")}. Assignment or logging is broken, so no winner is declared.`,
  };
}

export function buildAbView(doc: AbReportDocument, theme: Theme): KindView {
  const blocks: Block[] = [];
  const srm = srmBanner(doc);
  if (srm) blocks.push(srm);
  const warnings = doc.warnings.filter((w) => !(srm && /^Sample ratio mismatch/i.test(w)));
  if (warnings.length > 0) blocks.push({ type: "list", items: warnings, tone: "warning" });
  const correction = doc.correction === "none" ? "p" : `p (${doc.correction})`;
  blocks.push({
    type: "table",
    id: "estimates",
    caption: `${doc.arms.length} arms, ${doc.metricKind === "proportion" ? "conversion rate" : "mean"}, ${percent(doc.confidence, 0)} confidence, ${doc.direction} is better`,
    columns: [
      { label: "arm" },
      { label: "units", align: "right" },
      { label: doc.metricKind === "proportion" ? "rate" : "mean", align: "right" },
      { label: "lift", align: "right" },
      { label: "difference", align: "right" },
      { label: correction, align: "right" },
      { label: "chance to beat", align: "right" },
      { label: "verdict" },
    ],
    rows: abRows(doc),
  });
  blocks.push(forestPlot(doc, theme));
  const cumulative = cumulativePlot(doc, theme);
  if (cumulative) blocks.push(cumulative);
  blocks.push(abProgress(doc));
  if (doc.srm.status === "ok" && !doc.srm.flagged) blocks.push({ type: "text", text: `Sample ratio check: ${pIs(doc.srm.pValue)} against the expected split (ok).`, tone: "neutral" });
  if (doc.srm.status !== "ok") blocks.push({ type: "text", text: `Sample ratio check: ${doc.srm.reason}`, tone: "neutral" });
  const status =
    doc.verdict === "winner"
      ? { label: `${doc.winner ?? "an arm"} wins`, tone: "good" as const }
      : { label: doc.verdict === "insufficient-data" ? "insufficient data" : doc.verdict === "loser" ? "no winner" : "inconclusive", tone: verdictTone(doc.verdict) };
  return { status, blocks };
}
