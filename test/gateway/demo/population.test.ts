import assert from "node:assert/strict";
import { test } from "node:test";
import { chiSquareSf } from "../../../src/core/stats/distributions";
import { ksTwoSample } from "../../../src/core/stats/ksTwoSample";
import { seededUniform } from "../../../src/core/stats/random";
import { CATEGORICAL_FEATURES, NUMERIC_FEATURES, scoreChurn } from "../../../src/gateway/demo/models";
import { createPopulation, DRIFTING_FEATURES, STABLE_FEATURES, type User } from "../../../src/gateway/demo/population";

const DRIFT = Date.UTC(2026, 10, 8);

/** Pearson's chi-square test of homogeneity of two samples of counts (a 2 x k table), its p-value. */
function homogeneity(a: readonly number[], b: readonly number[]): number {
  const na = a.reduce((s, x) => s + x, 0);
  const nb = b.reduce((s, x) => s + x, 0);
  let statistic = 0;
  a.forEach((x, i) => {
    const col = x + b[i]!;
    const ea = (col * na) / (na + nb);
    const eb = (col * nb) / (na + nb);
    statistic += (x - ea) ** 2 / ea + (b[i]! - eb) ** 2 / eb;
  });
  return chiSquareSf(statistic, a.length - 1);
}

test("the same seed makes the same users; ids are u and six digits", () => {
  const a = createPopulation({ seed: 5, size: 300 });
  const b = createPopulation({ seed: 5, size: 300 });
  const c = createPopulation({ seed: 6, size: 300 });
  assert.deepEqual(a.users, b.users);
  assert.notDeepEqual(a.users.map((u) => u.body), c.users.map((u) => u.body));
  assert.equal(a.users.length, 450, "300 customers and 150 newcomers");
  assert.equal(a.users[123]!.id, "u000123");
  assert.equal(a.users[0]!.body, JSON.stringify({ features: a.users[0]!.features }));
  // A user does not change when the population grows.
  assert.deepEqual(createPopulation({ seed: 5, size: 1000 }).users[123], a.users[123]);
});

test("from the drift time on, tenure_months and contract drift; charges, support calls, region and plan do not", () => {
  const pop = createPopulation({ seed: 21, driftAt: DRIFT });
  const u = seededUniform(99);
  const before: User[] = [];
  const after: User[] = [];
  for (let i = 0; i < 4000; i++) before.push(pop.pick(DRIFT - 1 - i * 60_000, u()));
  for (let i = 0; i < 4000; i++) after.push(pop.pick(DRIFT + i * 60_000, u()));
  assert.ok(before.every((x) => !x.newcomer), "no newcomer before the drift");
  const share = after.filter((x) => x.newcomer).length / after.length;
  assert.ok(Math.abs(share - 0.4) < 0.03, `newcomers' share after the drift: ${share}`);

  const pValues: Record<string, number> = {};
  for (const f of NUMERIC_FEATURES) {
    pValues[f] = ksTwoSample(before.map((x) => x.features[f]), after.map((x) => x.features[f])).pValue;
  }
  for (const f of CATEGORICAL_FEATURES) {
    const categories = [...new Set(before.map((x) => x.features[f]))].sort();
    const count = (users: User[]) => categories.map((c) => users.filter((x) => x.features[f] === c).length);
    pValues[f] = homogeneity(count(before), count(after));
  }
  for (const f of DRIFTING_FEATURES) assert.ok(pValues[f]! < 1e-12, `${f} drifts: p ${pValues[f]}`);
  for (const f of STABLE_FEATURES) assert.ok(pValues[f]! > 0.001, `${f} does not drift: p ${pValues[f]}`);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(mean(after.map((x) => x.features.tenure_months)) < mean(before.map((x) => x.features.tenure_months)) - 5, "tenure shifts down");
  // The predictions, which depend on the drifting features, drift too.
  assert.ok(ksTwoSample(before.map((x) => scoreChurn("v1", x.features)), after.map((x) => scoreChurn("v1", x.features))).pValue < 1e-12);
});

test("the labels follow the true churn probability", () => {
  const pop = createPopulation({ seed: 3, size: 20_000, newcomers: 0 });
  const expected = pop.users.reduce((s, x) => s + x.churnProbability, 0);
  const observed = pop.users.filter((x) => x.churned).length;
  const sd = Math.sqrt(pop.users.reduce((s, x) => s + x.churnProbability * (1 - x.churnProbability), 0));
  assert.ok(Math.abs(observed - expected) < 4 * sd, `${observed} churned, ${expected.toFixed(0)} expected`);
  assert.ok(pop.pick(Number.MAX_SAFE_INTEGER, 0.999999999).newcomer === false, "no drift time: never a newcomer");
});

test("bad sizes and shares are errors that name them", () => {
  assert.throws(() => createPopulation({ seed: 1, size: 0 }), /createPopulation: size must be a whole number >= 1, got 0/);
  assert.throws(() => createPopulation({ seed: 1, newcomerShare: 1 }), /newcomerShare must be in \[0, 1\), got 1/);
});
