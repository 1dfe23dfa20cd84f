import assert from "node:assert/strict";
import { test } from "node:test";
import { lensTitle, sparkline } from "../../../src/core/refs/lens";

test("a lens names the version, its traffic, its errors against the stable version and its drift", () => {
  assert.equal(lensTitle({ model: "churn", version: "v3", weight: 25, errors: { rate: 0.012, baselineRate: 0.008, baselineVersion: "v2", pValue: 0.003 }, driftedFeatures: 2 }), "churn v3 · 25% traffic · errors 1.2% (+0.40 pp vs v2, p = 0.0030) · drift: 2 features");
  assert.equal(lensTitle({ model: "churn", version: "v2", weight: 75, errors: { rate: 0.008, baselineRate: 0.008, baselineVersion: "v2" }, driftedFeatures: 0 }), "churn v2 · 75% traffic · errors 0.8% · no drift");
  assert.equal(lensTitle({ model: "churn", version: "v1" }), "churn v1");
  assert.equal(lensTitle({ model: "churn", version: "v4", weight: 33.333, driftedFeatures: 1 }), "churn v4 · 33.3% traffic · drift: 1 feature");
});

test("a sparkline draws finite points, leaves gaps for missing ones, and escapes its title", () => {
  const svg = sparkline([1, 2, NaN, 3, 1], '<script>"&', 100, 20);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="100" height="20"/);
  assert.ok(svg.includes("<title>&lt;script&gt;&quot;&amp;</title>"));
  assert.equal(svg.match(/<path /g)!.length, 2, "two runs around the gap");
  assert.ok(svg.includes('d="M1.0 19.0L25.5 10.0"'), svg);
  assert.equal(sparkline([], "empty").includes("<path"), false);
  assert.match(sparkline([5], "one"), /d="M80.0 31.0h1"/, "a lone point gets a pixel");
});
