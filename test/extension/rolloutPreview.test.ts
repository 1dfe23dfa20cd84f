import assert from "node:assert/strict";
import { test } from "node:test";
import type { PolicyConfig } from "../../src/config/types";
import type { ModelSnapshot } from "../../src/extension/production/types";
import { describePolicy, weightChanges } from "../../src/extension/rolloutPreview";

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
