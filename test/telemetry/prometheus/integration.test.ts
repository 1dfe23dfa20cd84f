// The same suite against a real Prometheus and a real VictoriaMetrics, both holding the
// deterministic history of test/support/promHistory.ts: the client must return its known facts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PrometheusClient } from "../../../src/telemetry/prometheus/client";
import { PrometheusError } from "../../../src/telemetry/prometheus/errors";
import { FEATURES, promHistory, seriesKey } from "../../support/promHistory";
import { missingServerPolicy, SERVER_KINDS, startServer, type RunningServer } from "../../support/servers";

const history = promHistory();
const facts = history.facts;
const { startMs, endMs } = facts;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const [, v2Release, v3Release] = facts.releases.map((r) => r.atMs) as [number, number, number];

const byLabel = (samples: readonly { labels: Readonly<Record<string, string>>; value: number }[], label: string) =>
  Object.fromEntries(samples.map((s) => [s.labels[label], s.value]));

/** Bucket counts (cumulative by le, as stored) of one version's feature histogram between two instants, from the generator. */
function expectedBuckets(feature: keyof typeof FEATURES, version: string, fromMs: number, toMs: number): number[] {
  return [...FEATURES[feature].le.map(String), "+Inf"].map((le) => {
    const key = seriesKey("model_feature_bucket", { model: "churn", version, feature, le });
    return history.valueAt(key, toMs)! - history.valueAt(key, fromMs)!;
  });
}

/** Non-cumulative shares per bucket from cumulative counts. */
const shares = (cumulative: readonly number[]) => cumulative.map((c, k) => (c - (k === 0 ? 0 : cumulative[k - 1]!)) / cumulative.at(-1)!);
const maxAbsDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, k) => Math.abs(x - b[k]!)));

for (const kind of SERVER_KINDS) {
  const policy = missingServerPolicy(kind);
  if (policy.fail) {
    test(`${kind}: the server binaries are installed`, () => assert.fail(policy.fail));
    continue;
  }
  describe(`Prometheus API client against ${kind}`, { skip: policy.skip ?? false }, () => {
    let server: RunningServer;
    let client: PrometheusClient;
    before(async () => {
      server = await startServer(kind);
      client = new PrometheusClient({ url: server.url, timeoutMs: 30_000 });
    });
    after(() => server?.stop());

    /** Bucket counts of a version's feature histogram between two instants, from raw counter values. */
    async function serverBuckets(feature: string, version: string, fromMs: number, toMs: number): Promise<number[]> {
      const selector = `model_feature_bucket{model="churn",version="${version}",feature="${feature}"}`;
      const [from, to] = await Promise.all([client.instant(selector, fromMs), client.instant(selector, toMs)]);
      const les = [...FEATURES[feature as keyof typeof FEATURES].le.map(String), "+Inf"];
      const at = (samples: typeof from) => les.map((le) => samples.find((s) => s.labels.le === le)!.value);
      const [a, b] = [at(from), at(to)];
      return b.map((x, k) => x - a[k]!);
    }

    test("A/B: exposures and conversions per arm are the generator's exact counts; the lift is there", async () => {
      const exposures = byLabel(await client.instant('sum by (arm) (experiment_exposures_total{experiment="checkout"})', endMs), "arm");
      const conversions = byLabel(await client.instant('sum by (arm) (experiment_conversions_total{experiment="checkout",metric="conversion"})', endMs), "arm");
      assert.deepEqual(exposures, facts.checkout.exposures);
      assert.deepEqual(conversions, facts.checkout.conversions);
      const rate = (arm: "control" | "treatment") => conversions[arm]! / exposures[arm]!;
      assert.ok(Math.abs(rate("control") - 0.1) < 0.002 && Math.abs(rate("treatment") - 0.12) < 0.002, `${rate("control")} ${rate("treatment")}`);
      const revenue = await client.instant('sum by (arm, __name__) ({__name__=~"experiment_value_(sum|sum_squares|count)",experiment="checkout",metric="revenue"})', endMs);
      for (const arm of ["control", "treatment"] as const) {
        const get = (name: string) => revenue.find((s) => s.labels.arm === arm && s.labels.__name__ === name)?.value;
        assert.deepEqual(
          { sum: get("experiment_value_sum"), sumSquares: get("experiment_value_sum_squares"), count: get("experiment_value_count") },
          facts.checkout.revenue[arm],
        );
      }
    });

    test("SRM: the onboarding arms' exposures are exact and far from the planned 50/50", async () => {
      const exposures = byLabel(await client.instant('sum by (arm) (experiment_exposures_total{experiment="onboarding"})', endMs), "arm");
      assert.deepEqual(exposures, facts.onboarding.exposures);
      assert.ok(exposures.control! / (exposures.control! + exposures.treatment!) > 0.54);
    });

    test("requests and errors per version over their lives are exact", async () => {
      assert.deepEqual(byLabel(await client.instant('max_over_time(model_requests_total{model="churn"}[14d])', endMs), "version"), facts.requests);
      assert.deepEqual(byLabel(await client.instant('max_over_time(model_errors_total{model="churn"}[14d])', endMs), "version"), facts.errors);
    });

    test("the error rate jumps at the v2 release and not at the v3 release", async () => {
      const ratio = 'sum(increase(model_errors_total{model="churn"}[1d])) / sum(increase(model_requests_total{model="churn"}[1d]))';
      const at = async (ms: number) => (await client.instant(ratio, ms))[0]!.value;
      const exact = (version: string, fromMs: number, toMs: number) => {
        const v = (name: string, ms: number) => history.valueAt(seriesKey(name, { model: "churn", version }), ms)!;
        return (v("model_errors_total", toMs) - v("model_errors_total", fromMs)) / (v("model_requests_total", toMs) - v("model_requests_total", fromMs));
      };
      const [beforeV2, afterV2, beforeV3, afterV3] = await Promise.all([at(v2Release), at(v2Release + DAY), at(v3Release), at(v3Release + DAY)]);
      assert.ok(Math.abs(beforeV2 - exact("v1", v2Release - DAY, v2Release)) < 0.001, `before v2 ${beforeV2}`);
      assert.ok(Math.abs(afterV2 - exact("v2", v2Release, v2Release + DAY)) < 0.001, `after v2 ${afterV2}`);
      assert.ok(Math.abs(afterV3 - exact("v3", v3Release, v3Release + DAY)) < 0.001, `after v3 ${afterV3}`);
      assert.ok(afterV2 - beforeV2 > 0.025, "a real jump at v2");
      assert.ok(Math.abs(afterV3 - beforeV3) < 0.004, "no jump at v3");
    });

    test("the drifting feature's buckets change only after the drift time; the stable one never", async () => {
      const d = facts.driftMs;
      const windows = [[d - DAY, d - HOUR * 12], [d - HOUR * 12, d], [d, d + HOUR * 12]] as const;
      for (const feature of ["tenure", "monthly_charges"] as const) {
        const counts = await Promise.all(windows.map(([a, b]) => serverBuckets(feature, "v2", a, b)));
        counts.forEach((c, k) => assert.deepEqual(c, expectedBuckets(feature, "v2", windows[k]![0], windows[k]![1]), `${feature} window ${k}`));
        const [early, late, drifted] = counts.map(shares) as [number[], number[], number[]];
        assert.ok(maxAbsDiff(early, late) < 0.01, `${feature} before the drift: ${early} vs ${late}`);
        if (feature === facts.driftingFeature) assert.ok(maxAbsDiff(late, drifted) > 0.1, `${feature} after the drift: ${drifted}`);
        else assert.ok(maxAbsDiff(late, drifted) < 0.01, `${feature} stays: ${drifted}`);
      }
    });

    test("query_range over 14 days picks a step under 11,000 points, even when asked for 1 minute", async () => {
      const query = 'sum(rate(model_requests_total{model="churn"}[5m]))';
      for (const stepMs of [undefined, 60_000]) {
        const result = await client.queryRange(query, { startMs, endMs, ...(stepMs ? { stepMs } : {}) });
        assert.equal(result.stepMs, 120_000);
        assert.equal(result.series.length, 1);
        const points = result.series[0]!.points;
        assert.ok(points.length < 11_000 && points.length > 10_000, `${points.length} points`);
        assert.ok(points.every((p) => Number.isFinite(p.v) && (p.t - startMs) % 120_000 === 0));
      }
      const hourly = await client.range('sum by (version) (model_traffic_weight{model="churn"})', startMs, endMs, HOUR);
      const weightAt = (version: string, ms: number) => hourly.find((s) => s.labels.version === version)!.points.find((p) => p.t === ms)!.v;
      assert.deepEqual([weightAt("v1", v2Release - HOUR), weightAt("v1", v2Release), weightAt("v2", v2Release), weightAt("v3", v3Release)], [1, 0, 1, 1]);
    });

    test("series, label names and label values within the history's time range", async () => {
      const window = { startMs, endMs };
      const series = await client.series(['model_requests_total{model="churn"}'], window);
      assert.deepEqual(series.map((s) => s.version).sort(), ["v1", "v2", "v3"]);
      assert.ok(series.every((s) => s.__name__ === "model_requests_total" && s.model === "churn"));
      const labels = await client.labels(window);
      for (const name of ["__name__", "arm", "category", "experiment", "feature", "le", "metric", "model", "version"]) assert.ok(labels.includes(name), name);
      assert.deepEqual((await client.labelValues("version", window)).sort(), ["v1", "v2", "v3"]);
      assert.deepEqual((await client.labelValues("arm", { ...window, match: ['experiment_exposures_total{experiment="onboarding"}'] })).sort(), ["control", "treatment"]);
      assert.deepEqual((await client.labelValues("experiment", window)).sort(), ["checkout", "onboarding"]);
    });

    test("NaN and Inf, stored or computed, are no data on both servers", async () => {
      const lastHour = { startMs: endMs - HOUR, endMs, stepMs: 60_000 };
      assert.deepEqual((await client.queryRange('prodinsights_probe{case="all_nan"}', lastHour)).series, []);
      assert.deepEqual(await client.instant('prodinsights_probe{case="all_nan"}', endMs), []);
      const mixed = (await client.queryRange('prodinsights_probe{case="mixed"}', lastHour)).series;
      assert.equal(mixed.length, 1);
      const points = mixed[0]!.points;
      assert.ok(points.every((p) => Number.isFinite(p.v)));
      // The finite samples are there at their own times. (Where a NaN was stored, Prometheus has no
      // data and VictoriaMetrics, which dropped the NaN, shows the sample before it.)
      const own = points.filter((p) => p.v === (p.t - startMs) / 60_000).map((p) => p.t);
      const expected = Array.from({ length: 61 }, (_, k) => endMs - HOUR + k * 60_000).filter((t) => ((t - startMs) / 60_000) % 2 === 0);
      assert.deepEqual(own, expected);
      // 0/0 and x/0 computed by the server.
      const v1 = 'model_requests_total{model="churn",version="v1"}';
      assert.deepEqual(await client.instant(`model_errors_total{version="v1"} / (${v1} - ${v1})`, startMs + DAY), []);
      assert.deepEqual((await client.queryRange(`${v1} / (${v1} - ${v1})`, { startMs, endMs: startMs + DAY, stepMs: HOUR })).series, []);
      assert.deepEqual(await client.instant("0/0", endMs), []);
    });

    test("empty results are empty, not errors", async () => {
      assert.deepEqual(await client.instant('model_requests_total{version="v9"}', endMs), []);
      assert.deepEqual((await client.queryRange('model_requests_total{version="v9"}', { startMs, endMs })).series, []);
      assert.deepEqual(await client.series(['model_requests_total{version="v9"}'], { startMs, endMs }), []);
      assert.deepEqual(await client.labelValues("no_such_label", { startMs, endMs }), []);
      // Before the history: nothing.
      assert.deepEqual(await client.instant("experiment_exposures_total", startMs - DAY), []);
    });

    test("bad PromQL is an api error with the server's message, not retried", async () => {
      await assert.rejects(client.instant("sum(", endMs), (error: unknown) => {
        assert.ok(error instanceof PrometheusError);
        assert.equal(error.kind, "api");
        assert.ok(error.status === 400 || error.status === 422, String(error.status));
        assert.equal(error.attempts, 1);
        assert.match(error.message, /\/api\/v1\/query: HTTP 4\d\d, \w+: /);
        return true;
      });
    });
  });
}
