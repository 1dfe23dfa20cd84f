/**
 * The Models view's tooltip line for a version's counts: where they come from, and no counts said
 * as such rather than as zeros.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { versionCounts } from "../../../src/extension/views/versionText";

test("a gateway model's counts are since the gateway started", () => {
  assert.equal(versionCounts({ totalsFrom: { source: "gateway" } }, { requests: 12345, errors: 67 }), "12,345 requests, 67 errors since the gateway started");
});

test("an Unleash or Argo model's counts name the metrics backend and the window", () => {
  assert.equal(versionCounts({ totalsFrom: { source: "backend", backend: "prom", hours: 24 } }, { requests: 431739, errors: 17455 }), "431,739 requests, 17,455 errors in the last 24 h from prom");
  assert.equal(versionCounts({ totalsFrom: { source: "backend", backend: "prom", hours: 24 } }, { requests: 0, errors: 0 }), "0 requests, 0 errors in the last 24 h from prom");
});

test("a version without counts says so, with the window it was looked for in", () => {
  assert.equal(versionCounts({ totalsFrom: { source: "backend", backend: "prom", hours: 24 } }, {}), "no request counts in the last 24 h from prom");
  // The counts could not be read at all (the model's problems say why).
  assert.equal(versionCounts({}, {}), "no request counts");
});
