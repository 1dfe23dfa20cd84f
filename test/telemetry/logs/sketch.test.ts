import assert from "node:assert/strict";
import { test } from "node:test";
import { seededUniform } from "../../../src/core/stats/random";
import { binsFromSketches, bucketOf, LogSketch, lowerBound, RawValues, SKETCH_BUCKETS, upperBound } from "../../../src/telemetry/logs/sketch";

test("every value lies in its bucket, (lower, upper], and buckets ascend with values", () => {
  const random = seededUniform(3);
  const values = [0, 1, -1, 2, -2, 0.5, 1e-12, -1e-12, 1e-9, 1e15, 2e15, -3e20, 1.7e12, 72, 73, 1e300, -1e300];
  for (let i = 0; i < 20000; i++) values.push((random() - 0.5) * 10 ** Math.floor(random() * 30 - 12));
  // Bucket bounds and their neighbouring floats, where a rounded logarithm would put a value one off.
  for (let o = 0; o < SKETCH_BUCKETS - 1; o += 7) {
    const b = upperBound(o);
    values.push(b, b * (1 + Number.EPSILON), b * (1 - Number.EPSILON));
  }
  // The edges of the slices bucketOf's table is indexed by (2^e times 1 + j/64), where a value's
  // bucket is the slice's or the next, and the magnitudes just inside and outside the table.
  for (let e = -33; e <= 53; e++) {
    for (let j = 0; j < 64; j += 3) {
      const edge = 2 ** e * (1 + j / 64);
      for (const v of [edge, edge * (1 - Number.EPSILON), edge * (1 + Number.EPSILON)]) values.push(v, -v);
    }
  }
  // Subnormal and extreme magnitudes land in the clamped buckets.
  values.push(5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** -1022, 1 - Number.EPSILON / 2);
  for (const v of values) {
    const o = bucketOf(v);
    assert.ok(o >= 0 && o < SKETCH_BUCKETS, `${v}: ordinal ${o}`);
    assert.ok(lowerBound(o) < v && v <= upperBound(o), `${v} not in (${lowerBound(o)}, ${upperBound(o)}]`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) assert.ok(bucketOf(sorted[i - 1]!) <= bucketOf(sorted[i]!));
});

test("buckets are within 1% relative width between 1e-9 and 1e15", () => {
  for (const v of [1e-8, 0.003, 1, 42, 1e6, 1e14]) {
    for (const x of [v, -v]) {
      const o = bucketOf(x);
      const width = Math.abs(upperBound(o) - lowerBound(o)) / Math.abs(x);
      assert.ok(width < 0.021, `${x}: width ${width}`);
    }
  }
});

/** Counts per bin by brute force: bin i holds (edges[i], edges[i + 1]]. */
function countIn(edges: readonly number[], values: readonly number[]): number[] {
  return edges.slice(1).map((hi, i) => values.filter((v) => v > edges[i]! && v <= hi).length);
}

test("bins from two sketches count exactly what their edges say, with edges at baseline deciles", () => {
  const random = seededUniform(11);
  const base = Array.from({ length: 5000 }, () => Math.round(100 * random() ** 2) / 10);
  const cur = Array.from({ length: 3000 }, () => Math.round(120 * random()) / 10 - 1);
  const b = new LogSketch();
  const c = new LogSketch();
  base.forEach((v) => b.add(v));
  cur.forEach((v) => c.add(v));
  const bins = binsFromSketches(b, c, 10);
  assert.equal(bins.edges.length, bins.baseline.length + 1);
  assert.deepEqual(bins.baseline, countIn(bins.edges, base));
  assert.deepEqual(bins.current, countIn(bins.edges, cur));
  assert.equal(bins.baseline.reduce((s, x) => s + x, 0), 5000);
  assert.equal(bins.current.reduce((s, x) => s + x, 0), 3000);
  // Each baseline bin holds about a tenth (ties and the 1% buckets allow some slack).
  for (const n of bins.baseline) assert.ok(n > 300 && n < 800, `bin of ${n}`);
  for (let i = 1; i < bins.edges.length; i++) assert.ok(bins.edges[i]! > bins.edges[i - 1]!);
});

test("ties fold bins together, and an empty baseline gives one bin", () => {
  const b = new LogSketch();
  const c = new LogSketch();
  for (let i = 0; i < 900; i++) b.add(i % 3);
  c.add(5);
  const bins = binsFromSketches(b, c, 10);
  assert.deepEqual(bins.baseline, [300, 300, 300]);
  assert.deepEqual(bins.current, [0, 0, 1]); // 5 joins the last bin: no bin without baseline values
  const empty = binsFromSketches(new LogSketch(), c, 10);
  assert.deepEqual(empty.baseline, [0]);
  assert.deepEqual(empty.current, [1]);
  assert.deepEqual(binsFromSketches(new LogSketch(), new LogSketch(), 10), { edges: [], baseline: [], current: [] });
});

test("raw values are kept in order up to the cap; past it they are only counted, and no longer complete", () => {
  const r = new RawValues(100);
  for (let i = 0; i < 100; i++) r.add(i);
  assert.ok(r.complete);
  assert.deepEqual(Array.from(r.kept()), Array.from({ length: 100 }, (_, i) => i));
  for (let i = 100; i < 100000; i++) r.add(i);
  assert.equal(r.length, 100);
  assert.equal(r.seen, 100000);
  assert.equal(r.complete, false);
  assert.deepEqual(Array.from(r.kept()), Array.from({ length: 100 }, (_, i) => i));
});
