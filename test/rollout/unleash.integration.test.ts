/**
 * The Unleash provider against a real Unleash OSS (unleash-server 7.5.1) on a private PostgreSQL
 * cluster, both on 127.0.0.1 (scripts/unleash.mjs): a canary from start to promotion, one rolled
 * back by the canary state machine, a wrong token, Unleash stopped in the middle of a step, and two
 * edits at once. Missing PostgreSQL or unleash-server skips the suite locally and fails it under CI.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CanaryMeasurement, CanaryPolicy } from "../../src/core/canary/policy";
import { CanaryHostError, hostCanary, type CanaryTarget } from "../../src/rollout/hostCanary";
import { ProviderError } from "../../src/rollout/provider";
import { UnleashProvider } from "../../src/rollout/unleash";
import { type RunningUnleash, unleashOrSkip } from "../support/unleash";

const ENVIRONMENT = "production";

function provider(unleash: RunningUnleash, token = unleash.adminToken): UnleashProvider {
  return new UnleashProvider({ url: unleash.url, token, project: "default", environment: ENVIRONMENT, flags: (model) => ({ flag: `model-${model}`, stickiness: "userId" }) });
}

/** What an application's SDK would read: the flag's strategies in the environment, in order. */
async function strategies(unleash: RunningUnleash, flag: string): Promise<{ title: string; rollout: string; variant: string }[]> {
  const res = await fetch(`${unleash.url}/api/admin/projects/default/features/${flag}`, { headers: { authorization: unleash.adminToken } });
  const feature = (await res.json()) as { environments: { name: string; strategies: { title: string; sortOrder: number; parameters: { rollout: string }; variants: { name: string }[] }[] }[] };
  return feature.environments
    .find((e) => e.name === ENVIRONMENT)!
    .strategies.sort((a, b) => a.sortOrder - b.sortOrder)
    .map((s) => ({ title: s.title, rollout: s.parameters.rollout, variant: s.variants[0]!.name }));
}

const POLICY: CanaryPolicy = {
  steps: [
    { weight: 10, pauseMs: 0 },
    { weight: 50, pauseMs: 0 },
  ],
  metrics: [{ name: "error_rate", kind: "proportion", direction: "lower" }],
  confidence: 0.95,
  minSample: 100,
  failureLimit: 1,
  inconclusiveLimit: 2,
};

/** Unleash moves the traffic; the measurements are the test's: errors per 1,000 requests of each version. */
function target(p: UnleashProvider, model: string, candidate: string, errors: { baseline: number; candidate: number }, moves: string[]): CanaryTarget {
  const measure = (rate: number): { successes: number; trials: number } => ({ successes: rate, trials: 1000 });
  return {
    setWeight: async (w) => {
      moves.push(`weight ${w}`);
      await p.setWeight(model, candidate, w);
    },
    promote: async () => {
      moves.push("promote");
      await p.promote(model, candidate);
    },
    rollback: async () => {
      moves.push("rollback");
      await p.rollback(model);
    },
    startWindow: async () => undefined,
    measure: async (): Promise<CanaryMeasurement[]> => [{ metric: "error_rate", kind: "proportion", baseline: measure(errors.baseline), candidate: measure(errors.candidate) }],
  };
}

describe("the Unleash provider against a real Unleash on PostgreSQL", async () => {
  const { skip, failed, start } = await unleashOrSkip();
  if (failed) return;
  let unleash: RunningUnleash;
  before(async () => {
    if (!skip) unleash = await start();
  });
  after(async () => {
    await unleash?.stop();
  });

  test("init makes the model's flag with its stable version, and status reads it", { skip }, async () => {
    const p = provider(unleash);
    const status = await p.init("churn", "v1");
    assert.deepEqual(status, { model: "churn", provider: "unleash", stable: "v1", weights: { v1: 100 } });
    // A second init leaves the flag as it is.
    assert.deepEqual(await p.init("churn", "v9"), status);
    assert.deepEqual(await strategies(unleash, "model-churn"), [{ title: "prodinsights: stable", rollout: "100", variant: "v1" }]);
  });

  test("a whole canary: start, step, promote; the flag's strategies at each step and the history", { skip }, async () => {
    const p = provider(unleash);
    // After the previous test's init: its flag creation is not part of this canary.
    const since = Date.now();
    const moves: string[] = [];
    const result = await hostCanary(target(p, "churn", "v2", { baseline: 20, candidate: 20 }, moves), POLICY);
    assert.equal(result.status, "promoted");
    assert.deepEqual(moves, ["weight 10", "weight 50", "promote"]);
    assert.deepEqual(await p.status("churn"), { model: "churn", provider: "unleash", stable: "v2", weights: { v2: 100 } });
    assert.deepEqual(await strategies(unleash, "model-churn"), [{ title: "prodinsights: stable", rollout: "100", variant: "v2" }]);
    // The history replays the flag's events: the candidate's weight rising, then the promotion.
    const history = await p.history("churn", since);
    assert.deepEqual(
      history.map((e) => [e.kind, e.weights]),
      [
        ["weights", { v1: 90, v2: 10 }],
        ["weights", { v1: 50, v2: 50 }],
        ["promote", { v2: 100 }],
        ["rollback", { v2: 100 }],
      ],
    );
    assert.ok(history.every((e) => e.actor === "admin" && e.t >= since));
  });

  test("a canary whose errors are worse is rolled back by the state machine: the canary strategy goes", { skip }, async () => {
    const p = provider(unleash);
    const moves: string[] = [];
    const result = await hostCanary(target(p, "churn", "v3", { baseline: 5, candidate: 60 }, moves), POLICY);
    assert.equal(result.status, "rolled-back");
    assert.deepEqual(moves, ["weight 10", "rollback"]);
    assert.deepEqual(await p.status("churn"), { model: "churn", provider: "unleash", stable: "v2", weights: { v2: 100 } });
    assert.deepEqual(await strategies(unleash, "model-churn"), [{ title: "prodinsights: stable", rollout: "100", variant: "v2" }]);
  });

  test("while a canary runs, status shows both versions, and the SDK's order puts the canary first", { skip }, async () => {
    const p = provider(unleash);
    const status = await p.setWeight("churn", "v3", 25);
    assert.deepEqual(status.weights, { v2: 75, v3: 25 });
    assert.deepEqual(status.canary, { version: "v3", weight: 25 });
    assert.deepEqual(await strategies(unleash, "model-churn"), [
      { title: "prodinsights: canary", rollout: "25", variant: "v3" },
      { title: "prodinsights: stable", rollout: "100", variant: "v2" },
    ]);
    // Another candidate while v3 runs is refused; the stable version cannot be given a weight.
    await assert.rejects(p.setWeight("churn", "v4", 10), (e: unknown) => e instanceof ProviderError && e.kind === "conflict" && /a canary of v3 is running/.test(e.message));
    await assert.rejects(p.setWeight("churn", "v2", 10), /v2 is the stable version/);
    await assert.rejects(p.setWeight("churn", "v3", 101), /whole percent from 0 to 100/);
    assert.deepEqual((await p.abort("churn")).weights, { v2: 100 });
    // Rolling back with nothing running changes nothing.
    assert.deepEqual((await p.rollback("churn")).weights, { v2: 100 });
  });

  test("a flag made by hand, its stable strategy first at sort order 0: the canary still goes before it", { skip }, async () => {
    const api = (method: string, route: string, body?: unknown): Promise<Response> =>
      fetch(`${unleash.url}/api/admin/projects/default/features${route}`, { method, headers: { authorization: unleash.adminToken, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
    assert.equal((await api("POST", "", { name: "model-fraud", type: "release" })).status, 201);
    const stable = { name: "flexibleRollout", constraints: [], sortOrder: 0, parameters: { rollout: "100", stickiness: "userId", groupId: "model-fraud" }, variants: [{ name: "f1", weight: 1000, weightType: "variable", stickiness: "userId" }] };
    assert.equal((await api("POST", `/model-fraud/environments/${ENVIRONMENT}/strategies`, stable)).status, 200);
    const p = provider(unleash);
    assert.deepEqual((await p.status("fraud")).weights, { f1: 100 });
    assert.deepEqual((await p.setWeight("fraud", "f2", 30)).weights, { f1: 70, f2: 30 });
    const order = await strategies(unleash, "model-fraud");
    assert.deepEqual(order.map((s) => s.variant), ["f2", "f1"]);
    assert.deepEqual((await p.promote("fraud", "f2")).weights, { f2: 100 });
  });

  test("a wrong token is refused with what the provider needs, and changes nothing", { skip }, async () => {
    const p = provider(unleash, "*:*.not-a-token");
    await assert.rejects(p.status("churn"), (e: unknown) => e instanceof ProviderError && e.kind === "unauthorized" && /refused the token \(401\)/.test(e.message));
    await assert.rejects(p.setWeight("churn", "v3", 10), (e: unknown) => e instanceof ProviderError && e.kind === "unauthorized");
    assert.deepEqual((await provider(unleash).status("churn")).weights, { v2: 100 });
  });

  test("a model without a flag says so", { skip }, async () => {
    await assert.rejects(provider(unleash).status("nonesuch"), (e: unknown) => e instanceof ProviderError && e.kind === "not-found" && /reading flag 'model-nonesuch'/.test(e.message));
  });

  test("two edits at once: the second is a conflict, not a silent overwrite", { skip }, async () => {
    const a = provider(unleash);
    const b = provider(unleash);
    await a.setWeight("churn", "v3", 10);
    // Both read 10%, then both write: exactly one lands.
    const outcomes = await Promise.allSettled([a.setWeight("churn", "v3", 20), b.setWeight("churn", "v3", 30)]);
    const landed = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    assert.equal(landed.length + refused.length, 2);
    for (const r of refused) assert.ok(r.reason instanceof ProviderError && r.reason.kind === "conflict", String(r.reason));
    const weight = (await a.status("churn")).canary!.weight;
    assert.ok(weight === 20 || weight === 30, `weight ${weight}`);
    // Two canaries started at once: at most one stays.
    await a.rollback("churn");
    const starts = await Promise.allSettled([a.setWeight("churn", "v3", 10), b.setWeight("churn", "v4", 10)]);
    const canaries = (await strategies(unleash, "model-churn")).filter((s) => s.title === "prodinsights: canary");
    assert.ok(canaries.length <= 1, JSON.stringify(canaries));
    assert.ok(starts.some((s) => s.status === "rejected"));
    await a.rollback("churn");
  });

  test("Unleash stopped in the middle of a step: the canary stops with a clear error", { skip }, async () => {
    const p = provider(unleash);
    const moves: string[] = [];
    const inner = target(p, "churn", "v3", { baseline: 20, candidate: 20 }, moves);
    let measured = 0;
    const dying: CanaryTarget = {
      ...inner,
      measure: async () => {
        // The first step is in place; Unleash goes away before the second.
        if (++measured === 1) await unleash.stop();
        return inner.measure();
      },
    };
    await assert.rejects(hostCanary(dying, POLICY), (e: unknown) => {
      assert.ok(e instanceof CanaryHostError, String(e));
      assert.match(e.message, /Unleash at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
      assert.match(e.message, /the candidate may still have 10% of traffic: roll back once the provider answers/);
      return true;
    });
    assert.deepEqual(moves, ["weight 10", "weight 50", "rollback"]);
  });
});
