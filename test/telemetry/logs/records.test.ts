import assert from "node:assert/strict";
import { test } from "node:test";
import { seededUniform } from "../../../src/core/stats/random";
import { normalizeRow } from "../../../src/telemetry/logs/records";
import { epochToMs, isoUtcBytes, parseTimestamp } from "../../../src/telemetry/logs/timestamps";
import type { FeatureValue, PredictionRecord } from "../../../src/telemetry/logs/types";

const opts = { maxLabelChars: 256 };
const at = Date.parse("2026-11-01T12:00:00Z");

/** The normalised record, with its features visited into a list. */
function record(row: Record<string, unknown>, textual = false): Omit<PredictionRecord, "features"> & { features: Array<[string, FeatureValue]> } {
  const n = normalizeRow(row, textual, opts);
  assert.equal(n.kind, "prediction", JSON.stringify(n));
  const r = (n as { record: PredictionRecord }).record;
  const features: Array<[string, FeatureValue]> = [];
  r.features.visit({ feature: (name, value) => features.push([name, value]) });
  return { ...r, features };
}
function reason(row: Record<string, unknown>, textual = false): string {
  const n = normalizeRow(row, textual, opts);
  assert.equal(n.kind, "invalid", JSON.stringify(n));
  return (n as { reason: string }).reason;
}

test("epoch numbers are told apart by size: seconds below 1e11, ms below 1e14, µs below 1e17, ns above", () => {
  assert.equal(epochToMs(at / 1000), at);
  assert.equal(epochToMs(1790000000.123), 1790000000123);
  assert.equal(epochToMs(at), at);
  assert.equal(epochToMs(at * 1000), at);
  assert.equal(epochToMs(at * 1e6), at);
  assert.equal(epochToMs(99_999_999_999), 99_999_999_999_000); // year 5138 in seconds
  assert.equal(epochToMs(100_000_000_000), 100_000_000_000); // 1973 in ms
});

test("timestamps: ISO 8601 (UTC without a zone), epoch numbers and their text, Dates and BigInts", () => {
  assert.equal(parseTimestamp("2026-11-01T12:00:00Z"), at);
  assert.equal(parseTimestamp("2026-11-01T12:00:00"), at);
  assert.equal(parseTimestamp("2026-11-01 12:00"), at);
  assert.equal(parseTimestamp("2026-11-01T14:00:00+02:00"), at);
  assert.equal(parseTimestamp("2026-11-01T14:00:00+0200"), at);
  assert.equal(parseTimestamp("2026-11-01T14:00:00+02"), at);
  assert.equal(parseTimestamp("2026-11-01T12:00:00.123456Z"), at + 123);
  assert.equal(parseTimestamp("2026-11-01T12:00:00,5Z"), at + 500);
  assert.equal(parseTimestamp("2026-11-01"), Date.parse("2026-11-01T00:00:00Z"));
  assert.equal(parseTimestamp(String(at / 1000)), at);
  assert.equal(parseTimestamp(` ${at} `), at);
  assert.equal(parseTimestamp(new Date(at)), at);
  assert.equal(parseTimestamp(BigInt(at) * 1000n), at);
  for (const bad of ["yesterday", "2026-13-45", "2026-11-01T25:00", "NaN", "", "1e400", Infinity, NaN, {}, [], true, new Date(NaN)]) {
    assert.equal(parseTimestamp(bad), undefined, String(bad));
  }
});

test("the digit-by-digit reading of YYYY-MM-DDTHH:MM:SS(.sss)Z agrees with Date.parse, including impossible dates", () => {
  const random = seededUniform(7);
  const pad = (n: number, w: number): string => String(n).padStart(w, "0");
  for (let i = 0; i < 20000; i++) {
    // Some fields out of range on purpose: month 13, day 31 of a short month, hour 24, second 60.
    const y = [1970, 2000, 2024, 2026, 2100, 1900, 100, 99, 9999][Math.floor(random() * 9)]!;
    const text = `${pad(y, 4)}-${pad(1 + Math.floor(random() * 13), 2)}-${pad(1 + Math.floor(random() * 31), 2)}T${pad(Math.floor(random() * 25), 2)}:${pad(Math.floor(random() * 60), 2)}:${pad(Math.floor(random() * 61), 2)}`;
    for (const s of [`${text}Z`, `${text}.${pad(Math.floor(random() * 1000), 3)}Z`]) {
      // Date.parse is the reference where the day exists; it rolls 31 April over into May instead of failing.
      const parsed = Date.parse(s);
      const real = !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 10) === s.slice(0, 10);
      assert.equal(parseTimestamp(s), real ? parsed : undefined, s);
      // From the bytes, in place between other bytes, as the JSONL fast path reads it: the same
      // time, or undefined and the text goes the general way (years before 100 do).
      const bytes = Buffer.from(`"${s}"9`, "latin1");
      const fromBytes = isoUtcBytes(bytes, 1, 1 + s.length);
      if (y >= 100) assert.equal(fromBytes, parseTimestamp(s), `bytes of ${s}`);
      else assert.equal(fromBytes, undefined, `bytes of ${s}`);
    }
  }
  // Bytes that only look like the shape.
  for (const s of ["2026-02-28T10:00:00.12Z", "2026-02-28T10:00:00.1234Z", "2026-02-28 10:00:00Z", "2026-02-28T10:00:00z", "2026/02/28T10:00:00Z", "2026-02-28T10:00:0aZ", "2026-02-28T10:00:00+0000", "+026-02-28T10:00:00Z"]) {
    assert.equal(isoUtcBytes(Buffer.from(s, "latin1"), 0, s.length), undefined, s);
  }
  // Two days in a row through the one-day memory, and bytes that only look like digits.
  assert.equal(parseTimestamp("2026-02-28T23:59:59.999Z"), Date.parse("2026-02-28T23:59:59.999Z"));
  assert.equal(parseTimestamp("2026-02-28T10:00:00Z"), Date.parse("2026-02-28T10:00:00Z"));
  assert.equal(parseTimestamp("2026-02-29T00:00:00Z"), undefined);
  assert.equal(parseTimestamp("2026-02-30 10:00+02:00"), undefined); // the general way checks the day too
  assert.equal(parseTimestamp("2024-02-29"), Date.parse("2024-02-29T00:00:00Z"));
  assert.equal(parseTimestamp("2026-02-28T1a:00:00Z"), undefined);
  assert.equal(parseTimestamp("2026-02-28T10:00:00.1_2Z"), undefined);
});

test("a JSON row keeps its types; booleans become categories and errors/outcomes flags", () => {
  const r = record({
    ts: "2026-11-01T12:00:00Z",
    model: "churn",
    version: 3,
    unit: "u1",
    experiment: "checkout",
    arm: "control",
    features: { tenure: 12, plan: "pro", has_partner: true, zip: "02134", missing: null, nested: { a: 1 }, nan: "NaN" },
    prediction: 0.25,
    latency_ms: 12.5,
    error: null,
    outcome: true,
  });
  assert.deepEqual(r, {
    t: at,
    model: "churn",
    version: "3",
    unit: "u1",
    experiment: "checkout",
    arm: "control",
    features: [["tenure", 12], ["plan", "pro"], ["has_partner", "true"], ["zip", "02134"], ["nan", "NaN"]],
    prediction: 0.25,
    latencyMs: 12.5,
    error: false,
    outcome: 1,
  });
  assert.equal(record({ ts: at, error: "timeout" }).error, true);
  assert.equal(record({ ts: at, error: 503 }).error, true);
  assert.equal(record({ ts: at, error: "false" }).error, false);
  assert.equal(record({ ts: at, error: 0 }).error, false);
  assert.equal(record({ ts: at, outcome: 12.5 }).outcome, 12.5);
  assert.equal(record({ ts: at, prediction: "cat" }).prediction, "cat");
});

test("a CSV row reads numbers, booleans and missing values out of text, and features.<name> columns", () => {
  const r = record(
    { ts: "1793534400", model: "churn", version: "v2", "features.tenure": "12", "features.plan": "pro", "features.has_partner": "TRUE", "features.x": "NA", prediction: "0.5", latency_ms: "", error: "0", outcome: "1", experiment: "", arm: "" },
    true,
  );
  assert.deepEqual(r.features, [["tenure", 12], ["plan", "pro"], ["has_partner", "true"]]);
  assert.equal(r.t, 1793534400000);
  assert.equal(r.prediction, 0.5);
  assert.equal(r.latencyMs, undefined);
  assert.equal(r.error, false);
  assert.equal(r.outcome, 1);
  assert.equal(r.experiment, undefined);
  // A features column holding a JSON object works too.
  assert.deepEqual(record({ ts: "1793534400", features: '{"a": 1, "b": "x"}' }, true).features, [["a", 1], ["b", "x"]]);
});

test("event records are told by an `event` field", () => {
  assert.deepEqual(normalizeRow({ ts: at, event: "release", model: "churn", version: "v2" }, false, opts), {
    kind: "event",
    event: { t: at, event: "release", model: "churn", version: "v2" },
  });
});

test("malformed rows say which field is wrong, with a short snippet", () => {
  assert.equal(reason({ model: "churn" }), "ts: missing");
  assert.equal(reason({ ts: "" }, true), "ts: missing");
  assert.match(reason({ ts: "yesterday" }), /^ts: "yesterday" is not a time/);
  assert.equal(reason({ ts: at, latency_ms: "NaN" }), 'latency_ms: "NaN" is not a number >= 0');
  assert.equal(reason({ ts: at, latency_ms: -1 }), "latency_ms: -1 is not a number >= 0");
  assert.match(reason({ ts: at, model: { a: 1 } }), /^model: \{"a":1\} is not a string/);
  assert.equal(reason({ ts: at, model: "x".repeat(300) }), "model: longer than 256 characters");
  assert.match(reason({ ts: at, features: [1, 2] }), /^features: \[1,2\] is not an object/);
  assert.match(reason({ ts: at, outcome: "maybe" }), /^outcome: "maybe" is not a boolean or a number/);
  const long = reason({ ts: "y".repeat(100000) });
  assert.ok(long.length < 120, long);
});

test("hostile text is data: labels with markup pass through unchanged, long categories are cut", () => {
  const r = record({ ts: at, model: "<script>alert(1)</script>", features: { "<b>": "<img src=x onerror=alert(1)>", long: "z".repeat(1000) } });
  assert.equal(r.model, "<script>alert(1)</script>");
  assert.deepEqual(r.features[0], ["<b>", "<img src=x onerror=alert(1)>"]);
  assert.equal((r.features[1]![1] as string).length, 256);
  // __proto__ as a feature name is an ordinary name.
  const p = record({ ts: at, features: JSON.parse('{"__proto__": 5}') });
  assert.deepEqual(p.features, [["__proto__", 5]]);
});
