/**
 * End to end over real HTTP: traffic through the gateway to a model server, a real Prometheus
 * scraping the gateway's /metrics, and the counts read back through our Prometheus client equal to
 * what the clients saw. A gateway on a simulated clock stamps its samples, and Prometheus files
 * them at the simulated time.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PrometheusClient } from "../../src/telemetry/prometheus/client";
import { eventually, startHarness, type Harness } from "../support/gatewayHarness";
import { missingServerPolicy, startServer, type RunningServer } from "../support/servers";

const policy = missingServerPolicy("prometheus");
const hostPort = (url: string): string => new URL(url).host;

if (policy.fail) {
  test("prometheus: the server binaries are installed", () => assert.fail(policy.fail));
} else {
  describe("the gateway scraped by Prometheus", { skip: policy.skip }, () => {
    let h: Harness;
    let past: Harness;
    let prom: RunningServer;
    const simulatedAt = Date.now() - 2 * 3_600_000;
    before(async () => {
      h = await startHarness({ v1: 80, v2: 20 }, "layers:\n  ui:\n    experiments:\n      checkout: {share: 100, arms: {control: 50, treatment: 50}}\n");
      past = await startHarness({ v1: 100 }, "", { clock: () => simulatedAt });
      prom = await startServer("prometheus", { history: false, scrape: [hostPort(h.gw.url), hostPort(past.gw.url)] });
    });
    after(async () => {
      await prom?.stop();
      await h?.close();
      await past?.close();
    });

    test("requests, versions, arms and conversions arrive in Prometheus as the clients saw them", async () => {
      const versions: Record<string, number> = {};
      const arms: Record<string, number> = {};
      const converted: string[] = [];
      for (let i = 0; i < 300; i++) {
        const res = await h.predict({ features: { tenure: i % 40 } }, { "x-unit-id": `unit-${i}` });
        await res.arrayBuffer();
        const version = res.headers.get("x-model-version")!;
        versions[version] = (versions[version] ?? 0) + 1;
        const arm = res.headers.get("x-experiments")!.split("=")[1]!;
        arms[arm] = (arms[arm] ?? 0) + 1;
        if (i % 7 === 0) converted.push(`unit-${i}`);
      }
      await fetch(`${h.gw.url}/outcomes`, { method: "POST", body: JSON.stringify(converted.map((unit) => ({ unit, metric: "conversion" }))) });
      const client = new PrometheusClient({ url: prom.url });
      const byLabel = async (query: string, label: string): Promise<Record<string, number>> =>
        Object.fromEntries((await client.instant(query, Date.now())).map((s) => [s.labels[label]!, s.value]));
      const requests = await eventually(async () => {
        const r = await byLabel('sum by (version) (model_requests_total{model="churn"})', "version");
        return (r["v1"] ?? 0) + (r["v2"] ?? 0) === 300 ? r : undefined;
      }, 250);
      assert.deepEqual(requests, versions);
      assert.deepEqual(await byLabel("sum by (arm) (experiment_exposures_total{experiment=\"checkout\"})", "arm"), arms);
      const conversions = await eventually(async () => {
        const c = await byLabel('sum by (arm) (experiment_conversions_total{experiment="checkout",metric="conversion"})', "arm");
        return Object.values(c).reduce((a, b) => a + b, 0) === converted.length ? c : undefined;
      }, 250);
      assert.ok(Object.keys(conversions).every((arm) => arm in arms));
      assert.deepEqual(await byLabel('model_traffic_weight{model="churn"}', "version"), { v1: 80, v2: 20 });
    });

    test("a gateway on a simulated clock is filed at its simulated time", async () => {
      for (let i = 0; i < 5; i++) await (await past.predict({ features: { tenure: 1 } }, { "x-unit-id": `p${i}` })).arrayBuffer();
      const client = new PrometheusClient({ url: prom.url });
      const atSimulated = await eventually(async () => {
        const s = await client.instant(`sum(model_requests_total{instance="${hostPort(past.gw.url)}"})`, simulatedAt);
        return s[0]?.value === 5 ? s : undefined;
      }, 250);
      assert.equal(atSimulated[0]!.value, 5);
      // Now, two hours later, the 5-minute lookback finds nothing of it.
      assert.deepEqual(await client.instant(`model_requests_total{instance="${hostPort(past.gw.url)}"}`, Date.now()), []);
    });
  });
}
