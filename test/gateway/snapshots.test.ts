import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayMetrics } from "../../src/gateway/metrics";
import { MAX_PENDING, MetricSnapshots } from "../../src/gateway/snapshots";

test("every pending snapshot comes out in one scrape: one HELP and TYPE per family, a series' samples in time order, nothing else", async () => {
  let now = Date.UTC(2026, 10, 1);
  const metrics = new GatewayMetrics([{ name: "churn" }], () => now);
  const snapshots = new MetricSnapshots();
  metrics.request("churn", "v1", 0.01, false);
  snapshots.take(now, await metrics.registry.getMetricsAsJSON());
  now += 60_000;
  metrics.request("churn", "v1", 0.01, true);
  metrics.features("churn", 'v"2\n', { city: 'a\\b"c' });
  snapshots.take(now, await metrics.registry.getMetricsAsJSON());
  const text = snapshots.render();
  const lines = text.trim().split("\n");
  assert.equal(lines.filter((l) => l === "# TYPE model_requests_total counter").length, 1);
  const requests = lines.filter((l) => l.startsWith('model_requests_total{model="churn",version="v1"}'));
  assert.deepEqual(requests, [`model_requests_total{model="churn",version="v1"} 1 ${now - 60_000}`, `model_requests_total{model="churn",version="v1"} 2 ${now}`]);
  assert.ok(lines.includes(`model_feature_category_total{model="churn",version="v\\"2\\n",feature="city",category="a\\\\b\\"c"} 1 ${now}`));
  assert.ok(lines.some((l) => l.startsWith('model_latency_seconds_bucket{le="+Inf",model="churn",version="v1"} 2 ')));
  // Rendering forgets them: the next scrape has only what was taken since.
  assert.equal(snapshots.render().split("\n").filter((l) => l.startsWith("model_requests_total{")).length, 0);
});

test("without a scraper, the oldest snapshots are dropped past the bound", () => {
  const snapshots = new MetricSnapshots();
  for (let i = 0; i < MAX_PENDING + 5; i++) snapshots.take(i * 60_000, [{ name: "up", help: "h", type: "gauge" as never, aggregator: "sum", values: [{ value: i, labels: {} }] } as never]);
  const samples = snapshots.render().trim().split("\n").filter((l) => l.startsWith("up "));
  assert.equal(samples.length, MAX_PENDING);
  assert.equal(samples[0], `up 5 ${5 * 60_000}`);
});
