import assert from "node:assert/strict";
import { test } from "node:test";
import type { PolicyConfig } from "../../src/config/types";
import type { ModelSnapshot } from "../../src/extension/production/types";
import type { CanaryDecision } from "../../src/core/results/canary";
import type { GatewayCanaryView } from "../../src/rollout/gateway";
import { canaryEnding, describePolicy, rolledBackByAnalysis, weightChanges } from "../../src/extension/rolloutPreview";

const churn: ModelSnapshot = {
  name: "churn",
  provider: "gateway",
  stable: "v2",
  versions: [
    { name: "v1", weight: 0, role: "other" },
    { name: "v2", weight: 75, role: "stable" },
    { name: "v3", weight: 25, role: "canary" },
  ],
  problems: [],
};

test("a promotion's preview lists each weight that moves, and only those", () => {
  assert.deepEqual(weightChanges(churn, (v) => (v === "v3" ? 100 : 0)), ["Traffic:", "v2: 75% → 0% of traffic", "v3: 25% → 100% of traffic"]);
});

test("a change that moves no weight says so", () => {
  const settled = { ...churn, versions: [{ name: "v2", weight: 100, role: "stable" as const }] };
  assert.deepEqual(weightChanges(settled, () => 100), ["Traffic stays as it is."]);
});

test("a policy reads as its steps, pause, metrics, confidence and rollback rule", () => {
  const policy: PolicyConfig = { name: "canary", steps: [25, 50, 100], intervalMs: 30_000, metrics: ["error_rate", "latency_p95"], alpha: 0.02, rollbackOn: "worse" };
  assert.equal(describePolicy(policy), "steps 25% → 50% → 100%, 30 s each, judged on error_rate, latency_p95 at 98% confidence, rolls back when worse");
});

const view = (status: "promoted" | "rolled-back", decisions: CanaryDecision[]): GatewayCanaryView => ({
  version: "v3",
  baseline: "v2",
  policy: { steps: [{ weight: 25, pauseMs: 30_000 }], metrics: [{ name: "error_rate" }] },
  result: { kind: "canary", status, step: 0, weight: 25, checks: [], decisions },
});

test("a canary's end: promoted, rolled back by its analysis (a failure, with the reasons), or aborted by hand", () => {
  const start: CanaryDecision = { t: 1, action: { type: "set-weight", weight: 25 }, reasons: ["step 1 of 2: 25% of traffic to the candidate"] };
  assert.deepEqual(canaryEnding("churn", "v3", view("promoted", [start, { t: 2, action: { type: "promote" }, reasons: ["step 2 passed"] }])), { ok: true, message: "The canary of churn v3 was promoted: step 2 passed." });
  const failed = view("rolled-back", [start, { t: 2, action: { type: "rollback" }, reasons: ["error_rate 6.1% vs 0.6%: worse"] }]);
  assert.deepEqual(canaryEnding("churn", "v3", failed), { ok: false, message: "The canary of churn v3 was rolled back: error_rate 6.1% vs 0.6%: worse" });
  assert.equal(rolledBackByAnalysis(failed.result), true);
  const aborted = view("rolled-back", [start]);
  assert.deepEqual(canaryEnding("churn", "v3", aborted), { ok: true, message: "The canary of churn v3 was aborted before its last step; v2 takes the traffic back." });
  assert.equal(rolledBackByAnalysis(aborted.result), false);
  assert.deepEqual(canaryEnding("churn", "v3", undefined), { ok: true, message: "The canary of churn v3 ended." });
});
