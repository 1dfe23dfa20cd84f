/**
 * Rollouts on a live gateway: a shadow that never delays the primary answer, chaos faults, and
 * canaries judged by the gateway itself: one with injected errors rolls back on its own, a
 * healthy one promotes. Steps are a second long; the tests wait for the outcome, never on a clock.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { MAX_SHADOWS_IN_FLIGHT } from "../../src/gateway/server";
import { errorOf, eventually, sendTraffic, startHarness } from "../support/gatewayHarness";

test("a shadow call starts only after the primary response is sent, and never holds it up", async () => {
  const h = await startHarness({ v1: 100, v3: 0 });
  try {
    assert.equal((await h.admin("PUT", "/models/churn/shadow", { version: "v3", share: 100 })).status, 200);
    let release!: () => void;
    h.stub.behaviour.set("v3", { hold: new Promise((r) => (release = r)), offset: 0.01 });
    const res = await h.predict({ features: { tenure: 12 } }, { "x-unit-id": "s1" });
    assert.equal(res.status, 200, "answered while the shadow's answer is held back");
    assert.equal(res.headers.get("x-model-version"), "v1");
    const primary = h.stub.calls.find((c) => c.version === "v1")!;
    const shadow = await eventually(() => h.stub.calls.find((c) => c.version === "v3"));
    assert.ok(shadow.arrived >= primary.answered!, "the shadow call came after the primary answer");
    assert.equal(shadow.headers["x-shadow-of"], "v1");
    release();
    const line = await eventually(async () => (await (await fetch(`${h.gw.url}/metrics`)).text()).split("\n").find((l) => l.startsWith("model_shadow_comparisons_total{")));
    // Predictions 0.5 and 0.51 differ by less than the default agreement of 0.05.
    assert.equal(line, 'model_shadow_comparisons_total{model="churn",version="v1",shadow="v3",agree="true"} 1');
    h.gw.predictionsLog.flush();
    const record = readFileSync(h.gw.predictionsLog.file, "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.event === "shadow");
    assert.deepEqual({ ...record, ts: undefined, request_id: undefined }, { ts: undefined, request_id: undefined, event: "shadow", model: "churn", version: "v1", shadow: "v3", prediction: 0.5, shadow_prediction: 0.51, agree: true });
    // A shadow that fails is recorded as a disagreement; the primary is unaffected.
    h.stub.behaviour.set("v3", { fail: true });
    assert.equal((await h.predict({ features: { tenure: 12 } }, { "x-unit-id": "s2" })).status, 200);
    await eventually(async () => ((await (await fetch(`${h.gw.url}/metrics`)).text()).includes('agree="false"} 1') ? true : undefined));
  } finally {
    await h.close();
  }
});

test("chaos: injected errors, biased predictions and corrupted features, on the chosen version only", async () => {
  const h = await startHarness({ v1: 100, v2: 0 });
  try {
    const add = (body: object) => h.admin("POST", "/models/churn/chaos", { version: "v1", share: 100, duration: "1m", ...body });
    assert.equal((await add({ kind: "error" })).status, 200);
    const failed = await h.predict({ features: { tenure: 12 } }, { "x-unit-id": "c1" });
    assert.equal(failed.status, 503);
    assert.match((await errorOf(failed)), /chaos/);
    assert.equal((await h.admin("DELETE", "/models/churn/chaos")).status, 200);

    await add({ kind: "bias", amount: 0.25 });
    await add({ kind: "corrupt" });
    const biased = await h.predict({ features: { tenure: 12, plan: "pro" } }, { "x-unit-id": "c2" });
    assert.equal(((await biased.json()) as { prediction: number }).prediction, 1 / (1 + Math.exp(-(-12001 - 12) / 6)) + 0.25);
    assert.deepEqual((h.stub.calls.at(-1)!.body as { features: object }).features, { tenure: -12001, plan: "\uFFFD" });
    const state = (await h.admin("GET", "/state")).json.models.churn;
    assert.deepEqual(state.chaos.map((c: { kind: string }) => c.kind), ["bias", "corrupt"]);
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_errors_total\{model="churn",version="v1"\} 1/);
  } finally {
    await h.close();
  }
});

// Errors only: latencies of a few milliseconds on a shared test machine differ by chance of scheduling.
const policy = { steps: [{ weight: 50, pause: "1s" }], minSample: 50, metrics: ["error_rate"] };

test("a canary with injected errors rolls back by itself, and traffic returns to the stable version", async () => {
  const h = await startHarness({ v1: 100, v2: 0 }, "", { canaryTickMs: 50 });
  try {
    await h.admin("POST", "/models/churn/chaos", { version: "v2", kind: "error", share: 30, duration: "10m" });
    const started = await h.admin("POST", "/models/churn/canary", { version: "v2", policy });
    assert.equal(started.status, 200);
    assert.deepEqual(started.json.models.churn.weights, { v1: 50, v2: 50 });
    assert.equal(started.json.models.churn.canary.result.status, "running");
    await sendTraffic(h, () => h.gw.routing.models["churn"]!.lastCanary !== undefined);
    const ended = h.gw.routing.models["churn"]!.lastCanary!.state;
    assert.equal(ended.status, "rolled-back");
    assert.equal(ended.checks.at(-1)!.outcome, "fail");
    const state = (await h.admin("GET", "/state")).json.models.churn;
    assert.deepEqual(state.weights, { v1: 100, v2: 0 });
    assert.equal(state.stable, "v1");
    assert.equal(state.canary, undefined);
    assert.match(state.lastCanary.result.decisions.at(-1).reasons.join(" "), /error_rate .* worse beyond/);
    const audit = (await h.admin("GET", "/audit")).json.entries.filter((e: { who: string }) => e.who === "canary");
    assert.deepEqual(audit.map((e: { action: string }) => e.action), ["canary set-weight", "canary rollback"]);
  } finally {
    await h.close();
  }
});

test("a healthy canary promotes by itself, and a second canary of the same version is refused", async () => {
  const h = await startHarness({ v1: 100, v2: 0 }, "", { canaryTickMs: 50 });
  try {
    await h.admin("POST", "/models/churn/canary", { version: "v2", policy });
    const again = await h.admin("POST", "/models/churn/canary", { version: "v2" });
    assert.equal(again.status, 409);
    assert.match(again.json.error, /already has a canary of v2 in progress/);
    await sendTraffic(h, () => h.gw.routing.models["churn"]!.canary === undefined);
    const state = (await h.admin("GET", "/state")).json.models.churn;
    assert.equal(state.lastCanary.result.status, "promoted", JSON.stringify(state.lastCanary.result.decisions));
    assert.deepEqual(state.weights, { v1: 0, v2: 100 });
    assert.equal(state.stable, "v2");
  } finally {
    await h.close();
  }
});

test("a canary's policy is checked before it starts", async () => {
  const h = await startHarness({ v1: 100, v2: 0 });
  try {
    const cases: Array<[unknown, RegExp]> = [
      [{ steps: [{ weight: 50, pause: "soon" }] }, /policy.steps\[0\].pause' must be a duration/],
      [{ steps: [{ weight: 50, pause: "1s" }, { weight: 20, pause: "1s" }] }, /policy.steps\[1\].weight' must be above the step before it/],
      [{ metrics: ["eror_rate"] }, /not a metric the gateway measures \(error_rate, latency\)\. Did you mean 'error_rate'\?/],
      [{ confidence: 2 }, /policy.confidence' must be in \(0.5, 1\)/],
    ];
    for (const [p, message] of cases) {
      const r = await h.admin("POST", "/models/churn/canary", { version: "v2", policy: p });
      assert.equal(r.status, 400, JSON.stringify(p));
      assert.match(r.json.error, message);
    }
    const stable = await h.admin("POST", "/models/churn/canary", { version: "v1" });
    assert.equal(stable.status, 409);
    assert.equal((await h.admin("DELETE", "/models/churn/canary")).status, 409);
  } finally {
    await h.close();
  }
});

test("a shadow version that hangs never holds up the primary, and its calls in flight are capped", async () => {
  const h = await startHarness({ v1: 100, v3: 0 });
  try {
    await h.admin("PUT", "/models/churn/shadow", { version: "v3", share: 100 });
    h.stub.behaviour.set("v3", { hang: true });
    const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => h.predict({ features: { tenure: i } }, { "x-unit-id": `hang-${i}` }).then((r) => r.status)));
    assert.deepEqual(new Set(answers), new Set([200]));
    await eventually(() => (h.stub.calls.filter((c) => c.version === "v3").length >= MAX_SHADOWS_IN_FLIGHT ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.stub.calls.filter((c) => c.version === "v3").length, MAX_SHADOWS_IN_FLIGHT);
  } finally {
    await h.close();
  }
});
