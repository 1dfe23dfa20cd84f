import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { generateLogs } from "../../support/generateLogs";

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-gen-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("the generator is deterministic and its realised rates are near the planted ones", () => {
  const a = generateLogs({ dir: path.join(dir, "a"), formats: ["jsonl", "csv"], rowsPerDay: 800 });
  const b = generateLogs({ dir: path.join(dir, "b"), formats: ["jsonl", "csv"], rowsPerDay: 800 });
  for (const format of ["jsonl", "csv"] as const) assert.ok(readFileSync(a.files[format]![0]!).equals(readFileSync(b.files[format]![0]!)), format);
  const f = a.facts;
  assert.deepEqual(JSON.parse(JSON.stringify(f.versions)), JSON.parse(JSON.stringify(b.facts.versions)));
  assert.equal(f.rows.total, 28 * 800);
  assert.equal(f.rows.churn + f.rows.fraud + f.rows.hostile, f.rows.total);
  const rate = (v: "v1" | "v2" | "v3"): number => f.versions[v].errors / f.versions[v].rows;
  assert.ok(Math.abs(rate("v1") - 0.01) < 0.005 && Math.abs(rate("v2") - 0.03) < 0.01 && Math.abs(rate("v3") - 0.03) < 0.01);
  const conv = (arm: "control" | "treatment"): number => f.experiment.arms[arm].successes / f.experiment.arms[arm].trials;
  assert.ok(Math.abs(conv("control") - 0.1) < 0.02 && Math.abs(conv("treatment") - 0.12) < 0.02);
  assert.equal(f.versions.v2.from, f.start + 10 * 86400e3);
  assert.ok(f.versions.v3.first >= f.versions.v3.from);
  assert.deepEqual(f.malformed.jsonl.map((m) => m.kind), ["invalid-json", "not-json", "bad-ts", "nan-latency", "invalid-utf8", "array", "huge-line"]);
  assert.deepEqual(f.malformed.csv.map((m) => m.kind), ["wrong-field-count", "bad-ts", "invalid-utf8", "stray-quote", "unterminated-quote"]);
  const lines = readFileSync(a.files.jsonl![0]!, "latin1").split("\n");
  for (const m of f.malformed.jsonl) assert.notEqual(lines[m.line - 1], undefined);
  assert.match(lines[f.malformed.jsonl[0]!.line - 1]!, /^\{"ts": "[^"]+", "model": "churn"$/);
  assert.throws(() => generateLogs({ dir, releaseDays: [20, 10] }), /releaseDays/);
});
