import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseStep, MAX_POINTS_PER_SERIES, pointsPerSeries } from "../../../src/telemetry/prometheus/step";

const MINUTE = 60_000;
const DAY = 86_400_000;

test("14 days get the finest round step under 11,000 points: 2 minutes", () => {
  const step = chooseStep(0, 14 * DAY);
  assert.equal(step, 2 * MINUTE);
  assert.equal(pointsPerSeries(0, 14 * DAY, step), 10_081);
  assert.ok(pointsPerSeries(0, 14 * DAY, step) < MAX_POINTS_PER_SERIES);
  assert.equal(pointsPerSeries(0, 14 * DAY, MINUTE), 20_161, "1 minute would be refused by Prometheus");
});

test("a requested step is kept when it fits, and raised to a round one when it does not", () => {
  assert.equal(chooseStep(0, 14 * DAY, 5 * MINUTE), 5 * MINUTE);
  assert.equal(chooseStep(0, 14 * DAY, 7_000), 2 * MINUTE);
  assert.equal(chooseStep(0, 14 * DAY, 61_000), 2 * MINUTE);
  assert.equal(chooseStep(0, 3_600_000, 15_000), 15_000);
});

test("every range, up to years, stays under the cap", () => {
  for (const range of [0, 1, 999, 10_999_000, 11_000_000, DAY, 7 * DAY, 14 * DAY, 90 * DAY, 400 * DAY, 20 * 365 * DAY, 80_000 * DAY]) {
    const step = chooseStep(1_700_000_000_000, 1_700_000_000_000 + range);
    assert.ok(pointsPerSeries(0, range, step) < MAX_POINTS_PER_SERIES, `range ${range}: step ${step}`);
  }
  assert.ok(pointsPerSeries(0, 14 * DAY, chooseStep(0, 14 * DAY, undefined, 30_000)) < 30_000, "VictoriaMetrics' cap");
});

test("bad ranges and steps are refused with the input named", () => {
  assert.throws(() => chooseStep(10, 0), /start <= end.*start=10 end=0/);
  assert.throws(() => chooseStep(0, 10, 0), /positive.*got 0/);
  assert.throws(() => chooseStep(0, Number.NaN), /finite/);
});
