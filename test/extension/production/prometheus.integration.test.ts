/**
 * gatherSnapshot over a real Prometheus holding the integration history (test/support/promHistory.ts)
 * and a real gateway routing the same model: the hourly error-rate series, the experiments, and the
 * drift, jump and threshold monitors, with the history's planted answers. Skips without Prometheus,
 * except under CI, where it fails.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfigFile } from "../../../src/config/load";
import { gatherSnapshot } from "../../../src/extension/production/snapshot";
import type { ProductionSnapshot } from "../../../src/extension/production/types";
import { startHarness, TOKEN, type Harness } from "../../support/gatewayHarness";
import { historyConfigYaml } from "../../support/promConfig";
import { END_MS, promHistory } from "../../support/promHistory";
import { missingServerPolicy, startServer, type RunningServer } from "../../support/servers";

const policy = missingServerPolicy("prometheus");

if (policy.fail) {
  test("prometheus: the server binaries are installed", () => assert.fail(policy.fail));
} else {
  describe("a snapshot over Prometheus", { skip: policy.skip }, () => {
    let prom: RunningServer;
    let h: Harness;
    let dir: string;
    let snap: ProductionSnapshot;
    before(async () => {
      prom = await startServer("prometheus");
      h = await startHarness({ v1: 0, v2: 0, v3: 100 });
      dir = mkdtempSync(path.join(tmpdir(), "prodinsights-snapshot-prom-"));
      const yaml = historyConfigYaml(prom.url).replace("models:\n  churn:\n", "models:\n  churn: {rollout: gateway}\n") + [
        `gateway: {url: '${h.gw.adminUrl}'}`,
        "monitors:",
        "  tenure-drift: {kind: drift, model: churn, baseline: -14d..-7d, current: -1d..now}",
        "  errors: {kind: jump, model: churn, metric: error_rate}",
        "  error-ceiling: {kind: threshold, model: churn, metric: error_rate, above: 0.02}",
        "  traffic-floor: {kind: threshold, model: churn, metric: request_rate, below: 0.001}",
        "",
      ].join("\n");
      writeFileSync(path.join(dir, "prodinsights.yaml"), yaml);
      const configFile = path.join(dir, "prodinsights.yaml");
      snap = await gatherSnapshot({ configFile, config: await loadConfigFile(configFile), gatewayToken: TOKEN, now: () => END_MS });
    });
    after(async () => {
      await prom?.stop();
      await h?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("the gateway's routing, with each version's last 24 hours of error rate from Prometheus", () => {
      assert.equal(snap.connected, true);
      assert.deepEqual(snap.problems, []);
      const churn = snap.models[0]!;
      assert.deepEqual(churn.problems, []);
      const byName = Object.fromEntries(churn.versions.map((v) => [v.name, v]));
      const v3 = byName["v3"]!.errorRateSeries!;
      assert.equal(v3.length, 24);
      for (const rate of v3) assert.ok(rate > 0.02 && rate < 0.06, `hourly v3 error rate ${rate}, planted 4%`);
      // v1 and v2 stopped serving days before: no traffic, so no rate, in any hour.
      assert.ok(byName["v1"]!.errorRateSeries!.every(Number.isNaN));
      assert.ok(byName["v2"]!.errorRateSeries!.every(Number.isNaN));
    });

    test("the experiments: checkout's treatment wins; onboarding's split is flagged", () => {
      const checkout = snap.experiments.find((e) => e.name === "checkout")!;
      assert.deepEqual(checkout.problems, []);
      assert.equal(checkout.result?.verdict, "winner");
      assert.equal(checkout.result?.winner, "treatment");
      const facts = promHistory().facts.checkout.exposures;
      assert.deepEqual(checkout.arms.map((a) => a.name), ["control", "treatment"]);
      for (const arm of checkout.arms) {
        const planted = facts[arm.name as "control" | "treatment"];
        assert.ok(Math.abs(arm.units / planted - 1) < 0.01, `${arm.name}: ${arm.units} vs ${planted}`);
        assert.ok(Math.abs(arm.share - 0.5) < 0.01);
      }
      const onboarding = snap.experiments.find((e) => e.name === "onboarding")!;
      assert.equal(onboarding.result?.srm.status === "ok" && onboarding.result.srm.flagged, true);
    });

    test("the monitors: tenure drifts, the v2 error jump still holds, v3 is above the ceiling, traffic is above the floor", () => {
      const byName = Object.fromEntries(snap.monitors.map((m) => [m.name, m]));
      const drift = byName["tenure-drift"]!;
      assert.match(drift.detail, /tenure/);
      assert.deepEqual(snap.models[0]!.drift?.drifted.includes("tenure"), true);
      assert.deepEqual(drift.command.slice(0, 4), ["drift", "churn", "--config", path.join(dir, "prodinsights.yaml")]);
      const errors = byName["errors"]!;
      assert.equal(errors.state, "firing", errors.detail);
      assert.match(errors.detail, /^error_rate 1\.0% → 4\.0% at v2$/);
      const ceiling = byName["error-ceiling"]!;
      assert.equal(ceiling.state, "firing", ceiling.detail);
      assert.match(ceiling.detail, /^error_rate 4\.\d\d% at v3 \(above 2\.00%\)$/);
      assert.equal(ceiling.command[0], "query");
      assert.equal(byName["traffic-floor"]!.state, "ok", byName["traffic-floor"]!.detail);
    });
  });
}
