import assert from "node:assert/strict";
import { test } from "node:test";
import type { AbResult } from "../../src/core/results/ab";
import type { AbReportDocument } from "../../src/core/results/report";
import { proportionsSampleSize } from "../../src/core/stats/power";
import { abProgress, TARGET_POWER } from "../../webview/render/ab";
import { buildReportView } from "../../webview/render/build";
import { DEFAULT_THEME, plotsOf, type Block } from "../../webview/render/model";
import { normalQuantile, proportionsPerArm } from "../../webview/render/power";
import { cells, fixture, HOSTILE, isPlotSafe, plotStrings, report } from "./support";

const theme = DEFAULT_THEME;

test("the estimates table has one row per arm, the baseline first, with the CLI's numbers", () => {
  const view = buildReportView(report(fixture("ab")), theme);
  assert.deepEqual(cells(view, "estimates"), [
    ["control", "10,000", "12.0% ±0.6%", "baseline", "", "", "", ""],
    ["red", "10,000", "12.9% ±0.7%", "+7.5% (-0.4% to +15.4%)", "+0.90 pp (-0.02 pp to +1.82 pp)", "0.054", "97.3%", "inconclusive"],
  ]);
  assert.deepEqual(view.status, { label: "inconclusive", tone: "neutral" });
});

test("the forest plot shows each arm's relative lift and interval exactly as the document has them", () => {
  const doc = fixture<AbResult>("ab-hostile-srm");
  const view = buildReportView(report(doc), theme);
  const forest = plotsOf(view.blocks).find((p) => p.id === "forest");
  assert.ok(forest);
  const [trace] = forest.traces as { x: number[]; customdata: [number, number][]; error_x: { array: number[]; arrayminus: number[] } }[];
  assert.ok(trace);
  const ok = doc.comparisons.flatMap((c) => (c.status === "ok" && c.relative.status === "ok" ? [c.relative] : []));
  assert.equal(ok.length, 2);
  assert.deepEqual(trace.x, ok.map((r) => r.estimate));
  assert.deepEqual(trace.customdata, ok.map((r) => [r.ci[0], r.ci[1]]));
  ok.forEach((r, i) => {
    assert.ok(Math.abs(trace.x[i]! + trace.error_x.array[i]! - r.ci[1]) < 1e-15);
    assert.ok(Math.abs(trace.x[i]! - trace.error_x.arrayminus[i]! - r.ci[0]) < 1e-15);
  });
});

test("a hostile arm name is escaped in every plotly string and kept verbatim for textContent", () => {
  const view = buildReportView(report(fixture("ab-hostile-srm")), theme);
  const texts = plotStrings(view);
  assert.ok(texts.some((s) => s.includes("&lt;img src=x onerror=alert(1)&gt;&amp;\"'")), "the escaped name is plotted");
  for (const s of texts) assert.ok(isPlotSafe(s), `unescaped markup for plotly: ${s}`);
  // Tables and banners go in through textContent: the name stays as it is.
  assert.equal(cells(view, "estimates")[1]?.[0], HOSTILE);
});

test("an SRM banner shows when the check flags the split, and not otherwise", () => {
  const flagged = buildReportView(report(fixture("ab-hostile-srm")), theme);
  const banner = flagged.blocks.find((b): b is Extract<Block, { type: "banner" }> => b.type === "banner" && b.id === "srm");
  assert.ok(banner);
  assert.equal(banner.tone, "bad");
  assert.match(banner.text, /p < 1e-16/);
  assert.match(banner.text, /expected 33\.3%/);
  // The document's own SRM warning is not repeated under the banner.
  assert.ok(!flagged.blocks.some((b) => b.type === "list" && b.items.some((i) => i.startsWith("Sample ratio mismatch"))));
  const fine = buildReportView(report(fixture("ab")), theme);
  assert.ok(!fine.blocks.some((b) => b.type === "banner"));
  assert.ok(fine.blocks.some((b) => b.type === "text" && /Sample ratio check: p = 1\.0/.test(b.text)));
});

test("progress toward the needed sample size uses the power field's MDE", () => {
  const doc = fixture<AbReportDocument>("ab");
  const progress = abProgress(doc);
  assert.equal(progress.type, "progress");
  if (progress.type !== "progress") return;
  // Baseline 12%, MDE 1 pp: the units per arm R's power.prop.test(p1 = .12, p2 = .13, power = .8) gives.
  const needed = Math.ceil(proportionsSampleSize({ p1: 0.12, p2: 0.13, alpha: 0.05, power: TARGET_POWER }).n);
  assert.ok(Math.abs(progress.value - 10000 / needed) < 1e-3, `${progress.value} vs ${10000 / needed}`);
  assert.match(progress.text, /^10,000 of 1\d,\d{3} units per arm \(\d+%\) for 80% power to detect \+1\.00 pp at alpha 0\.05; power now 57%\.$/);
  const without = abProgress({ ...doc, power: { status: "not-requested", reason: "give --mde for the power" } });
  assert.deepEqual(without, { type: "text", text: "Progress toward the needed sample size: give --mde for the power", tone: "neutral" });
});

test("the normal quantile and the sample size match R", () => {
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.8) - 0.8416212335729143) < 1e-8);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232306167813) < 1e-8);
  // R: power.prop.test(p1 = .1, p2 = .11, power = .8)$n = 14750.79
  assert.ok(Math.abs(proportionsPerArm(0.1, 0.11, 0.05, 0.8) - 14750.79) < 0.5);
});

test("the cumulative lift chart appears only when the document carries a series", () => {
  const doc = fixture<AbReportDocument>("ab");
  assert.ok(!plotsOf(buildReportView(report(doc), theme).blocks).some((p) => p.id === "cumulative"));
  const series = [{ arm: HOSTILE, points: [1, 2, 3].map((d) => ({ t: Date.UTC(2026, 10, d), estimate: 0.05 * d, ci: [0.05 * d - 0.1, 0.05 * d + 0.1] as [number, number] })) }];
  const view = buildReportView(report({ ...doc, series }), theme);
  const plot = plotsOf(view.blocks).find((p) => p.id === "cumulative");
  assert.ok(plot);
  const line = plot.traces.find((t) => t["name"] !== undefined) as { y: number[]; name: string };
  assert.deepEqual(line.y, [0.05, 0.1, 0.15000000000000002]);
  assert.equal(line.name, "&lt;img src=x onerror=alert(1)&gt;&amp;\"'");
  for (const s of plotStrings(view)) assert.ok(isPlotSafe(s), s);
});

test("the demo experiment declares its winner", () => {
  const doc = fixture<AbResult>("ab-demo");
  const view = buildReportView(report(doc), theme);
  assert.deepEqual(view.status, { label: `${doc.winner} wins`, tone: "good" });
});
