import assert from "node:assert/strict";
import { test } from "node:test";
import { driftLevel, possibleBound } from "../../../src/core/drift/levels";
import { checkThreshold, DEFAULT_THRESHOLDS, isPValueMethod, selectMethod } from "../../../src/core/drift/selectMethod";

test("Evidently's table: tests up to a reference of 1000, distances above", () => {
  assert.equal(selectMethod(1000, "numeric"), "ks");
  assert.equal(selectMethod(1000, "categorical"), "chisquare");
  assert.equal(selectMethod(1000, "binary"), "z");
  assert.equal(selectMethod(1, "numeric"), "ks");
  assert.equal(selectMethod(1001, "numeric"), "wasserstein");
  assert.equal(selectMethod(1001, "categorical"), "jensenshannon");
  assert.equal(selectMethod(1001, "binary"), "jensenshannon");
  assert.throws(() => selectMethod(NaN, "numeric"), /^Error: selectMethod: 'referenceSize'/);
});

test("default thresholds: alpha 0.05 for the tests, 0.1 for the distances", () => {
  assert.deepEqual(DEFAULT_THRESHOLDS, { ks: 0.05, chisquare: 0.05, z: 0.05, psi: 0.1, jensenshannon: 0.1, wasserstein: 0.1 });
  assert.deepEqual(["ks", "chisquare", "z", "psi", "jensenshannon", "wasserstein"].map((m) => isPValueMethod(m as "ks")), [true, true, true, false, false, false]);
});

test("levels for a test: drift below the threshold, possible below twice it, capped at 1", () => {
  assert.equal(driftLevel("ks", 0.05, 0.049), "drift");
  assert.equal(driftLevel("ks", 0.05, 0.05), "possible");
  assert.equal(driftLevel("chisquare", 0.05, 0.0999), "possible");
  assert.equal(driftLevel("z", 0.05, 0.1), "none");
  assert.equal(driftLevel("ks", 0.05, 1), "none");
  assert.equal(possibleBound("ks", 0.05), 0.1);
  assert.equal(possibleBound("ks", 0.6), 1);
  assert.equal(driftLevel("ks", 0.6, 0.99), "possible");
  assert.equal(driftLevel("ks", 0.6, 1), "none");
});

test("levels for a distance: drift at the threshold, possible from half of it", () => {
  assert.equal(driftLevel("wasserstein", 0.1, 0.1), "drift");
  assert.equal(driftLevel("jensenshannon", 0.1, 0.0999), "possible");
  assert.equal(driftLevel("psi", 0.1, 0.05), "possible");
  assert.equal(driftLevel("psi", 0.1, 0.0499), "none");
  assert.equal(driftLevel("psi", 0.1, 0), "none");
  assert.equal(possibleBound("psi", 0.2), 0.1);
});

test("thresholds are checked against their method", () => {
  assert.doesNotThrow(() => checkThreshold("f", "t", "ks", 0.01));
  assert.throws(() => checkThreshold("f", "t", "ks", 1.5), /^Error: f: 't' for ks is a p-value level in \(0, 1\), got 1.5/);
  assert.throws(() => checkThreshold("f", "t", "z", 0), /p-value level/);
  assert.doesNotThrow(() => checkThreshold("f", "t", "psi", 2));
  assert.throws(() => checkThreshold("f", "t", "psi", -1), /f: 't' for psi must be a distance > 0/);
  assert.throws(() => checkThreshold("f", "t", "wasserstein", Infinity), /distance > 0/);
});
