import assert from "node:assert/strict";
import { test } from "node:test";
import { noisePenalty, pelt } from "../../../src/core/jumps/changePoints";
import { normal, rng } from "./synthetic";

/** Optimal partitioning (Jackson et al. 2005) in O(n^2), with the weighted normal mean cost: the exact answer PELT must equal. */
function optimalPartitioning(y: readonly number[], w: readonly number[], penalty: number, m: number): { starts: number[]; value: number } {
  const n = y.length;
  const cost = (s: number, e: number) => {
    let sw = 0;
    let swy = 0;
    for (let i = s; i < e; i++) {
      sw += w[i]!;
      swy += w[i]! * y[i]!;
    }
    const mean = swy / sw;
    let c = 0;
    for (let i = s; i < e; i++) c += w[i]! * (y[i]! - mean) ** 2;
    return c;
  };
  const best = new Array<number>(n + 1).fill(Infinity);
  const prev = new Array<number>(n + 1).fill(-1);
  best[0] = -penalty;
  for (let t = m; t <= n; t++) {
    for (let s = 0; s <= t - m; s++) {
      if (best[s] === Infinity) continue;
      const v = best[s]! + cost(s, t) + penalty;
      if (v < best[t]!) {
        best[t] = v;
        prev[t] = s;
      }
    }
  }
  const starts: number[] = [];
  for (let t = prev[n]!; t > 0; t = prev[t]!) starts.push(t);
  return { starts: starts.reverse(), value: best[n]! };
}

/** The penalised cost of a segmentation. */
function objective(y: readonly number[], w: readonly number[], starts: readonly number[], penalty: number): number {
  const bounds = [0, ...starts, y.length];
  let total = penalty * starts.length;
  for (let k = 0; k + 1 < bounds.length; k++) {
    let sw = 0;
    let swy = 0;
    for (let i = bounds[k]!; i < bounds[k + 1]!; i++) {
      sw += w[i]!;
      swy += w[i]! * y[i]!;
    }
    for (let i = bounds[k]!; i < bounds[k + 1]!; i++) total += w[i]! * (y[i]! - swy / sw) ** 2;
  }
  return total;
}

test("PELT reaches the optimum of optimal partitioning (exact, with weights and minimum segments)", () => {
  const u = rng(11);
  let withChanges = 0;
  for (let k = 0; k < 150; k++) {
    const n = 5 + Math.floor(u() * 60);
    const levels = [0, 1.5, -1, 3];
    const y = Array.from({ length: n }, (_, i) => levels[Math.floor((i * (1 + (k % 4))) / n)]! + normal(u));
    const w = k % 2 === 0 ? y.map(() => 1) : y.map(() => 0.2 + 2 * u());
    const penalty = [0.5, 2, 6, 15][k % 4]!;
    const m = 1 + (k % 5);
    const ours = pelt(y, { penalty, minSegment: m, weights: w });
    const exact = optimalPartitioning(y, w, penalty, m);
    if (n < 2 * m) {
      assert.deepEqual(ours, []);
      continue;
    }
    const gap = objective(y, w, ours, penalty) - objective(y, w, exact.starts, penalty);
    assert.ok(Math.abs(gap) <= 1e-9 * Math.max(1, Math.abs(exact.value)), `case ${k}: PELT ${ours} vs OP ${exact.starts}, objective gap ${gap}`);
    for (const [j, s] of ours.entries()) assert.ok(s - (ours[j - 1] ?? 0) >= m && n - s >= m, `case ${k}: segment shorter than ${m}`);
    if (ours.length > 0) withChanges++;
  }
  assert.ok(withChanges > 50, `only ${withChanges} cases had change points`);
});

test("PELT finds a clean step exactly and nothing in a constant series", () => {
  assert.deepEqual(pelt([0, 0, 0, 0, 5, 5, 5, 5], { penalty: 1 }), [4]);
  assert.deepEqual(pelt([2, 2, 2, 2, 2, 2], { penalty: 0.1 }), []);
  assert.deepEqual(pelt([1, 1, 1, 9, 9, 9, 1, 1, 1], { penalty: 1, minSegment: 3 }), [3, 6]);
  assert.deepEqual(pelt([1, 9], { penalty: 0, minSegment: 2 }), []);
});

test("noisePenalty: factor * sigma^2 * log(n) with sigma from the MAD of differences", () => {
  const u = rng(3);
  const y = Array.from({ length: 2000 }, (_, i) => 2 * normal(u) + (i >= 1000 ? 50 : 0));
  const p = noisePenalty(y);
  assert.equal(p.estimator, "mad-of-differences");
  assert.ok(Math.abs(p.sigma - 2) < 0.15, `sigma ${p.sigma} should be near 2 despite the step`);
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * b, `${a} vs ${b}`);
  close(p.penalty, 3 * p.sigma ** 2 * Math.log(2000));
  close(noisePenalty(y, undefined, 2).penalty, 2 * p.sigma ** 2 * Math.log(2000));
  // unweighted: MAD(diff) / (sqrt(2) * 0.6745)
  const d = y.slice(1).map((v, i) => v - y[i]!);
  const med = (a: number[]) => {
    const s = [...a].sort((x, z) => x - z);
    return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const mad = med(d.map((x) => Math.abs(x - med(d))));
  assert.ok(Math.abs(p.sigma - mad / (Math.SQRT2 * 0.6744897501960817)) < 1e-12);
});

test("noisePenalty falls back to the RMS of differences when most neighbours are equal, and to 0 for a constant", () => {
  const steps = [1, 1, 1, 1, 1, 4, 4, 4, 4, 4];
  const p = noisePenalty(steps);
  assert.equal(p.estimator, "rms-of-differences");
  assert.ok(Math.abs(p.sigma - Math.sqrt(9 / 2 / 9)) < 1e-15);
  assert.deepEqual(noisePenalty([3, 3, 3]), { penalty: 0, sigma: 0, estimator: "none" });
});

test("weights scale the differences: a noisy light bucket counts for less", () => {
  const y = [0, 0.1, -0.1, 0.05, 3, -0.05, 0.02, 0];
  const heavy = y.map(() => 1);
  const light = y.map((_, i) => (i === 4 ? 0.01 : 1));
  assert.deepEqual(pelt(y, { penalty: 0.5, weights: heavy }), [4, 5]);
  assert.deepEqual(pelt(y, { penalty: 0.5, weights: light }), []);
});

test("refuses bad inputs, naming the function and field", () => {
  assert.throws(() => pelt([1, NaN], { penalty: 1 }), /pelt: 'values\[1\]' is NaN/);
  assert.throws(() => pelt([1, 2], { penalty: -1 }), /pelt: 'penalty'/);
  assert.throws(() => pelt([1, 2], { penalty: 1, minSegment: 0 }), /pelt: 'minSegment'/);
  assert.throws(() => pelt([1, 2], { penalty: 1, weights: [1] }), /pelt: 'weights' has 1 entries/);
  assert.throws(() => pelt([1, 2], { penalty: 1, weights: [1, 0] }), /pelt: 'weights\[1\]'/);
  assert.throws(() => noisePenalty([1]), /noisePenalty: 'values' needs at least 2/);
});
