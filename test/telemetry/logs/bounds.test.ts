/**
 * Memory stays bounded whatever the file size: measured structurally, by the most the reader held
 * at any moment (`report.peaks`) against the caps, not by wall time or RSS.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { CHUNK_BYTES } from "../../../src/telemetry/logs/files";
import { readPredictionLogs } from "../../../src/telemetry/logs/scan";
import { DEFAULT_LIMITS } from "../../../src/telemetry/logs/types";
import { generateLogs, type GeneratedLogs } from "../../support/generateLogs";

let dir: string;
let big: GeneratedLogs;
let small: GeneratedLogs;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-bounds-"));
  big = generateLogs({ dir: path.join(dir, "big"), days: 30, rowsPerDay: 10_000, formats: ["jsonl"] });
  small = generateLogs({ dir: path.join(dir, "small"), days: 28, rowsPerDay: 500, formats: ["jsonl"] });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("300,000 rows: the reader never holds more than its caps", async () => {
  const f = big.facts;
  const file = big.files.jsonl![0]!;
  assert.ok(statSync(file).size > 50e6, "a file far larger than any cap");
  const r = await readPredictionLogs({
    paths: [file],
    filters: { model: "churn" },
    baseline: { start: f.start, end: f.drift.t },
    current: { start: f.drift.t, end: f.end },
  });
  assert.equal(r.report.rowsRead, 300_000 + f.explicitEvents + f.malformed.jsonl.length);
  assert.equal(r.report.rowsMatched, f.rows.churn);
  const p = r.report.peaks;
  const L = DEFAULT_LIMITS;
  assert.ok(p.bufferedBytes <= L.maxLineBytes, `buffered ${p.bufferedBytes}`);
  assert.ok(p.batchRows <= CHUNK_BYTES, `batch of ${p.batchRows}`); // each row is at least a byte of its chunk
  assert.equal(p.rawSample, L.rawSampleCap);
  assert.ok(p.categories <= L.maxCategories + 1);
  assert.ok(p.features <= L.maxFeatures);
  assert.ok(p.seriesPoints <= L.maxSeriesPoints, `series held ${p.seriesPoints}`);
  assert.ok(p.versions <= L.maxVersions && p.experiments <= L.maxExperiments && p.arms <= L.maxArms);
  // With over 100,000 rows per window, every numeric feature is binned, not raw.
  for (const s of r.featureSummaries) assert.ok(s.baseline > 100_000 && s.current > 100_000);
  for (const x of r.features) assert.notEqual(x.data.kind, "numeric", x.name);
});

test("tight caps hold too, and the report says what they left out", async () => {
  const f = small.facts;
  const limits = { rawSampleCap: 50, maxCategories: 2, maxFeatures: 3, maxSeriesPoints: 40, maxExperiments: 1, maxArms: 1, maxVersions: 2, maxReasons: 3, maxLineBytes: 4096 };
  const r = await readPredictionLogs({ paths: small.files.jsonl!, baseline: { start: f.start, end: f.drift.t }, current: { start: f.drift.t, end: f.end }, limits });
  const p = r.report.peaks;
  assert.ok(p.rawSample <= 50 && p.categories <= 3 && p.features <= 3 && p.seriesPoints <= 40 && p.experiments <= 1 && p.arms <= 1 && p.versions <= 2, JSON.stringify(p));
  assert.ok(p.bufferedBytes <= 4096);
  assert.equal(r.report.skipped.length, 3);
  assert.equal(r.report.rowsSkipped, f.malformed.jsonl.length);
  assert.equal(r.features.length, 3);
  const region = r.features.find((x) => x.name === "region");
  if (region) assert.deepEqual(region.data.kind === "categorical" && region.data.categories.at(-1), "(other)");
  assert.ok(r.series[0]!.points.length <= 40);
  assert.equal(r.bucketMs, 86400e3);
  const w = r.report.warnings.join("\n");
  assert.match(w, /malformed records were skipped; the report lists the first 3/);
  assert.match(w, /values of features beyond the first 3 were left out/);
  assert.match(w, /rows of experiments or arms beyond the caps/);
  assert.match(w, /versions beyond the first 2 were not tracked/);
});
