import assert from "node:assert/strict";
import { test } from "node:test";
import type { CanaryResult } from "../../src/core/results/canary";
import type { DriftResult } from "../../src/core/results/drift";
import type { JumpsResult } from "../../src/core/results/jumps";
import type { CompareResult, ResultStamp, RolloutReport, TimeseriesResult } from "../../src/core/results/report";
import { reportOf } from "../../webview/notebook/output";
import { buildReportView } from "../../webview/render/build";
import { DEFAULT_THEME, plotsOf, plotText, type Block, type PlotObject } from "../../webview/render/model";
import { WEBGL_POINTS } from "../../webview/render/timeseries";
import { cells, fixture, HOSTILE, isPlotSafe, plotStrings, report, strings } from "./support";

const theme = DEFAULT_THEME;
const FIXTURES = ["ab", "ab-demo", "ab-hostile-srm", "samplesize", "drift", "jumps", "compare", "timeseries", "canary", "canary-promoted", "rollout"];

test("every fixture builds a view whose plot strings are safe for plotly", () => {
  for (const name of FIXTURES) {
    const view = buildReportView(report(fixture(name)), theme);
    assert.notEqual(view.kind, "unknown", name);
    assert.ok(!view.blocks.some((b) => b.type === "banner" && b.title === "Cannot draw this report"), `${name}: ${JSON.stringify(view.blocks[0])}`);
    for (const s of plotStrings(view)) assert.ok(isPlotSafe(s), `${name}: ${s}`);
    // Plain data: it survives JSON (no functions, no DOM nodes).
    assert.deepEqual(JSON.parse(JSON.stringify(view.blocks)), view.blocks, name);
  }
});

test("plotText escapes exactly the characters plotly reads as markup", () => {
  assert.equal(plotText(HOSTILE), "&lt;img src=x onerror=alert(1)&gt;&amp;\"'");
  assert.equal(plotText("a &amp; b"), "a &amp;amp; b");
  assert.equal(plotText("<br>"), "&lt;br&gt;");
});

test("drift: a row per feature with its level, and both histograms overlaid as shares", () => {
  const doc = fixture<DriftResult>("drift");
  const view = buildReportView(report(doc), theme);
  const rows = cells(view, "features");
  assert.equal(rows.length, doc.features.length);
  assert.deepEqual(rows.map((r) => r[0]), doc.features.map((f) => f.name));
  assert.deepEqual(rows.map((r) => r[5]), doc.features.map((f) => (f.status === "ok" ? (f.level === "drift" ? "DRIFT" : f.level) : "insufficient data")));
  const histograms = plotsOf(view.blocks).filter((p) => p.id.startsWith("histogram-"));
  assert.equal(histograms.length, doc.features.filter((f) => f.status === "ok").length);
  // Drifted features come first.
  const first = doc.features[Number(histograms[0]!.id.slice("histogram-".length))];
  assert.equal(first?.status === "ok" && first.level, "drift");
  for (const h of histograms) {
    const [baseline, current] = h.traces as { name: string; y: number[]; customdata: number[] }[];
    assert.equal(baseline?.name, "baseline");
    assert.equal(current?.name, "current");
    const f = doc.features[Number(h.id.slice("histogram-".length))];
    assert.ok(f?.status === "ok");
    // The counts themselves, less numeric bins empty in both windows at either end.
    const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
    const at = f.histogram.baseline.findIndex((c, i) => c + f.histogram.current[i]! > 0);
    const n = baseline!.customdata.length;
    assert.deepEqual(baseline?.customdata, f.histogram.baseline.slice(at, at + n));
    assert.deepEqual(current?.customdata, f.histogram.current.slice(at, at + n));
    assert.equal(sum(baseline!.customdata), sum(f.histogram.baseline));
    assert.equal(sum(current!.customdata), sum(f.histogram.current));
    if (f.histogram.kind === "categorical") assert.equal(n, f.histogram.categories.length);
    assert.ok(Math.abs(baseline!.y.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  }
  assert.equal(view.status?.label, "no dataset drift");
});

test("drift: a hostile feature or category name is escaped for plotly", () => {
  const doc = fixture<DriftResult>("drift");
  const hostile = {
    ...doc,
    features: doc.features.map((f) =>
      f.status === "ok" && f.histogram.kind === "categorical"
        ? { ...f, name: HOSTILE, histogram: { ...f.histogram, categories: f.histogram.categories.map(() => HOSTILE) } }
        : f,
    ),
  };
  const view = buildReportView(report(hostile), theme);
  const texts = plotStrings(view);
  assert.ok(texts.includes(plotText(HOSTILE)));
  for (const s of texts) assert.ok(isPlotSafe(s), s);
  assert.ok(cells(view, "features").some((r) => r[0] === HOSTILE));
});

test("jumps: the series with gaps, a marker per release, and each jump's interval drawn and written", () => {
  const doc = fixture<JumpsResult>("jumps");
  const view = buildReportView(report(doc), theme);
  const timeline = plotsOf(view.blocks).find((p) => p.id === "timeline");
  assert.ok(timeline);
  const [line] = timeline.traces as { x: number[]; y: (number | null)[] }[];
  assert.deepEqual(line?.x, doc.series.map((b) => b.t));
  assert.deepEqual(line?.y, doc.series.map((b) => (b.status === "ok" ? b.value : null)));
  const shapes = timeline.layout["shapes"] as PlotObject[];
  const annotations = timeline.layout["annotations"] as { text: string; x: number }[];
  for (const e of doc.events) assert.ok(shapes.some((s) => s["type"] === "line" && s["x0"] === e.t && s["yref"] === "paper"), `marker for ${e.version}`);
  for (const j of doc.jumps) {
    if (j.status !== "ok") {
      assert.ok(annotations.some((a) => a.x === j.t && a.text === plotText(`${j.version}: ${j.reason}`)));
      continue;
    }
    for (const w of [j.before, j.after]) {
      assert.ok(shapes.some((s) => s["type"] === "rect" && s["x0"] === w.window.start && s["x1"] === w.window.end && s["y0"] === w.ci[0] && s["y1"] === w.ci[1]));
    }
    const a = annotations.find((x) => x.x === j.t);
    assert.match(a?.text ?? "", new RegExp(`^${j.version}: [+-]\\d+\\.\\d\\d pp \\([+-]?\\d+\\.\\d\\d pp to [+-]?\\d+\\.\\d\\d pp\\), p [=<] `));
  }
  const rows = cells(view, "jumps");
  assert.equal(rows.length, doc.jumps.length);
  assert.deepEqual(rows.map((r) => r[7]), ["no units in the window before the release", "no change", "WORSE"]);
  assert.deepEqual(view.status, { label: "worse after v3", tone: "bad" });
});

test("compare: a row per metric with both versions, the distributions and what was skipped", () => {
  const doc = fixture<CompareResult>("compare");
  const view = buildReportView(report(doc), theme);
  const [row] = cells(view, "metrics");
  assert.equal(row?.[0], "error_rate");
  assert.match(row?.[1] ?? "", /^0\.42% \(n 31,121\)$/);
  assert.match(row?.[2] ?? "", /^5\.17% \(n 1,702\)$/);
  assert.equal(row?.[6], "worse");
  assert.deepEqual(cells(view, "distributions")[0]?.slice(0, 2), ["latency_p95", "p95"]);
  assert.ok(view.blocks.some((b) => b.type === "list" && b.items.includes("request_rate: skipped (a rate metric has no per-request values to test)")));
  const forest = plotsOf(view.blocks).find((p) => p.id === "forest");
  const c = doc.metrics[0]!.result.comparisons[0]!;
  assert.ok(c.status === "ok" && c.relative.status === "ok");
  assert.deepEqual((forest?.traces[0] as { x: number[] }).x, [c.relative.estimate]);
  assert.deepEqual(view.status, { label: "v3 worse on error_rate, latency_p95", tone: "bad" });
});

test("timeseries: a line per series named by its labels, releases as markers", () => {
  const doc = fixture<TimeseriesResult>("timeseries");
  const withReleases: TimeseriesResult = {
    ...doc,
    series: [...doc.series, { labels: { version: HOSTILE }, points: [{ t: 1, v: 2 }] }],
    releases: [{ t: doc.series[0]!.points[3]!.t, label: HOSTILE }],
  };
  const view = buildReportView(report(withReleases), theme);
  const plot = plotsOf(view.blocks)[0]!;
  assert.equal(plot.traces.length, doc.series.length + 1);
  assert.deepEqual(plot.traces.map((t) => t["name"]).slice(0, 3), ['{version="v1"}', '{version="v2"}', '{version="v3"}']);
  assert.deepEqual((plot.traces[0] as { y: number[] }).y, doc.series[0]!.points.map((p) => p.v));
  assert.equal((plot.layout["shapes"] as PlotObject[]).length, 1);
  for (const s of plotStrings(view)) assert.ok(isPlotSafe(s), s);
});

test("canary: the checks of each step, the decisions, and the status", () => {
  const doc = fixture<CanaryResult>("canary");
  const view = buildReportView(report(doc), theme);
  assert.deepEqual(view.status, { label: "rolled-back", tone: "bad" });
  const step1 = cells(view, "checks-0");
  assert.deepEqual(step1.map((r) => [r[1], r[2]]), [["error_rate", "fail"], ["latency", "fail"]]);
  assert.equal(step1[0]?.[6], doc.checks[0]!.metrics[0]!.reason);
  assert.deepEqual(cells(view, "decisions").map((r) => r[1]), ["set weight 25%", "roll back"]);
  const promoted = buildReportView(report(fixture<CanaryResult>("canary-promoted")), theme);
  assert.deepEqual(promoted.status, { label: "promoted", tone: "good" });
  assert.ok(cells(promoted, "checks-1").length > 0);
});

function actions(view: ReturnType<typeof buildReportView>): Extract<Block, { type: "actions" }> {
  const block = view.blocks.find((b): b is Extract<Block, { type: "actions" }> => b.type === "actions");
  assert.ok(block);
  return block;
}

test("rollout: buttons only for the actions the host allows, otherwise the reason", () => {
  const doc = fixture<RolloutReport>("rollout");
  const all = actions(buildReportView(report(doc, { actions: ["rollback", "promote", "abort"] }), theme));
  assert.deepEqual(all.buttons.map((b) => b.action), ["promote", "abort", "rollback"]);
  assert.deepEqual(all.buttons.map((b) => b.label), [`Promote ${doc.canary!.version}`, "Abort canary", "Roll back to v2"]);
  const some = actions(buildReportView(report(doc, { actions: ["rollback"] }), theme));
  assert.deepEqual(some.buttons.map((b) => b.action), ["rollback"]);
  const none = actions(buildReportView(report(doc, { actions: [], actionsDisabledReason: "the workspace is not trusted" }), theme));
  assert.deepEqual(none.buttons, []);
  assert.equal(none.note, "the workspace is not trusted");
  const unset = actions(buildReportView(report(doc), theme));
  assert.deepEqual(unset.buttons, []);
  assert.ok(unset.note);
});

test("rollout: steps with the current one marked, analysis per step, escaped version labels", () => {
  const doc = fixture<RolloutReport>("rollout");
  const view = buildReportView(report(doc), theme);
  const steps = view.blocks.find((b): b is Extract<Block, { type: "table" }> => b.type === "table" && b.id === "steps");
  assert.deepEqual(steps?.rows.map((r) => [r.cells[1], r.cells[2], r.highlight]), [["25%", "current", true], ["50%", "pending", false], ["100%", "pending", false]]);
  assert.match(cells(view, "checks-0").length > 0 ? "ok" : "", /ok/);
  assert.ok(strings(view.blocks).some((s) => s.includes("Step 1 (25% to the candidate)")));
  for (const s of plotStrings(view)) assert.ok(isPlotSafe(s), s);
  assert.ok(cells(view, "weights").some((r) => r[0] === doc.weights[1]!.version && r[2] === "canary"));
});

test("rollout: the shadow's share is a percentage, and an ended canary's version is no longer called the canary", () => {
  const doc = fixture<RolloutReport>("rollout");
  const shadow = strings(buildReportView(report(doc), theme).blocks).find((s) => s.startsWith("Shadow:"));
  assert.equal(shadow, `Shadow: ${doc.shadow!.version} receives a copy of 10% of requests; its answers are compared, never served.`);
  const ended: RolloutReport = { ...doc, canary: { ...doc.canary!, active: false, result: { ...doc.canary!.result, status: "rolled-back" } } };
  const view = buildReportView(report(ended), theme);
  assert.ok(!cells(view, "weights").some((r) => r[2] === "canary"));
  const steps = view.blocks.find((b): b is Extract<Block, { type: "table" }> => b.type === "table" && b.id === "steps");
  assert.equal(steps?.caption, "Ended: rolled-back");
});

test("sample size reads like the CLI's sentence, with or without its kind", () => {
  const printed = fixture<Record<string, unknown>>("samplesize");
  assert.equal(printed["kind"], undefined); // the CLI prints the figures only
  const view = buildReportView(report(printed), theme);
  assert.equal(view.kind, "samplesize");
  const text = view.blocks.find((b) => b.type === "text");
  assert.equal(text?.type === "text" && text.text, "14,751 units per arm (29,502 in all) to detect 10.0% -> 11.0% (+1.00 pp, +10.0% relative) with power 80% at alpha 0.05, two-sided.");
});

test("an unknown kind shows its JSON, and a broken document says so instead of throwing", () => {
  const odd = { kind: "shadow", note: "<script>alert(1)</script>" };
  const view = buildReportView(report(odd), theme);
  assert.equal(view.kind, "unknown");
  assert.deepEqual(view.blocks.at(-1), { type: "pre", text: JSON.stringify(odd, null, 2) });
  const broken = buildReportView(report({ kind: "drift" }), theme);
  assert.equal(broken.blocks[0]?.type, "banner");
  assert.equal(broken.blocks[1]?.type, "pre");
});

test("the subtitle carries the command and the time", () => {
  const view = buildReportView(report(fixture("ab"), { command: "prodinsights ab checkout" }), theme);
  assert.equal(view.subtitle, "prodinsights ab checkout · as of 2026-11-27T00:00Z");
});

test("timeseries: past WEBGL_POINTS points in all the lines are drawn with WebGL, below them with SVG", () => {
  const series = (n: number, version: string): TimeseriesResult["series"][number] => ({ labels: { version }, points: Array.from({ length: n }, (_, i) => ({ t: i * 1000, v: i % 7 })) });
  const doc = (points: number): TimeseriesResult => ({ kind: "timeseries", query: "up", series: [series(points / 2, "v1"), series(points / 2, "v2")] });
  const types = (d: TimeseriesResult): unknown[] => plotsOf(buildReportView(report(d), theme).blocks)[0]!.traces.map((t) => t["type"]);
  assert.deepEqual(types(doc(WEBGL_POINTS)), ["scatter", "scatter"]);
  assert.deepEqual(types(doc(WEBGL_POINTS + 2)), ["scattergl", "scattergl"]);
});

test("a notebook output's stamp becomes the report's subtitle: the command, the range, backend, config and commit", () => {
  const stamp: ResultStamp = {
    range: "-14d..now",
    start: "2026-11-13T10:00:00.000Z",
    end: "2026-11-27T10:00:00.000Z",
    backend: "prometheus",
    configHash: "4f34f165fed4",
    commit: "df96ba1a2b3c-dirty",
    ranAt: "2026-11-27T10:00:00.000Z",
    command: "prodinsights ab retention_offer --range -14d..now --json",
  };
  const stamped = reportOf("application/vnd.prodinsights.ab+json", { ...fixture<object>("ab"), stamp });
  assert.equal(stamped.title, "Experiment");
  assert.equal(stamped.at, Date.parse(stamp.ranAt));
  assert.equal(
    buildReportView(stamped, theme).subtitle,
    "prodinsights ab retention_offer --range -14d..now --json · range -14d..now (2026-11-13T10:00Z → 2026-11-27T10:00Z) · backend prometheus · config 4f34f165fed4 · commit df96ba1a2b3c-dirty · as of 2026-11-27T10:00Z",
  );
  // Without a stamp (a document from the CLI or a Jupyter kernel): the kind's title and no subtitle.
  const plain = reportOf("application/vnd.prodinsights.samplesize+json", fixture("samplesize"));
  assert.equal(plain.title, "Sample size");
  assert.equal(buildReportView(plain, theme).subtitle, undefined);
  // A stamp of the wrong shape is ignored, not shown.
  assert.equal(reportOf("application/vnd.prodinsights.ab+json", { ...fixture<object>("ab"), stamp: { command: 3 } }).command, undefined);
});
