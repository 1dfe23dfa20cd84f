import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../../src/config/load";
import { parseGatewayConfig } from "../../../src/gateway/config";
import { VirtualClock } from "../../../src/gateway/demo/clock";
import { gatewayYaml, workspaceYaml } from "../../../src/gateway/demo/configFiles";
import { DAY, getScenario, HOUR, SCENARIO_NAMES, scenarioStart, scenarioTraffic, timeline } from "../../../src/gateway/demo/scenarios";

const NOW = Date.UTC(2026, 10, 20, 9, 30, 12);

test("every scenario has a plan whose weights sum to 100 and a span in days", () => {
  assert.deepEqual([...SCENARIO_NAMES], ["all", "drift", "release-jump", "ab-test", "canary-rollback", "canary-promote"]);
  for (const name of SCENARIO_NAMES) {
    const s = getScenario(name);
    assert.equal(s.name, name);
    assert.equal(s.spanMs, s.days * DAY);
    for (const w of [s.initialWeights, ...s.weightChanges.map((c) => c.weights)]) assert.equal(w.v1 + w.v2 + w.v3, 100, name);
    for (const c of s.weightChanges) assert.ok(c.atMs > 0 && c.atMs < s.spanMs, name);
    if (s.driftAtMs !== undefined) assert.ok(s.driftAtMs > 0 && s.driftAtMs < s.spanMs);
    if (s.canary) assert.ok(s.canary.decidedByMs < s.spanMs, `${name}: the canary is decided before the replay ends`);
  }
  assert.throws(() => getScenario("drfit"), /getScenario: no scenario named 'drfit'; the scenarios are all, drift, release-jump, ab-test, canary-rollback, canary-promote/);
});

test("the facts of each scenario: which feature drifts from when, which release jumps, the true lift, the canary's fate", () => {
  const all = getScenario("all").facts;
  assert.deepEqual(all.drift, { atMs: 5 * DAY, features: ["tenure_months", "contract"], stable: ["monthly_charges", "support_calls", "region", "plan"], alsoDrifts: ["prediction"] });
  assert.deepEqual(
    all.releases.map((r) => [r.version, r.atMs / DAY, r.errorJump, r.latencyJump]),
    [["v2", 9, false, false], ["v3", 12, true, true]],
  );
  assert.deepEqual(all.releases[1]!.errorRate, { before: 0.005, after: 0.05 });
  assert.deepEqual(all.rollbacks, [{ atMs: 12 * DAY + 6 * HOUR, to: "v2" }]);
  assert.equal(all.experiment!.name, "retention_offer");
  assert.equal(all.experiment!.relativeLift, 0.15);
  assert.ok(Math.abs(all.experiment!.rates.treatment - 0.115) < 1e-12);
  assert.ok(Math.abs(all.experiment!.absoluteLift - 0.015) < 1e-12);
  assert.equal(all.canary, undefined);

  const drift = getScenario("drift").facts;
  assert.equal(drift.drift!.atMs, 7 * DAY);
  assert.deepEqual(drift.releases, []);
  assert.equal(drift.experiment, undefined);

  const jumps = getScenario("release-jump").facts;
  assert.deepEqual(jumps.releases.map((r) => [r.version, r.atMs / DAY, r.errorJump]), [["v2", 5, false], ["v3", 10, true]]);
  assert.equal(jumps.drift, undefined);
  assert.deepEqual(jumps.rollbacks, []);

  assert.deepEqual(getScenario("ab-test").facts.experiment!.rates.control, 0.1);

  const rollback = getScenario("canary-rollback").facts.canary!;
  assert.deepEqual(rollback, { stable: "v1", candidate: "v3", expected: "rollback", decidedByMs: 2 * DAY + 2 * HOUR, errorRates: { stable: 0.005, candidate: 0.05 } });
  const promote = getScenario("canary-promote").facts.canary!;
  assert.deepEqual(promote, { stable: "v1", candidate: "v2", expected: "promote", decidedByMs: 2 * DAY + 8 * HOUR, errorRates: { stable: 0.005, candidate: 0.005 } });
});

test("a scenario starts its span before now, on a whole minute, and its timeline is in absolute time", () => {
  const s = getScenario("all");
  const start = scenarioStart(s, NOW);
  assert.equal(start, Date.UTC(2026, 10, 6, 9, 30));
  assert.deepEqual(
    timeline(s, start).map((e) => [e.kind, (e.time - start) / HOUR]),
    [["drift", 120], ["weights", 216], ["weights", 288], ["weights", 294]],
  );
  const canary = timeline(getScenario("canary-rollback"), start);
  assert.equal(canary.length, 1);
  assert.equal(canary[0]!.kind, "canary");
  assert.equal(canary[0]!.time, start + 2 * DAY);
});

test("scenarioTraffic plays the scenario: its rate, drift time, experiment and delays", () => {
  const s = getScenario("all");
  const start = scenarioStart(s, NOW);
  const clock = new VirtualClock(start);
  const o = scenarioTraffic(s, { gateway: "http://127.0.0.1:8080", clock, start });
  assert.equal(o.seed, 42);
  assert.equal(o.from, start);
  assert.equal(o.until, undefined, "goes on live until aborted");
  assert.equal(o.requestsPerSimHour, 250);
  assert.equal(o.population!.driftAt, start + 5 * DAY);
  assert.deepEqual(o.experiment, { name: "retention_offer", baselineConversion: 0.1, lift: 0.15, control: "control" });
  assert.equal(o.outcomeDelayMs, DAY);
  assert.equal(scenarioTraffic(getScenario("release-jump"), { gateway: "x", clock, start, seed: 9 }).population!.driftAt, Infinity);
});

test("gateway.yaml for every scenario passes the gateway's own parser, with the versions on the model server", () => {
  for (const name of SCENARIO_NAMES) {
    const s = getScenario(name);
    const text = gatewayYaml(s, {
      modelServerUrl: "http://127.0.0.1:9100/",
      listen: { port: 18080 },
      admin: { port: 18081 },
      tokenEnv: "PRODINSIGHTS_DEMO_TOKEN",
      logDir: "/tmp/demo dir/logs",
      state: ".prodinsights/demo-state.json",
    });
    const parsed = parseGatewayConfig(text);
    assert.deepEqual(parsed.issues, [], `${name}:\n${text}`);
    const c = parsed.config!;
    assert.deepEqual(c.listen, { host: "127.0.0.1", port: 18080 });
    assert.deepEqual(c.admin, { host: "127.0.0.1", port: 18081, token: "${env:PRODINSIGHTS_DEMO_TOKEN}" });
    assert.equal(c.state, ".prodinsights/demo-state.json");
    assert.equal(c.logs.dir, "/tmp/demo dir/logs");
    const churn = c.models.get("churn")!;
    assert.deepEqual(
      churn.versions.map((v) => [v.name, v.url, v.weight]),
      [["v1", "http://127.0.0.1:9100/v1", s.initialWeights.v1], ["v2", "http://127.0.0.1:9100/v2", s.initialWeights.v2], ["v3", "http://127.0.0.1:9100/v3", s.initialWeights.v3]],
    );
    assert.equal(churn.stable, s.stable);
    assert.equal(churn.unitHeader, "x-unit-id");
    assert.deepEqual(churn.assertions.features?.contract, { type: "string", required: true, values: ["month-to-month", "one-year", "two-year"] });
    assert.deepEqual(
      c.layers,
      s.experiment ? [{ name: "offers", experiments: [{ name: "retention_offer", share: 100, arms: [{ name: "control", weight: 50 }, { name: "treatment", weight: 50 }] }] }] : [],
    );
  }
  assert.throws(() => gatewayYaml(getScenario("all"), { modelServerUrl: "http://x", tokenEnv: "not a name", logDir: "logs" }), /gatewayYaml: 'not a name' is not an environment variable name/);
});

test("prodinsights.yaml for every scenario passes the config parser, on the logs alone or with Prometheus", () => {
  for (const name of SCENARIO_NAMES) {
    const s = getScenario(name);
    for (const prometheusUrl of [undefined, "http://127.0.0.1:9090"]) {
      const text = workspaceYaml(s, { logDir: "logs/", ...(prometheusUrl ? { prometheusUrl } : {}) });
      const parsed = parseConfig(text);
      assert.deepEqual(parsed.issues, [], `${name}:\n${text}`);
      const c = parsed.config!;
      assert.equal(c.defaultBackend, prometheusUrl ? "prometheus" : "logs");
      assert.deepEqual([...c.backends.keys()], prometheusUrl ? ["prometheus", "logs", "conversions"] : ["logs", "conversions"]);
      assert.ok(c.models.has("churn"));
      assert.deepEqual([...c.experiments.keys()], s.experiment ? ["retention_offer"] : []);
      assert.ok(c.policies.has("canary"));
    }
  }
  const text = workspaceYaml(getScenario("all"), { logDir: "logs" });
  assert.match(text, /paths: \["logs\/predictions\*\.jsonl"\]/);
  assert.match(text, /paths: \["logs\/outcomes-conversion\*\.jsonl"\]/);
  assert.match(text, /baseline: -14d\.\.-9d/, "the drift monitor's reference ends at the drift");
  assert.match(text, /steps: \[25, 50, 100\]\n    interval: 30s/, "a live canary run takes minutes");
});
