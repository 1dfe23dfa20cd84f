import assert from "node:assert/strict";
import { test } from "node:test";
import { binaryZTest } from "../../../src/core/drift/binaryZ";
import { chiSquareDrift } from "../../../src/core/drift/chiSquareDrift";
import { jensenShannonDistance } from "../../../src/core/drift/jensenShannon";
import { ksBinned } from "../../../src/core/drift/ksBinned";
import { populationStabilityIndex } from "../../../src/core/drift/psi";
import { binnedIsPoint, wassersteinBinned, wassersteinDistance } from "../../../src/core/drift/wasserstein";
import { ksTwoSample } from "../../../src/core/stats/ksTwoSample";
import { twoProportionTest } from "../../../src/core/stats/twoProportionTest";
import { normals } from "./helpers";

const close = (a: number, b: number, tol: number, what = "") => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

/** Counts of `x` in the bins (edges[i], edges[i + 1]]. */
function binCounts(x: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < x.length; i++) {
    let k = 0;
    while (!(x[i]! <= edges[k + 1]!)) k++;
    counts[k]! += 1;
  }
  return counts;
}

test("PSI: the formula, Evidently's 0.0001 floor for zero proportions only, and symmetry", () => {
  assert.equal(populationStabilityIndex([10, 20, 30], [10, 20, 30]), 0);
  assert.equal(populationStabilityIndex([1, 2, 3], [100, 200, 300]), 0);
  close(populationStabilityIndex([50, 50], [40, 60]), 0.1 * Math.log(1.5), 1e-15);
  // A zero actual proportion is 0.0001: (0.0001 - 0.5) ln(0.0001 / 0.5) + (0.9999... no renormalizing)
  const floored = (0.0001 - 0.5) * Math.log(0.0001 / 0.5) + (1 - 0.5) * Math.log(1 / 0.5);
  close(populationStabilityIndex([5, 5], [0, 7]), floored, 1e-14);
  // A tiny but nonzero proportion is not raised to the floor.
  const e = 1 / 10001;
  close(populationStabilityIndex([5000, 1, 5000], [5000, 0, 5000]), (0.0001 - e) * Math.log(0.0001 / e) + 2 * (0.5 - 5000 / 10001) * Math.log(0.5 / (5000 / 10001)), 1e-15);
  assert.equal(populationStabilityIndex([3, 0, 4], [3, 0, 4]), 0, "a bin empty in both adds nothing");
  close(populationStabilityIndex([1, 3], [3, 1]), populationStabilityIndex([3, 1], [1, 3]), 1e-15);
});

test("PSI and Jensen-Shannon refuse broken inputs, naming the function and the field", () => {
  assert.throws(() => populationStabilityIndex([1, 2], [1]), /^Error: populationStabilityIndex: 'expected' has 2 entries but 'actual' has 1/);
  assert.throws(() => populationStabilityIndex([0, 0], [1, 1]), /populationStabilityIndex: 'expected' sums to 0/);
  assert.throws(() => populationStabilityIndex([1, -1], [1, 1]), /'expected\[1\]' must be a finite count >= 0/);
  assert.throws(() => populationStabilityIndex([], []), /'expected' needs at least 1 entries/);
  assert.throws(() => jensenShannonDistance([1, NaN], [1, 1]), /jensenShannonDistance: 'p\[1\]'/);
  assert.throws(() => jensenShannonDistance([1, 1], [0, 0]), /jensenShannonDistance: 'q' sums to 0/);
});

test("Jensen-Shannon distance: natural log, bounded by sqrt(ln 2), counts or proportions alike", () => {
  assert.equal(jensenShannonDistance([1, 2, 3], [2, 4, 6]), 0);
  assert.equal(jensenShannonDistance([1, 0], [0, 1]), Math.sqrt(Math.LN2));
  assert.equal(jensenShannonDistance([5, 5, 0, 0], [0, 0, 3, 9]), Math.sqrt(Math.LN2));
  close(jensenShannonDistance([0.5, 0.5], [0.9, 0.1]), jensenShannonDistance([50, 50], [9, 1]), 1e-15);
  close(jensenShannonDistance([1, 3], [2, 2]), jensenShannonDistance([2, 2], [1, 3]), 1e-15, "symmetric");
  // Near-identical inputs never come out NaN.
  const d = jensenShannonDistance([1e6, 1e6 + 1, 3], [1e6 + 1, 1e6, 3]);
  assert.ok(Number.isFinite(d) && d >= 0 && d < 1e-5, String(d));
});

test("Wasserstein on raw samples: scipy's examples, ties, order, and the normed value", () => {
  // scipy docs: wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0
  assert.equal(wassersteinDistance([0, 1, 3], [5, 6, 8]).value, 5);
  close(wassersteinDistance([0, 1, 3], [5, 6, 8, 9]).value, 5.666666666666666, 1e-14);
  assert.equal(wassersteinDistance([3, 1, 2], [1, 2, 3]).value, 0);
  close(wassersteinDistance([1, 1, 1, 2, 2, 5], [1, 2, 2, 2, 5, 5, 5]).value, 8 / 7, 1e-15);
  const r = wassersteinDistance([0, 1, 3], [5, 6, 8]);
  close(r.normed, 5 / Math.sqrt(14 / 9), 1e-14, "normed by the population sd of x");
  // Normed by x, the reference: not symmetric.
  assert.notEqual(wassersteinDistance([0, 10], [0, 1]).normed, wassersteinDistance([0, 1], [0, 10]).normed);
  // Typed arrays work, and the caller's arrays are not reordered.
  const x = new Float64Array([3, 1, 2]);
  wassersteinDistance(x, [1, 2, 3]);
  assert.deepEqual([...x], [3, 1, 2]);
});

test("Wasserstein: a constant reference throws, naming the function; empty or NaN input throws", () => {
  assert.throws(() => wassersteinDistance([2, 2, 2], [1, 2, 3]), /^Error: wassersteinDistance: 'x' is constant/);
  assert.throws(() => wassersteinDistance([], [1]), /wassersteinDistance: 'x' needs at least 1 values/);
  assert.throws(() => wassersteinDistance([1, 2], [NaN]), /wassersteinDistance: 'y\[0\]' is NaN/);
  assert.equal(wassersteinDistance([1, 2], [7, 7, 7]).value, 5.5, "a constant current is fine");
});

test("Wasserstein on bins: exact for mass spread uniformly within each bin", () => {
  // U(0, 1) vs U(1, 2): distance 1, sd of U(0, 1) is 1/sqrt(12).
  const shift = wassersteinBinned([0, 1, 2], [1, 0], [0, 1]);
  assert.equal(shift.value, 1);
  close(shift.normed, Math.sqrt(12), 1e-14);
  // U(0, 2) vs U(0, 1): ∫ |x/2 - min(x, 1)| = 0.5.
  close(wassersteinBinned([0, 1, 2], [1, 1], [2, 0]).value, 0.5, 1e-15);
  // CDFs that cross inside a bin: (U(0,1) + U(2,3)) / 2 vs U(1, 2) = 0.75 by quantile functions.
  close(wassersteinBinned([0, 1, 2, 3], [1, 0, 1], [0, 2, 0]).value, 0.75, 1e-15);
  assert.equal(wassersteinBinned([0, 1, 2], [3, 5], [6, 10]).value, 0, "same proportions");
});

test("Wasserstein on bins: open outer buckets are point masses at their finite edge", () => {
  // Baseline: 1/4 at 0, 1/2 on U(0, 1), 1/4 at 1; current: 1/2 on U(0, 1), 1/2 at 1. Moving 1/4 from 0 to 1.
  const r = wassersteinBinned([-Infinity, 0, 1, Infinity], [1, 2, 1], [0, 2, 2]);
  close(r.value, 0.25, 1e-15);
  // sd: mean 0.5, variance 1/4 * 1/4 + 1/2 * 1/12 + 1/4 * 1/4 = 1/6.
  close(r.normed, 0.25 / Math.sqrt(1 / 6), 1e-14);
  // Differences beyond the last finite edge are not seen.
  assert.equal(wassersteinBinned([0, 1, Infinity], [1, 1], [1, 1]).value, 0);
  assert.ok(binnedIsPoint([-Infinity, 5, Infinity], [3, 4]));
  assert.ok(!binnedIsPoint([-Infinity, 5, 6, Infinity], [3, 0, 4]));
  assert.throws(() => wassersteinBinned([-Infinity, 5, Infinity], [3, 4], [1, 1]), /^Error: wassersteinBinned: the baseline is a single point/);
  assert.throws(() => wassersteinBinned([-Infinity, Infinity], [3], [1]), /wassersteinBinned: 'edges' needs at least one finite edge/);
  assert.throws(() => wassersteinBinned([0, 2, 1], [1, 1], [1, 1]), /wassersteinBinned: 'edges' must increase strictly/);
});

test("Wasserstein on fine bins approaches the raw value", () => {
  const x = normals(11, 100_000);
  const y = normals(12, 100_000, 0.3, 1.2);
  const edges = [-Infinity, ...Array.from({ length: 201 }, (_, i) => -6 + i * 0.06), Infinity];
  const binned = wassersteinBinned(edges, binCounts(x, edges), binCounts(y, edges));
  const raw = wassersteinDistance(x, y);
  close(binned.value, raw.value, 2e-3, "value");
  close(binned.normed, raw.normed, 2e-3, "normed");
});

test("KS on bins equals ksTwoSample (R ks.test) on the same data rounded to bin edges", () => {
  const edges = [0, 1, 2, 3, 4];
  const x = [0.5, 1.5, 1.7, 2.2, 3.9, 0.1, 2.5];
  const y = [2.1, 2.7, 3.3, 3.5, 3.9, 1.2];
  const up = (v: number) => edges.find((e) => v <= e)!;
  const exact = ksTwoSample(x.map(up), y.map(up));
  const binned = ksBinned(binCounts(x, [-Infinity, ...edges.slice(1)]), binCounts(y, [-Infinity, ...edges.slice(1)]));
  assert.equal(binned.exact, true);
  assert.equal(binned.statistic, exact.statistic);
  close(binned.pValue, exact.pValue, 1e-15);
  // Large: the asymptotic path, from cumulative counts.
  const bx = normals(1, 5000);
  const by = normals(2, 4000, 0.05);
  const fine = Array.from({ length: 41 }, (_, i) => -4 + i * 0.2);
  const cut = [-Infinity, ...fine, Infinity];
  const rounded = (s: Float64Array) => Array.from(s, (v) => cut.findIndex((e) => v <= e));
  const a = ksBinned(binCounts(bx, cut), binCounts(by, cut));
  const b = ksTwoSample(rounded(bx), rounded(by));
  assert.equal(a.exact, false);
  assert.equal(a.statistic, b.statistic);
  close(a.pValue, b.pValue, 1e-15);
  // Fractional counts (Prometheus increase()) take the limit.
  assert.equal(ksBinned([2.5, 3, 1], [1, 3, 2.5]).exact, false);
});

test("z for a binary column is the pooled two-proportion z: its square is prop.test's X²", () => {
  const r = binaryZTest([60, 40], [40, 60]);
  const t = twoProportionTest([60, 40], [100, 100]);
  close(r.statistic ** 2, t.statistic, 1e-12);
  assert.ok(r.statistic > 0, "the second category's share went up");
  close(r.difference, 0.2, 1e-15);
  assert.equal(r.pValue, t.pValue);
  assert.ok(binaryZTest([40, 60], [60, 40]).statistic < 0);
  assert.deepEqual(binaryZTest([10, 0], [7, 0]), { statistic: 0, pValue: 1, difference: 0 }, "one category in both: Evidently's p = 1");
  assert.deepEqual(binaryZTest([0, 10], [0, 7]), { statistic: 0, pValue: 1, difference: 0 });
  assert.throws(() => binaryZTest([1.5, 2], [1, 1]), /^Error: binaryZTest: 'baseline\[0\]' must be a whole count/);
  assert.throws(() => binaryZTest([1, 2], [0, 0]), /binaryZTest: 'current' has no values/);
});

test("chi-square drift: Evidently's goodness of fit to the baseline's shares, with Cohen's w", () => {
  const r = chiSquareDrift([50, 50], [40, 60]);
  assert.equal(r.statistic, 4);
  close(r.pValue, 0.04550026389635842, 1e-12);
  close(r.effectSize, 0.2, 1e-15);
  // Different totals: the baseline is scaled to the current total.
  assert.equal(chiSquareDrift([100, 200, 300], [10, 20, 30]).statistic, 0);
  // A category empty in both is left out (df stays 1).
  close(chiSquareDrift([50, 0, 50], [40, 0, 60]).pValue, r.pValue, 1e-15);
  // One category with data in both windows: nothing to test.
  assert.deepEqual(chiSquareDrift([5, 0], [9, 0]), { statistic: 0, pValue: 1, effectSize: 0, unseen: [] });
});

test("chi-square drift: a category the baseline never had is floored at 0.0001 and reported", () => {
  const r = chiSquareDrift([50, 50, 0], [45, 45, 10]);
  assert.deepEqual(r.unseen, [2]);
  assert.ok(Number.isFinite(r.statistic) && r.statistic > 5000, String(r.statistic));
  assert.ok(r.pValue < 1e-12);
});
