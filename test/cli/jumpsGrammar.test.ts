/**
 * `jumps METRIC --model MODEL`: with the model named by --model, the one positional is the
 * metric, so `jumps error_rate --model churn` means what `jumps --model churn --metric error_rate`
 * does. Run in-process over generated logs, with a fixed --now.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { JumpsResult } from "../../src/core/results/jumps";
import { runInsights } from "../../src/extension/production/insights";
import { generateLogs, type GeneratedLogs } from "../support/generateLogs";

let dir: string;
let logs: GeneratedLogs;
let now: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-jumps-grammar-"));
  logs = generateLogs({ dir, formats: ["jsonl"], malformed: false });
  now = new Date(logs.facts.end).toISOString();
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function document(argv: readonly string[]): Promise<JumpsResult> {
  const run = await runInsights([...argv, "--now", now, "--json"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  return run.document as JumpsResult;
}

test("the metric as the positional gives the same document as --metric", async () => {
  const positional = await document(["jumps", "--logs", "churn.jsonl", "error_rate", "--model", "churn"]);
  const flagged = await document(["jumps", "--logs", "churn.jsonl", "--model", "churn", "--metric", "error_rate"]);
  assert.deepEqual(positional, flagged);
  assert.equal(positional.kind, "jumps");
  assert.ok(positional.jumps.some((j) => j.version === "v2" && j.status === "ok" && j.significant), JSON.stringify(positional.jumps));
});

test("the positional names the metric, not the default one", async () => {
  const latency = await document(["jumps", "--logs", "churn.jsonl", "latency_p95", "--model", "churn"]);
  assert.deepEqual(latency, await document(["jumps", "--logs", "churn.jsonl", "--model", "churn", "--metric", "latency_p95"]));
  assert.notDeepEqual(latency, await document(["jumps", "--logs", "churn.jsonl", "--model", "churn"]));
});

test("the positional comes before or after --model alike", async () => {
  assert.deepEqual(
    await document(["jumps", "error_rate", "--model", "churn", "--logs", "churn.jsonl"]),
    await document(["jumps", "--logs", "churn.jsonl", "--model", "churn", "error_rate"]),
  );
});

test("without --model the positional is still the model", async () => {
  assert.deepEqual(
    await document(["jumps", "churn", "--logs", "churn.jsonl", "--metric", "error_rate"]),
    await document(["jumps", "--logs", "churn.jsonl", "--model", "churn", "--metric", "error_rate"]),
  );
});

// With --metric given too, the positional can only be a second model (modelArgument, src/cli/configSource.ts).
test("with both --model and --metric, a positional is refused as a second model, not silently read as the model", async () => {
  const run = await runInsights(["jumps", "--logs", "churn.jsonl", "error_rate", "--model", "churn", "--metric", "error_rate", "--json"], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /error_rate.*churn|churn.*error_rate/);
});

test("a positional that is no metric is refused as a metric", async () => {
  const run = await runInsights(["jumps", "--logs", "churn.jsonl", "happiness", "--model", "churn", "--json"], { cwd: dir });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--metric must be one of error_rate, latency_p95, prediction_mean, outcome_rate, got 'happiness'/);
});

test("--releases: one of auto, rollout, metrics, and only with --config", async () => {
  const logsRun = await runInsights(["jumps", "--logs", "churn.jsonl", "--model", "churn", "--releases", "rollout"], { cwd: dir });
  assert.equal(logsRun.code, 2);
  assert.match(logsRun.stderr, /--releases is for --config: with --logs, releases are the logs' own release events and first rows/);
  writeFileSync(path.join(dir, "prodinsights.yaml"), "backends:\n  local: {url: 'http://127.0.0.1:9'}\nmodels:\n  churn:\n");
  const typo = await runInsights(["jumps", "churn", "--config", "prodinsights.yaml", "--releases", "rolout"], { cwd: dir });
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /--releases must be one of auto, rollout, metrics, got 'rolout'/);
});

test("--releases rollout of an Argo model in an untrusted workspace: the kubeconfig is not read, and says so", async () => {
  writeFileSync(path.join(dir, "argo.yaml"), "backends:\n  local: {url: 'http://127.0.0.1:9'}\nargo: {kubeconfig: kubeconfig}\nmodels:\n  churn: {rollout: argo}\n");
  const run = await runInsights(["jumps", "churn", "--config", "argo.yaml", "--releases", "rollout"], { cwd: dir, trusted: false });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^prodinsights jumps: argo's history could not be read: model 'churn' rolls out through Argo Rollouts: its kubeconfig is not read in an untrusted workspace$/m);
});
