import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { formatOf, globToRegExp, LogInputError, resolveLogFiles } from "../../../src/telemetry/logs/files";

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-files-"));
  for (const f of ["logs/a.jsonl", "logs/b.csv", "logs/2026/11/c.parquet", "logs/2026/d.parquet", "logs/e.jsonl.gz", "logs/notes.txt", "other/x.ndjson"]) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), "");
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

const rel = (files: { path: string }[]): string[] => files.map((f) => path.relative(dir, f.path).split(path.sep).join("/"));

test("globs: * and ? stay within a segment, ** spans any depth, braces and classes", () => {
  assert.ok(globToRegExp("logs/*.jsonl").test("logs/a.jsonl"));
  assert.ok(!globToRegExp("logs/*.jsonl").test("logs/x/a.jsonl"));
  assert.ok(globToRegExp("logs/**/*.parquet").test("logs/a.parquet"));
  assert.ok(globToRegExp("logs/**/*.parquet").test("logs/2026/11/c.parquet"));
  assert.ok(globToRegExp("logs/?.{csv,jsonl}").test("logs/b.csv"));
  assert.ok(!globToRegExp("logs/?.{csv,jsonl}").test("logs/bb.csv"));
  assert.ok(globToRegExp("logs/[ab].*").test("logs/a.jsonl"));
  assert.ok(!globToRegExp("logs/[!ab].*").test("logs/a.jsonl"));
  assert.ok(globToRegExp("a+b(c).jsonl").test("a+b(c).jsonl"));
});

test("formats come from extensions, .gz for the text formats", () => {
  assert.deepEqual(formatOf("x.JSONL"), { format: "jsonl", gzip: false });
  assert.deepEqual(formatOf("x.ndjson.gz"), { format: "jsonl", gzip: true });
  assert.deepEqual(formatOf("x.csv.gz"), { format: "csv", gzip: true });
  assert.deepEqual(formatOf("x.pq"), { format: "parquet", gzip: false });
  assert.equal(formatOf("x.parquet.gz"), undefined);
  assert.equal(formatOf("x.txt"), undefined);
});

test("paths, patterns and directories resolve to sorted files without repeats", async () => {
  const { files, unmatched } = await resolveLogFiles(["logs/**/*.parquet", "logs/*.jsonl", "logs/a.jsonl", "nothing/*.csv"], { cwd: dir });
  assert.deepEqual(rel(files), ["logs/2026/11/c.parquet", "logs/2026/d.parquet", "logs/a.jsonl"]);
  assert.deepEqual(files.map((f) => f.format), ["parquet", "parquet", "jsonl"]);
  assert.deepEqual(unmatched, ["nothing/*.csv"]);
  const all = await resolveLogFiles(["logs"], { cwd: dir });
  assert.deepEqual(rel(all.files), ["logs/2026/11/c.parquet", "logs/2026/d.parquet", "logs/a.jsonl", "logs/b.csv", "logs/e.jsonl.gz"]);
  assert.equal(all.files.find((f) => f.path.endsWith(".gz"))?.gzip, true);
  const everything = await resolveLogFiles(["logs/**"], { cwd: dir });
  assert.equal(everything.files.length, 5, "notes.txt is not a log file");
  const absolute = await resolveLogFiles([path.join(dir, "other", "*.ndjson")]);
  assert.deepEqual(rel(absolute.files), ["other/x.ndjson"]);
});

test("missing files, empty matches and unknown formats are input errors", async () => {
  await assert.rejects(resolveLogFiles(["logs/nope.jsonl"], { cwd: dir }), (e: unknown) => e instanceof LogInputError && /no such file 'logs\/nope.jsonl'/.test(e.message));
  await assert.rejects(resolveLogFiles(["nothing/*.jsonl"], { cwd: dir }), /no log files match 'nothing\/\*.jsonl'/);
  await assert.rejects(resolveLogFiles(["logs/notes.txt"], { cwd: dir }), /cannot tell the format/);
  await assert.rejects(resolveLogFiles([], { cwd: dir }), /'paths' is empty/);
  const forced = await resolveLogFiles(["logs/notes.txt"], { cwd: dir, format: "csv" });
  assert.equal(forced.files[0]?.format, "csv");
});
