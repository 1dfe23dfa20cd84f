import assert from "node:assert/strict";
import { test } from "node:test";
import { checkAssertions, type ModelAssertions } from "../../src/gateway/assertions";

const spec: ModelAssertions = {
  prediction: { min: 0, max: 1 },
  features: {
    tenure: { type: "number", required: true, min: 0, max: 600 },
    plan: { type: "string", values: ["basic", "plus", "pro"] },
    has_partner: { type: "boolean" },
  },
};

const names = (features: Record<string, unknown> | undefined, prediction: unknown): string[] => checkAssertions(spec, features, prediction).map((v) => v.assertion);

test("a request that holds every invariant has no violations", () => {
  assert.deepEqual(names({ tenure: 12, plan: "pro", has_partner: true }, 0.3), []);
  assert.deepEqual(names({ tenure: 0 }, 1), [], "optional features may be absent; bounds are inclusive");
});

test("each broken invariant is named after its kind and feature, so the label set is bounded by the config", () => {
  assert.deepEqual(names({ plan: "pro" }, 0.3), ["required:tenure"]);
  assert.deepEqual(names({ tenure: null }, 0.3), ["required:tenure"]);
  assert.deepEqual(names({ tenure: "12" }, 0.3), ["type:tenure"]);
  assert.deepEqual(names({ tenure: -1 }, 0.3), ["range:tenure"]);
  assert.deepEqual(names({ tenure: 12, plan: "platinum" }, 0.3), ["domain:plan"]);
  assert.deepEqual(names({ tenure: 12, has_partner: "yes" }, 0.3), ["type:has_partner"]);
  assert.deepEqual(names({ tenure: 12 }, 1.5), ["prediction_range"]);
  assert.deepEqual(names({ tenure: 12 }, "0.3"), ["prediction_range"]);
  assert.deepEqual(names(undefined, undefined), ["prediction_range", "required:tenure"]);
  assert.deepEqual(names({ tenure: 1e400, plan: 7 }, Number.NaN), ["prediction_range", "range:tenure", "type:plan"]);
});

test("details describe the value without letting a hostile one run long", () => {
  const [v] = checkAssertions(spec, { tenure: 12, plan: `<script>${"x".repeat(500)}` }, 0.5);
  assert.equal(v!.assertion, "domain:plan");
  assert.ok(v!.detail.length < 140, v!.detail);
  assert.match(v!.detail, /^feature plan = "<script>x+… is not one of 3 known categories$/);
  // An inherited property is not a feature.
  assert.deepEqual(names(Object.create({ tenure: 5 }) as Record<string, unknown>, 0.5), ["required:tenure"]);
});
