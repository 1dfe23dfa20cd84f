/**
 * The GatewayAdmin client against a real gateway (the test harness): every admin route it calls,
 * the state it reads back, the gateway's refusals as RolloutErrors, and cancelling by signal.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { GatewayAdmin, RolloutError } from "../../src/rollout/gateway";
import { freePort } from "../support/servers";
import { sendTraffic, startHarness, TOKEN, type Harness } from "../support/gatewayHarness";

describe("GatewayAdmin against a running gateway", () => {
  let h: Harness;
  let admin: GatewayAdmin;
  before(async () => {
    h = await startHarness({ v1: 100, v2: 0, v3: 0 }, "", { canaryTickMs: 50 });
    admin = new GatewayAdmin({ url: h.gw.adminUrl, token: TOKEN, actor: "client test" });
  });
  after(() => h.close());

  test("state() shows every model's weights, stable version and (empty) chaos", async () => {
    const state = await admin.state();
    assert.deepEqual(Object.keys(state.models), ["churn"]);
    assert.deepEqual(state.models["churn"]!.weights, { v1: 100, v2: 0, v3: 0 });
    assert.equal(state.models["churn"]!.stable, "v1");
    assert.deepEqual(state.models["churn"]!.chaos, []);
    assert.equal(state.models["churn"]!.canary, undefined);
  });

  test("setShadow and clearShadow put and delete the shadow; the audit log names the actor", async () => {
    const set = await admin.setShadow("churn", "v3", 20);
    assert.deepEqual(set.shadow, { version: "v3", share: 20 });
    assert.deepEqual((await admin.routing("churn")).shadow, { version: "v3", share: 20 });
    const cleared = await admin.clearShadow("churn");
    assert.equal(cleared.shadow, undefined);
    const audit = (await h.admin("GET", "/audit")).json.entries as { who: string; action: string }[];
    assert.deepEqual(audit.filter((e) => e.who === "client test").map((e) => e.action).slice(-2), ["start shadow", "stop shadow"]);
  });

  test("startChaos adds a rule that fails the version's requests; stopChaos ends it", async () => {
    const started = await admin.startChaos("churn", { version: "v1", kind: "error", share: 100, duration: "1m" });
    assert.equal(started.chaos.length, 1);
    assert.equal(started.chaos[0]!.kind, "error");
    assert.equal(started.chaos[0]!.version, "v1");
    assert.ok(started.chaos[0]!.until > Date.now());
    const res = await h.predict({ features: { tenure: 3 } }, { "x-unit-id": "chaos-1" });
    assert.equal(res.status, 503);
    await res.arrayBuffer();
    const totals = await admin.totals("churn");
    assert.ok(totals["v1"]!.errors >= 1);
    assert.deepEqual((await admin.stopChaos("churn")).chaos, []);
  });

  test("startChaos without a duration gets 5 minutes", async () => {
    const before = Date.now();
    const started = await admin.startChaos("churn", { version: "v2", kind: "latency", ms: 10, share: 5 });
    const until = started.chaos[0]!.until;
    assert.ok(until >= before + 5 * 60_000 - 1000 && until <= Date.now() + 5 * 60_000 + 1000, `until ${until}`);
    await admin.stopChaos("churn");
  });

  test("startCanary sets the first step at once, with the policy's steps; abortCanary sends traffic back", async () => {
    const started = await admin.startCanary("churn", "v2", { steps: [{ weight: 30, pause: "1h" }], metrics: ["error_rate"] });
    assert.deepEqual(started.weights, { v1: 70, v2: 30, v3: 0 });
    assert.equal(started.canary?.version, "v2");
    assert.equal(started.canary?.baseline, "v1");
    assert.deepEqual(started.canary?.policy.steps.map((s) => s.weight), [30]);
    assert.equal(started.canary?.result.status, "running");
    const aborted = await admin.abortCanary("churn");
    assert.equal(aborted.canary, undefined);
    assert.equal(aborted.lastCanary?.version, "v2");
    assert.deepEqual(aborted.weights, { v1: 100, v2: 0, v3: 0 });
  });

  test("a canary that ends by itself shows as lastCanary with its document", async () => {
    await admin.startCanary("churn", "v3", { steps: [{ weight: 50, pause: "1s" }], minSample: 20, metrics: ["error_rate"] });
    await sendTraffic(h, () => h.gw.routing.models["churn"]!.canary === undefined);
    const route = await admin.routing("churn");
    assert.equal(route.canary, undefined);
    assert.equal(route.lastCanary?.version, "v3");
    assert.equal(route.lastCanary?.result.kind, "canary");
    assert.equal(route.lastCanary?.result.status, "promoted");
    assert.equal(route.stable, "v3");
    await admin.promote("churn", "v1");
    assert.equal((await admin.routing("churn")).stable, "v1");
  });

  test("the gateway's refusals are RolloutErrors with its status and message", async () => {
    await assert.rejects(admin.abortCanary("churn"), (err: unknown) => err instanceof RolloutError && err.status === 409 && /no canary in progress/.test(err.message));
    await assert.rejects(admin.setShadow("churn", "v9", 10), (err: unknown) => err instanceof RolloutError && err.status === 404 && /no version "v9"/.test(err.message));
    await assert.rejects(admin.startChaos("nope", { version: "v1", kind: "error", share: 10 }), (err: unknown) => err instanceof RolloutError && err.status === 404);
    const wrong = new GatewayAdmin({ url: h.gw.adminUrl, token: "wrong" });
    await assert.rejects(wrong.state(), (err: unknown) => err instanceof RolloutError && err.status === 401 && /token was refused/.test(err.message));
  });
});

test("a call is cancelled by its own signal or the client's, and times out on its own", async () => {
  // A server that accepts and never answers.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  try {
    const controller = new AbortController();
    const pending = new GatewayAdmin({ url, token: "t", timeoutMs: 60_000 }).state(controller.signal);
    setTimeout(() => controller.abort(new Error("refresh cancelled")), 50);
    await assert.rejects(pending, /refresh cancelled/);

    const client = new AbortController();
    const pendingClient = new GatewayAdmin({ url, token: "t", timeoutMs: 60_000, signal: client.signal }).totals("churn");
    setTimeout(() => client.abort(new Error("editor closed")), 50);
    await assert.rejects(pendingClient, /editor closed/);

    await assert.rejects(new GatewayAdmin({ url, token: "t", timeoutMs: 100 }).state(), (err: unknown) => err instanceof RolloutError && /did not answer in time/.test(err.message));
  } finally {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test("an unreachable gateway is a RolloutError that says so", async () => {
  const admin = new GatewayAdmin({ url: `http://127.0.0.1:${await freePort()}`, token: "t" });
  await assert.rejects(admin.state(), (err: unknown) => err instanceof RolloutError && /unreachable \(ECONNREFUSED\)/.test(err.message));
});
