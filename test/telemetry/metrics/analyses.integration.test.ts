// The analyses over a real Prometheus and a real VictoriaMetrics, both holding the deterministic
// history of test/support/promHistory.ts: each must find exactly the facts planted there, from
// the templates of prodinsights.yaml, in a handful of queries.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { analyzeAb } from "../../../src/core/ab/analyzeAb";
import { analyzeDrift } from "../../../src/core/drift/analyzeDrift";
import { analyzeJumps } from "../../../src/core/jumps/analyzeJumps";
import { experimentNamed, parseConfig } from "../../../src/config/load";
import type { Config } from "../../../src/config/types";
import { readExperimentArms, readVersionArms } from "../../../src/telemetry/metrics/abInputs";
import { RecordingApi } from "../../../src/telemetry/metrics/api";
import { readDriftFeatures } from "../../../src/telemetry/metrics/driftInputs";
import { readMetricSeries, readReleases } from "../../../src/telemetry/metrics/jumpsInputs";
import { PrometheusClient } from "../../../src/telemetry/prometheus/client";
import { promHistory } from "../../support/promHistory";
import { missingServerPolicy, SERVER_KINDS, startServer, type RunningServer } from "../../support/servers";
import { historyConfigYaml } from "../../support/promConfig";

const facts = promHistory().facts;
const window = { start: facts.startMs, end: facts.endMs };
const HOUR = 3_600_000;
const [, v2, v3] = facts.releases as [unknown, { version: string; atMs: number }, { version: string; atMs: number }];

/** Relative difference, for counts that increase() extrapolates to the window's edges. */
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

function configFor(url: string): Config {
  const text = historyConfigYaml(url);
  const parsed = parseConfig(text);
  assert.deepEqual(parsed.issues, []);
  return parsed.config!;
}

for (const kind of SERVER_KINDS) {
  const policy = missingServerPolicy(kind);
  if (policy.fail) {
    test(`${kind}: the server binaries are installed`, () => assert.fail(policy.fail));
    continue;
  }
  describe(`analyses over ${kind}`, { skip: policy.skip ?? false }, () => {
    let server: RunningServer;
    let config: Config;
    let api: RecordingApi;
    before(async () => {
      server = await startServer(kind);
      config = configFor(server.url);
    });
    after(() => server?.stop());
    const fresh = (): RecordingApi => (api = new RecordingApi(new PrometheusClient({ url: server.url })));

    test("A/B: one query per template gives every arm's counts, and treatment's known lift wins", async () => {
      const read = await readExperimentArms(fresh(), experimentNamed(config, "checkout"), config.metrics.get("conversion")!, window);
      assert.equal(api.queries.length, 2, "numerator and denominator, grouped by arm");
      assert.deepEqual(read.arms.map((a) => a.name), ["control", "treatment"]);
      for (const arm of read.arms) {
        assert.ok("trials" in arm);
        const name = arm.name as "control" | "treatment";
        assert.ok(rel(arm.trials, facts.checkout.exposures[name]) < 0.002, `${name} trials ${arm.trials} vs ${facts.checkout.exposures[name]}`);
        assert.ok(rel(arm.successes, facts.checkout.conversions[name]) < 0.002, `${name} conversions ${arm.successes} vs ${facts.checkout.conversions[name]}`);
      }
      const result = analyzeAb(read.arms, { expectedSplit: read.expectedSplit });
      assert.equal(result.winner, "treatment");
      assert.equal(result.srm.status === "ok" && result.srm.flagged, false);
    });

    test("A/B on a mean metric: sums, sums of squares and counts per arm in three queries", async () => {
      const read = await readExperimentArms(fresh(), experimentNamed(config, "checkout"), config.metrics.get("revenue")!, window);
      assert.equal(api.queries.length, 3);
      for (const arm of read.arms) {
        assert.ok("sum" in arm);
        const truth = facts.checkout.revenue[arm.name as "control" | "treatment"];
        assert.ok(rel(arm.n, truth.count) < 0.002 && rel(arm.sum, truth.sum) < 0.002 && rel(arm.sumSquares, truth.sumSquares) < 0.002, JSON.stringify({ arm, truth }));
      }
    });

    test("A/B: the onboarding arm that gets 55% instead of 50% is flagged as a sample ratio mismatch", async () => {
      const read = await readExperimentArms(fresh(), experimentNamed(config, "onboarding"), config.metrics.get("conversion")!, window);
      assert.deepEqual(read.expectedSplit, [50, 50]);
      const result = analyzeAb(read.arms, { expectedSplit: read.expectedSplit });
      assert.ok(result.srm.status === "ok" && result.srm.flagged, JSON.stringify(result.srm));
      assert.equal(result.winner, undefined, "never a winner while the split is off");
    });

    test("drift: six queries; tenure drifted after its known time, monthly_charges and plan did not", async () => {
      const baseline = { start: facts.startMs, end: facts.driftMs };
      const current = { start: facts.driftMs + HOUR, end: facts.endMs };
      const read = await readDriftFeatures(fresh(), "churn", baseline, current);
      assert.equal(api.queries.length, 6);
      assert.deepEqual(read.warnings, []);
      assert.deepEqual(read.features.map((f) => f.name), ["prediction", "monthly_charges", "plan", "tenure"]);
      const result = analyzeDrift(read.features);
      const level = Object.fromEntries(result.features.map((f) => [f.name, f.status === "ok" ? f.level : f.status]));
      assert.equal(level["tenure"], "drift");
      for (const stable of ["prediction", "monthly_charges", "plan"]) assert.equal(level[stable], "none", `${stable}: ${JSON.stringify(level)}`);
    });

    test("jumps: releases come from model_traffic_weight; v2's error jump is found and v3's absence of one too", async () => {
      const releases = await readReleases(fresh(), { model: "churn", window, stepMs: 5 * 60_000 });
      assert.deepEqual(releases.map((r) => r.version), ["v2", "v3"]);
      assert.ok(Math.abs(releases[0]!.t - v2.atMs) <= 5 * 60_000, `v2 at ${new Date(releases[0]!.t).toISOString()}`);
      assert.ok(Math.abs(releases[1]!.t - v3.atMs) <= 5 * 60_000);
      // A configured query instead of the traffic weight: here, requests per version.
      // (From an hour in: a rate has no value at the history's very first sample, which would read as v1's release.)
      const later = { start: window.start + HOUR, end: window.end };
      const byTraffic = await readReleases(fresh(), { model: "churn", window: later, stepMs: 5 * 60_000, query: 'sum by (version) (rate(model_requests_total{model="$model"}[5m]))' });
      assert.deepEqual(byTraffic.map((r) => r.version), ["v2", "v3"]);
      assert.ok(Math.abs(byTraffic[0]!.t - v2.atMs) <= 10 * 60_000, `v2 at ${new Date(byTraffic[0]!.t).toISOString()}`);
      const series = await readMetricSeries(fresh(), { model: "churn", metric: config.metrics.get("error_rate")!, window, bucketMs: HOUR });
      assert.equal(api.queries.length, 2, "numerator and denominator, one range query each");
      assert.equal(series.points.length, 14 * 24);
      const total = series.points.reduce((s, p) => s + p.n, 0);
      const truth = Object.values(facts.requests).reduce((s, n) => s + n, 0);
      assert.ok(rel(total, truth) < 0.002, `requests ${total} vs ${truth}`);
      const result = analyzeJumps(series, releases, { bucketMs: HOUR });
      const byVersion = Object.fromEntries(result.jumps.map((j) => [j.version, j]));
      const j2 = byVersion["v2"]!;
      const j3 = byVersion["v3"]!;
      assert.ok(j2.status === "ok" && j2.significant && j2.direction === "worse", JSON.stringify(j2));
      assert.ok(j2.status === "ok" && Math.abs(j2.difference.estimate - 0.03) < 0.005);
      assert.ok(j3.status === "ok" && !j3.significant, JSON.stringify(j3));
    });

    test("version comparison: v3 against v2 over v3's life, as an A/B analysis of versions", async () => {
      const read = await readVersionArms(fresh(), "churn", ["v2", "v3"], config.metrics.get("error_rate")!, { start: v3.atMs - 5 * 86400e3, end: v3.atMs + 4 * 86400e3 });
      assert.equal(api.queries.length, 2);
      assert.deepEqual(read.arms.map((a) => a.name), ["v2", "v3"]);
      const result = analyzeAb(read.arms, { direction: "lower", randomized: false });
      assert.equal(result.srm.status, "insufficient-data", "versions are not randomised: no SRM check");
      const c = result.comparisons[0]!;
      assert.ok(c.status === "ok" && c.verdict === "inconclusive", JSON.stringify(c));
    });
  });
}
