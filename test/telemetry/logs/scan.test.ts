/** The reader on the generated logs: every fact the generator plants must come back out. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { FeatureData } from "../../../src/core/drift/inputs";
import type { MetricSeries } from "../../../src/core/jumps/inputs";
import { readPredictionLogs, type PredictionLogs, type ReadLogsOptions } from "../../../src/telemetry/logs/scan";
import { generateLogs, type GeneratedLogs, type LogFileFormat } from "../../support/generateLogs";

let dir: string;
let gen: GeneratedLogs;
let daily: GeneratedLogs;
const DAY = 86400e3;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-scan-"));
  gen = generateLogs({ dir: path.join(dir, "one"), formats: ["jsonl", "csv", "parquet"] });
  daily = generateLogs({ dir: path.join(dir, "daily"), daily: true, jsonlTs: "mixed" });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const FORMATS: LogFileFormat[] = ["jsonl", "csv", "parquet"];

function read(format: LogFileFormat, extra: Partial<ReadLogsOptions> = {}): Promise<PredictionLogs> {
  const f = gen.facts;
  return readPredictionLogs({
    paths: gen.files[format]!,
    filters: { model: "churn" },
    baseline: { start: f.start, end: f.drift.t },
    current: { start: f.drift.t, end: f.end },
    ...extra,
  });
}

/** Population stability index over matching bins, with a small floor for empty bins. */
function psi(data: FeatureData): number {
  if (data.kind === "numeric") throw new Error("expected counts");
  const nb = data.baseline.reduce((s, x) => s + x, 0);
  const nc = data.current.reduce((s, x) => s + x, 0);
  return data.baseline.reduce((s, b, i) => {
    const p = Math.max(b / nb, 1e-4);
    const q = Math.max(data.current[i]! / nc, 1e-4);
    return s + (q - p) * Math.log(q / p);
  }, 0);
}

function sumBetween(series: MetricSeries, start: number, end: number): { n: number; successes: number } {
  let n = 0;
  let successes = 0;
  for (const p of series.points) {
    if (p.t >= start && p.t < end) {
      n += p.n;
      successes += p.successes ?? 0;
    }
  }
  return { n, successes };
}

describe("every format", () => {
  for (const format of FORMATS) {
    test(`${format}: the planted counts come back exactly`, async () => {
      const r = await read(format);
      const f = gen.facts;
      assert.equal(r.report.rowsMatched, f.rows.churn);
      assert.equal(r.report.events, f.explicitEvents);
      assert.deepEqual(
        r.versions.map((v) => [v.version, v.rows, v.first]),
        (["v1", "v2", "v3"] as const).map((v) => [v, f.versions[v].rows, f.versions[v].first]),
      );
      const checkout = r.experiments.find((e) => e.experiment === "checkout")!;
      assert.deepEqual(checkout.arms, ["control", "treatment"]);
      assert.deepEqual(checkout.exposures, [f.experiment.arms.control.rows, f.experiment.arms.treatment.rows]);
      const conversion = checkout.metrics.find((m) => m.name === "outcome_rate")!;
      assert.deepEqual(conversion.arms, [
        { name: "control", successes: f.experiment.arms.control.successes, trials: f.experiment.arms.control.trials },
        { name: "treatment", successes: f.experiment.arms.treatment.successes, trials: f.experiment.arms.treatment.trials },
      ]);
      assert.deepEqual(checkout.metrics.map((m) => m.name), ["outcome_rate", "error_rate", "latency_ms", "prediction_mean"]);
    });

    test(`${format}: malformed records are skipped and reported with their lines`, async () => {
      const r = await read(format);
      const expected = gen.facts.malformed[format];
      assert.equal(r.report.rowsSkipped, expected.length);
      assert.deepEqual(r.report.skipped.map((s) => [s.file, s.line]), expected.map((m) => [m.file, m.line]));
      assert.equal(r.report.rowsRead, gen.facts.rows.total + gen.facts.explicitEvents + expected.length);
      assert.match(r.report.warnings[0]!, new RegExp(`^${expected.length} malformed records? (was|were) skipped`));
      const reasons: Record<string, RegExp> = {
        "invalid-json": /^invalid JSON/,
        "not-json": /^invalid JSON/,
        "bad-ts": /^ts: "yesterday" is not a time/,
        "nan-latency": /^latency_ms: "NaN"/,
        "invalid-utf8": /^invalid UTF-8$/,
        array: /^not a JSON object \(an array\)$/,
        "huge-line": /^line longer than 1048576 bytes/,
        "wrong-field-count": /^expected 17 fields as in the header, got 3$/,
        "stray-quote": /^invalid CSV: a quote inside unquoted field 3$/,
        "unterminated-quote": /^invalid CSV: unterminated quoted field$/,
        "null-ts": /^ts: missing$/,
      };
      expected.forEach((m, i) => assert.match(r.report.skipped[i]!.reason, reasons[m.kind]!, m.kind));
    });
  }

  test("the three formats give identical aggregates", async () => {
    const [a, b, c] = await Promise.all(FORMATS.map((f) => read(f)));
    for (const other of [b!, c!]) {
      assert.deepEqual(other.features, a!.features);
      assert.deepEqual(other.series, a!.series);
      assert.deepEqual(other.experiments, a!.experiments);
      assert.deepEqual(other.releases, a!.releases);
    }
  });

  test("daily files through a glob, with ISO and epoch timestamps mixed, read the same", async () => {
    const f = daily.facts;
    const r = await readPredictionLogs({
      paths: [path.join(dir, "daily", "**", "*.jsonl")],
      filters: { model: "churn" },
      baseline: { start: f.start, end: f.drift.t },
      current: { start: f.drift.t, end: f.end },
    });
    assert.equal(r.report.files.length, f.days);
    assert.deepEqual(r.report.skipped.map((s) => [s.file, s.line]), f.malformed.jsonl.map((m) => [m.file, m.line]));
    const single = await read("jsonl");
    assert.deepEqual(r.features, single.features);
    assert.deepEqual(r.series, single.series);
    assert.deepEqual(r.releases, single.releases);
  });
});

test("the drifting feature's histograms differ; the stable ones hardly do", async () => {
  const r = await read("jsonl");
  const byName = Object.fromEntries(r.features.map((f) => [f.name, f.data]));
  assert.deepEqual(Object.keys(byName), ["prediction", "has_partner", "monthly_charges", "plan", "region", "tenure"]);
  assert.equal(byName.tenure!.kind, "binned");
  assert.equal(byName.monthly_charges!.kind, "binned");
  assert.equal(byName.plan!.kind, "categorical");
  assert.equal(byName.has_partner!.kind, "categorical");
  assert.ok(psi(byName.tenure!) > 1, `tenure PSI ${psi(byName.tenure!)}`);
  assert.ok(psi(byName.prediction!) > 0.25, `prediction PSI ${psi(byName.prediction!)}`);
  for (const name of gen.facts.drift.stable) assert.ok(psi(byName[name]!) < 0.01, `${name} PSI ${psi(byName[name]!)}`);
  // Binned edges come from the baseline's deciles: each baseline bin holds roughly a tenth.
  const tenure = byName.tenure as Extract<FeatureData, { kind: "binned" }>;
  const nb = tenure.baseline.reduce((s, x) => s + x, 0);
  for (const b of tenure.baseline) assert.ok(b > nb * 0.05 && b < nb * 0.2, `bin of ${b} / ${nb}`);
  assert.deepEqual(r.featureSummaries.map((s) => s.mixed), [0, 0, 0, 0, 0, 0]);
});

test("small windows give raw samples for an exact KS; larger ones binned counts", async () => {
  const f = gen.facts;
  const r = await read("jsonl", { baseline: { start: f.start, end: f.start + DAY / 4 }, current: { start: f.end - DAY / 4, end: f.end } });
  const tenure = r.features.find((x) => x.name === "tenure")!.data;
  assert.equal(tenure.kind, "numeric");
  const s = r.featureSummaries.find((x) => x.name === "tenure")!;
  assert.equal((tenure as { baseline: Float64Array }).baseline.length, s.baseline);
  assert.ok(s.baseline > 100 && s.baseline <= 5000);
  // A version-pinned window: v1 traffic against v3 traffic.
  const byVersion = await read("jsonl", { baseline: { start: f.start, end: f.end, version: "v1" }, current: { start: f.start, end: f.end, version: "v3" } });
  const summary = byVersion.featureSummaries.find((x) => x.name === "plan")!;
  assert.equal(summary.baseline, f.versions.v1.rows);
  assert.equal(summary.current, f.versions.v3.rows);
});

test("error_rate jumps at the v2 release and not at v3; the series sums are the generator's counts", async () => {
  const r = await read("jsonl");
  const f = gen.facts;
  const errors = r.series.find((s) => s.name === "error_rate")!;
  assert.equal(r.bucketMs, 3600e3);
  assert.equal(errors.points.length, f.days * 24);
  const v2 = f.versions.v2.from;
  const v3 = f.versions.v3.from;
  assert.deepEqual(sumBetween(errors, f.start, v2), { n: f.versions.v1.rows, successes: f.versions.v1.errors });
  assert.deepEqual(sumBetween(errors, v2, v3), { n: f.versions.v2.rows, successes: f.versions.v2.errors });
  assert.deepEqual(sumBetween(errors, v3, f.end), { n: f.versions.v3.rows, successes: f.versions.v3.errors });
  const z = (a: { n: number; successes: number }, b: { n: number; successes: number }): number => {
    const p = (a.successes + b.successes) / (a.n + b.n);
    return (b.successes / b.n - a.successes / a.n) / Math.sqrt(p * (1 - p) * (1 / a.n + 1 / b.n));
  };
  const week = 7 * DAY;
  assert.ok(z(sumBetween(errors, v2 - week, v2), sumBetween(errors, v2, v2 + week)) > 5);
  assert.ok(Math.abs(z(sumBetween(errors, v3 - week, v3), sumBetween(errors, v3, v3 + week))) < 3);
  const names = r.series.map((s) => [s.name, s.kind, s.direction]);
  assert.deepEqual(names, [["error_rate", "proportion", "lower"], ["latency_p95", "quantile", "lower"], ["prediction_mean", "mean", "higher"], ["outcome_rate", "proportion", "higher"]]);
  const latency = r.series[1]!;
  for (const p of latency.points) assert.equal(p.histogram!.counts.reduce((s, x) => s + x, 0), p.n);
});

test("release events: v2 from its explicit record, v3 from its first row, v1 is not a release", async () => {
  const r = await read("jsonl");
  const f = gen.facts;
  assert.deepEqual(r.releases, [
    { t: f.releases.v2.t, version: "v2", model: "churn", source: "event" },
    { t: f.versions.v3.first, version: "v3", model: "churn", source: "first-seen" },
  ]);
  // A time range that starts inside v2 still knows v2 was live before it.
  const later = await read("jsonl", { filters: { model: "churn", range: { start: f.releases.v2.t + DAY, end: f.end } } });
  assert.deepEqual(later.releases.map((e) => e.version), ["v3"]);
  const onlyV2 = await read("jsonl", { filters: { model: "churn", versions: ["v2"] } });
  assert.deepEqual(onlyV2.releases.map((e) => e.version), ["v2"]);
});

test("filters: model, versions, time range, experiment", async () => {
  const f = gen.facts;
  const all = await read("jsonl", { filters: {} });
  assert.equal(all.report.rowsMatched, f.rows.total);
  assert.ok(all.versions.some((v) => v.model === "<script>alert(1)</script>"), "the hostile model is counted, as data");
  const fraud = await read("jsonl", { filters: { model: "fraud" } });
  assert.equal(fraud.report.rowsMatched, f.rows.fraud);
  assert.deepEqual(fraud.features.map((x) => x.name), ["prediction", "amount"]);
  const v2v3 = await read("jsonl", { filters: { model: "churn", versions: ["v2", "v3"] } });
  assert.equal(v2v3.report.rowsMatched, f.versions.v2.rows + f.versions.v3.rows);
  const range = await read("jsonl", { filters: { model: "churn", range: { start: f.versions.v2.from, end: f.versions.v3.from } } });
  assert.equal(range.report.rowsMatched, f.versions.v2.rows);
  // Ten days in the finest buckets that fit 1,000 points: 15 minutes.
  assert.equal(range.bucketMs, 15 * 60e3);
  assert.equal(range.series[0]!.points.length, 960);
  assert.equal(range.series[0]!.points[0]!.t, f.versions.v2.from);
  const experiment = await read("jsonl", { filters: { model: "churn", experiment: "checkout" } });
  assert.equal(experiment.report.rowsMatched, f.experiment.arms.control.rows + f.experiment.arms.treatment.rows);
  const nothing = await read("jsonl", { filters: { model: "nope" } });
  assert.equal(nothing.report.rowsMatched, 0);
  assert.deepEqual(nothing.series[0]!.points, []);
  assert.deepEqual(nothing.experiments, []);
});

test("summaries left out come back empty, and the rest is as if all were built", async () => {
  const all = await read("jsonl");
  const featuresOnly = await read("jsonl", { summaries: [] });
  assert.deepEqual(featuresOnly.features, all.features);
  assert.deepEqual(featuresOnly.versions, all.versions);
  assert.deepEqual(featuresOnly.report.rowsMatched, all.report.rowsMatched);
  assert.ok(all.series.some((s) => s.points.length > 0) && all.experiments.length > 0 && all.releases.length > 0);
  assert.ok(featuresOnly.series.every((s) => s.points.length === 0));
  assert.deepEqual(featuresOnly.experiments, []);
  assert.deepEqual(featuresOnly.releases, []);
  const arms = await read("jsonl", { summaries: ["experiments"] });
  assert.deepEqual(arms.experiments, all.experiments);
  assert.deepEqual(arms.releases, []);
  const jumps = await read("jsonl", { summaries: ["series", "releases"] });
  assert.deepEqual(jumps.series, all.series);
  assert.deepEqual(jumps.releases, all.releases);
  assert.deepEqual(jumps.experiments, []);
});

test("the same input gives the same result", async () => {
  const f = gen.facts;
  const opts = { baseline: { start: f.start, end: f.start + DAY * 10 }, current: { start: f.end - DAY, end: f.end }, limits: { rawSampleCap: 500 } };
  const [a, b] = await Promise.all([read("jsonl", opts), read("jsonl", opts)]);
  assert.deepEqual(a, b);
});

test("progress rises to the files' total size; aborting stops the scan with an AbortError", async () => {
  const calls: [number, number][] = [];
  const r = await read("jsonl", { onProgress: (done, total) => calls.push([done, total]) });
  assert.ok(calls.length > 10);
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i]![0] >= calls[i - 1]![0]);
  assert.deepEqual(calls.at(-1), [r.report.bytes, r.report.bytes]);

  const controller = new AbortController();
  let after = 0;
  await assert.rejects(
    read("jsonl", {
      signal: controller.signal,
      onProgress: () => {
        if (controller.signal.aborted) after++;
        else controller.abort();
      },
    }),
    (e: unknown) => e instanceof Error && e.name === "AbortError",
  );
  assert.equal(after, 0, "no batch is read after the abort");
  await assert.rejects(read("parquet", { signal: AbortSignal.abort() }), { name: "AbortError" });
  await assert.rejects(read("csv", { onProgress: () => { throw new Error("the caller's own"); } }), /the caller's own/);
  const timed = new AbortController();
  setTimeout(() => timed.abort(), 5);
  await assert.rejects(read("parquet", { signal: timed.signal, limits: { parquetBatchRows: 100 } }), { name: "AbortError" });
});

test("bad options are errors that name the option", async () => {
  const f = gen.facts;
  const paths = gen.files.jsonl!;
  await assert.rejects(readPredictionLogs({ paths, baseline: { start: f.start, end: f.end } }), /give both 'baseline' and 'current'/);
  await assert.rejects(readPredictionLogs({ paths, filters: { range: { start: 5, end: 1 } } }), /'filters.range' must have finite start < end/);
  await assert.rejects(readPredictionLogs({ paths, limits: { bins: 0 } }), /'limits.bins' must be a whole number >= 1/);
  await assert.rejects(readPredictionLogs({ paths, bucketMs: 1000, filters: { range: { start: f.start, end: f.end } } }), /buckets of 1000 ms cover the range; at most 1000/);
});
