/**
 * gatherSnapshot against a real gateway (the test harness) with traffic and injected errors, and
 * prediction logs for the experiments and monitors; an unreachable gateway and a missing token
 * leave the rest of the snapshot intact. resolveGatewayToken's order of sources.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfigFile } from "../../../src/config/load";
import type { Config } from "../../../src/config/types";
import { twoProportionTest } from "../../../src/core/stats/twoProportionTest";
import { gatherSnapshot, resolveGatewayToken } from "../../../src/extension/production/snapshot";
import type { ProductionSnapshot } from "../../../src/extension/production/types";
import { generateLogs, type GeneratedLogs } from "../../support/generateLogs";
import { startHarness, TOKEN, type Harness } from "../../support/gatewayHarness";
import { freePort } from "../../support/servers";

function workspaceYaml(adminUrl: string): string {
  return [
    "backends:",
    "  logs: {type: logs, paths: ['logs/*.jsonl']}",
    "gateway:",
    `  url: ${adminUrl}`,
    "  token: ${env:PI_TEST_GATEWAY_TOKEN}",
    "models:",
    "  churn: {rollout: gateway}",
    "  fraud: {rollout: unleash}",
    "experiments:",
    "  checkout: {arms: [control, treatment], metrics: [conversion]}",
    "monitors:",
    "  tenure-drift: {kind: drift, model: churn, baseline: -28d..-21d, current: -7d..now}",
    "  errors: {kind: jump, model: churn, metric: error_rate}",
    "  latency-jumps: {kind: jump, model: churn, metric: request_rate}",
    "  too-many-errors: {kind: threshold, model: churn, metric: error_rate, above: 0.02}",
    "",
  ].join("\n");
}

describe("a snapshot of a gateway with traffic, and of prediction logs", () => {
  let h: Harness;
  let dir: string;
  let logs: GeneratedLogs;
  let configFile: string;
  let config: Config;
  let snap: ProductionSnapshot;
  const sent: Record<string, { requests: number; errors: number }> = { v1: { requests: 0, errors: 0 }, v2: { requests: 0, errors: 0 } };

  before(async () => {
    h = await startHarness({ v1: 50, v2: 50, v3: 0 });
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-snapshot-"));
    logs = generateLogs({ dir: path.join(dir, "logs"), formats: ["jsonl"], malformed: false, rowsPerDay: 400 });
    configFile = path.join(dir, "prodinsights.yaml");
    writeFileSync(configFile, workspaceYaml(h.gw.adminUrl));
    config = await loadConfigFile(configFile);
    await h.admin("POST", "/models/churn/chaos", { version: "v2", kind: "error", share: 25, duration: "10m" });
    await h.admin("PUT", "/models/churn/shadow", { version: "v3", share: 10 });
    for (let i = 0; i < 400; i++) {
      const res = await h.predict({ features: { tenure: i % 30 } }, { "x-unit-id": `u${i}` });
      await res.arrayBuffer();
      const version = res.headers.get("x-model-version") ?? (res.status === 503 ? "v2" : "?");
      sent[version]!.requests++;
      if (res.status >= 500) sent[version]!.errors++;
    }
    snap = await gatherSnapshot({ configFile, config, gatewayToken: TOKEN, now: () => logs.facts.end });
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("it is connected, at the given instant, with no problem of its own", () => {
    assert.equal(snap.connected, true);
    assert.equal(snap.at, logs.facts.end);
    assert.equal(snap.configFile, configFile);
    assert.deepEqual(snap.problems, []);
  });

  test("each version has the gateway's weight, role, requests and errors", () => {
    const churn = snap.models.find((m) => m.name === "churn")!;
    assert.equal(churn.provider, "gateway");
    assert.equal(churn.stable, "v1");
    assert.deepEqual(churn.shadow, { version: "v3", share: 10 });
    assert.deepEqual(churn.versions.map((v) => [v.name, v.weight, v.role]), [["v1", 50, "stable"], ["v2", 50, "other"], ["v3", 0, "shadow"]]);
    const v1 = churn.versions[0]!;
    const v2 = churn.versions[1]!;
    assert.equal(v1.requests, sent["v1"]!.requests);
    assert.equal(v1.errors, 0);
    assert.equal(v2.requests, sent["v2"]!.requests);
    assert.equal(v2.errors, sent["v2"]!.errors);
    assert.ok(v2.errors! > 10, `errors injected: ${v2.errors}`);
    assert.equal(v2.errorRate, v2.errors! / v2.requests!);
    assert.equal(v1.errorRate, 0);
    assert.equal(v1.vsStable, undefined, "the stable version is not compared with itself");
    assert.equal(churn.versions[2]!.errorRate, undefined, "shadow calls are not the model's requests");
    assert.equal(churn.canary, undefined);
  });

  test("routingOnly reads the routing and the traffic, and none of the analyses", async () => {
    const light = await gatherSnapshot({ configFile, config, gatewayToken: TOKEN, now: () => logs.facts.end, routingOnly: true });
    assert.equal(light.connected, true);
    assert.deepEqual(light.experiments, []);
    assert.deepEqual(light.monitors, []);
    const churn = light.models.find((m) => m.name === "churn")!;
    assert.deepEqual(churn.versions.map((v) => [v.name, v.weight, v.role, v.requests]), snap.models.find((m) => m.name === "churn")!.versions.map((v) => [v.name, v.weight, v.role, v.requests]));
    assert.equal(churn.drift, undefined);
  });

  test("a version's error rate against the stable one is the two-proportion test, with a small p for the injected errors", () => {
    const [v1, v2] = snap.models.find((m) => m.name === "churn")!.versions;
    const expected = twoProportionTest([v2!.errors!, v1!.errors!], [v2!.requests!, v1!.requests!]);
    assert.deepEqual(v2!.vsStable, { stable: "v1", difference: expected.estimate, pValue: expected.pValue });
    assert.ok(v2!.vsStable!.pValue < 1e-6, `p = ${v2!.vsStable!.pValue}`);
    assert.ok(v2!.vsStable!.difference > 0.1);
  });

  test("logs backends give no error-rate series; the model's drift comes from its drift monitor's windows", () => {
    const churn = snap.models.find((m) => m.name === "churn")!;
    assert.ok(churn.versions.every((v) => v.errorRateSeries === undefined));
    assert.equal(churn.drift?.level, "none"); // 2 of 6 drift: under the dataset's share of 50%
    assert.deepEqual([...churn.drift!.drifted].sort(), ["prediction", "tenure"]);
    assert.deepEqual(churn.problems, []);
  });

  test("a model on Unleash without its token says how to give one, and the gateway's models are unaffected", () => {
    const fraud = snap.models.find((m) => m.name === "fraud")!;
    assert.equal(fraud.provider, "unleash");
    assert.deepEqual(fraud.versions, []);
    assert.match(fraud.problems[0]!.message, /^no admin token for Unleash at http:\/\/127\.0\.0\.1:4242: .*UNLEASH_ADMIN_TOKEN.*Connect Backend…; rollout state is not shown\.$/);
  });

  test("the experiment's arms and ab document come from its logs", () => {
    const checkout = snap.experiments[0]!;
    assert.equal(checkout.name, "checkout");
    assert.equal(checkout.metric, "conversion");
    const arms = logs.facts.experiment.arms;
    assert.deepEqual(checkout.arms.map((a) => [a.name, a.units]), [["control", arms.control.trials], ["treatment", arms.treatment.trials]]);
    assert.ok(Math.abs(checkout.arms[0]!.share + checkout.arms[1]!.share - 1) < 1e-12);
    assert.equal(checkout.result?.kind, "ab");
    assert.deepEqual(checkout.command, ["ab", "--logs", path.join(dir, "logs/*.jsonl"), "--experiment", "checkout", "--metric", "conversion"]);
    assert.deepEqual(checkout.problems, []);
  });

  test("monitors: drift, jump and threshold, each with its state, detail and CLI command", () => {
    const byName = Object.fromEntries(snap.monitors.map((m) => [m.name, m]));
    const drift = byName["tenure-drift"]!;
    assert.equal(drift.state, "ok");
    assert.match(drift.detail, /prediction, tenure drifted \(2 of 6 features/);
    assert.deepEqual(drift.command, ["drift", "--logs", path.join(dir, "logs/*.jsonl"), "--model", "churn", "--baseline", "-28d..-21d", "--current", "-7d..now"]);
    const errors = byName["errors"]!;
    assert.equal(errors.state, "firing", errors.detail); // v2 tripled the error rate and it never came back
    assert.match(errors.detail, /^error_rate 1\.\d% → [23]\.\d% at (v2|2026-10-1\dT\d\d:00Z \(after v2\))$/);
    assert.deepEqual(errors.command, ["jumps", "--logs", path.join(dir, "logs/*.jsonl"), "--model", "churn", "--metric", "error_rate"]);
    assert.equal(byName["latency-jumps"]!.state, "error");
    assert.match(byName["latency-jumps"]!.detail, /prediction logs give .* not 'request_rate'/);
    assert.equal(byName["too-many-errors"]!.state, "error");
    assert.match(byName["too-many-errors"]!.detail, /threshold monitors read Prometheus/);
  });

  // Last: it changes the gateway's routing.
  test("a running canary shows as the canary role, with its steps; once aborted, as the last canary", async () => {
    await h.admin("DELETE", "/models/churn/chaos");
    await h.admin("PUT", "/models/churn/weights", { weights: { v1: 100, v2: 0, v3: 0 } });
    await h.admin("POST", "/models/churn/canary", { version: "v2", policy: { steps: [{ weight: 20, pause: "1h" }, { weight: 60, pause: "1h" }], metrics: ["error_rate"] } });
    const running = (await gatherSnapshot({ configFile, config, gatewayToken: TOKEN, now: () => logs.facts.end })).models[0]!;
    assert.deepEqual(running.versions.map((v) => [v.name, v.weight, v.role]), [["v1", 80, "stable"], ["v2", 20, "canary"], ["v3", 0, "shadow"]]);
    assert.deepEqual({ ...running.canary, result: running.canary?.result.status }, { version: "v2", baseline: "v1", steps: [20, 60], active: true, result: "running" });
    await h.admin("DELETE", "/models/churn/canary");
    const ended = (await gatherSnapshot({ configFile, config, gatewayToken: TOKEN, now: () => logs.facts.end })).models[0]!;
    assert.equal(ended.canary?.active, false);
    assert.equal(ended.versions[1]!.role, "other");
  });
});

describe("without the gateway", () => {
  let dir: string;
  let configFile: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-snapshot-down-"));
    generateLogs({ dir: path.join(dir, "logs"), formats: ["jsonl"], malformed: false, rowsPerDay: 200 });
    configFile = path.join(dir, "prodinsights.yaml");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("an unreachable gateway: not connected, one problem that says so, and experiments and monitors still gathered", async () => {
    writeFileSync(configFile, workspaceYaml(`http://127.0.0.1:${await freePort()}`));
    const config = await loadConfigFile(configFile);
    const snap = await gatherSnapshot({ configFile, config, gatewayToken: "t", now: () => Date.UTC(2026, 9, 29) });
    assert.equal(snap.connected, false);
    assert.equal(snap.problems.length, 1);
    assert.match(snap.problems[0]!.message, /gateway admin API at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
    const churn = snap.models.find((m) => m.name === "churn")!;
    assert.deepEqual(churn.versions, []);
    assert.match(churn.problems[0]!.message, /gateway is not connected/);
    assert.equal(churn.drift?.level, "none");
    assert.equal(snap.experiments[0]!.result?.kind, "ab");
    const errors = snap.monitors.find((m) => m.name === "errors")!;
    assert.ok(errors.state === "firing" || errors.state === "ok", errors.detail);
    assert.match(errors.detail, /^error_rate /);
  });

  test("no token: not connected, and the problem names the variable to set", async () => {
    writeFileSync(configFile, workspaceYaml("http://127.0.0.1:8081"));
    const config = await loadConfigFile(configFile);
    const snap = await gatherSnapshot({ configFile, config, now: () => Date.UTC(2026, 9, 29) });
    assert.equal(snap.connected, false);
    assert.match(snap.problems[0]!.message, /no admin token for the gateway at http:\/\/127\.0\.0\.1:8081: set the environment variable PI_TEST_GATEWAY_TOKEN/);
    assert.equal(snap.experiments.length, 1);
    assert.equal(snap.monitors.length, 4);
  });

  test("a cancelled gathering rejects with the signal's reason", async () => {
    writeFileSync(configFile, workspaceYaml("http://127.0.0.1:8081"));
    const config = await loadConfigFile(configFile);
    const controller = new AbortController();
    const pending = gatherSnapshot({ configFile, config, signal: controller.signal, now: () => Date.UTC(2026, 9, 29) });
    controller.abort(new Error("refresh cancelled"));
    await assert.rejects(pending, /refresh cancelled/);
  });
});

describe("resolveGatewayToken", () => {
  let dir: string;
  let config: Config;
  let remote: Config;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-token-"));
    writeFileSync(path.join(dir, "local.yaml"), "backends:\n  p: {url: 'http://127.0.0.1:9090'}\ngateway: {url: 'http://localhost:8081', token: '${env:GW_TOKEN_X}'}\n");
    writeFileSync(path.join(dir, "remote.yaml"), "backends:\n  p: {url: 'http://127.0.0.1:9090'}\ngateway: {url: 'https://gateway.example.com', token: '${env:GW_TOKEN_X}'}\n");
    config = await loadConfigFile(path.join(dir, "local.yaml"));
    remote = await loadConfigFile(path.join(dir, "remote.yaml"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("the editor's secret first, then the environment variable, then the demo's token file on loopback only", async () => {
    const env = { GW_TOKEN_X: "from-env" };
    assert.deepEqual(await resolveGatewayToken(config, { secret: "from-secret", env, workspaceDir: dir }), { token: "from-secret", from: "secret-storage" });
    assert.deepEqual(await resolveGatewayToken(config, { env, workspaceDir: dir }), { token: "from-env", from: "environment" });
    assert.equal(await resolveGatewayToken(config, { env: {}, workspaceDir: dir }), undefined);
    mkdirSync(path.join(dir, ".prodinsights"));
    writeFileSync(path.join(dir, ".prodinsights", "gateway-token"), "from-file\n");
    assert.deepEqual(await resolveGatewayToken(config, { env: {}, workspaceDir: dir }), { token: "from-file", from: "demo-token-file" });
    assert.equal(await resolveGatewayToken(remote, { env: {}, workspaceDir: dir }), undefined, "a workspace file is never sent to a remote gateway");
    assert.deepEqual(await resolveGatewayToken(remote, { env, workspaceDir: dir }), { token: "from-env", from: "environment" });
  });
});
