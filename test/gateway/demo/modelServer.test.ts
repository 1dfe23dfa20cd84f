import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { failsRequest, scoreChurn, type ChurnFeatures } from "../../../src/gateway/demo/models";
import { startModelServer, type ModelServer } from "../../../src/gateway/demo/modelServer";

let server: ModelServer;
before(async () => (server = await startModelServer()));
after(() => server.close());

const features: ChurnFeatures = { tenure_months: 7, monthly_charges: 55.5, support_calls: 2, contract: "one-year", region: "east", plan: "basic" };

const predict = (version: string, body: string, id?: string) =>
  fetch(`${server.url}/${version}/predict`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(id !== undefined ? { "x-request-id": id } : {}) },
    body,
  });

/** A request id that `version` fails on, or does not. */
const idWhere = (version: "v1" | "v3", fails: boolean): string => {
  for (let i = 0; ; i++) if (failsRequest(version, `id-${i}`) === fails) return `id-${i}`;
};

test("it listens on 127.0.0.1 and reports its versions at /healthz", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", versions: ["v1", "v2", "v3"] });
});

test("each version answers with its own score of the features", async () => {
  const body = JSON.stringify({ features, extra: "ignored" });
  for (const v of ["v1", "v2", "v3"] as const) {
    const id = idWhere("v3", false);
    const res = await predict(v, body, id);
    assert.equal(res.status, 200, v);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { prediction: scoreChurn(v, features) });
  }
  assert.notEqual(scoreChurn("v1", features), scoreChurn("v2", features));
});

test("a version fails with a 500 on the requests models.ts says, the same ones every time", async () => {
  const body = JSON.stringify({ features });
  const bad = idWhere("v3", true);
  for (let i = 0; i < 2; i++) {
    const res = await predict("v3", body, bad);
    assert.equal(res.status, 500);
    assert.match(((await res.json()) as { error: string }).error, /churn v3 failed on this request \(simulated\)/);
  }
  if (!failsRequest("v1", bad)) assert.equal((await predict("v1", body, bad)).status, 200);
  // Without a request id, the body is the key.
  const res = await predict("v2", body);
  assert.equal(res.status, failsRequest("v2", body) ? 500 : 200);
  await res.arrayBuffer();
});

test("a body that cannot be scored is a 400 that says why; unknown routes are 404, other methods 405", async () => {
  const cases: Array<[string, RegExp]> = [
    ["not json", /the body is not JSON/],
    ["[]", /the body needs a 'features' object/],
    ["null", /the body needs a 'features' object/],
    [JSON.stringify({ features: { ...features, tenure_months: "7" } }), /features.tenure_months must be a finite number/],
    [JSON.stringify({ features: { ...features, plan: undefined } }), /features.plan must be a string/],
  ];
  for (const [body, message] of cases) {
    const res = await predict("v1", body);
    assert.equal(res.status, 400, body);
    assert.match(((await res.json()) as { error: string }).error, message);
  }
  const unknown = await predict("v9", JSON.stringify({ features }));
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: string }).error, /no route \/v9\/predict: POST \/<version>\/predict with version one of v1, v2, v3/);
  const get = await fetch(`${server.url}/v1/predict`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  await get.arrayBuffer();
  const big = await predict("v1", JSON.stringify({ features, pad: "x".repeat(1_100_000) })).catch(() => undefined);
  if (big) assert.equal(big.status, 413); // or the connection closed while the body was still going
});

test("with latency asked for, answers are the same; close() ends requests still waiting", async () => {
  const slow = await startModelServer({ latencyMs: { v1: 3, v2: 600_000 }, errorRates: { v1: 0 } });
  const body = JSON.stringify({ features });
  const res = await fetch(`${slow.url}/v1/predict`, { method: "POST", body, headers: { "x-request-id": "x" } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { prediction: scoreChurn("v1", features) });
  const waiting = fetch(`${slow.url}/v2/predict`, { method: "POST", body }).then(
    (r) => r.status,
    () => "closed",
  );
  await new Promise((r) => setTimeout(r, 20));
  await slow.close();
  assert.equal(await waiting, "closed");
});
