import assert from "node:assert/strict";
import { test } from "node:test";
import { LATENCY_EDGES_MS, SeriesAggregator } from "../../../src/telemetry/logs/series";
import { RecordFeatures } from "../../../src/telemetry/logs/records";
import type { PredictionRecord } from "../../../src/telemetry/logs/types";

const H = 3600e3;
const t0 = Date.UTC(2026, 10, 1);
const row = (t: number, extra: Partial<PredictionRecord> = {}): PredictionRecord => ({ t, features: RecordFeatures.NONE, error: false, ...extra });

test("latency edges: 0, ten per decade from 0.1 ms to 100 s, +Infinity", () => {
  assert.equal(LATENCY_EDGES_MS.length, 63);
  assert.deepEqual(LATENCY_EDGES_MS.slice(0, 4), [0, 0.1, 0.126, 0.158]);
  assert.ok(LATENCY_EDGES_MS.includes(1) && LATENCY_EDGES_MS.includes(10) && LATENCY_EDGES_MS.includes(100000));
  assert.equal(LATENCY_EDGES_MS.at(-1), Infinity);
});

test("one bucket's sufficient statistics: errors, latency histogram, prediction moments, 0/1 outcomes", () => {
  const s = new SeriesAggregator({ bucketMs: H, maxPoints: 100, outcomeDirection: "lower" });
  s.add(row(t0, { error: true, latencyMs: 0 }));
  s.add(row(t0 + 1, { latencyMs: 10, prediction: 0.5, outcome: 1 }));
  s.add(row(t0 + 2, { latencyMs: 10.0001, prediction: 1.5, outcome: 0 }));
  s.add(row(t0 + 3, { latencyMs: 1e9, prediction: "cat", outcome: 7 }));
  s.add(row(t0 + 2 * H + 5));
  const [errors, latency, prediction, outcome] = s.finish();
  assert.deepEqual(errors!.points, [{ t: t0, n: 4, successes: 1 }, { t: t0 + H, n: 0, successes: 0 }, { t: t0 + 2 * H, n: 1, successes: 0 }]);
  const counts = latency!.points[0]!.histogram!.counts;
  const bin = (ms: number): number => LATENCY_EDGES_MS.findIndex((e, i) => i > 0 && ms <= e) - 1;
  assert.equal(counts[0], 1, "0 ms in the first bin");
  assert.equal(counts[bin(10)], 1, "10 ms in (7.94, 10]");
  assert.equal(counts[bin(10.0001)], 1, "just over 10 ms in the next bin");
  assert.equal(counts.at(-1), 1, "beyond 100 s in the last bin");
  assert.equal(latency!.points[0]!.n, 4);
  assert.deepEqual(prediction!.points[0], { t: t0, n: 2, sum: 2, sumSquares: 2.5 });
  assert.deepEqual(outcome!.points[0], { t: t0, n: 2, successes: 1 });
  assert.equal(outcome!.direction, "lower");
});

test("without a range, buckets widen through 1m, 5m, 15m, 1h, … as the span grows, merging exactly", () => {
  const s = new SeriesAggregator({ maxPoints: 100, outcomeDirection: "higher" });
  for (let i = 0; i < 3 * 24 * 60; i++) s.add(row(t0 + i * 60e3, { error: i % 10 === 0 }));
  assert.equal(s.width, H);
  const [errors] = s.finish();
  assert.equal(errors!.points.length, 72);
  for (const p of errors!.points) assert.deepEqual([p.n, p.successes], [60, 6]);
  assert.ok(s.peakPoints <= 100);
});

test("with a range, the width is chosen up front and the points cover the range", () => {
  const range = { start: t0 + 30 * 60e3, end: t0 + 2 * 86400e3 };
  const s = new SeriesAggregator({ range, maxPoints: 100, outcomeDirection: "higher" });
  assert.equal(s.width, H);
  const [errors] = s.finish();
  assert.equal(errors!.points[0]!.t, t0);
  assert.equal(errors!.points.length, 48);
  assert.throws(() => new SeriesAggregator({ range, bucketMs: 60e3, maxPoints: 100, outcomeDirection: "higher" }), /2850 buckets of 60000 ms cover the range; at most 100/);
  assert.throws(() => new SeriesAggregator({ bucketMs: 0, maxPoints: 100, outcomeDirection: "higher" }), /'bucketMs' must be/);
});

test("a given width doubles when the data outgrows it, and says so", () => {
  const s = new SeriesAggregator({ bucketMs: 60e3, maxPoints: 10, outcomeDirection: "higher" });
  for (let i = 0; i < 40; i++) s.add(row(t0 + i * 60e3));
  assert.equal(s.width, 240e3);
  assert.ok(s.widened);
  assert.deepEqual(s.finish()[0]!.points.map((p) => p.n), [4, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
});
