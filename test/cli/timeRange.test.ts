import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../src/cli/errors";
import { formatTimeRange, parseTimeRange } from "../../src/cli/timeRange";

const now = Date.parse("2026-11-26T12:00:00Z");
const day = 86400e3;

test("relative ranges count back from now", () => {
  assert.deepEqual(parseTimeRange("-14d..-7d", now), { start: now - 14 * day, end: now - 7 * day });
  assert.deepEqual(parseTimeRange("-1d..now", now), { start: now - day, end: now });
  assert.deepEqual(parseTimeRange("-90m..-30s", now), { start: now - 90 * 60e3, end: now - 30e3 });
  assert.deepEqual(parseTimeRange("-2w..-1.5h", now), { start: now - 14 * day, end: now - 1.5 * 3600e3 });
});

test("ISO dates are UTC unless they carry a zone", () => {
  assert.deepEqual(parseTimeRange("2026-11-01..2026-11-08", now), {
    start: Date.parse("2026-11-01T00:00:00Z"),
    end: Date.parse("2026-11-08T00:00:00Z"),
  });
  assert.equal(parseTimeRange("2026-11-01T06:30..now", now).start, Date.parse("2026-11-01T06:30:00Z"));
  assert.equal(parseTimeRange("2026-11-01T06:30+02:00..now", now).start, Date.parse("2026-11-01T04:30:00Z"));
  assert.equal(formatTimeRange(parseTimeRange("2026-11-01..2026-11-02", now)), "2026-11-01T00:00:00.000Z..2026-11-02T00:00:00.000Z");
});

test("malformed ranges are usage errors that say what to write", () => {
  assert.throws(() => parseTimeRange("-7d", now, "baseline"), (e: unknown) => e instanceof UsageError && /--baseline '-7d' must be START..END/.test(e.message));
  assert.throws(() => parseTimeRange("-1d..-7d", now), /ends before it starts/);
  assert.throws(() => parseTimeRange("yesterday..now", now), /'yesterday' is not a time/);
  assert.throws(() => parseTimeRange("2026-13-45..now", now), /is not a time/);
  assert.throws(() => parseTimeRange("-7x..now", now), /is not a time/);
});
