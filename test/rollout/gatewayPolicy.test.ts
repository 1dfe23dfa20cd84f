import assert from "node:assert/strict";
import { test } from "node:test";
import type { PolicyConfig } from "../../src/config/types";
import { parseGatewayPolicy } from "../../src/gateway/canaryHost";
import { gatewayPolicy, gatewayPolicyInput, UnmeasuredMetricError } from "../../src/rollout/gatewayPolicy";

const policy: PolicyConfig = { name: "canary", steps: [25, 50, 100], intervalMs: 30_000, metrics: ["error_rate", "latency_p95", "latency"], alpha: 0.02, rollbackOn: "inconclusive" };

test("a prodinsights.yaml policy becomes the state machine's, on the metrics the gateway measures, each once", () => {
  assert.deepEqual(gatewayPolicy(policy), {
    steps: [
      { weight: 25, pauseMs: 30_000 },
      { weight: 50, pauseMs: 30_000 },
      { weight: 100, pauseMs: 30_000 },
    ],
    metrics: [
      { name: "error_rate", kind: "proportion", direction: "lower", tolerance: 0.005 },
      { name: "latency", kind: "distribution", direction: "lower", tolerance: 0.1 },
    ],
    confidence: 0.98,
    inconclusiveLimit: 1,
  });
});

test("the admin API's body for it is read back by the gateway as the same policy", () => {
  const body = JSON.parse(JSON.stringify(gatewayPolicyInput(policy))) as unknown;
  const parsed = parseGatewayPolicy(body);
  const expected = gatewayPolicy(policy);
  assert.deepEqual(parsed.steps, expected.steps);
  assert.deepEqual(parsed.metrics, expected.metrics);
  assert.equal(parsed.confidence, expected.confidence);
  assert.equal(parsed.inconclusiveLimit, 1);
});

test("a metric the gateway does not measure is refused by name", () => {
  assert.throws(() => gatewayPolicy({ ...policy, metrics: ["conversion"] }), (err: unknown) => err instanceof UnmeasuredMetricError && /judges 'conversion', which the gateway does not measure/.test(err.message));
});
