import assert from "node:assert/strict";
import { test } from "node:test";
import { histogramQuantile, histogramValueAtRank } from "../../../src/core/jumps/histogramQuantile";

// Prometheus buckets le=0.1, 0.25, 0.5, 1, +Inf written as edges with an open first bin.
const PROM = { edges: [-Infinity, 0.1, 0.25, 0.5, 1, Infinity], counts: [40, 30, 20, 8, 2] };

test("interpolates linearly within the bin that holds the rank, as histogram_quantile", () => {
  // rank 95 of 100: bin (0.5, 1] holds ranks 90..98, so 0.5 + 0.5 * 5/8.
  assert.equal(histogramQuantile(PROM, 0.95).value, 0.8125);
  // rank 50: bin (0.1, 0.25] holds 40..70, so 0.1 + 0.15 * 10/30.
  assert.equal(histogramQuantile(PROM, 0.5).value, 0.1 + 0.15 * (10 / 30));
  assert.equal(histogramQuantile(PROM, 0.95).censored, undefined);
  assert.deepEqual(histogramQuantile(PROM, 0.95).bin, [0.5, 1]);
});

test("an open first bin starts at 0 when its upper edge is positive (Prometheus)", () => {
  // rank 20 of 100 in the first bin (-Inf, 0.1]: 0 + 0.1 * 20/40.
  assert.equal(histogramQuantile(PROM, 0.2).value, 0.05);
  assert.equal(histogramQuantile(PROM, 0.2).censored, undefined);
  assert.deepEqual(histogramQuantile(PROM, 0.2).bin, [0, 0.1]);
});

test("an open first bin with a non-positive upper edge yields that edge, flagged", () => {
  const h = { edges: [-Infinity, -1, 0, 1, Infinity], counts: [10, 0, 0, 0] };
  assert.deepEqual(histogramQuantile(h, 0.5), { value: -1, bin: [-Infinity, -1], censored: "below" });
});

test("a rank in the +Inf bin yields the highest finite edge, flagged as a bound", () => {
  assert.deepEqual(histogramQuantile(PROM, 0.99), { value: 1, bin: [1, Infinity], censored: "above" });
});

test("a finite first edge is used as the lower bound", () => {
  const h = { edges: [0.02, 0.1, 0.2], counts: [4, 4] };
  assert.equal(histogramQuantile(h, 0.25).value, 0.02 + 0.08 * 0.5);
  assert.equal(histogramQuantile(h, 1).value, 0.2);
});

test("empty bins are skipped: the first bin whose cumulative count reaches the rank", () => {
  const h = { edges: [0, 1, 2, 3, 4], counts: [5, 0, 0, 5] };
  assert.equal(histogramQuantile(h, 0.5).value, 1); // cumulative 5 reaches rank 5 in the first bin
  assert.equal(histogramQuantile(h, 0.6).value, 3 + 1 * (1 / 5));
  assert.equal(histogramValueAtRank(h, 10).value, 4);
});

test("refuses an empty histogram and malformed edges", () => {
  assert.throws(() => histogramQuantile({ edges: [0, 1], counts: [0] }, 0.5), /histogramQuantile: the histogram is empty/);
  assert.throws(() => histogramQuantile({ edges: [0, 1], counts: [1, 2] }, 0.5), /one more entry/);
  assert.throws(() => histogramQuantile({ edges: [0, 2, 1], counts: [1, 2] }, 0.5), /edges\[2\]/);
  assert.throws(() => histogramQuantile({ edges: [0, 1, 2], counts: [1, -2] }, 0.5), /counts\[1\]/);
  assert.throws(() => histogramQuantile(PROM, 1.5), /'q' must be in \[0, 1\]/);
});
