import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { scenarioCommands } from "../../src/cli/commands/demo";
import { getScenario } from "../../src/gateway/demo/scenarios";

const cli = path.resolve(__dirname, "../../dist/cli.js");

test("the demo prints the commands that show each planted answer, over Prometheus or over the logs", () => {
  const prom = scenarioCommands(getScenario("all"), true);
  assert.deepEqual(prom.filter((l) => l.startsWith("prodinsights")), ["prodinsights drift churn --baseline -14d..-9d --current -2d..now", "prodinsights jumps churn --metric error_rate --range -14d..now", "prodinsights ab retention_offer"]);
  assert.ok(prom.includes("   # v2 does not; v3 jumps"));
  const logs = scenarioCommands(getScenario("all"), false);
  assert.ok(logs.includes("prodinsights ab --logs 'logs/outcomes-conversion*.jsonl' --experiment retention_offer --metric conversion"));
  assert.ok(logs[0]!.startsWith("prodinsights drift --logs 'logs/predictions*.jsonl' --model churn "));
  const canary = scenarioCommands(getScenario("canary-rollback"), false);
  assert.deepEqual(canary.filter((l) => l.startsWith("prodinsights")), ["prodinsights canary run --model churn --version v3"]);
});

test("demo mistakes are one line with exit 2", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, "demo", ...args], { encoding: "utf8", timeout: 30_000 });
  const scenario = run("--scenario", "chaos");
  assert.equal(scenario.status, 2);
  assert.match(scenario.stderr, /--scenario must be one of all, drift, release-jump, ab-test, canary-rollback, canary-promote, got 'chaos'/);
  const speed = run("--speed", "1");
  assert.equal(speed.status, 2);
  assert.match(speed.stderr, /--speed must be above 1/);
});
