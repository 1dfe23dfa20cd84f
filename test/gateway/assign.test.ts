import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { chiSquareGoodnessOfFit } from "../../src/core/stats/chiSquareGoodnessOfFit";
import { assignExperiments, assignVersion, bucketOf, BUCKETS, checkLayers, checkWeights, pickByWeight, type Layer } from "../../src/gateway/assign";

const units = (n: number, prefix = "user-"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test("a unit's bucket is PlanOut's: the first 15 hex digits of sha1('salt.unit') modulo 10,000", () => {
  for (const [salt, unit] of [["model:churn", "user-1"], ["layer:ui", "42"], ["x", ""], ["model:churn", "ünï-cødé"]] as const) {
    const hex = createHash("sha1").update(`${salt}.${unit}`).digest("hex").slice(0, 15);
    assert.equal(bucketOf(salt, unit), Number(BigInt(`0x${hex}`) % BigInt(BUCKETS)), `${salt}.${unit}`);
  }
  assert.equal(bucketOf("model:churn", "user-1"), bucketOf("model:churn", "user-1"), "sticky");
});

test("a 90/10 split of 100,000 users is within chi-square tolerance, and each user keeps their version", () => {
  const versions = [
    { name: "v1", weight: 90 },
    { name: "v2", weight: 10 },
  ];
  const counts = new Map<string, number>();
  for (const u of units(100_000)) {
    const v = assignVersion("churn", versions, u).name;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const observed = versions.map((v) => counts.get(v.name) ?? 0);
  const fit = chiSquareGoodnessOfFit(observed, [90, 10]);
  assert.ok(fit.pValue > 0.001, `split ${observed.join("/")}, p = ${fit.pValue}`);
  for (const u of units(1000)) assert.equal(assignVersion("churn", versions, u).name, assignVersion("churn", versions, u).name);
});

test("raising a canary's weight only moves users to it, never back", () => {
  const at = (w: number) => [
    { name: "stable", weight: 100 - w },
    { name: "canary", weight: w },
  ];
  let previous = new Set<string>();
  for (const w of [0, 5, 25, 50, 100]) {
    const now = new Set(units(20_000).filter((u) => assignVersion("churn", at(w), u).name === "canary"));
    for (const u of previous) assert.ok(now.has(u), `${u} left the canary when it rose to ${w}%`);
    assert.ok(Math.abs(now.size / 20_000 - w / 100) < 0.015, `${w}%: ${now.size}`);
    previous = now;
  }
});

test("buckets cover the weights exactly, rounding included, and zero weights get nobody", () => {
  const thirds = [
    { name: "a", weight: 100 / 3 },
    { name: "b", weight: 100 / 3 },
    { name: "c", weight: 100 / 3 },
  ];
  const tally = { a: 0, b: 0, c: 0 } as Record<string, number>;
  for (let b = 0; b < BUCKETS; b++) tally[pickByWeight(b, thirds).name]!++;
  assert.deepEqual(tally, { a: 3333, b: 3334, c: 3333 });
  const off = [
    { name: "a", weight: 0 },
    { name: "b", weight: 100 },
    { name: "c", weight: 0 },
  ];
  for (let b = 0; b < BUCKETS; b += 97) assert.equal(pickByWeight(b, off).name, "b");
});

test("layers: at most one experiment per layer, shares respected, and layers independent of each other", () => {
  const layers: Layer[] = [
    {
      name: "checkout-ui",
      experiments: [
        { name: "button", share: 50, arms: [{ name: "control", weight: 50 }, { name: "red", weight: 50 }] },
        { name: "copy", share: 30, arms: [{ name: "control", weight: 50 }, { name: "short", weight: 50 }] },
      ],
    },
    { name: "ranking", experiments: [{ name: "model", share: 100, arms: [{ name: "control", weight: 50 }, { name: "v2", weight: 50 }] }] },
  ];
  checkLayers(layers);
  const n = 40_000;
  const inUi = { button: 0, copy: 0, none: 0 } as Record<string, number>;
  // Joint counts of (in button's red arm, in ranking's v2 arm): independent layers make them multiply.
  const joint = [0, 0, 0, 0];
  for (const u of units(n)) {
    const a = assignExperiments(layers, u);
    const ui = a.filter((x) => x.layer === "checkout-ui");
    assert.ok(ui.length <= 1);
    inUi[ui[0]?.experiment ?? "none"]!++;
    const ranking = a.find((x) => x.layer === "ranking")!;
    if (ui[0]?.experiment === "button") joint[(ui[0].arm === "red" ? 2 : 0) + (ranking.arm === "v2" ? 1 : 0)]!++;
  }
  assert.ok(chiSquareGoodnessOfFit([inUi["button"]!, inUi["copy"]!, inUi["none"]!], [50, 30, 20]).pValue > 0.001, JSON.stringify(inUi));
  assert.ok(chiSquareGoodnessOfFit(joint, [1, 1, 1, 1]).pValue > 0.001, `joint ${joint.join(",")}`);
});

test("weights and layers that cannot split traffic are refused, naming the entry", () => {
  assert.throws(() => checkWeights("model 'churn' versions", [{ name: "v1", weight: 60 }, { name: "v2", weight: 30 }]), /the weights sum to 90, not 100/);
  assert.throws(() => checkWeights("v", [{ name: "v1", weight: 100 }, { name: "v1", weight: 0 }]), /'v1' is listed twice/);
  assert.throws(() => checkWeights("v", [{ name: "v1", weight: -5 }, { name: "v2", weight: 105 }]), /the weight of 'v1' must be a percentage >= 0/);
  assert.throws(() => checkWeights("v", []), /needs at least one entry/);
  const arms = [{ name: "a", weight: 100 }];
  assert.throws(() => checkLayers([{ name: "l", experiments: [{ name: "e", share: 70, arms }, { name: "f", share: 40, arms }] }]), /shares sum to 110, above 100/);
  assert.throws(() => checkLayers([{ name: "l", experiments: [{ name: "e", share: 10, arms }] }, { name: "m", experiments: [{ name: "e", share: 10, arms }] }]), /experiment 'e' is in more than one place/);
});
