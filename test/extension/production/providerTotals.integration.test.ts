/**
 * The Models view's counts of a model that rolls out through Unleash: the versions' routing from a
 * real Unleash on PostgreSQL, their requests and errors over the last 24 hours from a real
 * Prometheus holding the integration history (test/support/promHistory.ts), and the test against
 * the stable version on those counts. Missing Prometheus, PostgreSQL or unleash-server skips the
 * suite locally and fails it under CI.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfigFile } from "../../../src/config/load";
import type { SecretLookup } from "../../../src/config/secrets";
import { twoProportionTest } from "../../../src/core/stats/twoProportionTest";
import { gatherSnapshot } from "../../../src/extension/production/snapshot";
import type { ModelSnapshot, ProductionSnapshot } from "../../../src/extension/production/types";
import { versionCounts } from "../../../src/extension/views/versionText";
import { UnleashProvider } from "../../../src/rollout/unleash";
import { promHistory, RELEASE_V2_MS, RELEASE_V3_MS, seriesKey } from "../../support/promHistory";
import { freePort, missingBinaries, startServer, type RunningServer } from "../../support/servers";
import { type RunningUnleash, unleashOrSkip } from "../../support/unleash";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WINDOW = 24 * HOUR;

/**
 * What Prometheus 2.x's increase(s[range]) returns at `end` for one series of the history
 * (promql/functions.go extrapolatedRate): the rise from the first to the last sample in
 * [end − range, end], stretched towards each edge of the window — all the way when the sample is
 * within 1.1 sample intervals of it (or, at the start, when the counter would reach 0 sooner),
 * else by half an interval. The history has no counter resets.
 */
function prometheusIncrease(key: string, end: number, range = WINDOW): number | undefined {
  const start = end - range;
  const points: { t: number; v: number }[] = [];
  for (let t = start; t <= end; t += MINUTE) {
    const v = promHistory().valueAt(key, t);
    if (v !== undefined) points.push({ t, v });
  }
  if (points.length < 2) return undefined;
  const first = points[0]!;
  const last = points.at(-1)!;
  const rise = last.v - first.v;
  let toStart = (first.t - start) / 1000;
  const toEnd = (end - last.t) / 1000;
  const sampled = (last.t - first.t) / 1000;
  const interval = sampled / (points.length - 1);
  if (rise > 0 && first.v >= 0) toStart = Math.min(toStart, sampled * (first.v / rise));
  const threshold = interval * 1.1;
  const stretched = sampled + (toStart < threshold ? toStart : interval / 2) + (toEnd < threshold ? toEnd : interval / 2);
  return rise * (stretched / sampled);
}

const key = (name: string, version: string): string => seriesKey(name, { model: "churn", version });

describe("the Models view's counts of a model on Unleash, from Prometheus", async () => {
  const { skip, failed, start } = await unleashOrSkip(missingBinaries("prometheus") ?? "");
  if (failed) return;
  let unleash: RunningUnleash | undefined;
  let prom: RunningServer | undefined;
  let dir: string;
  let configFile: string;
  let downFile: string;
  /** 12 h after v3's release: v2 served the first half of the last 24 h, v3 the second. */
  const now = RELEASE_V3_MS + 12 * HOUR;
  let snap: ProductionSnapshot;
  let churn: ModelSnapshot;
  const lookup = (token: string): SecretLookup => (ref) => (ref.store === "secret" && ref.name === "UNLEASH" ? token : undefined);

  const yaml = (backendUrl: string): string =>
    ["backends:", `  local: {url: '${backendUrl}'}`, "unleash:", `  url: "${unleash!.url}"`, "  token: ${secret:UNLEASH}", "models:", "  churn: {rollout: unleash, flag: model-churn}", ""].join("\n");

  before(async () => {
    if (skip) return;
    // Each assigned as it starts, so that after() stops it even when the other fails to start.
    await Promise.all([start().then((u) => void (unleash = u)), startServer("prometheus").then((p) => void (prom = p))]);
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-provider-totals-"));
    configFile = path.join(dir, "prodinsights.yaml");
    writeFileSync(configFile, yaml(prom!.url));
    // Nothing listens there: every read of that backend fails.
    downFile = path.join(dir, "down.yaml");
    writeFileSync(downFile, yaml(`http://127.0.0.1:${await freePort()}`));
    const provider = new UnleashProvider({ url: unleash!.url, token: unleash!.adminToken, project: "default", environment: "production", flags: () => ({ flag: "model-churn", stickiness: "userId" }) });
    await provider.init("churn", "v2");
    await provider.setWeight("churn", "v3", 25);
    snap = await gatherSnapshot({ configFile, config: await loadConfigFile(configFile), secrets: lookup(unleash!.adminToken), now: () => now });
    churn = snap.models[0]!;
  });
  after(async () => {
    await Promise.all([unleash?.stop(), prom?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the flag's versions, with their requests and errors in the last 24 hours as Prometheus counts them", { skip }, () => {
    assert.deepEqual(churn.problems, []);
    assert.equal(snap.connected, true);
    assert.deepEqual(churn.versions.map((v) => [v.name, v.weight, v.role]), [["v2", 75, "stable"], ["v3", 25, "canary"]]);
    assert.deepEqual(churn.totalsFrom, { source: "backend", backend: "local", hours: 24 });
    const [v2, v3] = churn.versions;
    // v3's counters start at 0 inside the window and have a sample at `now`: increase() does not
    // extrapolate, so the counts are the planted counters' values at `now`, exactly.
    assert.equal(v3!.requests, promHistory().valueAt(key("model_requests_total", "v3"), now));
    assert.equal(v3!.errors, promHistory().valueAt(key("model_errors_total", "v3"), now));
    assert.equal(v3!.requests, prometheusIncrease(key("model_requests_total", "v3"), now));
    // v2's counters stopped an hour after v3's release, 11 h before the window ends: Prometheus
    // stretches the rise by half a sample interval (30 s of traffic) past the last sample, so its
    // count is fractional; the view shows it rounded to whole requests.
    const rise = promHistory().valueAt(key("model_requests_total", "v2"), RELEASE_V3_MS + 59 * MINUTE)! - promHistory().valueAt(key("model_requests_total", "v2"), now - WINDOW)!;
    const increase = prometheusIncrease(key("model_requests_total", "v2"), now)!;
    assert.ok(increase > rise && increase < rise * 1.001, `${increase} vs a rise of ${rise}`);
    assert.equal(v2!.requests, Math.round(increase));
    assert.equal(v2!.errors, Math.round(prometheusIncrease(key("model_errors_total", "v2"), now)!));
    assert.ok(v2!.requests! > 100_000 && v3!.requests! > 100_000, `${v2!.requests} and ${v3!.requests} requests`);
  });

  test("the error rates, and the canary against the stable version by the two-proportion test on those counts", { skip }, () => {
    const [v2, v3] = churn.versions;
    for (const v of [v2!, v3!]) {
      assert.equal(v.errorRate, v.errors! / v.requests!);
      assert.ok(Math.abs(v.errorRate! - 0.04) < 0.002, `${v.name}: ${v.errorRate}, planted 4%`);
    }
    const expected = twoProportionTest([v3!.errors!, v2!.errors!], [v3!.requests!, v2!.requests!]);
    assert.deepEqual(v3!.vsStable, { stable: "v2", difference: expected.estimate, pValue: expected.pValue });
    // Both planted at 4%: no difference beyond chance.
    assert.ok(v3!.vsStable!.pValue > 0.05, `p = ${v3!.vsStable!.pValue}`);
    assert.equal(v2!.vsStable, undefined, "the stable version is not compared with itself");
  });

  test("the tooltip says where the counts come from", { skip }, () => {
    const v3 = churn.versions[1]!;
    assert.equal(versionCounts(churn, v3), `${v3.requests!.toLocaleString("en-US")} requests, ${v3.errors!.toLocaleString("en-US")} errors in the last 24 h from local`);
  });

  test("a version with no series in the window has no counts, not zeros; routingOnly still reads the counts", { skip }, async () => {
    // 12 h after v2's release: v3 is not released yet, so the backend has no series of it.
    const at = RELEASE_V2_MS + 12 * HOUR;
    const early = await gatherSnapshot({ configFile, config: await loadConfigFile(configFile), secrets: lookup(unleash!.adminToken), now: () => at, routingOnly: true });
    const m = early.models[0]!;
    assert.deepEqual(m.problems, []);
    const [v2, v3] = m.versions;
    assert.equal(v2!.requests, promHistory().valueAt(key("model_requests_total", "v2"), at));
    assert.equal(v2!.errors, promHistory().valueAt(key("model_errors_total", "v2"), at));
    assert.deepEqual([v3!.requests, v3!.errors, v3!.errorRate, v3!.vsStable], [undefined, undefined, undefined, undefined]);
    assert.equal(versionCounts(m, v3!), "no request counts in the last 24 h from local");
  });

  test("an unreachable backend is a problem on the model; the routing is still shown", { skip }, async () => {
    const down = await gatherSnapshot({ configFile: downFile, config: await loadConfigFile(downFile), secrets: lookup(unleash!.adminToken), now: () => now, routingOnly: true });
    const m = down.models[0]!;
    assert.deepEqual(m.versions.map((v) => [v.name, v.weight, v.role, v.requests]), [["v2", 75, "stable", undefined], ["v3", 25, "canary", undefined]]);
    assert.equal(m.totalsFrom, undefined);
    assert.equal(m.problems.length, 1, JSON.stringify(m.problems));
    assert.match(m.problems[0]!.message, /^request totals from local: Prometheus API http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: connection refused: .*\(after \d+ attempts\)$/);
  });
});
