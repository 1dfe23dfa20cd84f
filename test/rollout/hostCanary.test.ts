/**
 * The canary host's timing, on a simulated clock: each step is measured once its pause is over,
 * never in the instant its weight was set (a metrics backend refuses a window of 0 ms).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CanaryMeasurement, CanaryPolicy } from "../../src/core/canary/policy";
import { hostCanary, type CanaryTarget } from "../../src/rollout/hostCanary";

const POLICY: CanaryPolicy = {
  steps: [
    { weight: 10, pauseMs: 60_000 },
    { weight: 50, pauseMs: 60_000 },
  ],
  metrics: [{ name: "error_rate", kind: "proportion", direction: "lower" }],
  confidence: 0.95,
  minSample: 100,
  failureLimit: 1,
  inconclusiveLimit: 2,
};

test("each step is measured once, when its pause is over, over the whole pause", async () => {
  let clock = 1_000_000;
  const log: string[] = [];
  let windowStart = clock;
  const target: CanaryTarget = {
    setWeight: async (w) => void log.push(`${clock - 1_000_000} weight ${w}`),
    promote: async () => void log.push(`${clock - 1_000_000} promote`),
    rollback: async () => void log.push(`${clock - 1_000_000} rollback`),
    startWindow: async () => void (windowStart = clock),
    measure: async (): Promise<CanaryMeasurement[]> => {
      log.push(`${clock - 1_000_000} measure over ${clock - windowStart} ms`);
      return [{ metric: "error_rate", kind: "proportion", baseline: { successes: 10, trials: 1000 }, candidate: { successes: 10, trials: 1000 } }];
    },
  };
  const result = await hostCanary(target, POLICY, {
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  });
  assert.equal(result.status, "promoted");
  assert.deepEqual(log, ["0 weight 10", "60000 measure over 60000 ms", "60000 weight 50", "120000 measure over 60000 ms", "120000 promote"]);
});
