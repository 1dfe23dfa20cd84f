// Ground truth on synthetic series from a seeded PRNG: real jumps are found with the right
// direction, null releases are not, change points land near their true time and not on flat
// series, a slow degradation is a trend whose Theil-Sen interval covers the true slope, and thin
// or missing data give insufficient-data values instead of crashes or NaN.
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeJumps } from "../../../src/core/jumps/analyzeJumps";
import type { MetricPoint, MetricSeries } from "../../../src/core/jumps/inputs";
import type { JumpsResult, ReleaseJump } from "../../../src/core/results/jumps";
import { JUMPS_MIME } from "../../../src/core/results/jumps";
import { resultMime } from "../../../src/core/results/common";
import { holm } from "../../../src/core/stats/adjust";
import { welchTTest } from "../../../src/core/stats/welchTTest";
import { twoProportionTest } from "../../../src/core/stats/twoProportionTest";
import { DAY, HOUR, T0, latencySeries, meanSeries, normal, proportionSeries, rng } from "./synthetic";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** A document with NaN or Infinity would serialize them as null; undefined members vanish. */
function assertFinite(doc: JumpsResult): void {
  const text = JSON.stringify(doc);
  assert.ok(!text.includes("null"), `non-finite value in the document: ${text.slice(0, 400)}`);
}

function ok(jump: ReleaseJump | undefined): Extract<ReleaseJump, { status: "ok" }> {
  assert.ok(jump, "missing jump");
  assert.equal(jump.status, "ok", `expected a comparison, got ${JSON.stringify(jump)}`);
  return jump as Extract<ReleaseJump, { status: "ok" }>;
}

test("the MIME type and kind follow DESIGN.md §2", () => {
  assert.equal(JUMPS_MIME, resultMime("jumps"));
  const doc = analyzeJumps(proportionSeries(1, 48, () => 0.01), [{ t: T0 + 24 * HOUR, version: "v2" }]);
  assert.equal(doc.kind, "jumps");
  assertFinite(doc);
});

test("a real error-rate jump at a release (1% -> 1.6%, 5000 requests an hour) is found, significant and worse", () => {
  for (const seed of SEEDS) {
    const series = proportionSeries(seed, 72, (i) => (i < 36 ? 0.01 : 0.016));
    const doc = analyzeJumps(series, [{ t: T0 + 36 * HOUR, version: "v2" }], { windowMs: DAY });
    const jump = ok(doc.jumps[0]);
    assert.equal(jump.significant, true, `seed ${seed}: p = ${jump.adjustedPValue}`);
    assert.equal(jump.direction, "worse", `seed ${seed}`);
    assert.equal(jump.before.n, 24 * 5000);
    assert.equal(jump.before.window.buckets, 24);
    assert.equal(jump.test.method, "two-proportion-z");
    assert.equal(jump.relative.status, "ok");
    assertFinite(doc);
  }
  // The 95% Wald interval for the difference covers the true +0.6 pp about 95% of the time.
  let covered = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const jump = ok(analyzeJumps(proportionSeries(seed, 72, (i) => (i < 36 ? 0.01 : 0.016)), [{ t: T0 + 36 * HOUR, version: "v2" }]).jumps[0]);
    if (jump.difference.ci[0] <= 0.006 && 0.006 <= jump.difference.ci[1]) covered++;
  }
  assert.ok(covered >= 88, `the interval covered the true jump in ${covered} of 100 series`);
});

test("the proportion comparison is R's prop.test on the summed windows, and a higher-is-better drop is worse", () => {
  const series = proportionSeries(3, 48, (i) => (i < 24 ? 0.12 : 0.1), () => 2000, "higher");
  const doc = analyzeJumps(series, [{ t: T0 + 24 * HOUR, version: "v9" }]);
  const jump = ok(doc.jumps[0]);
  const sum = (from: number, to: number, f: (p: MetricPoint) => number) => series.points.slice(from, to).reduce((s, p) => s + f(p), 0);
  const reference = twoProportionTest([sum(24, 48, (p) => p.successes!), sum(0, 24, (p) => p.successes!)], [sum(24, 48, (p) => p.n), sum(0, 24, (p) => p.n)]);
  assert.equal(jump.pValue, reference.pValue);
  assert.deepEqual(jump.difference, { estimate: reference.estimate, ci: reference.ci });
  assert.equal(jump.direction, "worse");
  assert.ok(jump.test.statistic < 0);
});

test("a release with no change is not significant, and the false-alarm rate is near alpha", () => {
  for (const seed of SEEDS.slice(0, 5)) {
    const doc = analyzeJumps(proportionSeries(seed, 48, () => 0.01), [{ t: T0 + 24 * HOUR, version: "v2" }]);
    const jump = ok(doc.jumps[0]);
    assert.equal(jump.significant, false, `seed ${seed}: p = ${jump.pValue}`);
    assert.equal(jump.direction, "none");
  }
  let alarms = 0;
  for (let seed = 100; seed < 400; seed++) {
    const doc = analyzeJumps(proportionSeries(seed, 48, () => 0.01), [{ t: T0 + 24 * HOUR, version: "v2" }]);
    if (ok(doc.jumps[0]).significant) alarms++;
  }
  assert.ok(alarms >= 3 && alarms <= 30, `${alarms} false alarms in 300 null releases; expected about 15`);
});

test("Holm across releases: the real jump stays significant, the null ones do not", () => {
  const rate = (i: number) => (i < 48 ? 0.01 : 0.016);
  for (const seed of SEEDS.slice(0, 5)) {
    const events = [24, 48, 72].map((h, k) => ({ t: T0 + h * HOUR, version: `v${k + 2}` }));
    const doc = analyzeJumps(proportionSeries(seed, 96, rate), events);
    const jumps = doc.jumps.map(ok);
    assert.deepEqual(jumps.map((j) => j.adjustedPValue), holm(jumps.map((j) => j.pValue)));
    assert.deepEqual(jumps.map((j) => j.significant), [false, true, false], `seed ${seed}`);
    assert.equal(jumps[1]!.direction, "worse");
  }
});

test("mean metrics: Welch on the summed n, sum and sum of squares equals R's t.test on the raw values", () => {
  const u = rng(5);
  const raw: number[][] = [];
  const points: MetricPoint[] = [];
  for (let i = 0; i < 20; i++) {
    const values = Array.from({ length: 30 }, () => 4 + (i >= 10 ? -0.4 : 0) + normal(u));
    raw.push(values);
    points.push({ t: T0 + i * HOUR, n: 30, sum: values.reduce((s, v) => s + v, 0), sumSquares: values.reduce((s, v) => s + v * v, 0) });
  }
  const series: MetricSeries = { name: "score", kind: "mean", direction: "higher", points };
  const doc = analyzeJumps(series, [{ t: T0 + 10 * HOUR, version: "v2" }], { windowBuckets: 10 });
  const jump = ok(doc.jumps[0]);
  const reference = welchTTest(raw.slice(10).flat(), raw.slice(0, 10).flat());
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.abs(b) || Math.abs(a - b) <= 1e-12, `${what}: ${a} vs ${b}`);
  close(jump.pValue, reference.pValue, "pValue");
  close(jump.difference.estimate, reference.estimate, "estimate");
  close(jump.difference.ci[0], reference.ci[0], "ci[0]");
  close(jump.difference.ci[1], reference.ci[1], "ci[1]");
  close(jump.test.df!, reference.df, "df");
  assert.equal(jump.test.method, "welch-t");
  assert.equal(jump.direction, "worse");
  assert.equal(doc.settings.window.buckets, 10);
});

test("mean metrics from the synthetic generator: a real drop is found across seeds", () => {
  for (const seed of SEEDS.slice(0, 5)) {
    const doc = analyzeJumps(meanSeries(seed, 48, (i) => (i < 24 ? 3 : 2.9)), [{ t: T0 + 24 * HOUR, version: "v2" }]);
    const jump = ok(doc.jumps[0]);
    assert.equal(jump.direction, "worse", `seed ${seed}: p ${jump.pValue}`);
    assert.ok(jump.difference.ci[0] < -0.1 && -0.1 < jump.difference.ci[1]);
  }
});

test("quantile metrics: a p95 latency regression is found with Prometheus quantiles and a binned rank test", () => {
  for (const seed of SEEDS.slice(0, 5)) {
    const doc = analyzeJumps(latencySeries(seed, 48, (i) => (i < 24 ? 0.1 : 0.13)), [{ t: T0 + 24 * HOUR, version: "v2" }]);
    const jump = ok(doc.jumps[0]);
    assert.equal(jump.test.method, "mann-whitney-binned");
    assert.equal(jump.significant, true, `seed ${seed}`);
    assert.equal(jump.direction, "worse");
    // True p95: median * exp(0.6 * 1.645) = 0.268 before, 0.349 after, both in the bin (0.25, 0.5],
    // where linear interpolation overstates it (the density falls across the bin), as Prometheus' does.
    assert.ok(jump.before.estimate > 0.25 && jump.before.estimate < 0.5, `before ${jump.before.estimate}`);
    assert.deepEqual(jump.before.bin, [0.25, 0.5]);
    assert.ok(jump.after.estimate > jump.before.estimate);
    assert.ok(jump.before.ci[0] <= jump.before.estimate && jump.before.estimate <= jump.before.ci[1]);
    assert.ok(jump.difference.ci[0] > 0, `difference CI ${jump.difference.ci}`);
    assert.equal(doc.metric.quantile, 0.95);
    assertFinite(doc);
  }
  const flat = analyzeJumps(latencySeries(42, 48, () => 0.1), [{ t: T0 + 24 * HOUR, version: "v2" }]);
  assert.equal(ok(flat.jumps[0]).significant, false);
});

test("when the rank test and the quantile disagree on the direction, no direction is claimed", () => {
  // After the release most requests are faster, but the slowest 20% are much slower: the rank
  // test sees "lower", the p95 went up.
  const edges = [0, 0.1, 0.2, 0.5, 1, Infinity];
  const point = (i: number, counts: number[]): MetricPoint => ({ t: T0 + i * HOUR, n: counts.reduce((a, b) => a + b, 0), histogram: { edges, counts } });
  const points = [0, 1].map((i) => point(i, [0, 500, 0, 0, 0])).concat([2, 3].map((i) => point(i, [400, 0, 0, 100, 0])));
  const doc = analyzeJumps({ name: "latency", kind: "quantile", direction: "lower", quantile: 0.95, points }, [{ t: T0 + 2 * HOUR, version: "v2" }]);
  const jump = ok(doc.jumps[0]);
  assert.equal(jump.significant, true);
  assert.ok(jump.difference.estimate > 0);
  assert.ok(jump.test.statistic < (1000 * 1000) / 2);
  assert.equal(jump.direction, "none");
  assert.ok(doc.warnings.some((w) => /rank test finds the values lower.*quantile moved the other way/.test(w)), doc.warnings.join("\n"));
});

test("over-dispersed proportion windows (a daily cycle) are flagged; binomial ones are not", () => {
  const cycle = analyzeJumps(proportionSeries(3, 48, (i) => 0.01 * (1 + 0.4 * Math.sin((2 * Math.PI * i) / 24)), () => 20000), [{ t: T0 + 24 * HOUR, version: "v2" }]);
  assert.ok(cycle.warnings.some((w) => /Around v2 the rate varies between buckets more than chance allows/.test(w)), cycle.warnings.join("\n"));
  let flagged = 0;
  for (const seed of SEEDS) {
    const flat = analyzeJumps(proportionSeries(seed, 48, () => 0.01, () => 20000), [{ t: T0 + 24 * HOUR, version: "v2" }]);
    if (flat.warnings.some((w) => /more than chance allows/.test(w))) flagged++;
  }
  assert.equal(flagged, 0);
});

test("one unannounced change point is found near its true time, and reported as unannounced", () => {
  for (const seed of SEEDS) {
    const doc = analyzeJumps(proportionSeries(seed, 168, (i) => (i < 100 ? 0.01 : 0.014)), [{ t: T0 + 30 * HOUR, version: "v2" }]);
    assert.equal(doc.changePoints.status, "ok");
    if (doc.changePoints.status !== "ok") return;
    const points = doc.changePoints.points;
    assert.equal(points.length, 1, `seed ${seed}: ${points.map((p) => p.index)}`);
    const cp = points[0]!;
    assert.ok(Math.abs(cp.index - 100) <= 2, `seed ${seed}: found at ${cp.index}`);
    assert.equal(cp.t, doc.series[cp.index]!.t);
    assert.deepEqual(cp.coincidesWith, []);
    assert.equal(cp.direction, "worse");
    assert.ok(Math.abs(cp.before.mean - 0.01) < 0.0005 && Math.abs(cp.after.mean - 0.014) < 0.0005);
    assert.equal(cp.before.buckets + cp.after.buckets, 168);
  }
});

test("a daily cycle shows up as many change points, and the document says why", () => {
  const doc = analyzeJumps(proportionSeries(3, 168, (i) => 0.01 * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 24)), () => 20000), []);
  assert.ok(doc.changePoints.status === "ok" && doc.changePoints.points.length >= 5);
  assert.ok(doc.warnings.some((w) => /daily or weekly cycle/.test(w)));
  const calmer = analyzeJumps(proportionSeries(3, 168, (i) => 0.01 * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 24)), () => 20000), [], { changePoints: { penaltyFactor: 40 } });
  assert.ok(calmer.changePoints.status === "ok" && calmer.changePoints.points.length < (doc.changePoints.status === "ok" ? doc.changePoints.points.length : 0));
});

test("a change point at a release coincides with it (within one bucket)", () => {
  const doc = analyzeJumps(proportionSeries(4, 96, (i) => (i < 48 ? 0.01 : 0.015)), [{ t: T0 + 47.5 * HOUR, version: "v7" }]);
  assert.equal(doc.changePoints.status, "ok");
  if (doc.changePoints.status !== "ok") return;
  assert.equal(doc.changePoints.points.length, 1);
  assert.deepEqual(doc.changePoints.points[0]!.coincidesWith, ["v7"]);
  assert.equal(ok(doc.jumps[0]).significant, true);
});

test("no spurious change points on flat series (proportion, mean, quantile) across seeds", () => {
  for (const seed of SEEDS) {
    for (const series of [proportionSeries(seed, 168, () => 0.01), meanSeries(seed, 168, () => 3), latencySeries(seed, 168, () => 0.1)]) {
      const doc = analyzeJumps(series, []);
      assert.equal(doc.changePoints.status, "ok");
      if (doc.changePoints.status !== "ok") return;
      assert.deepEqual(doc.changePoints.points.map((p) => p.index), [], `seed ${seed}, ${series.kind}`);
    }
  }
});

test("the false-alarm rate of the default penalty on flat series is small (measured about 1%)", () => {
  let alarms = 0;
  const runs = 200;
  for (let seed = 1000; seed < 1000 + runs; seed++) {
    const doc = analyzeJumps(proportionSeries(seed, 168, () => 0.01, (i) => 2000 + 3000 * Math.round((1 + Math.sin((2 * Math.PI * i) / 24)) / 2)), []);
    if (doc.changePoints.status === "ok" && doc.changePoints.points.length > 0) alarms++;
  }
  assert.ok(alarms <= 8, `${alarms} of ${runs} flat series had a change point`);
});

test("a slow linear degradation is a significant Mann-Kendall trend whose Theil-Sen interval covers the true slope", () => {
  const perDay = 0.0004; // 1% -> 1.56% over 14 days
  let covered = 0;
  const seeds = Array.from({ length: 100 }, (_, k) => k + 1);
  for (const seed of seeds) {
    const doc = analyzeJumps(proportionSeries(seed, 336, (i) => 0.01 + (perDay * i) / 24), []);
    const trend = doc.trend;
    assert.equal(trend.status, "ok");
    if (trend.status !== "ok") return;
    assert.equal(trend.significant, true, `seed ${seed}: p ${trend.pValue}`);
    assert.equal(trend.direction, "worse");
    assert.ok(trend.tau > 0);
    assert.ok(trend.slope > 0);
    if (trend.slopeCi[0] <= perDay && perDay <= trend.slopeCi[1]) covered++;
  }
  // Sen's 95% interval: measured coverage 92.5% over 200 such series.
  assert.ok(covered >= 88, `the 95% interval covered the true slope in ${covered} of ${seeds.length} series`);
});

test("a flat series has no significant trend; a conversion rate falling slowly is worse", () => {
  const flat = analyzeJumps(proportionSeries(8, 168, () => 0.01), []);
  assert.equal(flat.trend.status === "ok" && flat.trend.direction, "none");
  const falling = analyzeJumps(proportionSeries(9, 336, (i) => 0.1 - (0.002 * i) / 24, () => 5000, "higher"), []);
  assert.equal(falling.trend.status === "ok" && falling.trend.direction, "worse");
});

test("empty buckets are flagged in the series and skipped, never NaN", () => {
  const base = proportionSeries(2, 72, (i) => (i < 36 ? 0.01 : 0.016));
  const points = base.points.map((p, i) => (i % 7 === 3 || (i >= 30 && i < 34) ? { t: p.t, n: 0 } : p));
  const doc = analyzeJumps({ ...base, points }, [{ t: T0 + 36 * HOUR, version: "v2" }]);
  const empty = doc.series.filter((b) => b.status === "insufficient-data");
  assert.equal(empty.length, points.filter((p) => p.n === 0).length);
  assert.ok(empty.every((b) => b.status === "insufficient-data" && b.reason.length > 0));
  assert.equal(ok(doc.jumps[0]).direction, "worse");
  assert.ok(doc.warnings.some((w) => /buckets have no data/.test(w)));
  assertFinite(doc);
});

test("events at or beyond the series' edges give insufficient-data with a reason", () => {
  const series = proportionSeries(3, 24, () => 0.01);
  const events = [
    { t: T0 - 5 * HOUR, version: "before-start" },
    { t: T0, version: "at-start" },
    { t: T0 + 24 * HOUR, version: "at-end" },
    { t: T0 + 40 * HOUR, version: "after-end" },
  ];
  const doc = analyzeJumps(series, events);
  for (const jump of doc.jumps) {
    assert.equal(jump.status, "insufficient-data", jump.version);
    if (jump.status === "insufficient-data") assert.match(jump.reason, /series (starts after|ends before) it|too close/);
  }
  assertFinite(doc);
});

test("windows shorten when releases are close, never overlap another release, and say so", () => {
  const series = proportionSeries(6, 96, (i) => (i < 40 ? 0.01 : i < 46 ? 0.02 : 0.01), () => 20000);
  const events = [
    { t: T0 + 40 * HOUR, version: "v2" },
    { t: T0 + 46 * HOUR, version: "v3" },
  ];
  const doc = analyzeJumps(series, events, { windowMs: DAY });
  const [a, b] = doc.jumps.map(ok);
  assert.equal(a!.after.window.end, events[1]!.t);
  assert.equal(a!.after.window.buckets, 6);
  assert.equal(a!.after.window.limitedBy, "release");
  assert.equal(b!.before.window.start, events[0]!.t);
  assert.equal(a!.direction, "worse");
  assert.equal(b!.direction, "better");
  assert.ok(doc.warnings.some((w) => /window after v2 covers 6 h of the 24 h asked for: release v3 follows/.test(w)), doc.warnings.join("\n"));
});

test("releases closer than one bucket leave no whole bucket between them: insufficient, with the reason", () => {
  const series = proportionSeries(6, 48, () => 0.01);
  const doc = analyzeJumps(series, [
    { t: T0 + 20.25 * HOUR, version: "a" },
    { t: T0 + 20.75 * HOUR, version: "b" },
  ]);
  assert.equal(doc.jumps[0]!.status, "insufficient-data");
  assert.match((doc.jumps[0] as { reason: string }).reason, /next release is too close/);
  assertFinite(doc);
});

test("tiny and empty inputs: no crash, no NaN", () => {
  const cases: MetricSeries[] = [
    { name: "e", kind: "proportion", direction: "lower", points: [] },
    { name: "e", kind: "proportion", direction: "lower", points: [{ t: T0, n: 100, successes: 3 }] },
    { name: "e", kind: "proportion", direction: "lower", points: [0, 1, 2].map((i) => ({ t: T0 + i * HOUR, n: 0 })) },
    { name: "e", kind: "proportion", direction: "lower", points: [0, 1, 2, 3].map((i) => ({ t: T0 + i * HOUR, n: 100, successes: 0 })) },
    { name: "m", kind: "mean", direction: "higher", points: [0, 1, 2, 3].map((i) => ({ t: T0 + i * HOUR, n: 1, sum: 2, sumSquares: 4 })) },
    { name: "m", kind: "mean", direction: "higher", points: [0, 1, 2, 3].map((i) => ({ t: T0 + i * HOUR, n: 5, sum: 10, sumSquares: 20 })) },
    {
      name: "q",
      kind: "quantile",
      direction: "lower",
      quantile: 0.99,
      points: [0, 1, 2, 3].map((i) => ({ t: T0 + i * HOUR, n: 4, histogram: { edges: [0, 1, Infinity], counts: [0, 4] } })),
    },
  ];
  for (const series of cases) {
    const doc = analyzeJumps(series, [{ t: T0 + 2 * HOUR, version: "v2" }]);
    assert.equal(doc.jumps.length, 1);
    assert.equal(doc.jumps[0]!.status, "insufficient-data", `${series.kind} ${series.points.length}: ${JSON.stringify(doc.jumps[0])}`);
    assertFinite(doc);
  }
  const single = analyzeJumps(cases[1]!, [], { bucketMs: HOUR });
  assert.equal(single.settings.bucketMs, HOUR);
  assert.equal(single.trend.status, "insufficient-data");
  assert.equal(single.changePoints.status, "insufficient-data");
});

test("the document: events in time order, settings, and a change-point penalty of 3 sigma^2 log n by default", () => {
  const series = proportionSeries(1, 72, () => 0.01);
  const doc = analyzeJumps(series, [
    { t: T0 + 48 * HOUR, version: "v3", model: "ranker" },
    { t: T0 + 24 * HOUR, version: "v2" },
  ]);
  assert.deepEqual(doc.events.map((e) => e.version), ["v2", "v3"]);
  assert.deepEqual(doc.jumps.map((j) => j.version), ["v2", "v3"]);
  assert.equal(doc.jumps[1]!.model, "ranker");
  assert.deepEqual(doc.settings, {
    alpha: 0.05,
    confidence: 0.95,
    correction: "holm",
    bucketMs: HOUR,
    window: { ms: 3 * DAY, buckets: 72 },
    changePoints: { method: "pelt", cost: "normal-mean", penaltyFactor: 3, minSegment: 3, weighted: true, tolerance: HOUR },
  });
  assert.equal(doc.changePoints.status, "ok");
  if (doc.changePoints.status === "ok") {
    assert.ok(Math.abs(doc.changePoints.penalty - 3 * doc.changePoints.sigma ** 2 * Math.log(72)) < 1e-15);
  }
  const fixed = analyzeJumps(series, [], { changePoints: { penalty: 0.001, minSegment: 2, weighted: false }, alpha: 0.01 });
  assert.equal(fixed.settings.changePoints.penalty, 0.001);
  assert.equal(fixed.settings.changePoints.penaltyFactor, undefined);
  assert.equal(fixed.settings.confidence, 0.99);
});

test("broken inputs throw, naming the function and the field", () => {
  const good = proportionSeries(1, 4, () => 0.01);
  const bad = (points: MetricPoint[]): MetricSeries => ({ ...good, points });
  assert.throws(() => analyzeJumps(bad([{ t: T0, n: 10, successes: 11 }]), []), /analyzeJumps: 'series.points\[0\].successes'/);
  assert.throws(() => analyzeJumps(bad([{ t: T0, n: 1.5, successes: 0 }]), []), /'series.points\[0\].n'/);
  assert.throws(() => analyzeJumps(bad([good.points[1]!, good.points[0]!]), []), /sorted by t/);
  assert.throws(() => analyzeJumps({ ...good, kind: "quantile" }, []), /needs 'series.quantile'/);
  assert.throws(() => analyzeJumps(good, [{ t: NaN, version: "x" }]), /'events\[0\].t'/);
  assert.throws(() => analyzeJumps(good, [{ t: T0, version: "" }]), /'events\[0\].version'/);
  assert.throws(() => analyzeJumps(good, [], { windowMs: 60_000 }), /shorter than one bucket/);
  assert.throws(() => analyzeJumps(good, [], { windowMs: DAY, windowBuckets: 3 }), /not both/);
  assert.throws(() => analyzeJumps(good, [], { alpha: 0 }), /'alpha'/);
  assert.throws(() => analyzeJumps(good, [], { changePoints: { penalty: 1, penaltyFactor: 2 } }), /not both/);
  const hist = (edges: number[], counts: number[]): MetricPoint => ({ t: T0, n: counts.reduce((s, c) => s + c, 0), histogram: { edges, counts } });
  const q = (points: MetricPoint[]): MetricSeries => ({ name: "q", kind: "quantile", direction: "lower", quantile: 0.5, points });
  assert.throws(() => analyzeJumps(q([hist([0, 1, 2], [1, 1]), { ...hist([0, 1, 3], [1, 1]), t: T0 + HOUR }]), []), /'series.points\[1\].histogram.edges' differ/);
  assert.throws(() => analyzeJumps(q([{ ...hist([0, 1, 2], [1, 1]), n: 5 }]), []), /sum to 2 but/);
});
