import assert from "node:assert/strict";
import { test } from "node:test";
import { binnedFromCumulative, binnedShape, binsFromEdges, bucketsFromCumulative, parseLe, sampleBins } from "../../../src/core/drift/buckets";

const sorted = (x: readonly number[]) => Float64Array.from(x).sort();

test("cumulative le buckets become plain bins, the +Inf bucket holding the rest", () => {
  const bins = bucketsFromCumulative([
    { le: "0.1", count: 2 },
    { le: "0.5", count: 7 },
    { le: "1", count: 9 },
    { le: "+Inf", count: 10 },
  ]);
  assert.deepEqual(bins, { edges: [-Infinity, 0.1, 0.5, 1, Infinity], counts: [2, 5, 2, 1] });
});

test("empty buckets become bins with count 0, and unsorted series are sorted by le", () => {
  const bins = bucketsFromCumulative([
    { le: "+Inf", count: 4 },
    { le: 2, count: 4 },
    { le: 1, count: 0 },
    { le: 1.5, count: 4 },
    { le: 0.5, count: 0 },
  ]);
  assert.deepEqual(bins.edges, [-Infinity, 0.5, 1, 1.5, 2, Infinity]);
  assert.deepEqual(bins.counts, [0, 0, 4, 0, 0]);
});

test("le labels: numbers, numeric text, and +Inf in its spellings", () => {
  assert.equal(parseLe("+Inf"), Infinity);
  assert.equal(parseLe("inf"), Infinity);
  assert.equal(parseLe("Inf"), Infinity);
  assert.equal(parseLe(Infinity), Infinity);
  assert.equal(parseLe("1e-3"), 0.001);
  assert.equal(parseLe(" 0.25 "), 0.25);
  assert.throws(() => parseLe("fast"), /^Error: parseLe: 'le' must be a number or "\+Inf", got "fast"/);
  assert.throws(() => parseLe(""), /parseLe/);
  assert.throws(() => parseLe(NaN), /parseLe: 'le' is NaN/);
});

test("a lower bound closes the first bucket (latencies start at 0)", () => {
  const bins = bucketsFromCumulative([{ le: 0.1, count: 3 }, { le: "+Inf", count: 5 }], { lowerBound: 0 });
  assert.deepEqual(bins.edges, [0, 0.1, Infinity]);
  assert.throws(() => bucketsFromCumulative([{ le: 0.1, count: 3 }, { le: "+Inf", count: 5 }], { lowerBound: 0.1 }), /bucketsFromCumulative: 'lowerBound' must be a finite number below the smallest le/);
});

test("broken series throw: no +Inf bucket, a repeated le, a negative count", () => {
  assert.throws(() => bucketsFromCumulative([{ le: 1, count: 3 }]), /^Error: bucketsFromCumulative: 'buckets' needs the le="\+Inf" bucket/);
  assert.throws(() => bucketsFromCumulative([{ le: 1, count: 3 }, { le: "1", count: 3 }, { le: "+Inf", count: 3 }]), /two buckets with le = 1/);
  assert.throws(() => bucketsFromCumulative([{ le: 1, count: -1 }, { le: "+Inf", count: 3 }]), /'buckets\[0\].count' must be a finite count >= 0/);
});

test("a cumulative count that dips is raised to the one before it, as histogram_quantile does", () => {
  const bins = bucketsFromCumulative([{ le: 1, count: 10.2 }, { le: 2, count: 10.1 }, { le: "+Inf", count: 12 }]);
  assert.deepEqual(bins.counts.map((c) => Number(c.toFixed(10))), [10.2, 0, 1.8]);
});

test("two windows with different layouts share the le values they both have", () => {
  const data = binnedFromCumulative(
    [{ le: 0.1, count: 1 }, { le: 0.25, count: 3 }, { le: 0.5, count: 6 }, { le: "+Inf", count: 8 }],
    [{ le: 0.1, count: 2 }, { le: 0.5, count: 5 }, { le: 1, count: 9 }, { le: "+Inf", count: 10 }],
    { lowerBound: 0 },
  );
  assert.deepEqual(data, { kind: "binned", edges: [0, 0.1, 0.5, Infinity], baseline: [1, 5, 2], current: [2, 3, 5] });
});

test("edge checks for binned data", () => {
  assert.doesNotThrow(() => binnedShape("f", [-Infinity, 0, Infinity], 2));
  assert.throws(() => binnedShape("f", [0, 1], 2), /^Error: f: 'edges' must have one more entry than there are bins \(3\), got 2/);
  assert.throws(() => binnedShape("f", [0, Infinity, 2], 2), /f: 'edges\[1\]' must be finite/);
  assert.throws(() => binnedShape("f", [0, 1, 1], 2), /f: 'edges' must increase strictly/);
  assert.throws(() => binnedShape("f", [0, NaN, 1], 2), /'edges\[1\]'/);
});

test("open edges become missing bounds in the document", () => {
  assert.deepEqual(binsFromEdges([-Infinity, 0, 1, Infinity]), [{ upper: 0 }, { lower: 0, upper: 1 }, { lower: 1 }]);
});

test("raw samples share bins cut at baseline deciles; values beyond the baseline get bins of their own", () => {
  const base = sorted(Array.from({ length: 100 }, (_, i) => i + 1));
  const cur = sorted([-5, ...Array.from({ length: 98 }, (_, i) => i + 2), 150]);
  const h = sampleBins(base, cur, 10);
  assert.equal(h.bins[0]!.lower, -5);
  assert.equal(h.bins[h.bins.length - 1]!.upper, 150);
  assert.equal(h.bins.length, 12, "deciles plus one bin below and one above the baseline");
  // Type-1 deciles of 1..100 are 1, 10, 20, ..., 90, 100: every cut a baseline value.
  assert.deepEqual(h.baseline, [1, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0]);
  assert.deepEqual(h.bins.slice(1, 4), [{ lower: 1, upper: 10 }, { lower: 10, upper: 20 }, { lower: 20, upper: 30 }]);
  assert.equal(h.current.reduce((a, b) => a + b, 0), 100);
  assert.equal(h.current[h.current.length - 1], 1, "150 is alone above the baseline's maximum");
  assert.equal(h.current[0], 1, "-5 is alone below the baseline's minimum");
});

test("a spike at the minimum (zero-inflation) gets a bin of its own; ties never split", () => {
  const base = sorted([...new Array<number>(40).fill(0), ...Array.from({ length: 60 }, (_, i) => (i + 1) / 10)]);
  const cur = sorted([...new Array<number>(5).fill(0), ...Array.from({ length: 95 }, (_, i) => (i + 1) / 10)]);
  const h = sampleBins(base, cur, 10);
  assert.deepEqual(h.bins[0], { lower: 0, upper: 0 });
  assert.equal(h.baseline[0], 40);
  assert.equal(h.current[0], 5);
});

test("a small baseline leaves no bin inside its range without baseline values", () => {
  const h = sampleBins(sorted([0.3, 1.7, 2.2, 5.9, 8.1]), sorted([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 10);
  const inside = h.bins.map((b, i) => i).filter((i) => h.bins[i]!.upper! <= 8.1 && h.bins[i]!.lower! >= 0.3);
  for (const i of inside) assert.ok(h.baseline[i]! > 0, `bin ${i} ${JSON.stringify(h.bins[i])}`);
  assert.equal(h.baseline.reduce((a, b) => a + b, 0), 5);
});

test("a baseline constant at the pooled maximum falls back to pooled quantiles", () => {
  const h = sampleBins(sorted([9, 9, 9, 9]), sorted([1, 2, 3, 4, 5, 6, 7, 8]), 4);
  assert.ok(h.bins.length >= 2);
  assert.equal(h.baseline[h.baseline.length - 1], 4);
  assert.equal(h.current.reduce((a, b) => a + b, 0), 8);
});
