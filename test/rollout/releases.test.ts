import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RolloutEvent } from "../../src/rollout/provider";
import { releasesFromHistory } from "../../src/rollout/releases";

const weights = (t: number, w: Record<string, number>, kind: RolloutEvent["kind"] = "weights"): RolloutEvent => ({ t, kind, weights: w, source: "test" });
const window = { start: 100, end: 1000 };

describe("releasesFromHistory", () => {
  test("each version's first rise from no traffic inside the window; the one serving at the start is not a release", () => {
    const history = [
      weights(10, { v1: 100 }),
      weights(200, { v1: 90, v2: 10 }),
      weights(300, { v1: 50, v2: 50 }),
      weights(400, { v2: 100, v1: 0 }, "promote"),
      weights(600, { v2: 95, v3: 5 }),
    ];
    assert.deepEqual(releasesFromHistory("churn", history, window), [
      { t: 200, version: "v2", model: "churn" },
      { t: 600, version: "v3", model: "churn" },
    ]);
  });

  test("a version back after a rollback is released once, at its first rise; one left out of the weights has no traffic", () => {
    const history = [weights(10, { v1: 100 }), weights(200, { v1: 90, v2: 10 }), weights(250, { v1: 100 }, "rollback"), weights(500, { v1: 80, v2: 20 })];
    assert.deepEqual(releasesFromHistory("churn", history, window).map((r) => [r.version, r.t]), [["v2", 200]]);
  });

  test("a version whose traffic rose before the window and came back in it is released at its return, as with the weight series", () => {
    const history = [weights(10, { v1: 90, v2: 10 }), weights(50, { v1: 100, v2: 0 }), weights(300, { v1: 50, v2: 50 })];
    assert.deepEqual(releasesFromHistory("churn", history, window).map((r) => [r.version, r.t]), [["v2", 300]]);
  });

  test("events after the window, and unordered input, are handled; events that name a version (Argo's revisions) release it", () => {
    const history: RolloutEvent[] = [
      { t: 1200, kind: "other", version: "v4", source: "revision 4: v4" },
      { t: 700, kind: "other", version: "v3", source: "revision 3: v3" },
      { t: 50, kind: "other", version: "v1", source: "revision 1: v1" },
      { t: 150, kind: "other", version: "v2", source: "revision 2: v2" },
    ];
    assert.deepEqual(releasesFromHistory("churn", history, window).map((r) => [r.version, r.t]), [["v2", 150], ["v3", 700]]);
  });

  test("no history, or none in the window: no releases", () => {
    assert.deepEqual(releasesFromHistory("churn", [], window), []);
    assert.deepEqual(releasesFromHistory("churn", [weights(10, { v1: 100 })], window), []);
  });
});
