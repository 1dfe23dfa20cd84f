/**
 * The admin API over real HTTP: the token on every call, each change and its refusals, the audit
 * log, the state file written before a change takes effect, and outcomes credited to the version
 * and arm that served them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { errorOf, startHarness, type Harness } from "../support/gatewayHarness";

describe("admin API", () => {
  let h: Harness;
  before(async () => (h = await startHarness({ v1: 100, v2: 0, v3: 0 })));
  after(() => h.close());

  test("every call needs the token: none or a wrong one is a 401, and nothing changes", async () => {
    for (const token of [null, "wrong", ""]) {
      const r = await h.admin("PUT", "/models/churn/weights", { weights: { v1: 50, v2: 50 } }, token);
      assert.equal(r.status, 401);
      assert.match(r.json.error, /Bearer <token>/);
    }
    assert.equal((await h.admin("GET", "/state", undefined, "nope")).status, 401);
    assert.deepEqual((await h.admin("GET", "/state")).json.models.churn.weights, { v1: 100, v2: 0, v3: 0 });
  });

  test("weights that do not sum to 100, an unknown version or model, and a bad body are refused with the reason", async () => {
    const sum = await h.admin("PUT", "/models/churn/weights", { weights: { v1: 50, v2: 40 } });
    assert.equal(sum.status, 400);
    assert.match(sum.json.error, /weights sum to 90, not 100/);
    const unknown = await h.admin("PUT", "/models/churn/weights", { weights: { v1: 50, v9: 50 } });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error, /no version "v9" \(it has v1, v2, v3\)/);
    assert.equal((await h.admin("PUT", "/models/fraud/weights", { weights: { v1: 100 } })).status, 404);
    const malformed = await h.admin("PUT", "/models/churn/weights", "{oops");
    assert.equal(malformed.status, 400);
    assert.match(malformed.json.error, /not valid JSON/);
    assert.equal((await h.admin("POST", "/models/churn/launch", {})).status, 404);
  });

  test("set weights, promote, roll back twice: each answered with the new routing, persisted and audited", async () => {
    const set = await h.admin("PUT", "/models/churn/weights", { weights: { v1: 80, v2: 20 } });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json.models.churn.weights, { v1: 80, v2: 20, v3: 0 });
    const saved = JSON.parse(readFileSync(h.gw.statePath, "utf8"));
    assert.deepEqual(saved.models.churn.versions, [{ name: "v1", weight: 80 }, { name: "v2", weight: 20 }, { name: "v3", weight: 0 }]);

    const promoted = await h.admin("POST", "/models/churn/promote", { version: "v2" });
    assert.deepEqual(promoted.json.models.churn.weights, { v1: 0, v2: 100, v3: 0 });
    assert.equal(promoted.json.models.churn.stable, "v2");

    await h.admin("PUT", "/models/churn/weights", { weights: { v2: 50, v3: 50 } });
    const back = await h.admin("POST", "/models/churn/rollback");
    const again = await h.admin("POST", "/models/churn/rollback");
    assert.deepEqual(back.json.models.churn.weights, { v1: 0, v2: 100, v3: 0 });
    assert.deepEqual(again.json, back.json);

    const audit = (await h.admin("GET", "/audit?limit=5")).json.entries;
    assert.deepEqual(audit.map((e: { action: string }) => e.action), ["set weights", "promote", "set weights", "rollback", "rollback"]);
    const promote = audit[1];
    assert.equal(promote.who, "tester");
    assert.deepEqual(promote.before.weights, { v1: 80, v2: 20, v3: 0 });
    assert.deepEqual(promote.after.weights, { v1: 0, v2: 100, v3: 0 });
    assert.equal(promote.after.stable, "v2");
  });

  test("/metrics follows the weights, and a version's first traffic is a release event in the log", async () => {
    await h.admin("PUT", "/models/churn/weights", { weights: { v2: 90, v3: 10 } });
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_traffic_weight\{model="churn",version="v3"\} 10/);
    h.gw.predictionsLog.flush();
    const events = readFileSync(h.gw.predictionsLog.file, "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.event === "release");
    assert.deepEqual(events.map((e) => e.version), ["v2", "v3", "v3"]);
    await h.admin("POST", "/models/churn/rollback");
  });

  test("chaos and shadow requests are checked field by field", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: "latency", share: 10, duration: "1m", ms: 50 }, /'version' is required/],
      [{ version: "v2", kind: "fire", share: 10, duration: "1m" }, /'kind' must be one of latency, error, bias, corrupt/],
      [{ version: "v2", kind: "error", share: 0, duration: "1m" }, /'share' must be a percentage/],
      [{ version: "v2", kind: "error", share: 10, duration: "2d" }, /at most 24h/],
      [{ version: "v2", kind: "latency", share: 10, duration: "1m" }, /needs 'ms'/],
    ];
    for (const [body, message] of cases) {
      const r = await h.admin("POST", "/models/churn/chaos", body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.json.error, message);
    }
    const shadow = await h.admin("PUT", "/models/churn/shadow", { version: "v3", share: 150 });
    assert.equal(shadow.status, 400);
    assert.match(shadow.json.error, /share must be a percentage in \(0, 100\]/);
  });
});

describe("outcomes", () => {
  let h: Harness;
  before(async () => (h = await startHarness({ v1: 100 }, "layers:\n  ui:\n    experiments:\n      checkout: {share: 100, arms: {control: 50, treatment: 50}}\n")));
  after(() => h.close());

  test("a labelled prediction is credited to its version and arm; a conversion to the unit's arm", async () => {
    const res = await h.predict({ features: { tenure: 3 } }, { "x-unit-id": "buyer-1" });
    const id = res.headers.get("x-request-id")!;
    const arm = /^checkout=(control|treatment)$/.exec(res.headers.get("x-experiments")!)![1];
    const post = await fetch(`${h.gw.url}/outcomes`, { method: "POST", body: JSON.stringify([{ request_id: id, outcome: 1 }, { request_id: "forgotten", outcome: 0 }, { unit: "buyer-1", metric: "conversion" }, { unit: "buyer-1", metric: "revenue", value: 12.5 }]) });
    assert.equal(post.status, 202);
    assert.deepEqual(await post.json(), { accepted: 3, unknown: 1 });
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_outcome_total\{model="churn",version="v1",outcome="1"\} 1/);
    assert.match(text, new RegExp(`experiment_exposures_total\\{experiment="checkout",arm="${arm}"\\} 1`));
    assert.match(text, new RegExp(`experiment_conversions_total\\{experiment="checkout",arm="${arm}",metric="conversion"\\} 1`));
    assert.match(text, new RegExp(`experiment_value_sum\\{experiment="checkout",arm="${arm}",metric="revenue"\\} 12.5`));
    h.gw.flushLogs();
    const rows = readFileSync(h.gw.outcomeLog(undefined).file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual({ ...rows[0], ts: undefined }, { ts: undefined, request_id: id, model: "churn", version: "v1", unit: "buyer-1", experiment: "checkout", arm, outcome: 1 });
  });

  test("a named outcome of a prediction counts for its arm and goes to its own log, one row per exposure", async () => {
    const ids: string[] = [];
    for (const unit of ["m-1", "m-2"]) ids.push((await h.predict({ features: { tenure: 1 } }, { "x-unit-id": unit })).headers.get("x-request-id")!);
    const post = await fetch(`${h.gw.url}/outcomes`, { method: "POST", body: JSON.stringify([{ request_id: ids[0], metric: "signup", outcome: 1 }, { request_id: ids[1], metric: "signup", outcome: 0 }]) });
    assert.deepEqual(await post.json(), { accepted: 2, unknown: 0 });
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    const signups = text.split("\n").filter((l) => l.startsWith("experiment_conversions_total{") && l.includes('metric="signup"'));
    assert.equal(signups.length, 1);
    assert.match(signups[0]!, /\} 1$/);
    h.gw.flushLogs();
    const rows = readFileSync(h.gw.outcomeLog("signup").file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.request_id, r.outcome]), [[ids[0], 1], [ids[1], 0]]);
    assert.match(h.gw.outcomeLog("signup").file, /outcomes-signup\.jsonl$/);
  });

  test("a bad batch is refused whole, with the item at fault", async () => {
    const cases: Array<[string, RegExp]> = [
      ["", /the body is empty/],
      ["{", /not valid JSON/],
      [JSON.stringify([{ request_id: "x", outcome: "yes" }]), /outcomes\[0\]: 'outcome' must be a number or a boolean/],
      [JSON.stringify([{ unit: "u" }, { unit: "u", value: -1 }]), /outcomes\[1\]: 'value' must be a number >= 0/],
      [JSON.stringify([{ foo: 1 }]), /needs 'request_id' .* or 'unit'/],
      [JSON.stringify([{ request_id: "x", outcome: 1, metric: "../../etc" }]), /outcomes\[0\]: 'metric' must be a name/],
    ];
    for (const [body, message] of cases) {
      const res = await fetch(`${h.gw.url}/outcomes`, { method: "POST", body });
      assert.equal(res.status, 400, body);
      assert.match((await errorOf(res)), message);
    }
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /experiment_conversions_total\{experiment="checkout",arm="\w+",metric="conversion"\} 1\n/);
  });
});
