import assert from "node:assert/strict";
import { test } from "node:test";
import { bucketWidth, eventWindows } from "../../../src/core/jumps/windows";

const H = 3_600_000;
const hours = (n: number) => Array.from({ length: n }, (_, i) => i * H);

test("each side holds the whole buckets within the window; the release's own bucket is in neither", () => {
  const [w] = eventWindows(hours(48), H, [24 * H], 6 * H);
  assert.deepEqual(w!.before.indices, [18, 19, 20, 21, 22, 23]);
  assert.deepEqual(w!.after.indices, [24, 25, 26, 27, 28, 29]);
  assert.equal(w!.before.limitedBy, undefined);
  // A release at 10:30 leaves the 10:00 bucket out of both sides.
  const [mid] = eventWindows(hours(48), H, [10.5 * H], 3 * H);
  assert.deepEqual(mid!.before.indices, [7, 8, 9]);
  assert.deepEqual(mid!.after.indices, [11, 12, 13]);
  assert.equal(mid!.before.end, 10 * H);
  assert.equal(mid!.after.start, 11 * H);
});

test("a window shorter than asked for by a release keeps only whole buckets before that release", () => {
  const [, b] = eventWindows(hours(48), H, [10.5 * H, 14 * H], 24 * H);
  assert.equal(b!.before.start, 10.5 * H);
  assert.deepEqual(b!.before.indices, [11, 12, 13]);
  assert.equal(b!.before.limitedBy, "release");
});

test("windows are cut at the neighbouring releases and never overlap them", () => {
  const events = [10 * H, 14 * H, 30 * H];
  const [a, b, c] = eventWindows(hours(48), H, events, 24 * H);
  assert.equal(a!.after.end, 14 * H);
  assert.equal(a!.after.limitedBy, "release");
  assert.deepEqual(b!.before.indices, [10, 11, 12, 13]);
  assert.equal(b!.before.start, 10 * H);
  assert.equal(b!.after.end, 30 * H);
  assert.equal(c!.before.start, 14 * H);
  assert.equal(c!.after.limitedBy, "series");
  for (const w of [a!, b!, c!]) {
    for (const i of [...w.before.indices, ...w.after.indices]) {
      assert.ok(!events.some((e) => e > i * H && e < (i + 1) * H), "no bucket straddles a release");
    }
  }
});

test("releases at the same instant do not cut each other", () => {
  const [a, b] = eventWindows(hours(48), H, [24 * H, 24 * H], 4 * H);
  assert.deepEqual(a, b);
  assert.equal(a!.before.indices.length, 4);
});

test("a series that does not cover the window says so", () => {
  const [w] = eventWindows(hours(10), H, [2 * H], 24 * H);
  assert.deepEqual(w!.before.indices, [0, 1]);
  assert.equal(w!.before.limitedBy, "series");
  const [outside] = eventWindows(hours(10), H, [-5 * H], 24 * H);
  assert.deepEqual(outside!.before.indices, []);
});

test("bucketWidth infers the step, accepts gaps and refuses disorder or an uneven grid", () => {
  assert.equal(bucketWidth("f", [0, H, 2 * H, 5 * H], undefined), H);
  assert.equal(bucketWidth("f", [0], undefined), undefined);
  assert.equal(bucketWidth("f", [0], H), H);
  assert.throws(() => bucketWidth("f", [0, 2 * H, H], undefined), /f: 'series.points' must be sorted by t/);
  assert.throws(() => bucketWidth("f", [0, 2 * H, 3.5 * H], undefined), /evenly spaced/);
  assert.throws(() => bucketWidth("f", [0, NaN], undefined), /points\[1\].t/);
  assert.throws(() => bucketWidth("f", [0, H], -1), /'bucketMs'/);
});
