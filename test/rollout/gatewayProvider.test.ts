/**
 * GatewayProvider against a real gateway (the test harness): the status it reads, the changes it
 * makes through the admin API, the history it reads back from the audit log, and the gateway's
 * failures as ProviderErrors of the right kind.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { GatewayAdmin } from "../../src/rollout/gateway";
import { GatewayProvider } from "../../src/rollout/gatewayProvider";
import { type Capability, checkWeight, ProviderError, requireCapability, type RolloutProvider } from "../../src/rollout/provider";
import { startHarness, TOKEN, type Harness } from "../support/gatewayHarness";

/** A second model, so that history can be seen to keep to one. */
const FRAUD = "  fraud:\n    versions:\n      a: {url: 'http://127.0.0.1:9/a', weight: 100}\n      b: {url: 'http://127.0.0.1:9/b', weight: 0}\n";

/** A ProviderError of `kind` (and `status`, when given) whose message matches `message`. */
function providerError(kind: ProviderError["kind"], message?: RegExp, status?: number): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (message) assert.match(err.message, message);
    if (status !== undefined) assert.equal(err.status, status);
    return true;
  };
}

const provider = (h: Harness, token = TOKEN, actor = "provider test"): GatewayProvider => new GatewayProvider(new GatewayAdmin({ url: h.gw.adminUrl, token, actor }));

describe("GatewayProvider status and changes", () => {
  let h: Harness;
  let gw: GatewayProvider;
  before(async () => {
    h = await startHarness({ v1: 100, v2: 0, v3: 0 });
    gw = provider(h);
  });
  after(() => h.close());
  beforeEach(async () => {
    // Every test starts from v1 stable with all the traffic and no canary.
    if (h.gw.routing.models["churn"]!.canary) await gw.admin.abortCanary("churn");
    await gw.admin.promote("churn", "v1");
  });

  test("it is a gateway provider that can do everything", () => {
    assert.equal(gw.kind, "gateway");
    assert.deepEqual([...gw.capabilities].sort(), ["abort", "history", "hostedCanary", "promote", "rollback", "shadow", "weights"]);
    for (const c of gw.capabilities) requireCapability(gw, c);
  });

  test("status: the stable version, every version's weight, no canary while the stable one has all", async () => {
    assert.deepEqual(await gw.status("churn"), { model: "churn", provider: "gateway", stable: "v1", weights: { v1: 100, v2: 0, v3: 0 } });
  });

  test("status: one non-stable version with weight is the canary; two are not", async () => {
    await gw.admin.setWeights("churn", { v1: 80, v2: 20 });
    assert.deepEqual(await gw.status("churn"), { model: "churn", provider: "gateway", stable: "v1", weights: { v1: 80, v2: 20, v3: 0 }, canary: { version: "v2", weight: 20 } });
    await gw.admin.setWeights("churn", { v1: 50, v2: 25, v3: 25 });
    const two = await gw.status("churn");
    assert.deepEqual(two.weights, { v1: 50, v2: 25, v3: 25 });
    assert.equal(two.canary, undefined);
    await gw.admin.setWeights("churn", { v1: 0, v3: 100 });
    const all = await gw.status("churn");
    assert.equal(all.stable, "v1", "weights alone do not change the stable version");
    assert.deepEqual(all.canary, { version: "v3", weight: 100 });
  });

  test("status shows the shadow", async () => {
    await gw.admin.setShadow("churn", "v3", 20);
    try {
      assert.deepEqual((await gw.status("churn")).shadow, { version: "v3", share: 20 });
    } finally {
      await gw.admin.clearShadow("churn");
    }
  });

  test("setWeight gives the version its weight and the stable version the rest, the others none", async () => {
    const first = await gw.setWeight("churn", "v2", 10);
    assert.deepEqual(first, { model: "churn", provider: "gateway", stable: "v1", weights: { v1: 90, v2: 10, v3: 0 }, canary: { version: "v2", weight: 10 } });
    const moved = await gw.setWeight("churn", "v3", 35);
    assert.deepEqual(moved.weights, { v1: 65, v2: 0, v3: 35 });
    assert.deepEqual(moved.canary, { version: "v3", weight: 35 });
    const none = await gw.setWeight("churn", "v3", 0);
    assert.deepEqual(none.weights, { v1: 100, v2: 0, v3: 0 });
    assert.equal(none.canary, undefined);
    const full = await gw.setWeight("churn", "v2", 100);
    assert.deepEqual(full.weights, { v1: 0, v2: 100, v3: 0 });
    assert.equal(full.stable, "v1");
    assert.deepEqual((await h.admin("GET", "/state")).json.models.churn.weights, { v1: 0, v2: 100, v3: 0 }, "the gateway itself has the weights");
  });

  test("setWeight refuses the stable version, and weights that are not whole percents from 0 to 100", async () => {
    await assert.rejects(async () => gw.setWeight("churn", "v1", 10), providerError("refused", /^v1 is the stable version of 'churn': give a candidate a weight, or promote it$/));
    for (const weight of [101, 2.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(async () => gw.setWeight("churn", "v2", weight), providerError("refused", new RegExp(`^a weight is a whole percent from 0 to 100, got ${weight}$`)), String(weight));
    }
    assert.deepEqual((await gw.status("churn")).weights, { v1: 100, v2: 0, v3: 0 }, "nothing moved");
  });

  test("setWeight with a bad weight returns a rejected promise, as the interface says, rather than throwing", async () => {
    const pending = gw.setWeight("churn", "v2", 101);
    assert.ok(pending instanceof Promise);
    await assert.rejects(pending, providerError("refused", /whole percent/));
  });

  test("setWeight of a version the gateway does not have is not-found", async () => {
    await assert.rejects(async () => gw.setWeight("churn", "v9", 10), providerError("not-found", /no version "v9"/, 404));
  });

  test("promote: all traffic to the version, which becomes stable", async () => {
    await gw.setWeight("churn", "v2", 25);
    const promoted = await gw.promote("churn", "v2");
    assert.deepEqual(promoted, { model: "churn", provider: "gateway", stable: "v2", weights: { v1: 0, v2: 100, v3: 0 } });
    const direct = await gw.promote("churn", "v3");
    assert.equal(direct.stable, "v3");
    assert.deepEqual(direct.weights, { v1: 0, v2: 0, v3: 100 });
  });

  test("rollback: all traffic back to the stable version; again changes nothing", async () => {
    await gw.setWeight("churn", "v3", 40);
    const back = await gw.rollback("churn");
    assert.deepEqual(back, { model: "churn", provider: "gateway", stable: "v1", weights: { v1: 100, v2: 0, v3: 0 } });
    assert.deepEqual(await gw.rollback("churn"), back);
  });

  test("abort without a gateway canary is a rollback", async () => {
    await gw.setWeight("churn", "v2", 30);
    const aborted = await gw.abort("churn");
    assert.deepEqual(aborted, { model: "churn", provider: "gateway", stable: "v1", weights: { v1: 100, v2: 0, v3: 0 } });
    const audit = (await gw.admin.audit()).filter((e) => e.who === "provider test");
    assert.equal(audit.at(-1)?.action, "rollback");
  });

  test("a canary the gateway hosts shows in status with a note; abort ends it and sends the traffic back", async () => {
    await gw.admin.startCanary("churn", "v2", { steps: [{ weight: 30, pause: "1h" }], metrics: ["error_rate"] });
    const running = await gw.status("churn");
    assert.deepEqual(running, {
      model: "churn",
      provider: "gateway",
      stable: "v1",
      weights: { v1: 70, v2: 30, v3: 0 },
      canary: { version: "v2", weight: 30 },
      notes: ["the gateway hosts a canary of v2: running, step 1"],
    });
    // The gateway refuses to move weights under its own canary.
    await assert.rejects(async () => gw.setWeight("churn", "v3", 10), providerError("conflict", /has a canary of v2 in progress: abort it before setting weights/, 409));
    const aborted = await gw.abort("churn");
    assert.deepEqual(aborted, { model: "churn", provider: "gateway", stable: "v1", weights: { v1: 100, v2: 0, v3: 0 } });
    const route = await gw.admin.routing("churn");
    assert.equal(route.canary, undefined);
    assert.equal(route.lastCanary?.version, "v2");
    const audit = (await gw.admin.audit()).filter((e) => e.who === "provider test");
    assert.equal(audit.at(-1)?.action, "abort canary");
  });

  test("promote while the gateway hosts a canary ends it as promoted", async () => {
    await gw.admin.startCanary("churn", "v3", { steps: [{ weight: 10, pause: "1h" }], metrics: ["error_rate"] });
    const promoted = await gw.promote("churn", "v3");
    assert.deepEqual(promoted, { model: "churn", provider: "gateway", stable: "v3", weights: { v1: 0, v2: 0, v3: 100 } });
    assert.equal((await gw.admin.routing("churn")).lastCanary?.result.status, "promoted");
  });

  test("a call cancelled by its signal rejects with the signal's reason, not a ProviderError", async () => {
    const controller = new AbortController();
    controller.abort(new Error("refresh cancelled"));
    await assert.rejects(gw.status("churn", controller.signal), (err: unknown) => !(err instanceof ProviderError) && /refresh cancelled/.test((err as Error).message));
  });
});

describe("GatewayProvider history, from the gateway's audit log", () => {
  const t0 = Date.parse("2025-03-01T10:00:00.000Z");
  let clock = t0;
  let h: Harness;
  let gw: GatewayProvider;
  const at = (minutes: number): void => {
    clock = t0 + minutes * 60_000;
  };
  before(async () => {
    h = await startHarness({ v1: 100, v2: 0, v3: 0 }, FRAUD, { clock: () => clock });
    gw = provider(h, TOKEN, "history test");
    at(1);
    await gw.setWeight("churn", "v2", 10);
    at(2);
    await gw.admin.setWeights("fraud", { a: 50, b: 50 });
    at(3);
    await gw.setWeight("churn", "v2", 50);
    at(4);
    await gw.rollback("churn");
    at(5);
    await gw.promote("churn", "v3");
    at(6);
    await gw.admin.startCanary("churn", "v2", { steps: [{ weight: 20, pause: "1h" }], metrics: ["error_rate"] });
    at(7);
    await gw.abort("churn");
    // Changes of the other model and another actor's shadow, which are not weights.
    at(8);
    await gw.admin.setShadow("churn", "v1", 10);
  });
  after(() => h.close());

  test("every change of the model, oldest first: its kind, the weights after it, who made it, the gateway's name for it", async () => {
    const events = await gw.history("churn", 0);
    assert.deepEqual(
      events.map((e) => [new Date(e.t).toISOString().slice(11, 16), e.kind, e.source, e.actor]),
      [
        ["10:01", "weights", "set weights", "history test"],
        ["10:03", "weights", "set weights", "history test"],
        ["10:04", "rollback", "rollback", "history test"],
        ["10:05", "promote", "promote", "history test"],
        ["10:06", "weights", "start canary", "history test"],
        ["10:06", "weights", "canary set-weight", "canary"],
        ["10:07", "abort", "abort canary", "history test"],
        ["10:08", "other", "start shadow", "history test"],
      ],
    );
    assert.deepEqual(
      events.map((e) => e.weights),
      [
        { v1: 90, v2: 10, v3: 0 },
        { v1: 50, v2: 50, v3: 0 },
        { v1: 100, v2: 0, v3: 0 },
        { v1: 0, v2: 0, v3: 100 },
        // Starting a canary records the canary before its first step moves any traffic.
        { v1: 0, v2: 0, v3: 100 },
        { v1: 0, v2: 20, v3: 80 },
        { v1: 0, v2: 0, v3: 100 },
        { v1: 0, v2: 0, v3: 100 },
      ],
    );
  });

  test("only the model asked for", async () => {
    const fraud = await gw.history("fraud", 0);
    assert.deepEqual(
      fraud.map((e) => [e.kind, e.weights]),
      [["weights", { a: 50, b: 50 }]],
    );
    assert.deepEqual(await gw.history("nope", 0), [], "a model without changes has an empty history");
  });

  test("only changes at or after since", async () => {
    const events = await gw.history("churn", t0 + 5 * 60_000);
    assert.deepEqual(
      events.map((e) => e.source),
      ["promote", "start canary", "canary set-weight", "abort canary", "start shadow"],
    );
    assert.equal(events[0]!.t, t0 + 5 * 60_000);
    assert.deepEqual(await gw.history("churn", t0 + 9 * 60_000), []);
  });
});

describe("the gateway's failures as ProviderError kinds", () => {
  let h: Harness;
  before(async () => (h = await startHarness({ v1: 100, v2: 0 })));
  after(() => h.close());

  test("a wrong token is unauthorized, for every call", async () => {
    const wrong = provider(h, "guess");
    const refused = providerError("unauthorized", /the admin token was refused/, 401);
    await assert.rejects(wrong.status("churn"), refused);
    await assert.rejects(wrong.promote("churn", "v2"), refused);
    await assert.rejects(wrong.rollback("churn"), refused);
    await assert.rejects(wrong.abort("churn"), refused);
    await assert.rejects(wrong.history("churn", 0), refused);
    await assert.rejects(async () => wrong.setWeight("churn", "v2", 5), refused);
    assert.deepEqual(h.gw.routing.models["churn"]!.versions.map((v) => v.weight), [100, 0], "nothing moved");
  });

  test("a model the gateway does not route is not-found", async () => {
    const gw = provider(h);
    await assert.rejects(gw.status("nope"), providerError("not-found", /the gateway does not route model 'nope' \(it routes churn\)/, 404));
    await assert.rejects(gw.promote("nope", "v1"), providerError("not-found", undefined, 404));
    await assert.rejects(gw.rollback("nope"), providerError("not-found", undefined, 404));
    await assert.rejects(gw.abort("nope"), providerError("not-found", undefined, 404));
    await assert.rejects(async () => gw.setWeight("nope", "v2", 5), providerError("not-found", undefined, 404));
    await assert.rejects(gw.promote("churn", "v7"), providerError("not-found", /no version "v7"/, 404));
  });

  test("a closed gateway is unreachable, without a status", async () => {
    const gateway = await startHarness({ v1: 100, v2: 0 });
    const gw = provider(gateway);
    await gateway.close();
    const down = providerError("unreachable", /is unreachable \(ECONNREFUSED\); is 'prodinsights gateway' running\?/);
    for (const call of [() => gw.status("churn"), () => gw.rollback("churn"), () => gw.history("churn", 0), () => gw.setWeight("churn", "v2", 5)]) {
      await assert.rejects(async () => call(), (err: unknown) => down(err) && (err as ProviderError).status === undefined);
    }
  });
});

describe("requireCapability and checkWeight", () => {
  const limited: RolloutProvider = {
    kind: "unleash",
    capabilities: new Set<Capability>(["weights", "promote", "rollback"]),
    status: () => Promise.reject(new Error("unused")),
    setWeight: () => Promise.reject(new Error("unused")),
    promote: () => Promise.reject(new Error("unused")),
    rollback: () => Promise.reject(new Error("unused")),
    abort: () => Promise.reject(new Error("unused")),
    history: () => Promise.reject(new Error("unused")),
  };

  test("a missing capability is unsupported, saying what the provider can do", () => {
    requireCapability(limited, "weights");
    assert.throws(() => requireCapability(limited, "hostedCanary"), providerError("unsupported", /^unleash cannot host a canary; it can weights, promote, rollback$/));
    assert.throws(() => requireCapability(limited, "history"), providerError("unsupported", /^unleash cannot history; it can weights, promote, rollback$/));
    assert.throws(() => requireCapability({ ...limited, capabilities: new Set<Capability>(["history"]) }, "weights"), providerError("unsupported", /^unleash cannot set weights; it can history$/));
  });

  test("a weight is a whole percent from 0 to 100", () => {
    for (const w of [0, 1, 50, 100]) assert.equal(checkWeight(w), w);
    for (const w of [-1, 101, 0.5, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => checkWeight(w), providerError("refused", /^a weight is a whole percent from 0 to 100, got /), String(w));
  });

  test("a ProviderError is refused by default, and carries the status", () => {
    const err = new ProviderError("no");
    assert.equal(err.kind, "refused");
    assert.equal(err.status, undefined);
    assert.equal(err.name, "ProviderError");
    assert.ok(err instanceof Error);
    assert.equal(new ProviderError("gone", "not-found", 404).status, 404);
  });
});
