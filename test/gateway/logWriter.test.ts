import assert from "node:assert/strict";
import { closeSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { seededUniform } from "../../src/core/stats/random";
import { PredictionLogWriter } from "../../src/gateway/logWriter";
import { readPredictionLogs } from "../../src/telemetry/logs/scan";

let root: string;
before(() => (root = mkdtempSync(path.join(tmpdir(), "prodinsights-logwriter-"))));
after(() => rmSync(root, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 1);
const record = (i: number) => ({
  ts: new Date(T0 + i * 60_000).toISOString(),
  model: "churn",
  version: i < 500 ? "v1" : "v2",
  unit: `user-${i % 50}`,
  experiment: "checkout",
  arm: i % 2 === 0 ? "control" : "treatment",
  features: { tenure: i % 24, plan: ["basic", "pro"][i % 2], email: `u${i}@example.com` },
  prediction: (i % 100) / 100,
  latency_ms: 10 + (i % 7),
  error: i % 25 === 0,
  outcome: i % 3 === 0,
});

test("what the writer writes, the log reader reads back: every record, version and arm", async () => {
  const dir = path.join(root, "plain");
  const w = new PredictionLogWriter({ dir });
  for (let i = 0; i < 1000; i++) w.write(record(i));
  w.close();
  const logs = await readPredictionLogs({ paths: [dir], filters: { model: "churn" } });
  assert.equal(logs.report.rowsRead, 1000);
  assert.equal(logs.report.rowsSkipped, 0);
  assert.deepEqual(logs.versions.map((v) => [v.version, v.rows]), [["v1", 500], ["v2", 500]]);
  assert.deepEqual(logs.experiments[0]!.arms, ["control", "treatment"]);
});

test("past maxBytes the file rotates to a timestamped name the log globs still match; only the newest are kept", async () => {
  const dir = path.join(root, "rotate");
  const w = new PredictionLogWriter({ dir, maxBytes: 20_000, keep: 3, bufferBytes: 1, now: () => T0 });
  for (let i = 0; i < 1000; i++) w.write(record(i));
  w.close();
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 4, files.join(", "));
  assert.ok(files.includes("predictions.jsonl"));
  for (const f of files.filter((f) => f !== "predictions.jsonl")) assert.match(f, /^predictions-20261101T000000Z-\d{4}\.jsonl$/);
  const logs = await readPredictionLogs({ paths: [path.join(dir, "*.jsonl")] });
  assert.ok(logs.report.rowsRead > 0 && logs.report.rowsRead < 1000, `${logs.report.rowsRead} rows kept`);
  assert.equal(logs.report.rowsSkipped, 0, "rotation never splits a record");
});

test("sampling keeps a share of the records, the same share with the same seed", () => {
  const write = (dir: string) => {
    const w = new PredictionLogWriter({ dir: path.join(root, dir), sampleRate: 0.25, random: seededUniform(9) });
    let kept = 0;
    for (let i = 0; i < 4000; i++) if (w.write(record(i))) kept++;
    w.close();
    return { kept, text: readFileSync(path.join(root, dir, "predictions.jsonl"), "utf8") };
  };
  const a = write("sample-a");
  const b = write("sample-b");
  assert.ok(Math.abs(a.kept - 1000) < 100, `${a.kept} kept`);
  assert.equal(a.text.split("\n").length - 1, a.kept);
  assert.equal(a.text, b.text);
  assert.throws(() => new PredictionLogWriter({ dir: root, sampleRate: 1.5 }), /'sampleRate' must be in \[0, 1\]/);
});

test("redaction drops a field or writes a salted hash that follows the unit without naming it", () => {
  const dir = path.join(root, "redact");
  const w = new PredictionLogWriter({ dir, redact: { "features.email": "drop", unit: "hash" }, salt: "s3cret" });
  w.write(record(1));
  w.write(record(51)); // the same unit as record 1
  w.write({ ...record(2), unit: 'x"\n}{' }); // hostile text stays one JSON line
  w.close();
  const lines = readFileSync(path.join(dir, "predictions.jsonl"), "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 3);
  const [a, b, c] = lines.map((l) => JSON.parse(l) as { unit: string; features: Record<string, unknown> });
  assert.equal(a!.features["email"], undefined);
  assert.equal(a!.features["tenure"], 1, "other features stay");
  assert.match(a!.unit, /^[0-9a-f]{16}$/);
  assert.equal(a!.unit, b!.unit);
  assert.notEqual(a!.unit, c!.unit);
  assert.doesNotMatch(lines.join("\n"), /user-1|example\.com/);
  const unsalted = new PredictionLogWriter({ dir: path.join(root, "redact2"), redact: { unit: "hash" } });
  unsalted.write(record(1));
  unsalted.close();
  assert.notEqual(JSON.parse(readFileSync(path.join(root, "redact2", "predictions.jsonl"), "utf8")).unit, a!.unit, "the salt changes the hash");
});

test("with onError, a log that cannot be written drops its lines and says so instead of throwing; after close, writes are ignored", async () => {
  const dir = path.join(root, "failing");
  const errors: Array<[string, number]> = [];
  const w = new PredictionLogWriter({ dir, onError: (err, dropped) => errors.push([(err as NodeJS.ErrnoException).code ?? err.message, dropped]) });
  w.write(record(1));
  // The file descriptor goes away under the writer, as a broken disk would take it.
  closeSync((w as unknown as { fd: number }).fd);
  w.write(record(2));
  assert.doesNotThrow(() => w.flush());
  assert.deepEqual(errors, [["EBADF", 2]]);
  const plain = new PredictionLogWriter({ dir: path.join(root, "throwing") });
  plain.write(record(1));
  closeSync((plain as unknown as { fd: number }).fd);
  assert.throws(() => plain.flush(), /EBADF/);
  const closed = new PredictionLogWriter({ dir: path.join(root, "closed") });
  closed.close();
  assert.equal(closed.write(record(1)), false);
});
