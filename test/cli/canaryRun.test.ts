/**
 * `prodinsights canary run` as CI runs it: the built CLI in a child process, a live gateway with
 * traffic flowing, a policy of one-second steps. A candidate with injected errors is rolled back
 * (exit 1), a healthy one promoted (exit 0); mistakes are one line with exit 2.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { runBuiltCli, type CliRun } from "../support/builtCli";
import { sendTraffic, startHarness, TOKEN, type Harness } from "../support/gatewayHarness";

let dir: string;
before(() => (dir = mkdtempSync(path.join(tmpdir(), "prodinsights-canary-run-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

function workspace(adminUrl: string): string {
  const file = path.join(dir, `prodinsights-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    [
      "backends:",
      "  logs: {type: logs, paths: [logs/]}",
      "gateway:",
      `  url: ${adminUrl}`,
      "  token: ${env:TEST_GATEWAY_TOKEN}",
      "models:",
      "  churn: {policy: quick}",
      "policies:",
      "  quick: {steps: [50, 100], interval: 1s, metrics: [error_rate]}",
      "",
    ].join("\n"),
  );
  return file;
}

const runCli = (args: string[], env: NodeJS.ProcessEnv = { ...process.env, TEST_GATEWAY_TOKEN: TOKEN }): Promise<CliRun> => runBuiltCli(args, env);

/** Traffic until the CLI run ends. */
function trafficUntil(h: Harness, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.then(() => (finished = true));
  return sendTraffic(h, () => finished);
}

test("a candidate with injected errors is rolled back: exit 1, traffic back on the stable version", async () => {
  const h = await startHarness({ v1: 100, v2: 0 });
  try {
    await h.admin("POST", "/models/churn/chaos", { version: "v2", kind: "error", share: 30, duration: "10m" });
    const run = runCli(["canary", "run", "--config", workspace(h.gw.adminUrl), "--model", "churn", "--version", "v2"]);
    await trafficUntil(h, run);
    const { status, stdout, stderr } = await run;
    assert.equal(status, 1, stderr);
    assert.equal(stdout, "churn v2: rolled back\n");
    assert.match(stderr, /^Canary of churn v2 against v1, policy 'quick': steps 50, 100% every 1 s, judged on error_rate\.\n/);
    assert.match(stderr, /50% to v2: step 1 of 2/);
    assert.match(stderr, /rollback: 1 failed check at step 1 \(limit 1\); error_rate .* worse beyond/);
    const state = (await h.admin("GET", "/state")).json.models.churn;
    assert.deepEqual(state.weights, { v1: 100, v2: 0 });
    const audit = (await h.admin("GET", "/audit")).json.entries.filter((e: { who: string }) => e.who === "prodinsights canary run");
    assert.deepEqual(audit.map((e: { action: string }) => e.action), ["set weights", "rollback"]);
  } finally {
    await h.close();
  }
});

test("a healthy candidate is promoted: exit 0, the JSON document, the candidate stable", async () => {
  const h = await startHarness({ v1: 100, v2: 0 });
  try {
    const run = runCli(["canary", "run", "--config", workspace(h.gw.adminUrl), "--model", "churn", "--version", "v2", "--json"]);
    await trafficUntil(h, run);
    const { status, stdout, stderr } = await run;
    assert.equal(status, 0, stderr);
    const doc = JSON.parse(stdout);
    assert.equal(doc.kind, "canary");
    assert.equal(doc.status, "promoted");
    assert.equal(doc.checks[0].outcome, "pass");
    assert.deepEqual(doc.decisions.map((d: { action: { type: string } }) => d.action.type), ["set-weight", "promote"]);
    const state = (await h.admin("GET", "/state")).json.models.churn;
    assert.deepEqual(state.weights, { v1: 0, v2: 100 });
    assert.equal(state.stable, "v2");
  } finally {
    await h.close();
  }
});

test("mistakes are one line with exit 2: no token, a wrong token, no gateway, an unknown version", async () => {
  const h = await startHarness({ v1: 100, v2: 0 });
  try {
    const file = workspace(h.gw.adminUrl);
    const args = ["canary", "run", "--config", file, "--model", "churn", "--version", "v2"];
    const { TEST_GATEWAY_TOKEN: _t, ...noToken } = process.env;
    const none = await runCli(args, noToken);
    assert.equal(none.status, 2);
    assert.equal(none.stderr, "prodinsights canary: prodinsights.yaml gateway.token names the environment variable TEST_GATEWAY_TOKEN, which is not set\n");
    const wrong = await runCli(args, { ...process.env, TEST_GATEWAY_TOKEN: "guess" });
    assert.equal(wrong.status, 2);
    assert.equal(wrong.stderr, "prodinsights canary: GET /state: the admin token was refused\n");
    const unknown = await runCli(["canary", "run", "--config", file, "--model", "churn", "--version", "v9"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no version named 'v9'/);
    await h.close();
    const down = await runCli(args);
    assert.equal(down.status, 2);
    assert.match(down.stderr, /the gateway admin API at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); is 'prodinsights gateway' running\?/);
  } finally {
    await h.close();
  }
});

test("a gateway that dies mid-canary: exit 2, and the message says where the canary stopped and what traffic may be left", async () => {
  const h = await startHarness({ v1: 100, v2: 0 });
  let closed = false;
  try {
    const run = runCli(["canary", "run", "--config", workspace(h.gw.adminUrl), "--model", "churn", "--version", "v2"]);
    // Once the first step's weight is set, the gateway goes away.
    for (;;) {
      const weights = h.gw.routing.models["churn"]!.versions.map((v) => v.weight);
      if (weights[1] === 50) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await h.close();
    closed = true;
    const { status, stderr } = await run;
    assert.equal(status, 2, stderr);
    assert.match(stderr, /unreachable \([A-Z_]+\).*; the canary stopped at step 1, and the candidate may still have 50% of traffic: roll back once the provider answers\n$/);
  } finally {
    if (!closed) await h.close();
  }
});
