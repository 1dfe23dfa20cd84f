/** Each format read end to end on small files written here, and the record splitter's edge cases. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { gzipSync } from "node:zlib";
import { parquetWriteFile } from "hyparquet-writer";
import { parseCsvRecord, readCsv } from "../../../src/telemetry/logs/csv";
import { readJsonl } from "../../../src/telemetry/logs/jsonl";
import { ScannedRow } from "../../../src/telemetry/logs/records";
import { readPredictionLogs } from "../../../src/telemetry/logs/scan";
import type { RowItem } from "../../../src/telemetry/logs/types";

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-formats-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: string | Uint8Array): string => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function items(reader: AsyncGenerator<RowItem[]>): Promise<RowItem[]> {
  const out: RowItem[] = [];
  for await (const batch of reader) out.push(...batch);
  return out;
}

const FIELDS = ["ts", "model", "version", "event", "unit", "experiment", "arm", "latency_ms", "error", "outcome", "prediction", "features"] as const;

/** A row the JSONL fast path read, as the plain object of its fields (absent ones left out). */
function plain(item: RowItem): RowItem {
  if (!("row" in item) || !(item.row instanceof ScannedRow)) return item;
  const row: Record<string, unknown> = {};
  for (const k of FIELDS) if (item.row[k] !== undefined) row[k] = item.row[k];
  return { ...item, row };
}

test("RFC 4180 fields: quotes, doubled quotes, commas, empty fields; stray quotes are errors", () => {
  assert.deepEqual(parseCsvRecord('a,"b, ""c""",'), ["a", 'b, "c"', ""]);
  assert.deepEqual(parseCsvRecord(""), [""]);
  assert.deepEqual(parseCsvRecord('"x\ny"'), ["x\ny"]);
  assert.deepEqual(parseCsvRecord('"",""'), ["", ""]);
  assert.deepEqual(parseCsvRecord('ab"c'), { error: "a quote inside unquoted field 1" });
  assert.deepEqual(parseCsvRecord('"ab"c,d'), { error: "text after a closing quote in field 1" });
  assert.deepEqual(parseCsvRecord('"ab'), { error: "unterminated quoted field" });
});

const CSV = [
  "ts,model,features.note,features.n,prediction",
  '1793534400,churn,"plain",1,0.1',
  '1793534401,churn,"a, b",2,0.2',
  '1793534402,churn,"say ""hi""",3,0.3',
  '1793534403,churn,"two\r\nlines",4,0.4',
  "",
  '1793534404,churn,"héllo ✓",5,0.5',
  "1793534405,churn,tail,6",
].join("\r\n");

test("CSV records are the same whatever the chunking, with the line each starts on", async () => {
  const bytes = Buffer.from(CSV, "utf8");
  const state = { peakBuffered: 0 };
  const whole = await items(readCsv(chunked(bytes, 1 << 16), 1 << 20, state));
  for (const size of [1, 2, 3, 7]) assert.deepEqual(await items(readCsv(chunked(bytes, size), 1 << 20, state)), whole, `chunks of ${size}`);
  assert.deepEqual(whole.map((i) => i.line), [2, 3, 4, 5, 8, 9]);
  const rows = whole.filter((i): i is Extract<RowItem, { row: unknown }> => "row" in i).map((i) => (i.row as Readonly<Record<string, unknown>>)["features.note"]);
  assert.deepEqual(rows, ["plain", "a, b", 'say "hi"', "two\r\nlines", "héllo ✓"]);
  assert.deepEqual(whole.at(-1), { line: 9, error: "expected 5 fields as in the header, got 4" });
});

test("JSONL lines: CRLF, blank lines, no final newline, splits inside a character", async () => {
  const text = '{"ts": 1, "a": "é✓"}\r\n\n  \n{"ts": 2}\n[1]\n{"ts": 3}';
  const bytes = Buffer.from(text, "utf8");
  const state = { peakBuffered: 0 };
  const whole = await items(readJsonl(chunked(bytes, 1 << 16), 1 << 20, state));
  for (const size of [1, 2, 5]) assert.deepEqual(await items(readJsonl(chunked(bytes, size), 1 << 20, state)), whole);
  assert.ok(whole[1] && "row" in whole[1] && whole[1].row instanceof ScannedRow, "the fast path reads the ASCII lines");
  assert.deepEqual(whole.map(plain), [
    { line: 1, row: { ts: 1, a: "é✓" }, textual: false },
    { line: 4, row: { ts: 2 }, textual: false },
    { line: 5, error: "not a JSON object (an array)" },
    { line: 6, row: { ts: 3 }, textual: false },
  ]);
});

test("a line over the cap is skipped while it streams past, holding no more than the cap", async () => {
  const huge = `{"ts": 1, "pad": "${"x".repeat(5000)}"}`;
  const bytes = Buffer.from(`{"ts": 0}\n${huge}\n{"ts": 2}\n`, "utf8");
  const state = { peakBuffered: 0 };
  const got = await items(readJsonl(chunked(bytes, 100), 1000, state));
  assert.deepEqual(got.map((i) => ("error" in i ? i.error : i.line)), [1, `line longer than 1000 bytes (${huge.length} bytes)`, 3]);
  assert.ok(state.peakBuffered <= 1000, `held ${state.peakBuffered}`);
  // CSV: an unterminated quote runs into the cap; reading resumes at the next line.
  const csv = Buffer.from(`ts,a\n1,"open\n${"2,x\n".repeat(400)}3,y\n`, "utf8");
  const rows = await items(readCsv(chunked(csv, 64), 1000, state));
  assert.equal(rows[0]?.line, 2);
  assert.match((rows[0] as { error: string }).error, /^record longer than 1000 bytes/);
  assert.deepEqual(rows.at(-1), { line: 403, row: Object.assign(Object.create(null), { ts: "3", a: "y" }), textual: true });
});

const day = Date.UTC(2026, 10, 1);

test("JSONL, gzipped JSONL and CSV read to the same records", async () => {
  const lines = [
    { ts: new Date(day).toISOString(), model: "churn", version: "v1", features: { tenure: 3, plan: "pro" }, prediction: 0.2, latency_ms: 10, error: false, outcome: true },
    { ts: (day + 60e3) / 1000, model: "churn", version: "v1", features: { tenure: 5, plan: "basic, old" }, prediction: 0.4, latency_ms: 30, error: true },
    { ts: day + 120e3, event: "release", model: "churn", version: "v2" },
    { ts: day + 180e3, model: "churn", version: "v2", features: { tenure: 7, plan: 'say "x"' }, prediction: 0.6, latency_ms: 20, error: false, outcome: false },
  ];
  const jsonl = lines.map((l) => JSON.stringify(l)).join("\n");
  const cell = (v: unknown): string => (v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const csv = [
    "ts,event,model,version,features.tenure,features.plan,prediction,latency_ms,error,outcome",
    ...lines.map((l) => {
      const f = (l as { features?: Record<string, unknown> }).features ?? {};
      const o = l as Record<string, unknown>;
      return [o.ts, o.event, o.model, o.version, f.tenure, f.plan, o.prediction, o.latency_ms, o.error, o.outcome].map(cell).join(",");
    }),
  ].join("\n");
  const files = [write("a.jsonl", jsonl), write("a.jsonl.gz", gzipSync(jsonl)), write("a.csv", csv)];
  const windows = { baseline: { start: day, end: day + 150e3 }, current: { start: day + 150e3, end: day + 1e6 } };
  const results = await Promise.all(files.map((f) => readPredictionLogs({ paths: [f], ...windows })));
  for (const r of results) {
    assert.equal(r.report.rowsRead, 4);
    assert.equal(r.report.rowsMatched, 3);
    assert.equal(r.report.events, 1);
    assert.equal(r.report.rowsSkipped, 0);
    assert.deepEqual(r.releases, [{ t: day + 120e3, version: "v2", model: "churn", source: "event" }]);
    assert.deepEqual(r.features, results[0]!.features);
    assert.deepEqual(r.series, results[0]!.series);
  }
  const plan = results[2]!.features.find((f) => f.name === "plan")!;
  assert.deepEqual(plan.data, { kind: "categorical", categories: ["basic, old", "pro", 'say "x"'], baseline: [1, 1, 0], current: [0, 0, 1] });
  assert.deepEqual(results[0]!.features.find((f) => f.name === "tenure")!.data, { kind: "numeric", baseline: Float64Array.from([3, 5]), current: Float64Array.from([7]) });
});

test("Parquet: flat features.<name> columns, a JSON features column, epoch ms as INT64, GZIP pages, row groups", async () => {
  const n = 2500;
  const file = path.join(dir, "p.parquet");
  parquetWriteFile({
    filename: file,
    rowGroupSize: 1000,
    codec: "GZIP",
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
    columnData: [
      { name: "ts", type: "INT64", data: Array.from({ length: n }, (_, i) => BigInt(day + i * 1000)) },
      { name: "model", type: "STRING", data: Array.from({ length: n }, () => "churn") },
      { name: "version", type: "STRING", data: Array.from({ length: n }, (_, i) => (i < 2000 ? "v1" : "v2")) },
      { name: "features.tenure", type: "INT32", data: Array.from({ length: n }, (_, i) => i % 50) },
      { name: "features", type: "STRING", data: Array.from({ length: n }, (_, i) => JSON.stringify({ plan: i % 2 ? "pro" : "basic" })) },
      { name: "prediction", type: "DOUBLE", data: Array.from({ length: n }, (_, i) => (i % 10) / 10) },
      { name: "latency_ms", type: "FLOAT", data: Array.from({ length: n }, () => 5) },
      { name: "error", type: "BOOLEAN", data: Array.from({ length: n }, (_, i) => i % 100 === 0) },
      { name: "ignored", type: "STRING", data: Array.from({ length: n }, () => "x") },
    ],
  });
  const r = await readPredictionLogs({ paths: [file], baseline: { start: day, end: day + 2000e3 }, current: { start: day + 2000e3, end: day + 3000e3 } });
  assert.equal(r.report.rowsRead, n);
  assert.equal(r.report.rowsMatched, n);
  assert.deepEqual(r.releases, [{ t: day + 2000e3, version: "v2", model: "churn", source: "first-seen" }]);
  assert.deepEqual(r.features.map((f) => f.name), ["prediction", "plan", "tenure"]);
  assert.deepEqual(r.features[1]!.data, { kind: "categorical", categories: ["basic", "pro"], baseline: [1000, 1000], current: [250, 250] });
  const errors = r.series[0]!.points.reduce((s, p) => s + p.successes!, 0);
  assert.equal(errors, 25);
});

test("Parquet: a struct features column, as pyarrow writes nested dicts", async () => {
  const file = path.join(dir, "struct.parquet");
  parquetWriteFile({
    filename: file,
    columnData: [
      { name: "ts", data: [new Date(day), new Date(day + 1000), new Date(day + 2000)] },
      { name: "features", data: [{ tenure: 1, plan: "a" }, { tenure: 2, plan: null }, null] },
    ],
    schema: [
      { name: "root", num_children: 2 },
      { name: "ts", type: "INT64", converted_type: "TIMESTAMP_MILLIS", repetition_type: "OPTIONAL" },
      { name: "features", repetition_type: "OPTIONAL", num_children: 2 },
      { name: "tenure", type: "DOUBLE", repetition_type: "OPTIONAL" },
      { name: "plan", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
    ],
  });
  const r = await readPredictionLogs({ paths: [file], baseline: { start: day, end: day + 1500 }, current: { start: day + 1500, end: day + 5000 } });
  assert.equal(r.report.rowsMatched, 3);
  assert.deepEqual(r.features, [
    { name: "plan", data: { kind: "categorical", categories: ["a"], baseline: [1], current: [0] } },
    { name: "tenure", data: { kind: "numeric", baseline: Float64Array.from([1, 2]), current: new Float64Array(0) } },
  ]);
  // A row group bigger than the cap is refused, not read.
  const capped = await readPredictionLogs({ paths: [file], limits: { maxRowGroupBytes: 10 } });
  assert.match(capped.report.files[0]!.error!, /^row group at row 1 holds \d+ bytes of log columns, more than the 10 allowed$/);
});

test("unreadable files are reported and the scan goes on: not Parquet, ZSTD pages, a CSV without ts", async () => {
  const good = write("good.jsonl", `{"ts": ${day}, "model": "m"}\n`);
  const junk = write("junk.parquet", "PAR1 not really");
  const zstd = path.join(dir, "z.parquet");
  parquetWriteFile({ filename: zstd, codec: "ZSTD", compressors: { ZSTD: (i: Uint8Array) => i }, columnData: [{ name: "ts", type: "DOUBLE", data: [day] }] });
  const noTs = write("nots.csv", "time,model\n1,m\n");
  const r = await readPredictionLogs({ paths: [good, junk, zstd, noTs] });
  assert.equal(r.report.rowsMatched, 1);
  const errors = Object.fromEntries(r.report.files.map((f) => [path.basename(f.path), f.error]));
  assert.equal(errors["good.jsonl"], undefined);
  assert.match(errors["junk.parquet"]!, /^not a readable Parquet file/);
  assert.match(errors["z.parquet"]!, /compression ZSTD is not supported/);
  assert.equal(errors["nots.csv"], "the header has no 'ts' column");
  assert.deepEqual(r.report.skipped.map((s) => s.line), [0, 0, 0]);
  assert.equal(r.report.warnings.length, 3);
});

test("hostile content is counted and reported, never a crash", async () => {
  const deep = `{"ts": ${day}, "features": ${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
  const lines = [
    deep,
    "\u0000\u0000\u0000",
    `{"ts": ${day}, "model": "<script>alert(1)</script>", "features": {"__proto__": 1, "constructor": "x"}}`,
    `{"ts": ${day}, "latency_ms": "NaN", "model": "m"}`,
    `{"ts": 1e400}`,
    `{"ts": ${day}, "features": {"tenure": 1e400}}`,
    "x".repeat(3 << 20), // the last line, with no newline: over the cap
  ];
  const file = write("hostile.jsonl", lines.join("\n"));
  const csv = write("hostile.csv", `ts,__proto__,features.a\n${day},1,2\n`);
  const r = await readPredictionLogs({ paths: [file, csv], baseline: { start: 0, end: day + 1 }, current: { start: day + 1, end: day + 2 } });
  assert.equal(r.report.rowsRead, 8);
  assert.equal(r.report.rowsMatched, 3);
  const reasons = r.report.skipped.map((s) => `${path.extname(s.file)}:${s.line}: ${s.reason.slice(0, 24)}`);
  assert.deepEqual(reasons, [
    ".jsonl:1: features: […] is not an ",
    ".jsonl:2: invalid JSON: Unexpected",
    ".jsonl:4: latency_ms: \"NaN\" is not",
    ".jsonl:5: ts: Infinity is not a ti",
    ".jsonl:7: line longer than 1048576",
  ]);
  const names = r.features.map((f) => f.name).sort();
  assert.deepEqual(names, ["__proto__", "a", "constructor"]);
});
