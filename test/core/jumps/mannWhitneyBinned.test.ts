import assert from "node:assert/strict";
import { test } from "node:test";
import { mannWhitneyBinned } from "../../../src/core/jumps/mannWhitneyBinned";
import { mannWhitneyU } from "../../../src/core/stats/mannWhitneyU";
import { rng } from "./synthetic";

/** One value per count: bin index b repeated counts[b] times. */
function expand(counts: readonly number[]): number[] {
  return counts.flatMap((c, b) => new Array<number>(c).fill(b));
}

test("equals mannWhitneyU (R wilcox.test, ties and continuity corrected) on the expanded data", () => {
  const u = rng(7);
  for (let k = 0; k < 200; k++) {
    const bins = 2 + Math.floor(u() * 10);
    const x: number[] = Array.from({ length: bins }, () => (u() < 0.3 ? 0 : Math.floor(u() * 30)));
    const y: number[] = Array.from({ length: bins }, () => (u() < 0.3 ? 0 : Math.floor(u() * 30)));
    if (!x.some((c) => c > 0)) x[0] = 1;
    if (!y.some((c) => c > 0)) y[bins - 1] = 1;
    if (x.filter((c, i) => c + y[i]! > 0).length < 2) continue; // one occupied bin: undefined, tested below
    const ours = mannWhitneyBinned(x, y);
    const reference = mannWhitneyU(expand(x), expand(y));
    assert.equal(ours.statistic, reference.statistic, `case ${k}`);
    const diff = Math.abs(ours.pValue - reference.pValue);
    assert.ok(diff <= 1e-12 || diff <= 1e-9 * reference.pValue, `case ${k}: p ${ours.pValue} vs ${reference.pValue}`);
  }
});

test("handles millions of observations from counts alone", () => {
  const before = [2_000_000, 1_500_000, 400_000, 100_000];
  const after = [1_900_000, 1_520_000, 450_000, 130_000];
  const r = mannWhitneyBinned(after, before);
  assert.ok(r.statistic > (4_000_000 * 4_000_000) / 2, "after tends higher");
  assert.ok(r.pValue < 1e-10);
});

test("refuses mismatched bins and a single occupied bin", () => {
  assert.throws(() => mannWhitneyBinned([1, 2], [1]), /mannWhitneyBinned: 'countsX' has 2 bins/);
  assert.throws(() => mannWhitneyBinned([0, 3], [0, 5]), /same bin/);
  assert.throws(() => mannWhitneyBinned([0, 0], [0, 5]), /at least one observation/);
});
