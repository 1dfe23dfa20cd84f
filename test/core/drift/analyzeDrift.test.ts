import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeDrift, type DriftOptions } from "../../../src/core/drift/analyzeDrift";
import { binnedFromCumulative } from "../../../src/core/drift/buckets";
import type { FeatureData, FeatureInput } from "../../../src/core/drift/inputs";
import { jensenShannonDistance } from "../../../src/core/drift/jensenShannon";
import { populationStabilityIndex } from "../../../src/core/drift/psi";
import { wassersteinBinned, wassersteinDistance } from "../../../src/core/drift/wasserstein";
import type { DriftFeature, DriftResult } from "../../../src/core/results/drift";
import { ksTwoSample } from "../../../src/core/stats/ksTwoSample";
import { assertNoNonFinite, mulberry32, normals } from "./helpers";

type OkFeature = Extract<DriftFeature, { status: "ok" }>;

function analyze(features: readonly FeatureInput[], options?: DriftOptions): DriftResult {
  const doc = analyzeDrift(features, options);
  assertNoNonFinite(doc);
  assert.equal(doc.kind, "drift");
  return doc;
}

function ok(doc: DriftResult, index = 0): OkFeature {
  const f = doc.features[index];
  assert.equal(f?.status, "ok", JSON.stringify(f));
  return f as OkFeature;
}

const numeric = (baseline: ArrayLike<number>, current: ArrayLike<number>): FeatureData => ({
  kind: "numeric",
  baseline: Array.from(baseline),
  current: Array.from(current),
});

const categorical = (categories: string[], baseline: number[], current: number[]): FeatureData => ({ kind: "categorical", categories, baseline, current });

/** `n` values cycling through `values`. */
const cycle = (values: readonly number[], n: number) => Array.from({ length: n }, (_, i) => values[i % values.length]!);

/** A 4-bucket histogram with `total` baseline values. */
const binned = (total: number, current: number[] = [25, 25, 25, 25]): FeatureData => ({
  kind: "binned",
  edges: [0, 1, 2, 3, 4],
  baseline: [total - 3 * Math.floor(total / 4), Math.floor(total / 4), Math.floor(total / 4), Math.floor(total / 4)],
  current,
});

test("method selection follows Evidently's table on every kind of input", () => {
  const cases: [string, FeatureData, string, string][] = [
    ["numeric, n = 1000", numeric(normals(1, 1000), normals(2, 500)), "ks", "numeric"],
    ["numeric, n = 1001", numeric(normals(1, 1001), normals(2, 500)), "wasserstein", "numeric"],
    ["numeric with 4 values, n = 1000", numeric(cycle([0, 1, 2, 3], 1000), cycle([0, 1, 2, 3], 300)), "chisquare", "categorical"],
    ["numeric with 5 values, n = 1001", numeric(cycle([0, 1, 2, 3, 4], 1001), cycle([0, 1, 2, 3], 300)), "jensenshannon", "categorical"],
    ["numeric with 6 values, n = 50", numeric(cycle([0, 1, 2, 3, 4], 50), cycle([0, 1, 2, 3, 4, 5], 30)), "ks", "numeric"],
    ["numeric with 2 values, n = 1000", numeric(cycle([0, 1], 1000), cycle([0, 1, 1], 300)), "z", "binary"],
    ["numeric with 2 values, n = 1001", numeric(cycle([0, 1], 1001), cycle([0, 1, 1], 300)), "jensenshannon", "binary"],
    ["categorical, 3 categories, n = 1000", categorical(["a", "b", "c"], [500, 300, 200], [50, 30, 20]), "chisquare", "categorical"],
    ["categorical, 3 categories, n = 1001", categorical(["a", "b", "c"], [501, 300, 200], [50, 30, 20]), "jensenshannon", "categorical"],
    ["categorical, 2 of 3 occupied, n = 1000", categorical(["a", "b", "c"], [600, 400, 0], [50, 50, 0]), "z", "binary"],
    ["categorical, binary, n = 1001", categorical(["yes", "no"], [601, 400], [50, 50]), "jensenshannon", "binary"],
    ["binned, n = 1000", binned(1000), "ks", "numeric"],
    ["binned, n = 1001", binned(1001), "wasserstein", "numeric"],
  ];
  for (const [name, data, method, columnType] of cases) {
    const f = ok(analyze([{ name, data }]));
    assert.equal(f.method, method, name);
    assert.equal(f.columnType, columnType, name);
    assert.equal(f.methodSource, "default", name);
    assert.equal(f.comparedWith, ["ks", "chisquare", "z"].includes(method) ? "pValue" : "score", name);
    assert.equal(f.pValue === undefined, !["ks", "chisquare", "z"].includes(method), name);
  }
});

test("every measure runs on raw samples, through shared baseline-quantile bins where it needs counts", () => {
  const x = normals(3, 800);
  const y = normals(4, 700, 0.4);
  const features = [{ name: "x", data: numeric(x, y) }];
  const byMethod = (method: DriftOptions["method"]) => ok(analyze(features, { method }));
  const psi = byMethod("psi");
  assert.equal(psi.histogram.kind, "numeric");
  assert.equal(psi.score, populationStabilityIndex(psi.histogram.baseline, psi.histogram.current));
  assert.ok(psi.histogram.baseline.length >= 10 && psi.histogram.baseline.length <= 12);
  assert.equal(psi.histogram.baseline.reduce((a, b) => a + b, 0), 800);
  assert.equal(psi.histogram.current.reduce((a, b) => a + b, 0), 700);
  const js = byMethod("jensenshannon");
  assert.equal(js.score, jensenShannonDistance(js.histogram.baseline, js.histogram.current));
  const ks = byMethod("ks");
  const expectedKs = ksTwoSample(x, y);
  assert.equal(ks.statistic, expectedKs.statistic);
  assert.equal(ks.pValue, expectedKs.pValue);
  assert.equal(byMethod("wasserstein").score, wassersteinDistance(x, y).normed);
  const chi = byMethod("chisquare");
  assert.ok(chi.pValue! < 0.05 && chi.statistic! > 0);
  for (const f of [psi, js, ks, chi]) assert.equal(f.level, "drift", f.method);
  assert.equal(byMethod("wasserstein").level, "drift");
  assert.throws(() => byMethod("z"), /^Error: analyzeDrift: features\[0\]: method 'z' needs a binary column, but \d+ bins hold data/);
});

test("every measure runs on histogram buckets", () => {
  const data = binnedFromCumulative(
    [{ le: 1, count: 100 }, { le: 2, count: 400 }, { le: 3, count: 800 }, { le: 4, count: 950 }, { le: "+Inf", count: 1000 }],
    [{ le: 1, count: 50 }, { le: 2, count: 200 }, { le: 3, count: 600 }, { le: 4, count: 850 }, { le: "+Inf", count: 1000 }],
    { lowerBound: 0 },
  );
  const features = [{ name: "latency", data }];
  const scores = Object.fromEntries(
    (["psi", "jensenshannon", "ks", "wasserstein", "chisquare"] as const).map((m) => [m, ok(analyze(features, { method: m }))]),
  );
  assert.equal(scores.psi!.score, populationStabilityIndex(data.baseline, data.current));
  assert.equal(scores.jensenshannon!.score, jensenShannonDistance(data.baseline, data.current));
  assert.equal(scores.wasserstein!.score, wassersteinBinned(data.edges, data.baseline, data.current).normed);
  assert.ok(Math.abs(scores.ks!.statistic! - 0.2) < 1e-15, "the largest gap of the cumulative shares");
  for (const f of Object.values(scores)) {
    assert.equal(f.dataKind, "binned");
    assert.equal(f.level, "drift", f.method);
    assert.deepEqual(f.histogram, { kind: "numeric", bins: [{ lower: 0, upper: 1 }, { lower: 1, upper: 2 }, { lower: 2, upper: 3 }, { lower: 3, upper: 4 }, { lower: 4 }], baseline: data.baseline, current: data.current });
  }
});

test("z runs on buckets when only two of them hold data", () => {
  const data: FeatureData = { kind: "binned", edges: [-Infinity, 0.5, 1.5, Infinity], baseline: [70, 30, 0], current: [50, 50, 0] };
  const f = ok(analyze([{ name: "flag", data }], { method: "z" }));
  assert.ok(Math.abs(f.score - 0.2) < 1e-12);
  assert.equal(f.level, "drift");
  assert.deepEqual(f.histogram.kind === "numeric" && f.histogram.bins, [{ upper: 0.5 }, { lower: 0.5, upper: 1.5 }, { lower: 1.5 }]);
});

test("categorical counts: chi-square, z, PSI and Jensen-Shannon; KS and Wasserstein refuse them", () => {
  const data = categorical(["red", "green", "blue"], [30, 30, 40], [20, 30, 50]);
  const f = ok(analyze([{ name: "colour", data }]));
  assert.equal(f.method, "chisquare");
  assert.deepEqual(f.histogram, { kind: "categorical", categories: ["red", "green", "blue"], baseline: [30, 30, 40], current: [20, 30, 50] });
  assert.equal(ok(analyze([{ name: "colour", data }], { method: "psi" })).score, populationStabilityIndex([30, 30, 40], [20, 30, 50]));
  assert.throws(() => analyze([{ name: "colour", data }], { method: "ks" }), /^Error: analyzeDrift: features\[0\]: method 'ks' needs ordered values/);
  assert.throws(() => analyze([{ name: "colour", data }], { method: "wasserstein" }), /method 'wasserstein' needs ordered values/);
  assert.throws(() => analyze([{ name: "colour", data }], { method: "z" }), /method 'z' needs a binary column, but 3 categories hold data/);
  const binary = ok(analyze([{ name: "flag", data: categorical(["no", "yes"], [70, 30], [50, 50]) }]));
  assert.equal(binary.method, "z");
  assert.ok(Math.abs(binary.score - 0.2) < 1e-12, "the share of 'yes' rose by 0.2");
  assert.ok(binary.statistic! > 0);
});

test("overrides: per feature beats the options, which beat the defaults", () => {
  const features: FeatureInput[] = [
    { name: "a", data: numeric(normals(5, 300), normals(6, 300)) },
    { name: "b", data: numeric(normals(7, 300), normals(8, 300)) },
    { name: "c", data: categorical(["x", "y", "z"], [10, 20, 30], [12, 18, 30]) },
  ];
  const plain = analyze(features);
  assert.deepEqual(plain.features.map((f) => f.status === "ok" && [f.method, f.methodSource, f.threshold]), [
    ["ks", "default", 0.05],
    ["ks", "default", 0.05],
    ["chisquare", "default", 0.05],
  ]);
  const doc = analyze(features, {
    method: "psi",
    thresholds: { psi: 0.3, jensenshannon: 0.2 },
    features: { b: { method: "jensenshannon" }, c: { threshold: 0.25 } },
  });
  assert.deepEqual(doc.features.map((f) => f.status === "ok" && [f.method, f.methodSource, f.threshold]), [
    ["psi", "options", 0.3],
    ["jensenshannon", "feature", 0.2],
    ["psi", "options", 0.25],
  ]);
  const global = analyze(features, { threshold: 0.01 });
  assert.deepEqual(global.features.map((f) => f.status === "ok" && f.threshold), [0.01, 0.01, 0.01]);
  const perMethod = analyze(features, { threshold: 0.01, thresholds: { chisquare: 0.2 } });
  assert.deepEqual(perMethod.features.map((f) => f.status === "ok" && f.threshold), [0.01, 0.01, 0.2]);
});

test("bad options throw, naming the field", () => {
  const features: FeatureInput[] = [{ name: "a", data: categorical(["x", "y", "z"], [1, 2, 3], [3, 2, 1]) }];
  assert.throws(() => analyzeDrift(features, { method: "t-test" as "ks" }), /^Error: analyzeDrift: 'method' must be one of ks, chisquare, z, psi, jensenshannon, wasserstein, got "t-test"/);
  assert.throws(() => analyzeDrift(features, { threshold: 1.5 }), /analyzeDrift: 'threshold of features\[0\]' for chisquare is a p-value level in \(0, 1\), got 1.5/);
  assert.throws(() => analyzeDrift(features, { threshold: -1 }), /analyzeDrift: 'threshold' must be a number > 0/);
  assert.throws(() => analyzeDrift(features, { thresholds: { ks: 2 } }), /'thresholds.ks' for ks is a p-value level/);
  assert.throws(() => analyzeDrift(features, { thresholds: { foo: 2 } as DriftOptions["thresholds"] }), /'thresholds.foo' must be one of/);
  assert.throws(() => analyzeDrift(features, { features: { a: { method: "nope" as "ks" } } }), /'features\["a"\].method' must be one of/);
  assert.throws(() => analyzeDrift(features, { driftShare: 0 }), /analyzeDrift: 'driftShare' must be in \(0, 1\]/);
  assert.throws(() => analyzeDrift(features, { bins: 1 }), /analyzeDrift: 'bins' must be a whole number from 2 to 1000/);
  assert.throws(() => analyzeDrift([...features, ...features]), /analyzeDrift: features\[1\]: the name "a" is used twice/);
  assert.throws(() => analyzeDrift([{ name: "a", data: categorical(["x", "y"], [1, 2], [1]) }]), /analyzeDrift: features\[0\]: 'baseline' has 2 entries but 'current' has 1/);
  assert.throws(() => analyzeDrift([{ name: "a", data: categorical(["x", "x"], [1, 2], [1, 2]) }]), /'categories\[1\]' repeats the category "x"/);
  assert.throws(() => analyzeDrift([{ name: "a", data: categorical(["x", "y"], [1, -2], [1, 2]) }]), /'baseline\[1\]' must be a finite count >= 0/);
  assert.throws(() => analyzeDrift([{ name: "a", data: { kind: "binned", edges: [0, 2, 1], baseline: [1, 1], current: [1, 1] } }]), /analyzeDrift: features\[0\]: 'edges' must increase strictly/);
  const doc = analyze(features, { features: { ghost: { threshold: 0.1 } } });
  assert.match(doc.warnings.join("\n"), /an override names feature "ghost", which is not among the features/);
});

test("three levels per feature, placed by the threshold", () => {
  const data = categorical(["a", "b", "c"], [400, 400, 400], [300, 400, 500]);
  const js = jensenShannonDistance([400, 400, 400], [300, 400, 500]);
  const level = (threshold: number) => ok(analyze([{ name: "f", data }], { method: "jensenshannon", threshold }));
  assert.equal(level(js).level, "drift");
  assert.equal(level(js * 1.5).level, "possible");
  assert.equal(level(js * 1.5).possibleBound, (js * 1.5) / 2);
  assert.equal(level(js * 2.5).level, "none");
  // A test's p-value: drift below alpha, possible below 2 alpha.
  const small = categorical(["a", "b", "c"], [300, 300, 300], [280, 300, 320]);
  const p = ok(analyze([{ name: "f", data: small }])).pValue!;
  assert.ok(p > 0.1 && p < 0.99, String(p));
  const test = (threshold: number) => ok(analyze([{ name: "f", data: small }], { threshold })).level;
  assert.equal(test(Math.min(0.99, p * 1.01)), "drift");
  assert.equal(test(p * 0.75), "possible");
  assert.equal(test(p * 0.4), "none");
});

test("the dataset verdict comes from the share of drifted features", () => {
  const moved = categorical(["a", "b"], [500, 500], [300, 700]);
  const same = categorical(["a", "b"], [500, 500], [500, 500]);
  const doc = analyze([
    { name: "m1", data: moved },
    { name: "m2", data: moved },
    { name: "s1", data: same },
    { name: "s2", data: same },
  ]);
  assert.deepEqual(doc.counts, { none: 2, possible: 0, drift: 2, insufficientData: 0 });
  assert.equal(doc.tested, 4);
  assert.equal(doc.shareDrifted, 0.5);
  assert.equal(doc.driftShare, 0.5);
  assert.equal(doc.verdict, "drift", "a share of 0.5 reaches the default 0.5");
  const stricter = analyze(doc.features.map((f, i) => ({ name: f.name, data: [moved, moved, same, same][i]! })), { driftShare: 0.75 });
  assert.equal(stricter.verdict, "none");
  // One drifted and one possible of four: the share at least possible reaches 0.5.
  const pMoved = ok(doc, 0).pValue!;
  const mixed = analyze(
    [
      { name: "m1", data: moved },
      { name: "m2", data: moved },
      { name: "s1", data: same },
      { name: "s2", data: same },
    ],
    { features: { m2: { threshold: pMoved * 0.75 } } },
  );
  assert.deepEqual(mixed.counts, { none: 2, possible: 1, drift: 1, insufficientData: 0 });
  assert.equal(mixed.shareDrifted, 0.25);
  assert.equal(mixed.shareAtLeastPossible, 0.5);
  assert.equal(mixed.verdict, "possible");
});

test("insufficient data is a value per feature, never NaN, and is left out of the share", () => {
  const doc = analyze([
    { name: "empty baseline", data: numeric([], [1, 2, 3]) },
    { name: "all NaN", data: numeric([1, 2, 3], [NaN, NaN]) },
    { name: "empty histogram", data: { kind: "binned", edges: [0, 1, 2], baseline: [0, 0], current: [3, 4] } },
    { name: "one bucket", data: { kind: "binned", edges: [-Infinity, Infinity], baseline: [5], current: [7] } },
    { name: "no counts", data: categorical(["a", "b"], [3, 4], [0, 0]) },
    { name: "moved", data: categorical(["a", "b"], [500, 500], [300, 700]) },
  ]);
  const reasons = doc.features.map((f) => (f.status === "insufficient-data" ? f.reason : f.status));
  assert.deepEqual(reasons, [
    "the baseline window has no finite values",
    "the current window has no finite values (2 were NaN or infinite)",
    "the baseline window has no counts",
    "a single bucket cannot show a change of distribution",
    "the current window has no counts",
    "ok",
  ]);
  assert.deepEqual(doc.features[1]!.missing, { baseline: 0, current: 2 });
  assert.deepEqual(doc.features[1]!.n, { baseline: 3, current: 0 });
  assert.deepEqual(doc.counts, { none: 0, possible: 0, drift: 1, insufficientData: 5 });
  assert.equal(doc.shareDrifted, 1, "missing data does not dilute the share");
  assert.equal(doc.verdict, "drift");
  assert.match(doc.warnings.join("\n"), /5 of 6 features could not be tested and are left out of the drift share: "empty baseline", "all NaN"/);
  const none = analyze([{ name: "all NaN", data: numeric([NaN], [NaN]) }]);
  assert.equal(none.verdict, "insufficient-data");
  assert.equal(none.tested, 0);
  assert.equal(none.shareDrifted, undefined);
  assert.equal(analyze([]).verdict, "insufficient-data");
});

test("missing values are dropped, counted and warned about", () => {
  const doc = analyze([{ name: "x", data: numeric([1, 2, NaN, 3, 4, 5, 6, Infinity], [2, 3, 4, 5, 6, 7, NaN]) }]);
  const f = ok(doc);
  assert.deepEqual(f.n, { baseline: 6, current: 6 });
  assert.deepEqual(f.missing, { baseline: 2, current: 1 });
  assert.match(doc.warnings[0]!, /feature "x": 2 baseline and 1 current values were NaN or infinite and were left out/);
});

test("a constant baseline falls back from Wasserstein to Jensen-Shannon, and says so", () => {
  const doc = analyze([
    { name: "raw", data: numeric(new Array<number>(2000).fill(5), normals(9, 2000, 5)) },
    { name: "binned", data: { kind: "binned", edges: [-Infinity, 1, Infinity], baseline: [2000, 0], current: [1000, 1000] } },
  ]);
  for (const f of doc.features.map((_, i) => ok(doc, i))) {
    assert.equal(f.method, "jensenshannon");
    assert.equal(f.methodSource, "fallback");
    assert.equal(f.threshold, 0.1);
    assert.equal(f.level, "drift");
  }
  assert.match(doc.warnings.join("\n"), /feature "raw": the baseline is constant, so the normed Wasserstein distance is undefined/);
});

test("categories only the current window has, and fractional counts for z, are warned about", () => {
  const doc = analyze([
    { name: "country", data: categorical(["de", "fr", "zz"], [50, 50, 0], [45, 45, 10]) },
    { name: "flag", data: categorical(["no", "yes"], [60.4, 40.2], [40.7, 59.9]) },
  ]);
  assert.equal(ok(doc, 0).level, "drift");
  assert.equal(ok(doc, 1).method, "z");
  assert.match(doc.warnings.join("\n"), /feature "country": 1 categories appear only in the current window \("zz"\); chi-square floors their baseline share at 0.0001/);
  assert.match(doc.warnings.join("\n"), /feature "flag": z needs whole counts; the counts were rounded/);
});

test("hostile feature and category names pass through unchanged as data", () => {
  const names = ["<script>alert(1)</script>", `"quoted" 'single'`, "line\nbreak\ttab", "__proto__", "constructor", "null", ""];
  const features: FeatureInput[] = names.map((name, i) => ({
    name,
    data: categorical([`<img src=x onerror=alert(${i})>`, "\u0000\u202e", name], [10, 20, 30 + i], [12, 18, 30]),
  }));
  // Overrides keyed by the same names, built the way JSON config arrives (an own "__proto__").
  const overrides = JSON.parse('{"__proto__": {"method": "psi"}, "line\\nbreak\\ttab": {"threshold": 0.2}}') as DriftOptions["features"];
  const doc = analyze(features, { features: overrides });
  assert.deepEqual(doc.features.map((f) => f.name), names);
  const proto = ok(doc, 3);
  assert.equal(proto.method, "psi", "the __proto__ override applies to the feature named __proto__");
  assert.equal(ok(doc, 4).method, "chisquare", "constructor gets no inherited override");
  assert.equal(ok(doc, 2).threshold, 0.2);
  doc.features.forEach((f, i) => {
    const h = ok(doc, i).histogram;
    assert.equal(h.kind, "categorical");
    if (h.kind === "categorical") assert.deepEqual(h.categories, [`<img src=x onerror=alert(${i})>`, "\u0000\u202e", names[i]]);
    assert.equal(f.name, names[i]);
  });
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc, "the document survives a JSON round trip");
});

test("no false alarm on identical distributions at n = 1,000,000 (binned path), fast", () => {
  const started = performance.now();
  const les = [-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3];
  const cumulative = (seed: number, n: number) => {
    const u = mulberry32(seed);
    const counts = new Array<number>(les.length + 1).fill(0);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - u()));
      const t = 2 * Math.PI * u();
      for (const z of [r * Math.cos(t), r * Math.sin(t)]) {
        let k = 0;
        while (k < les.length && z > les[k]!) k++;
        counts[k]! += 1;
      }
    }
    let running = 0;
    return [...les, "+Inf" as const].map((le, k) => ({ le, count: (running += counts[k]!) }));
  };
  const data = binnedFromCumulative(cumulative(101, 1_000_000), cumulative(202, 1_000_000));
  const features = [{ name: "prediction", data }];
  const doc = analyze(features);
  const f = ok(doc);
  assert.equal(f.method, "wasserstein");
  assert.equal(f.n.baseline, 1_000_000);
  assert.equal(f.level, "none");
  assert.ok(f.score < 0.01, String(f.score));
  for (const method of ["psi", "jensenshannon"] as const) assert.equal(ok(analyze(features, { method })).level, "none", method);
  assert.equal(doc.verdict, "none");
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `${elapsed.toFixed(0)} ms`);
});

test("no false alarm on identical distributions from raw samples (n = 200,000)", () => {
  const started = performance.now();
  const doc = analyze([{ name: "x", data: { kind: "numeric", baseline: normals(301, 200_000, 10, 2), current: normals(302, 200_000, 10, 2) } }]);
  const f = ok(doc);
  assert.equal(f.method, "wasserstein");
  assert.equal(f.level, "none");
  assert.ok(f.score < 0.01);
  assert.ok(performance.now() - started < 2000);
});
