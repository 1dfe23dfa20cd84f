import assert from "node:assert/strict";
import { test } from "node:test";
import { mannKendall } from "../../../src/core/jumps/mannKendall";
import { theilSen } from "../../../src/core/jumps/theilSen";
import { normalQuantile } from "../../../src/core/stats/distributions";
import { normal, rng } from "./synthetic";

/** scipy 1.10's theilslopes written out plainly: every slope, a full sort, numpy's rounding. */
function naiveTheilSen(t: number[], y: number[], confidence: number): { slope: number; ci: [number, number] } {
  const slopes: number[] = [];
  for (let i = 0; i < t.length; i++) for (let j = 0; j < t.length; j++) if (t[i]! > t[j]!) slopes.push((y[i]! - y[j]!) / (t[i]! - t[j]!));
  slopes.sort((a, b) => a - b);
  const N = slopes.length;
  const slope = N % 2 ? slopes[(N - 1) / 2]! : (slopes[N / 2 - 1]! + slopes[N / 2]!) / 2;
  const ties = (x: number[]) => {
    const counts = new Map<number, number>();
    for (const v of x) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts.values()].reduce((s, k) => s + k * (k - 1) * (2 * k + 5), 0);
  };
  const n = t.length;
  const sigma = Math.sqrt(Math.max(0, (n * (n - 1) * (2 * n + 5) - ties(t) - ties(y)) / 18));
  const z = normalQuantile((1 - confidence) / 2);
  const round = (x: number) => (Math.abs(x - Math.floor(x) - 0.5) < 1e-12 ? (Math.floor(x) % 2 === 0 ? Math.floor(x) : Math.ceil(x)) : Math.round(x));
  const upper = Math.min(round((N - z * sigma) / 2), N - 1);
  const lower = Math.max(round((N + z * sigma) / 2) - 1, 0);
  return { slope, ci: [slopes[lower]!, slopes[upper]!] };
}

test("theilSen's selection equals a full sort of the slopes, with ties in t and y", () => {
  const u = rng(21);
  for (let k = 0; k < 300; k++) {
    const n = 2 + Math.floor(u() * 40);
    const t = Array.from({ length: n }, (_, i) => (k % 3 === 0 ? Math.floor(i / 3) : k % 3 === 1 ? Math.floor(u() * 10) : i));
    const y = t.map((ti) => (k % 2 ? Math.round(ti * 0.3 + normal(u)) : ti * 0.3 + normal(u)));
    if (new Set(t).size < 2) continue;
    const confidence = [0.9, 0.95, 0.99][k % 3]!;
    const ours = theilSen(t, y, confidence);
    const naive = naiveTheilSen(t, y, confidence);
    // === rather than Object.is: a selection may return 0 where the sort has -0.
    assert.ok(ours.slope === naive.slope, `case ${k}: slope ${ours.slope} vs ${naive.slope}`);
    assert.ok(ours.ci[0] === naive.ci[0] && ours.ci[1] === naive.ci[1], `case ${k}: ${ours.ci} vs ${naive.ci}`);
    assert.ok(ours.ci[0] <= ours.slope && ours.slope <= ours.ci[1]);
  }
});

test("theilSen ignores a few wild outliers; least squares would not", () => {
  const t = Array.from({ length: 50 }, (_, i) => i);
  const y = t.map((ti) => 2 * ti + (ti % 10 === 3 ? 500 : 0));
  assert.equal(theilSen(t, y).slope, 2);
});

test("theilSen refuses bad inputs, naming the function and field", () => {
  assert.throws(() => theilSen([1, 1], [1, 2]), /theilSen: 't' needs at least 2 distinct values/);
  assert.throws(() => theilSen([1, 2], [1]), /theilSen: 't' has 2 values but 'y' has 1/);
  assert.throws(() => theilSen([1, 2], [1, Infinity]), /theilSen: 'y\[1\]' is Infinity/);
  assert.throws(() => theilSen([1, 2], [1, 2], 1.5), /theilSen: 'confidence'/);
});

test("mannKendall: S, its tie-corrected variance and the continuity-corrected z", () => {
  const r = mannKendall([1, 3, 2, 5, 4, 6, 8, 7]);
  assert.equal(r.s, 22);
  assert.equal(r.variance, (8 * 7 * 21) / 18);
  assert.equal(r.statistic, 21 / Math.sqrt((8 * 7 * 21) / 18));
  const tied = mannKendall([1, 1, 2, 2, 2, 3]);
  assert.equal(tied.variance, (6 * 5 * 17 - 2 * 1 * 9 - 3 * 2 * 11) / 18);
  // n = 2: S = 1 is corrected to 0, so z = 0 and p = 1 (R returns NaN here).
  assert.deepEqual([mannKendall([1, 2]).statistic, mannKendall([1, 2]).pValue], [0, 1]);
});

test("mannKendall refuses what has no answer, naming the function and input", () => {
  assert.throws(() => mannKendall([1]), /mannKendall: 'values' needs at least 2 values/);
  assert.throws(() => mannKendall([2, 2, 2]), /mannKendall: every value is tied/);
  assert.throws(() => mannKendall([1, NaN]), /mannKendall: 'values\[1\]' is NaN/);
});
