/**
 * The demo as `prodinsights demo --scenario canary-rollback` runs it, end to end over real HTTP: the
 * replay through the real gateway, the gateway's own canary of v3 rolled back in simulated time,
 * the prediction log readable by the analyses, and then, on the live demo, `prodinsights canary
 * run` rolling v3 back (exit 1) and promoting v2 (exit 0), as a CI gate would.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { startDemo, TOKEN_ENV, type Demo } from "../../../src/gateway/demo/run";
import { readPredictionLogs } from "../../../src/telemetry/logs/scan";

const cli = path.resolve(__dirname, "../../../dist/cli.js");
let dir: string;
let demo: Demo;
const lines: string[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-demo-"));
  demo = await startDemo({ scenario: "canary-rollback", speed: 100_000, dir, port: 0, prometheusPort: 0, prometheus: "off", log: (l) => lines.push(l) });
});
after(async () => {
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

function canaryRun(version: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const token = readFileSync(demo.tokenFile, "utf8").trim();
  const child = spawn(process.execPath, [cli, "canary", "run", "--model", "churn", "--version", version, "--policy", "test"], { cwd: dir, env: { ...process.env, [TOKEN_ENV]: token }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, stdout, stderr })));
}

test("the replay runs the scenario through the gateway, whose own canary of v3 rolls back", async () => {
  const stats = await demo.replayed;
  assert.equal(stats.aborted, false);
  assert.ok(stats.sent > 50_000, `${stats.sent} requests over 3 simulated days`);
  assert.equal(statSync(demo.tokenFile).mode & 0o777, 0o600);
  assert.ok(existsSync(path.join(dir, "gateway.yaml")) && existsSync(path.join(dir, "prodinsights.yaml")));
  const route = demo.gateway.routing.models["churn"]!;
  assert.equal(route.lastCanary?.version, "v3");
  assert.equal(route.lastCanary?.state.status, "rolled-back", JSON.stringify(route.lastCanary?.state.decisions));
  assert.match(route.lastCanary!.state.decisions.at(-1)!.reasons.join(" "), /error_rate|latency/);
  assert.deepEqual(route.versions.map((v) => [v.name, v.weight]), [["v1", 100], ["v2", 0], ["v3", 0]]);
  assert.ok(lines.some((l) => /canary of v3 started/.test(l)));

  // The gateway's log, as the analyses read it: v3's requests within the canary's hours, v1 all along.
  demo.gateway.flushLogs();
  const logs = await readPredictionLogs({ paths: [path.join(dir, "logs", "predictions*.jsonl")], filters: { model: "churn" }, summaries: [] });
  assert.equal(logs.report.rowsSkipped, 0);
  const versions = Object.fromEntries(logs.versions.map((v) => [v.version, v.rows]));
  assert.ok(versions["v1"]! > versions["v3"]! && versions["v3"]! > 100, JSON.stringify(versions));
});

test("on the live demo, canary run rolls v3 back (exit 1) and promotes v2 (exit 0)", async () => {
  await demo.replayed;
  // Short steps for the test; the workspace's own policy takes 30 s a step.
  appendFileSync(path.join(dir, "prodinsights.yaml"), "  test:\n    steps: [50, 100]\n    interval: 15s\n    metrics: [error_rate, latency_p95]\n    alpha: 0.02\n");
  const bad = await canaryRun("v3");
  assert.equal(bad.status, 1, bad.stderr);
  assert.equal(bad.stdout, "churn v3: rolled back\n");
  assert.deepEqual(demo.gateway.routing.models["churn"]!.versions.map((v) => v.weight), [100, 0, 0]);
  const good = await canaryRun("v2");
  assert.equal(good.status, 0, good.stderr);
  assert.equal(good.stdout, "churn v2: promoted\n");
  assert.equal(demo.gateway.routing.models["churn"]!.stable, "v2");
});
