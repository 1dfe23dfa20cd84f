/**
 * The JSONL fast path against the JSON.parse way: on every line it takes, the record (or the
 * reason) must be the one JSON.parse + normalizeRow give, and every line it does not take must be
 * left to them; and on ordinary logs it must take the lines, or it would be a silent no-op.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { seededUniform } from "../../../src/core/stats/random";
import { parseLine, readJsonl } from "../../../src/telemetry/logs/jsonl";
import { JsonlLineScanner } from "../../../src/telemetry/logs/jsonlScan";
import { normalizeRow, ScannedRow, type Normalized } from "../../../src/telemetry/logs/records";
import type { FeatureValue, RowItem } from "../../../src/telemetry/logs/types";
import { generateLogs } from "../../support/generateLogs";

const opts = { maxLabelChars: 256 };

/** A normalised row with its features visited into a list, for deep equality (Object.is on numbers, so -0 counts). */
function comparable(n: Normalized): unknown {
  if (n.kind !== "prediction") return n;
  const features: Array<[string, FeatureValue]> = [];
  n.record.features.visit({ feature: (name, value) => features.push([name, value]) });
  return { ...n.record, features };
}

/** What the JSON.parse way makes of a line: an error, a record, or nothing (a blank line). */
function reference(bytes: Uint8Array): unknown {
  const item = parseLine(1, bytes);
  if (item === undefined) return "blank";
  return "error" in item ? { unreadable: item.error } : comparable(normalizeRow(item.row, false, opts));
}

const FIELDS = ["ts", "model", "version", "event", "unit", "experiment", "arm", "latency_ms", "error", "outcome", "prediction"] as const;

/** Bytes that may follow a line in its chunk: a line break and the start of the next line, or anything at all. */
const AFTER = ["", "\n", "\r\n", '\n{"ts":1}', '"}', "0", ",\"a\":1}", "\\u0041\"", "e5"];

/**
 * Checks one line, read on its own and in place in a larger buffer, between other bytes; returns
 * whether the fast path took it. Taken, its record and its fields as read (ts made lazily) must be
 * JSON.parse's.
 */
function check(scanner: JsonlLineScanner, line: string | Uint8Array, after = AFTER[line.length % AFTER.length]!): boolean {
  const bytes = typeof line === "string" ? Buffer.from(line, "utf8") : line;
  const expected = reference(bytes);
  const row = scanner.scan(bytes);
  const around = Buffer.concat([Buffer.from('{"x":1}\n'), bytes, Buffer.from(after)]);
  const inPlace = scanner.scan(around, 8, 8 + bytes.length);
  const shown = Buffer.from(bytes).toString("latin1");
  assert.equal(inPlace === undefined, row === undefined, `in place and on its own differ: ${shown} + ${JSON.stringify(after)}`);
  if (row === undefined || inPlace === undefined) return false;
  assert.ok(typeof expected === "object" && !("unreadable" in (expected as object)), `the fast path took a line JSON.parse rejects: ${shown} (${JSON.stringify(expected)})`);
  assert.deepEqual(comparable(normalizeRow(row, false, opts)), expected, shown);
  assert.deepEqual(comparable(normalizeRow(inPlace, false, opts)), expected, shown);
  const parsed = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
  for (const f of FIELDS) {
    assert.deepEqual(row[f], parsed[f], `${f} of ${shown}`);
    assert.deepEqual(inPlace[f], parsed[f], `${f} in place of ${shown}`);
  }
  return true;
}

test("hand-picked lines: the fast path takes the plain ones and agrees with JSON.parse on each", () => {
  const scanner = new JsonlLineScanner();
  const taken = (line: string): boolean => check(scanner, line);
  // Taken: the common shape, whitespace, escapes in values, the numbers JSON.parse rounds.
  assert.ok(taken('{"ts":"2026-10-01T00:00:00.674Z","model":"churn","version":"v1","features":{"age":49,"plan":"plus","ok":true,"gone":null},"prediction":0.18,"latency_ms":21.06,"error":false}'));
  assert.ok(taken(' { "ts" : 1790000000 , "features" : { "a" : -0 , "b" : 1e21 } } \t'));
  assert.ok(taken('{"ts":1790000000123,"features":{"a":0.1,"b":123456789012345678,"c":5e-324,"d":1.7976931348623157e308,"e":1e400,"f":-1E-7,"g":0.30000000000000004}}'));
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","features":{"a":9007199254740993,"b":1.0e+2,"c":-0.0,"d":0e999,"e":12345678901234.5,"f":1234567890123456.7}}'));
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","model":"say \\"hi\\"\\n\\u00e9\\ud83d\\ude00","features":{"region":"eu-west, \\"north\\""}}'));
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","features":{"__proto__":1,"":2,"constructor":"x","a1":3}}'));
  assert.ok(taken(`{"ts":"2026-10-01T00:00:00Z","features":{"${"k".repeat(300)}":1,"long":"${"v".repeat(300)}"},"prediction":"${"p".repeat(300)}"}`));
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","event":"release","model":"churn","version":"v2"}'));
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","extra":{"nested":[1,2]}}') === false); // nested elsewhere: left to JSON.parse
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","ts":"2026-10-02T00:00:00Z"}') === false);
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","features":{"a":1,"b":2,"a":3}}') === false);
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","features":{"b":1,"2":2,"1":3}}') === false);
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","features.a":1}') === false);
  assert.ok(taken('{"t\\u0073":"2026-10-01T00:00:00Z"}') === false);
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","model":"é"}') === false);
  assert.ok(taken('\ufeff{"ts":"2026-10-01T00:00:00Z"}') === false);
  assert.ok(taken('{"ts":"2026-10-01T00:00:00Z","features":"{\\"a\\":1}"}') === false);
  // Rejected as JSON.parse rejects them.
  for (const bad of ['{"ts":01}', '{"ts":1.}', '{"ts":.5}', '{"ts":+1}', '{"ts":-}', '{"ts":1e}', '{"ts":1,}', '{"ts":1', '{"ts":"a\tb"}', '{"ts":"\\x"}', '{"ts":"\\u12"}', "{'ts':1}", '{"ts":1}x', '{"ts":tru}', "[1]", "", "  "]) {
    assert.ok(!taken(bad), bad);
  }
  // A name list that changes from line to line, and back.
  for (const line of ['{"ts":1790000000,"features":{"a":1,"b":2}}', '{"ts":1790000000,"features":{"a":1}}', '{"ts":1790000000,"features":{"b":1,"a":2}}', '{"ts":1790000000,"features":{"a":1,"b":2}}']) {
    assert.ok(taken(line), line);
  }
});

// Random lines: JSON written by hand with random key orders, whitespace, value kinds and spellings,
// duplicates, escapes and non-ASCII text, then sometimes damaged, so that every branch of the
// scanner meets lines it must take and lines it must leave.
const NUMBERS = ["0", "-0", "1", "-1", "0.1", "1e21", "1E21", "1e-7", "5e-324", "1.7976931348623157e308", "1e400", "-1e400", "123456789012345678",
  "9007199254740993", "0.30000000000000004", "12.50", "-3.25e+2", "100", "2.5e-10", "0e5", "-0.0", "1790000000", "1790000000.123", "1790000000123", "1.79e12"];
const STRINGS = ["churn", "v1", "", "plus", "sa-east", "42", "true", "False", "NaN", "0", "2026-10-01T00:00:00.674Z", "2026-10-01T00:00:00Z", "2026-02-30T00:00:00Z",
  "2026-10-01", "2026-10-01T02:00:00+02:00", "1790000000", "say \"hi\"", "back\\slash", "tab\there", "é", "✓ ok", "x".repeat(300), "control"];
const KEYS = ["ts", "model", "version", "event", "unit", "experiment", "arm", "latency_ms", "error", "outcome", "prediction", "features", "extra", "__proto__", "features.f", "0", "constructor"];
const FEATURE_KEYS = ["age", "plan", "score", "", "__proto__", "1", "01", "prediction", "a b", "k".repeat(300), "é", "t\u0073", "x\"y"];
const SPACES = ["", "", "", "", " ", "  ", "\t", "\r"];

function lineGenerator(seed: number): () => string {
  const u = seededUniform(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)]!;
  const ws = (): string => (u() < 0.2 ? pick(SPACES) : "");
  const number = (): string => {
    if (u() < 0.6) return pick(NUMBERS);
    const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(u() * 10)).join("");
    let s = (u() < 0.3 ? "-" : "") + (u() < 0.2 ? "0" : String(1 + Math.floor(u() * 9)) + digits(Math.floor(u() * 18)));
    if (u() < 0.5) s += `.${digits(1 + Math.floor(u() * 18))}`;
    if (u() < 0.3) s += `${pick(["e", "E"])}${pick(["", "+", "-"])}${1 + Math.floor(u() * 330)}`;
    return s;
  };
  const string = (): string => {
    const s = pick(STRINGS);
    if (s === "control") return `"a${String.fromCharCode(Math.floor(u() * 32))}b"`; // raw: invalid JSON
    const json = JSON.stringify(s);
    return u() < 0.1 ? json.replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : json;
  };
  const primitive = (): string => {
    const r = u();
    if (r < 0.45) return number();
    if (r < 0.8) return string();
    return pick(["true", "false", "null"]);
  };
  const value = (depth: number): string => {
    if (depth < 2 && u() < 0.04) return `[${ws()}${primitive()}${ws()}]`;
    if (depth < 2 && u() < 0.04) return object(depth + 1, FEATURE_KEYS);
    return primitive();
  };
  const key = (keys: readonly string[]): string => {
    const k = pick(keys);
    return JSON.stringify(k === "t\u0073" && u() < 0.5 ? "ts" : k).replace("ts", u() < 0.05 ? "t\\u0073" : "ts");
  };
  function object(depth: number, keys: readonly string[]): string {
    const n = Math.floor(u() * (depth === 0 ? 12 : 6));
    const members: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = key(keys);
      const v = k === '"features"' ? (u() < 0.85 ? object(depth + 1, FEATURE_KEYS) : primitive()) : value(depth);
      members.push(`${ws()}${k}${ws()}:${ws()}${v}${ws()}`);
    }
    return `{${members.join(",")}${n === 0 ? ws() : ""}}`;
  }
  return () => {
    // Most lines have a ts first, as logs do; the rest test ts anywhere or nowhere.
    let line = object(0, KEYS);
    if (u() < 0.7) line = line.replace("{", `{"ts":${u() < 0.5 ? string() : number()}${line.length > 2 ? "," : ""}`);
    if (u() < 0.02) line = `\ufeff${line}`;
    const r = u();
    if (r < 0.05) line = line.slice(0, Math.floor(u() * line.length)); // truncated
    else if (r < 0.1) {
      const at = Math.floor(u() * line.length);
      line = line.slice(0, at) + pick(['"', ",", ":", "}", "{", "x", "\\", "0", "-", ".", "e"]) + line.slice(at + (u() < 0.5 ? 1 : 0));
    }
    return line;
  };
}

test("random lines: every line the fast path takes ends as JSON.parse's record or reason", () => {
  const scanner = new JsonlLineScanner();
  const next = lineGenerator(20261001);
  let taken = 0;
  const lines = 30_000;
  for (let i = 0; i < lines; i++) if (check(scanner, next())) taken++;
  // Enough of both kinds for the test to mean something.
  assert.ok(taken > lines * 0.2 && taken < lines * 0.9, `took ${taken} of ${lines}`);
});

test("one scanner across lines of changing shapes: the names it remembers never leak into another line", () => {
  const scanner = new JsonlLineScanner();
  const next = lineGenerator(7);
  const shapes = ['{"ts":1790000000,"features":{"a":1,"b":"x","c":2}}', '{"ts":1790000000,"features":{"a":1,"b":"x","b":2}}', '{"ts":1790000000,"features":{"a":1,"c":2}}'];
  for (let i = 0; i < 3000; i++) check(scanner, i % 3 === 0 ? shapes[i % shapes.length]! : next());
});

test("wide rows: feature values past an arena's end, and rows that fail half way, read as JSON.parse's", () => {
  const scanner = new JsonlLineScanner();
  const u = seededUniform(17);
  const value = (): string => {
    const r = u();
    return r < 0.5 ? String(Math.round(u() * 1e6) / 100) : r < 0.8 ? JSON.stringify(`c${Math.floor(u() * 50)}`) : r < 0.9 ? "null" : "true";
  };
  for (let row = 0; row < 60; row++) {
    // 3000 values a row: an arena of 16,384 runs out within a row every few rows.
    const members = Array.from({ length: 3000 }, (_, k) => `"f${k}":${value()}`);
    let line = `{"ts":"2026-10-01T00:00:${String(row % 60).padStart(2, "0")}Z","features":{${members.join(",")}}}`;
    if (row % 7 === 3) line = line.slice(0, line.length - 200); // fails near its end, after thousands of values
    assert.equal(check(scanner, line), row % 7 !== 3, `row ${row}`);
  }
});

test("many different short strings: the string cache never hands back another string's text", () => {
  const scanner = new JsonlLineScanner();
  const u = seededUniform(23);
  const letters = "abcdefghijklmnopqrstuvwxyzAB-_ 0";
  const word = (): string => Array.from({ length: 1 + Math.floor(u() * 6) }, () => letters[Math.floor(u() * letters.length)]).join("");
  for (let i = 0; i < 20_000; i++) {
    assert.ok(check(scanner, `{"ts":1790000000,"model":${JSON.stringify(word())},"features":{"a":${JSON.stringify(word())},"b":${JSON.stringify(word())}}}`));
  }
});

test("lines read in place in their chunks, whatever the chunking and line ends, end as JSON.parse's record or reason", async () => {
  const next = lineGenerator(99);
  const u = seededUniform(5);
  for (const size of [1, 3, 64, 1000, 1 << 16]) {
    const lines = Array.from({ length: 2000 }, () => next().replaceAll("\n", "\t")); // a raw line break would make two lines
    const ends = lines.map(() => (u() < 0.3 ? "\r\n" : "\n"));
    const bytes = Buffer.from(lines.map((l, k) => l + ends[k]).join(""), "utf8");
    const chunks = (async function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })();
    const got = new Map<number, unknown>();
    for await (const batch of readJsonl(chunks, 1 << 20, { peakBuffered: 0 })) {
      for (const item of batch) got.set(item.line, "error" in item ? { unreadable: item.error } : comparable(normalizeRow(item.row, item.textual, opts)));
    }
    lines.forEach((line, k) => {
      // The splitter takes the line break off, and a CR before it ("\r" is whitespace to JSON).
      const text = ends[k] === "\n" && line.endsWith("\r") ? line.slice(0, -1) : line;
      assert.deepEqual(got.get(k + 1) ?? "blank", reference(Buffer.from(text, "utf8")), `chunks of ${size}, line ${k + 1}: ${text}`);
    });
  }
});

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-jsonlscan-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("generated logs: the fast path takes every line but the malformed ones JSON.parse must report, and agrees on each", async () => {
  for (const jsonlTs of ["iso", "mixed"] as const) {
    const logs = generateLogs({ dir: path.join(dir, jsonlTs), days: 28, rowsPerDay: 100, jsonlTs });
    const file = logs.files.jsonl![0]!;
    const bytes = readFileSync(file);
    const items: RowItem[] = [];
    for await (const batch of readJsonl((async function* () { yield bytes; })(), 1 << 20, { peakBuffered: 0 })) items.push(...batch);
    const parsedAt = items.filter((i) => "row" in i && !(i.row instanceof ScannedRow)).map((i) => i.line);
    const expected = logs.facts.malformed.jsonl.filter((m) => m.kind === "invalid-json" || m.kind === "not-json" || m.kind === "invalid-utf8" || m.kind === "array");
    // Those four become error items; no line with a row went the slow way.
    assert.deepEqual(parsedAt, [], jsonlTs);
    assert.equal(items.filter((i) => "row" in i).length, items.length - expected.length - 1, jsonlTs); // - the huge line
    const scanner = new JsonlLineScanner();
    let start = 0;
    for (let end = bytes.indexOf(10); end >= 0; start = end + 1, end = bytes.indexOf(10, start)) check(scanner, bytes.subarray(start, end));
  }
});
