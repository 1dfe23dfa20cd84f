import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeAb } from "../../../src/core/ab/analyzeAb";
import { abLiftSeries, cumulativeWindows, documentRange, liftSeries } from "../../../src/extension/production/liftSeries";
import type { InsightsRun } from "../../../src/extension/production/insights";

const T0 = Date.UTC(2026, 10, 13);
const HOUR = 3_600_000;

test("cumulative windows all start at the range's start and end evenly spaced, the last at its end", () => {
  const windows = cumulativeWindows(T0, T0 + 8 * HOUR, 4);
  assert.deepEqual(windows.map((w) => (w.end - T0) / HOUR), [2, 4, 6, 8]);
  assert.equal(windows[0]!.range, "2026-11-13T00:00:00.000Z..2026-11-13T02:00:00.000Z");
});

test("the lift series holds each arm's relative lift and interval at each end, and skips windows with too little data", () => {
  const early = analyzeAb([{ name: "control", successes: 0, trials: 0 }, { name: "offer", successes: 0, trials: 0 }]);
  const mid = analyzeAb([{ name: "control", successes: 100, trials: 1000 }, { name: "offer", successes: 118, trials: 1000 }]);
  const late = analyzeAb([{ name: "control", successes: 200, trials: 2000 }, { name: "offer", successes: 236, trials: 2000 }]);
  const series = liftSeries([{ t: 3, result: late }, { t: 1, result: early }, { t: 2, result: mid }]);
  assert.equal(series.length, 1);
  assert.equal(series[0]!.arm, "offer");
  const rel = (r: typeof mid) => (r.comparisons[0] as { relative: { estimate: number; ci: readonly [number, number] } }).relative;
  assert.deepEqual(series[0]!.points, [
    { t: 2, estimate: rel(mid).estimate, ci: rel(mid).ci },
    { t: 3, estimate: rel(late).estimate, ci: rel(late).ci },
  ]);
  // Same lift, twice the data: the interval narrows.
  assert.ok(rel(late).ci[1] - rel(late).ci[0] < rel(mid).ci[1] - rel(mid).ci[0]);
});

test("the series reruns the document's argv over each window of its source range, without its own --range and --json", async () => {
  const document = { source: { range: `${new Date(T0).toISOString()}..${new Date(T0 + 8 * HOUR).toISOString()}` } };
  assert.deepEqual(documentRange(document), { start: T0, end: T0 + 8 * HOUR });
  assert.equal(documentRange({ source: { range: "later" } }), undefined);
  const seen: string[][] = [];
  const result = analyzeAb([{ name: "control", successes: 100, trials: 1000 }, { name: "offer", successes: 120, trials: 1000 }]);
  const run = async (argv: string[]): Promise<InsightsRun> => {
    seen.push(argv);
    return { code: 0, document: result, stdout: "", stderr: "" };
  };
  const series = await abLiftSeries(["ab", "checkout", "--config", "/w/prodinsights.yaml", "--range", "-14d..now", "--json"], document, run);
  assert.equal(seen.length, 8);
  for (const argv of seen) {
    assert.deepEqual(argv.slice(0, 4), ["ab", "checkout", "--config", "/w/prodinsights.yaml"]);
    assert.equal(argv.filter((a) => a === "--range").length, 1);
    assert.equal(argv.at(-1), "--json");
  }
  assert.equal(series[0]!.points.length, 8);
  assert.equal(series[0]!.points.at(-1)!.t, T0 + 8 * HOUR);
});
