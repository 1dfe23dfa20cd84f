import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeAb } from "../../../src/core/ab/analyzeAb";
import type { AbResult } from "../../../src/core/results/ab";
import { armOrder } from "../../../src/core/ab/armOrder";

/** A document with a NaN or an Infinity would serialize them as null. */
function assertNoNonFinite(doc: AbResult): void {
  assert.ok(!JSON.stringify(doc).includes("null"), `non-finite value in ${JSON.stringify(doc)}`);
}

test("the README example: a winner with its lift, interval and chance to beat", () => {
  const doc = analyzeAb([
    { name: "Original Page", successes: 378, trials: 3662 },
    { name: "Test it out", successes: 462, trials: 3568 },
  ]);
  const [c] = doc.comparisons;
  assert.equal(c?.status, "ok");
  if (c?.status !== "ok" || c.relative.status !== "ok") return;
  assert.equal(c.relative.estimate.toFixed(3), "0.254");
  assert.equal((c.chanceToBeatBaseline * 100).toFixed(1), "100.0");
  assert.equal(c.verdict, "winner");
  assert.equal(doc.verdict, "winner");
  assert.equal(doc.winner, "Test it out");
  assert.equal(doc.power.status, "not-requested");
  assertNoNonFinite(doc);
});

test("an empty arm is insufficient data, never NaN", () => {
  const doc = analyzeAb([
    { name: "control", successes: 0, trials: 0 },
    { name: "variant", successes: 3, trials: 40 },
  ]);
  assert.equal(doc.arms[0]?.status, "insufficient-data");
  assert.equal(doc.comparisons[0]?.status, "insufficient-data");
  assert.match(doc.comparisons[0]?.status === "insufficient-data" ? doc.comparisons[0].reason : "", /control.*no units/);
  assert.equal(doc.verdict, "insufficient-data");
  assertNoNonFinite(doc);
});

test("zero conversions in both arms is insufficient data", () => {
  const doc = analyzeAb([
    { name: "a", successes: 0, trials: 500 },
    { name: "b", successes: 0, trials: 500 },
  ]);
  assert.equal(doc.comparisons[0]?.status, "insufficient-data");
  assert.equal(doc.verdict, "insufficient-data");
  assertNoNonFinite(doc);
});

test("a baseline with zero conversions keeps the absolute difference but no relative lift", () => {
  const doc = analyzeAb([
    { name: "a", successes: 0, trials: 500 },
    { name: "b", successes: 9, trials: 500 },
  ]);
  const c = doc.comparisons[0];
  assert.equal(c?.status, "ok");
  if (c?.status !== "ok") return;
  assert.equal(c.relative.status, "insufficient-data");
  assert.ok(c.absolute.estimate > 0);
  assertNoNonFinite(doc);
});

test("zero variance in mean arms is insufficient data", () => {
  const doc = analyzeAb([
    { name: "a", n: 10, sum: 50, sumSquares: 250 },
    { name: "b", n: 10, sum: 50, sumSquares: 250 },
  ]);
  assert.equal(doc.comparisons[0]?.status, "insufficient-data");
  assertNoNonFinite(doc);
});

test("a mean arm with one unit is insufficient data", () => {
  const doc = analyzeAb([
    { name: "a", n: 1, sum: 5, sumSquares: 25 },
    { name: "b", n: 30, sum: 160, sumSquares: 900 },
  ]);
  assert.equal(doc.arms[0]?.status, "insufficient-data");
  assert.equal(doc.verdict, "insufficient-data");
  assertNoNonFinite(doc);
});

test("a sample ratio mismatch is flagged and blocks a winner", () => {
  const doc = analyzeAb([
    { name: "a", successes: 500, trials: 10000 },
    { name: "b", successes: 700, trials: 10600 },
  ]);
  assert.equal(doc.srm.status, "ok");
  assert.ok(doc.srm.status === "ok" && doc.srm.flagged && doc.srm.pValue < 0.001);
  assert.equal(doc.comparisons[0]?.verdict, "winner");
  assert.equal(doc.verdict, "inconclusive");
  assert.equal(doc.winner, undefined);
  assert.match(doc.warnings[0] ?? "", /Sample ratio mismatch/);
});

test("groups that were not randomised (model versions) get no SRM check, and so may have a winner", () => {
  const arms = [
    { name: "v1", successes: 500, trials: 10000 },
    { name: "v2", successes: 700, trials: 10600 },
  ];
  const doc = analyzeAb(arms, { randomized: false });
  assert.deepEqual(doc.srm, { status: "insufficient-data", reason: "not checked: the groups were not randomised (versions get their traffic by design)" });
  assert.equal(doc.winner, "v2");
  assert.deepEqual(doc.warnings, []);
});

test("SRM is not flagged until every arm has 8 units", () => {
  const doc = analyzeAb([
    { name: "a", successes: 1, trials: 7 },
    { name: "b", successes: 30, trials: 300 },
  ]);
  assert.ok(doc.srm.status === "ok" && doc.srm.pValue < 0.001 && !doc.srm.flagged);
});

test("an expected split changes the SRM check", () => {
  const arms = [
    { name: "a", successes: 20, trials: 2000 },
    { name: "b", successes: 80, trials: 8000 },
  ];
  const even = analyzeAb(arms);
  const planned = analyzeAb(arms, { expectedSplit: [20, 80] });
  assert.ok(even.srm.status === "ok" && even.srm.flagged);
  assert.ok(planned.srm.status === "ok" && !planned.srm.flagged && planned.srm.statistic === 0);
  assert.deepEqual(planned.srm.status === "ok" && planned.srm.expected, [0.2, 0.8]);
});

test("when lower is better, a drop wins", () => {
  const doc = analyzeAb(
    [
      { name: "v1", successes: 300, trials: 10000 },
      { name: "v2", successes: 200, trials: 10000 },
    ],
    { direction: "lower" },
  );
  const c = doc.comparisons[0];
  assert.ok(c?.status === "ok" && c.verdict === "winner" && c.chanceToBeatBaseline > 0.99);
  assert.equal(doc.winner, "v2");
});

test("Holm adjusts across arms and the best winner is named", () => {
  const doc = analyzeAb([
    { name: "control", successes: 1000, trials: 10000 },
    { name: "small", successes: 1080, trials: 10000 },
    { name: "big", successes: 1200, trials: 10000 },
  ]);
  const [small, big] = doc.comparisons;
  assert.ok(small?.status === "ok" && big?.status === "ok");
  if (small?.status !== "ok" || big?.status !== "ok") return;
  // Holm: the smallest p is doubled; the next is multiplied by 1 but never drops below it.
  assert.equal(big.adjustedPValue, 2 * big.pValue);
  assert.equal(small.adjustedPValue, Math.max(small.pValue, big.adjustedPValue));
  assert.equal(small.verdict, "inconclusive");
  assert.equal(doc.winner, "big");
});

test("power for a given MDE rises with the sample size", () => {
  const arms = (n: number) => [
    { name: "a", successes: Math.round(n * 0.1), trials: n },
    { name: "b", successes: Math.round(n * 0.1), trials: n },
  ];
  const small = analyzeAb(arms(2000), { mde: 0.01 }).power;
  const large = analyzeAb(arms(40000), { mde: 0.01 }).power;
  assert.ok(small.status === "ok" && large.status === "ok");
  if (small.status !== "ok" || large.status !== "ok") return;
  assert.ok(small.value < 0.5 && large.value > 0.95, `${small.value} ${large.value}`);
  // At the n that power.prop.test gives for 80%, the normal approximation is close to 80%.
  const at = analyzeAb(arms(14751), { mde: 0.01 }).power;
  assert.ok(at.status === "ok" && Math.abs(at.value - 0.8) < 0.01);
});

test("bad input throws an error that names the field", () => {
  assert.throws(() => analyzeAb([{ name: "a", successes: 1, trials: 10 }]), /analyzeAb: 'arms' needs at least 2 arms/);
  assert.throws(
    () => analyzeAb([{ name: "a", successes: 11, trials: 10 }, { name: "b", successes: 1, trials: 10 }]),
    /'arms\[0\]\.successes' must be a whole number from 0 to trials/,
  );
  assert.throws(
    () => analyzeAb([{ name: "a", successes: 1, trials: 10 }, { name: "a", successes: 1, trials: 10 }]),
    /'arms\[1\]\.name' repeats/,
  );
  assert.throws(
    () => analyzeAb([{ name: "a", successes: 1, trials: 10 }, { name: "b", n: 3, sum: 1, sumSquares: 1 }]),
    /'arms\[1\]' is a mean arm but the baseline is a proportion arm/,
  );
  assert.throws(() => analyzeAb([{ name: "a", successes: 1, trials: 10 }, { name: "b", successes: 1, trials: 10 }], { confidence: 95 }), /'confidence'/);
});

test("arms nobody listed go baseline first: the one named, else control, else baseline, else the first by name", () => {
  assert.deepEqual(armOrder(["treatment", "control", "b"]), ["control", "b", "treatment"]);
  assert.deepEqual(armOrder(["z", "baseline", "a"]), ["baseline", "a", "z"]);
  assert.deepEqual(armOrder(["z", "a"]), ["a", "z"]);
  assert.deepEqual(armOrder(["z", "a", "control"], "z"), ["z", "a", "control"]);
  assert.deepEqual(armOrder([]), []);
});
