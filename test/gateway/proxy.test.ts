/**
 * The gateway's request path over real HTTP: routing by weight with sticky units, the headers a
 * client and a model server see, telemetry on /metrics and in the prediction log, and every kind
 * of bad input or failing model server answered with a clear status while the gateway stays up.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chiSquareGoodnessOfFit } from "../../src/core/stats/chiSquareGoodnessOfFit";
import { errorOf, eventually, startHarness, type Harness } from "../support/gatewayHarness";

describe("routing", () => {
  let h: Harness;
  before(async () => (h = await startHarness({ v1: 70, v2: 30 }, "    assertions:\n      features: {tenure: {type: number, required: true, min: 0}}\n", {})));
  after(() => h.close());

  test("a unit always gets the same version, and the client and the model server see who served", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await h.predict({ features: { tenure: 5 } }, { "x-unit-id": "user-42" });
      assert.equal(res.status, 200);
      seen.add(res.headers.get("x-model-version")!);
      assert.match(res.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
      assert.equal(typeof ((await res.json()) as { prediction: unknown }).prediction, "number");
    }
    assert.equal(seen.size, 1);
    const last = h.stub.calls.at(-1)!;
    assert.equal(last.path, "/predict");
    assert.equal(last.headers["x-model-version"], [...seen][0]);
    assert.equal(last.headers["x-unit-id"], "user-42");
  });

  test("a client's request id is kept", async () => {
    const res = await h.predict({ features: { tenure: 1 } }, { "x-unit-id": "u", "x-request-id": "req-123" });
    assert.equal(res.headers.get("x-request-id"), "req-123");
    assert.equal(h.stub.calls.at(-1)!.headers["x-request-id"], "req-123");
  });

  test("the path and query after the model's name reach the version's URL as they came", async () => {
    const res = await fetch(`${h.gw.url}/models/churn/v2/score?explain=1&k=a%20b`, { method: "POST", headers: { "x-unit-id": "q1" }, body: JSON.stringify({ features: { tenure: 1 } }) });
    assert.equal(res.status, 200);
    assert.equal(h.stub.calls.at(-1)!.path, "/v2/score?explain=1&k=a%20b");
  });

  test("2,000 units split 70/30 within a chi-square test's tolerance", async () => {
    const counts = { v1: 0, v2: 0 };
    for (let i = 0; i < 2000; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => h.predict({ features: { tenure: 3 } }, { "x-unit-id": `unit-${i + j}` })));
      for (const res of batch) counts[res.headers.get("x-model-version") as "v1" | "v2"]++;
    }
    const test = chiSquareGoodnessOfFit([counts.v1, counts.v2], [0.7 * 2000, 0.3 * 2000]);
    assert.ok(test.pValue > 0.001, `split ${counts.v1}/${counts.v2}: p = ${test.pValue}`);
  });

  test("/metrics has the request, latency, feature and weight series, and the log has the records", async () => {
    await h.predict({ features: { tenure: 7, plan: "pro" } }, { "x-unit-id": "m1" });
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_requests_total\{model="churn",version="v1"\} \d+/);
    assert.match(text, /model_latency_seconds_bucket\{le="0.005",model="churn",version="v1"\}/);
    assert.match(text, /model_feature_bucket\{le="10",model="churn",version="v\d",feature="tenure"\}/);
    assert.match(text, /model_prediction_count\{model="churn",version="v\d"\}/);
    assert.match(text, /model_traffic_weight\{model="churn",version="v2"\} 30/);
    // Declared features only: "plan" is not in the assertions, so it makes no series.
    assert.doesNotMatch(text, /feature="plan"/);
    h.gw.predictionsLog.flush();
    const rows = readFileSync(h.gw.predictionsLog.file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const row = rows.find((r) => r.unit === "m1");
    assert.equal(row.model, "churn");
    assert.deepEqual(row.features, { tenure: 7, plan: "pro" });
    assert.equal(typeof row.prediction, "number");
    assert.equal(row.error, false);
  });

  test("a broken assertion is counted and logged, and the request is still served", async () => {
    const res = await h.predict({ features: { tenure: -4 } }, { "x-unit-id": "a1" });
    assert.equal(res.status, 200);
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_assertion_violations_total\{model="churn",version="v\d",assertion="range:tenure"\} 1/);
    h.gw.predictionsLog.flush();
    const row = readFileSync(h.gw.predictionsLog.file, "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.unit === "a1");
    assert.match(row.violations[0], /tenure = -4 is outside \[0, inf\]/);
  });
});

describe("bad input and failing model servers", () => {
  let h: Harness;
  before(async () => (h = await startHarness({ v1: 100 })));
  after(() => h.close());

  test("an unknown model is a 404 naming the models there are", async () => {
    const res = await h.predict({ features: {} }, {}, "fraud");
    assert.equal(res.status, 404);
    assert.match((await errorOf(res)), /no model 'fraud': the gateway routes churn/);
  });

  test("a malformed body is a 400 and never reaches the model", async () => {
    const calls = h.stub.calls.length;
    const res = await h.predict("{not json", { "x-unit-id": "u" });
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)), /not a JSON object/);
    const list = await h.predict("[1,2]", { "x-unit-id": "u" });
    assert.equal(list.status, 400);
    assert.equal(h.stub.calls.length, calls);
  });

  test("a body over 1 MiB is a 413", async () => {
    const res = await h.predict({ features: { blob: "x".repeat(1024 * 1024) } });
    assert.equal(res.status, 413);
  });

  test("an unknown path is a 404 that says where things are", async () => {
    const res = await fetch(`${h.gw.url}/predict`);
    assert.equal(res.status, 404);
    assert.match((await errorOf(res)), /models are at \/models\/<model>/);
  });

  test("a model server error is passed on and counted; a hung one is a 504; the gateway stays up", async () => {
    h.stub.behaviour.set("v1", { fail: true });
    const failed = await h.predict({ features: { tenure: 1 } });
    assert.equal(failed.status, 500);
    h.stub.behaviour.set("v1", { hang: true });
    const hung = await h.predict({ features: { tenure: 1 } });
    assert.equal(hung.status, 504);
    assert.match((await errorOf(hung)), /did not answer within 2000 ms/);
    h.stub.behaviour.delete("v1");
    assert.equal((await h.predict({ features: { tenure: 1 } })).status, 200);
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_errors_total\{model="churn",version="v1"\} 2/);
  });
});

test("a model server that is down is a 502 counted as an error, and the gateway stays up", async () => {
  const h = await startHarness({ v1: 100 });
  try {
    await h.stub.close();
    const res = await h.predict({ features: { tenure: 1 } });
    assert.equal(res.status, 502);
    assert.match((await errorOf(res)), /model 'churn' version v1: the model server at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_errors_total\{model="churn",version="v1"\} 1/);
    assert.equal((await fetch(`${h.gw.url}/healthz`)).status, 200);
  } finally {
    await h.close().catch(() => {});
  }
});

test("hostile label values from traffic are escaped on /metrics and bounded in number", async () => {
  const h = await startHarness({ v1: 100 });
  try {
    await h.predict({ features: { 'ev"il\n{x="1"}': "a\\b\"c\nd" } }, { "x-unit-id": "h" });
    for (let i = 0; i < 80; i++) await h.predict({ features: { city: `c${i}` } }, { "x-unit-id": `h${i}` });
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.ok(text.includes('feature="ev\\"il\\n{x=\\"1\\"}",category="a\\\\b\\"c\\nd"'), "label values escaped");
    const cities = text.split("\n").filter((l) => l.startsWith("model_feature_category_total") && l.includes('feature="city"'));
    assert.equal(cities.length, 51, "50 categories and __other__");
    assert.ok(cities.some((l) => l.includes('category="__other__"} 30')));
    await eventually(() => (h.stub.calls.length >= 81 ? true : undefined));
    assert.ok(path.isAbsolute(h.gw.predictionsLog.file));
  } finally {
    await h.close();
  }
});

test("a model name that is not valid percent-encoding is a 400", async () => {
  const h = await startHarness({ v1: 100 });
  try {
    const res = await fetch(`${h.gw.url}/models/%E0%A4%A/predict`, { method: "POST", body: "{}" });
    assert.equal(res.status, 400);
    assert.match(await errorOf(res), /not valid percent-encoding/);
  } finally {
    await h.close();
  }
});

test("with a log sample rate of 0 the log keeps nothing, /metrics every request", async () => {
  const h = await startHarness({ v1: 100 }, "logs: {sample_rate: 0}\n");
  try {
    for (let i = 0; i < 20; i++) await (await h.predict({ features: { tenure: i } }, { "x-unit-id": `s${i}` })).arrayBuffer();
    const text = await (await fetch(`${h.gw.url}/metrics`)).text();
    assert.match(text, /model_requests_total\{model="churn",version="v1"\} 20/);
    h.gw.flushLogs();
    assert.equal(readFileSync(h.gw.predictionsLog.file, "utf8"), "");
  } finally {
    await h.close();
  }
});

test("redacted log fields are hashed with the salt the environment holds, never with its reference", async () => {
  const h = await startHarness({ v1: 100 }, 'logs: {redact: {unit: hash, features.email: drop}, salt: "${env:GW_TEST_SALT}"}\n', { env: { GW_TEST_TOKEN: "test-admin-token", GW_TEST_SALT: "pepper" } });
  try {
    await (await h.predict({ features: { tenure: 1, email: "a@b.c" } }, { "x-unit-id": "alice" })).arrayBuffer();
    h.gw.flushLogs();
    const row = JSON.parse(readFileSync(h.gw.predictionsLog.file, "utf8").trim().split("\n")[0]!);
    assert.equal(row.unit, createHash("sha256").update("pepper\u0000alice").digest("hex").slice(0, 16));
    assert.deepEqual(row.features, { tenure: 1 });
  } finally {
    await h.close();
  }
});
