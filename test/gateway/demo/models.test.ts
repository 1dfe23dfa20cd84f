import assert from "node:assert/strict";
import { test } from "node:test";
import { pairedTTest } from "../../../src/core/stats/pairedTTest";
import { ERROR_RATES, failsRequest, parseChurnFeatures, scoreChurn, trueChurnProbability, type ChurnFeatures, type ChurnVersion } from "../../../src/gateway/demo/models";
import { createPopulation } from "../../../src/gateway/demo/population";

const customer: ChurnFeatures = { tenure_months: 2, monthly_charges: 80, support_calls: 4, contract: "month-to-month", region: "south", plan: "plus" };

test("the scorers are pure functions of the features, in (0, 1)", () => {
  for (const v of ["v1", "v2", "v3"] as const) {
    const p = scoreChurn(v, customer);
    assert.equal(scoreChurn(v, { ...customer }), p);
    assert.ok(p > 0 && p < 1, `${v}: ${p}`);
  }
  assert.equal(scoreChurn("v3", customer), scoreChurn("v2", customer), "v3 is v2's model in a buggy build");
  assert.ok(trueChurnProbability(customer) > trueChurnProbability({ ...customer, tenure_months: 48, contract: "two-year", support_calls: 0 }));
});

test("v2 predicts the labels better than v1 (log-loss), on customers there are and on newcomers", () => {
  const pop = createPopulation({ seed: 11, size: 10_000, newcomers: 10_000 });
  const loss = (v: ChurnVersion, churned: boolean, f: ChurnFeatures): number => {
    const p = scoreChurn(v, f);
    return -Math.log(churned ? p : 1 - p);
  };
  for (const newcomer of [false, true]) {
    const users = pop.users.filter((u) => u.newcomer === newcomer);
    const v1 = users.map((u) => loss("v1", u.churned, u.features));
    const v2 = users.map((u) => loss("v2", u.churned, u.features));
    const r = pairedTTest(v1, v2);
    assert.ok(r.estimate > 0.015 && r.pValue < 1e-10, `newcomer=${newcomer}: v1 - v2 log-loss ${r.estimate}, p ${r.pValue}`);
    // And the labels follow the true probability: its log-loss is the lowest.
    const truth = users.reduce((s, u) => s - Math.log(u.churned ? u.churnProbability : 1 - u.churnProbability), 0) / users.length;
    assert.ok(truth <= v2.reduce((s, x) => s + x, 0) / users.length + 0.005);
  }
});

test("v3 fails ten times as many requests as v1 and v2, the same requests every time", () => {
  const n = 100_000;
  const failures = (v: ChurnVersion): number => {
    let k = 0;
    for (let i = 0; i < n; i++) if (failsRequest(v, `req-${i}`)) k++;
    return k;
  };
  const rates = { v1: failures("v1") / n, v2: failures("v2") / n, v3: failures("v3") / n };
  for (const v of ["v1", "v2", "v3"] as const) assert.ok(Math.abs(rates[v] - ERROR_RATES[v]) < ERROR_RATES[v] * 0.15, `${v}: ${rates[v]}`);
  assert.ok(rates.v3 > 5 * rates.v1 && rates.v3 > 5 * rates.v2);
  assert.equal(failures("v3"), rates.v3 * n, "deterministic");
  assert.equal(failsRequest("v3", "req-1", { v1: 0, v2: 0, v3: 1 }), true);
  assert.equal(failsRequest("v3", "req-1", { v1: 0, v2: 0, v3: 0 }), false);
});

test("features that cannot be scored are named", () => {
  assert.deepEqual(parseChurnFeatures(customer), customer);
  assert.equal(parseChurnFeatures(undefined), "the body needs a 'features' object");
  assert.equal(parseChurnFeatures([1]), "the body needs a 'features' object");
  assert.equal(parseChurnFeatures({ ...customer, tenure_months: "2" }), "features.tenure_months must be a finite number");
  assert.equal(parseChurnFeatures({ ...customer, support_calls: null }), "features.support_calls must be a finite number");
  assert.equal(parseChurnFeatures({ ...customer, region: 3 }), "features.region must be a string");
  // Values out of range or unknown categories are scored: noticing them is the assertions' job.
  assert.equal(typeof parseChurnFeatures({ ...customer, tenure_months: -5, plan: "platinum" }), "object");
  assert.ok(scoreChurn("v2", { ...customer, contract: "weekly" as never }) > 0);
});
