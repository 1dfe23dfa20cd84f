/**
 * Property tests of the statistics core and the A/B analysis: invariants that must hold for any
 * input, checked on generated data with fast-check. Every property runs with a fixed seed, so a
 * failure reproduces; fast-check prints the shrunk counterexample and the seed and path to replay it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { analyzeAb, type AbOptions } from "../../../src/core/ab/analyzeAb";
import type { AbArmInput } from "../../../src/core/ab/armStats";
import type { AbComparison } from "../../../src/core/results/ab";
import { benjaminiHochberg, holm } from "../../../src/core/stats/adjust";
import { chiSquareGoodnessOfFit } from "../../../src/core/stats/chiSquareGoodnessOfFit";
import { normalQuantile } from "../../../src/core/stats/distributions";
import { ksTwoSample } from "../../../src/core/stats/ksTwoSample";
import { mannWhitneyU } from "../../../src/core/stats/mannWhitneyU";
import { pairedTTest } from "../../../src/core/stats/pairedTTest";
import { seededUniform } from "../../../src/core/stats/random";
import { meansSampleSize, proportionsSampleSize } from "../../../src/core/stats/power";
import { alwaysValidInterval, sequenceMultiplier } from "../../../src/core/stats/sequential";
import { studentTTest } from "../../../src/core/stats/studentTTest";
import type { TTestResult } from "../../../src/core/stats/tTest";
import { twoProportionTest } from "../../../src/core/stats/twoProportionTest";
import { welchTTest } from "../../../src/core/stats/welchTTest";

const SEED = 42;
const RUNS = 200;
const params = { seed: SEED, numRuns: RUNS };

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** A finite double in a sane range; fast-check also favors 0, -0, tiny and extreme values. */
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
/** Mostly doubles, with small integers mixed in so that ties and constant samples occur. */
const value = fc.oneof(finite, fc.integer({ min: -3, max: 3 }));
const sample = fc.array(value, { minLength: 2, maxLength: 60 });
/** Two samples of the same length, for the paired test. */
const pairedSamples = fc
  .integer({ min: 2, max: 60 })
  .chain((n) => fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n })));
/** Trials from 1 (often small), successes from 0 to trials. */
const trials = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1_000_000 }));
const counts = trials.chain((n) => fc.integer({ min: 0, max: n }).map((s) => ({ successes: s, trials: n })));
/** An arm of an A/B test that may have no units at all. */
const proportionArm = fc
  .oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1_000_000 }))
  .chain((n) => fc.integer({ min: 0, max: n }).map((s) => ({ successes: s, trials: n })));
/** A mean arm from a count, a mean and a standard deviation, reduced to its sufficient statistics. */
const meanArmFrom = (mean: fc.Arbitrary<number>, sd: fc.Arbitrary<number>) =>
  fc
    .record({ n: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 1_000_000 })), mean, sd })
    .map(({ n, mean, sd }) => ({ n, sum: n * mean, sumSquares: Math.max(0, n - 1) * sd * sd + n * mean * mean }));
const logUniform = (lo: number, hi: number) => fc.double({ min: Math.log10(lo), max: Math.log10(hi), noNaN: true }).map((e) => 10 ** e);
const signed = (magnitude: fc.Arbitrary<number>) => fc.tuple(fc.boolean(), magnitude).map(([neg, m]) => (neg ? -m : m));
/** Everyday metric data: means 0 or 1e-3 to 1e6 in size, and some spread in every arm. */
const ordinaryMeanArm = meanArmFrom(fc.oneof(fc.constant(0), signed(logUniform(1e-3, 1e6))), logUniform(1e-3, 1e6));
/** Any finite mean and spread, constant arms (sd 0) and values down to the smallest doubles included. */
const anyMeanArm = meanArmFrom(finite, fc.double({ min: 0, max: 1e6, noNaN: true }));
const named = <T extends object>(arms: T[]): (T & { name: string })[] => arms.map((a, i) => ({ ...a, name: `arm${i}` }));
const abArmsOf = (meanArm: fc.Arbitrary<{ n: number; sum: number; sumSquares: number }>): fc.Arbitrary<AbArmInput[]> =>
  fc.oneof(fc.array(proportionArm, { minLength: 2, maxLength: 4 }).map(named), fc.array(meanArm, { minLength: 2, maxLength: 4 }).map(named));
const confidence = fc.oneof(fc.constant(0.95), fc.double({ min: 0.5, max: 0.999, noNaN: true }));

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * Runs `run`; if it throws, the error must be one of the refusals the function documents for
 * degenerate data (`refusal`), under the function's own name. Returns undefined then.
 */
function unlessRefused<T>(fn: string, refusal: RegExp, run: () => T): T | undefined {
  try {
    return run();
  } catch (e) {
    assert.ok(e instanceof Error, `${fn} threw a non-Error: ${String(e)}`);
    assert.ok(e.message.startsWith(`${fn}: `), `the error does not name ${fn}: ${e.message}`);
    assert.match(e.message, refusal);
    return undefined;
  }
}
const CONSTANT = /essentially constant/;
const ALL_TIED = /every value is tied/;

function assertProbability(what: string, p: number): void {
  assert.ok(p >= 0 && p <= 1, `${what}: p-value ${p} is not in [0, 1]`);
}

/** |a - b| <= rel * max(|a|, |b|) + abs. */
function assertClose(what: string, a: number, b: number, rel = 1e-12, abs = 0): void {
  const ok = a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
  assert.ok(ok, `${what}: ${a} vs ${b}`);
}

function assertContains(what: string, ci: readonly [number, number], estimate: number): void {
  assert.ok(ci[0] <= estimate && estimate <= ci[1], `${what}: [${ci[0]}, ${ci[1]}] does not contain ${estimate}`);
}

const tTests = [
  { name: "welchTTest", run: welchTTest, sample },
  { name: "studentTTest", run: studentTTest, sample },
] as const;

// ---------------------------------------------------------------------------------------------
// p-values are probabilities
// ---------------------------------------------------------------------------------------------

test("every p-value is in [0, 1]", () => {
  for (const { name, run, sample } of tTests) {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const r = unlessRefused(name, CONSTANT, () => run(x, y));
        if (r) assertProbability(name, r.pValue);
      }),
      params,
    );
  }
  fc.assert(
    fc.property(pairedSamples, ([x, y]) => {
      const r = unlessRefused("pairedTTest", CONSTANT, () => pairedTTest(x, y));
      if (r) assertProbability("pairedTTest", r.pValue);
    }),
    params,
  );
  fc.assert(
    fc.property(sample, sample, (x, y) => {
      const r = unlessRefused("mannWhitneyU", ALL_TIED, () => mannWhitneyU(x, y));
      if (r) assertProbability("mannWhitneyU", r.pValue);
    }),
    params,
  );
  // Small samples take the exact distribution (nx * ny < 10,000), larger ones Kolmogorov's limit.
  const largeSample = fc.array(value, { minLength: 101, maxLength: 200 });
  for (const [xs, ys] of [[sample, sample], [largeSample, largeSample]] as const) {
    fc.assert(
      fc.property(xs, ys, (x, y) => assertProbability("ksTwoSample", ksTwoSample(x, y).pValue)),
      params,
    );
  }
  fc.assert(
    fc.property(counts, counts, (a, b) => {
      const r = unlessRefused("twoProportionTest", /every trial (failed|succeeded) in both arms/, () =>
        twoProportionTest([a.successes, b.successes], [a.trials, b.trials]),
      );
      if (r) assertProbability("twoProportionTest", r.pValue);
    }),
    params,
  );
  const categories = fc.integer({ min: 2, max: 10 }).chain((k) =>
    fc.tuple(
      fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1_000_000 })), { minLength: k, maxLength: k }),
      fc.array(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), { minLength: k, maxLength: k }),
    ),
  );
  fc.assert(
    fc.property(categories, ([observed, expected]) => {
      const r = unlessRefused("chiSquareGoodnessOfFit", /'observed' sums to 0/, () => chiSquareGoodnessOfFit(observed, expected));
      if (r) assertProbability("chiSquareGoodnessOfFit", r.pValue);
    }),
    params,
  );
});

// ---------------------------------------------------------------------------------------------
// Intervals contain their estimates
// ---------------------------------------------------------------------------------------------

test("every interval of the tests contains its estimate", () => {
  for (const { name, run, sample } of tTests) {
    fc.assert(
      fc.property(sample, sample, confidence, (x, y, c) => {
        const r = unlessRefused(name, CONSTANT, () => run(x, y, { confidence: c }));
        if (r) assertContains(name, r.ci, r.estimate);
      }),
      params,
    );
  }
  fc.assert(
    fc.property(pairedSamples, confidence, ([x, y], c) => {
      const r = unlessRefused("pairedTTest", CONSTANT, () => pairedTTest(x, y, { confidence: c }));
      if (r) assertContains("pairedTTest", r.ci, r.estimate);
    }),
    params,
  );
  fc.assert(
    fc.property(counts, counts, confidence, (a, b, c) => {
      const r = unlessRefused("twoProportionTest", /every trial (failed|succeeded) in both arms/, () =>
        twoProportionTest([a.successes, b.successes], [a.trials, b.trials], { confidence: c }),
      );
      if (r) assertContains("twoProportionTest", r.ci, r.estimate);
    }),
    params,
  );
});

function assertAbIntervals(arms: readonly AbArmInput[], options: AbOptions): void {
  const result = analyzeAb(arms, options);
  for (const arm of result.arms) {
    if (arm.status === "ok") assertContains(`arm ${arm.name}`, arm.ci, arm.estimate);
  }
  for (const cmp of result.comparisons) {
    if (cmp.status !== "ok") continue;
    assertContains(`${cmp.arm} absolute.ci`, cmp.absolute.ci, cmp.absolute.estimate);
    assertContains(`${cmp.arm} absolute.alwaysValidCi`, cmp.absolute.alwaysValidCi, cmp.absolute.estimate);
    if (cmp.relative.status === "ok") assertContains(`${cmp.arm} relative.ci`, cmp.relative.ci, cmp.relative.estimate);
  }
}

const abOptions = fc
  .record({ confidence, plannedN: fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: undefined }) })
  .map(({ confidence: c, plannedN }): AbOptions => ({ confidence: c, ...(plannedN === undefined ? {} : { plannedN }) }));

test("every interval of analyzeAb contains its estimate", () => {
  fc.assert(fc.property(abArmsOf(ordinaryMeanArm), abOptions, assertAbIntervals), params);
});

test(
  "welchTTest gives a p-value or its own refusal at any size of data",
  () => {
    // Shrunk counterexamples of a fixed bug: (vx + vy)^2 underflowed, so df was 0/0. R's t.test
    // gives df = NaN, p = NaN for the first, without an error.
    for (const [x, y] of [
      [[0, 0], [3.1434555694052576e-162, 0]],
      [[1e-125, -1e-125], [0, 0]],
    ]) {
      const r = unlessRefused("welchTTest", CONSTANT, () => welchTTest(x!, y!));
      if (r) assertProbability("welchTTest", r.pValue);
    }
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const r = unlessRefused("welchTTest", CONSTANT, () => welchTTest(x, y));
        if (r) assertProbability("welchTTest", r.pValue);
      }),
      { seed: 7, numRuns: 3000 },
    );
  },
);

/*
 * The same property over any finite data: regression cases for three fixed bugs.
 * The pinned cases for bugs 1 and 3 are the counterexamples fast-check found (seed 42 as here,
 * and seed 1 with 2000 runs); for bug 2 it found one with values near 1e-80 (seed 4), and the case
 * below is a plainer one of the same kind. The property itself follows them.
 */
test(
  "every interval of analyzeAb contains its estimate, for constant arms and tiny magnitudes too",
  () => {
    const pinned: AbArmInput[][] = [
      // Bug 1: (vx + vy)^2 underflows to 0 in welchFromMoments, so df = 0/0. welchTTest([1e-125, -1e-125], [0, 0])
      // fails the same way; R's t.test returns df = NaN and p = NaN there. df = 1 / ((vx/se2)^2/(nx-1) + (vy/se2)^2/(ny-1)) is safe.
      [
        { name: "arm0", n: 2, sum: 0, sumSquares: 0 },
        { name: "arm1", n: 0, sum: 0, sumSquares: 0 },
        { name: "arm2", n: 44714, sum: -3.337078751909589e-114, sumSquares: 2.490516302823827e-232 },
      ],
      // Bug 2: both arms constant (5 and 1e-7, summed as a pipeline would, leaving a variance of rounding
      // residue): compare() only checks se > 0, then welchFromMoments throws "essentially constant".
      [
        { name: "base", n: 10, sum: 50, sumSquares: 250 },
        { name: "t", n: 13, sum: 0.0000012999999999999998, sumSquares: 1.2999999999999998e-13 },
      ],
      // Bug 3: baseline mean 5e-324, so base.mean ** 2 is 0 and relativeLift's se is 0/0: ci [NaN, NaN].
      [
        { name: "arm0", n: 2, sum: -1e-323, sumSquares: 3.143455569405258e-162 },
        { name: "arm1", n: 2, sum: 0, sumSquares: 0 },
      ],
    ];
    const failures: string[] = [];
    const check = (what: string, run: () => void) => {
      try {
        run();
      } catch (e) {
        failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    pinned.forEach((arms, i) => check(`bug ${i + 1}`, () => assertAbIntervals(arms, {})));
    check("property", () => fc.assert(fc.property(abArmsOf(anyMeanArm), abOptions, assertAbIntervals), params));
    assert.deepEqual(failures, []);
  },
);

// ---------------------------------------------------------------------------------------------
// Swapping the samples mirrors the result
// ---------------------------------------------------------------------------------------------

function assertMirrored(name: string, a: TTestResult, b: TTestResult): void {
  assertClose(`${name} statistic`, b.statistic, -a.statistic);
  assertClose(`${name} estimate`, b.estimate, -a.estimate);
  assertClose(`${name} ci lower`, b.ci[0], -a.ci[1]);
  assertClose(`${name} ci upper`, b.ci[1], -a.ci[0]);
  assertClose(`${name} p-value`, b.pValue, a.pValue);
  assertClose(`${name} df`, b.df, a.df);
}

test("swapping the samples mirrors every two-sample test", () => {
  for (const { name, run, sample } of tTests) {
    fc.assert(
      fc.property(sample, sample, (x, y) => {
        const a = unlessRefused(name, CONSTANT, () => run(x, y));
        if (a) assertMirrored(name, a, run(y, x));
      }),
      params,
    );
  }
  fc.assert(
    fc.property(pairedSamples, ([x, y]) => {
      const a = unlessRefused("pairedTTest", CONSTANT, () => pairedTTest(x, y));
      if (a) assertMirrored("pairedTTest", a, pairedTTest(y, x));
    }),
    params,
  );
  fc.assert(
    fc.property(sample, sample, (x, y) => {
      const a = unlessRefused("mannWhitneyU", ALL_TIED, () => mannWhitneyU(x, y));
      if (!a) return;
      const b = mannWhitneyU(y, x);
      assert.equal(b.statistic, x.length * y.length - a.statistic, "mannWhitneyU statistic");
      assertClose("mannWhitneyU p-value", b.pValue, a.pValue);
    }),
    params,
  );
  fc.assert(
    fc.property(sample, sample, (x, y) => {
      const a = ksTwoSample(x, y);
      const b = ksTwoSample(y, x);
      assert.equal(b.statistic, a.statistic, "ksTwoSample statistic");
      // The path counts with ties add up in another order, and p = 1 - P(D < d) loses the last bits near 0.
      assertClose("ksTwoSample p-value", b.pValue, a.pValue, 1e-12, 1e-14);
    }),
    params,
  );
  fc.assert(
    fc.property(counts, counts, (a, b) => {
      const ab = unlessRefused("twoProportionTest", /every trial (failed|succeeded) in both arms/, () =>
        twoProportionTest([a.successes, b.successes], [a.trials, b.trials]),
      );
      if (!ab) return;
      const ba = twoProportionTest([b.successes, a.successes], [b.trials, a.trials]);
      assertClose("twoProportionTest statistic", ba.statistic, ab.statistic);
      assertClose("twoProportionTest p-value", ba.pValue, ab.pValue);
      assertClose("twoProportionTest estimate", ba.estimate, -ab.estimate);
      assertClose("twoProportionTest ci lower", ba.ci[0], -ab.ci[1]);
      assertClose("twoProportionTest ci upper", ba.ci[1], -ab.ci[0]);
    }),
    params,
  );
});

test("swapping the two arms of a proportion A/B test mirrors the comparison", () => {
  const okComparison = (c: AbComparison | undefined) => (c?.status === "ok" ? c : undefined);
  fc.assert(
    fc.property(proportionArm, proportionArm, (a, b) => {
      const forward = okComparison(analyzeAb([{ name: "a", ...a }, { name: "b", ...b }]).comparisons[0]);
      const backward = okComparison(analyzeAb([{ name: "b", ...b }, { name: "a", ...a }]).comparisons[0]);
      assert.equal(backward === undefined, forward === undefined, "one direction is ok, the other not");
      if (!forward || !backward) return;
      assertClose("absolute difference", backward.absolute.estimate, -forward.absolute.estimate);
      assertClose("p-value", backward.pValue, forward.pValue);
      assertClose("chanceToBeatBaseline", backward.chanceToBeatBaseline, 1 - forward.chanceToBeatBaseline, 0, 1e-12);
    }),
    params,
  );
});

// ---------------------------------------------------------------------------------------------
// The always-valid interval
// ---------------------------------------------------------------------------------------------

test("the always-valid interval is at least as wide as the fixed-n normal interval", () => {
  const settings = fc.record({
    n: logUniform(10, 1e7),
    alpha: fc.oneof(fc.constant(0.05), fc.double({ min: 1e-4, max: 0.5, noNaN: true })),
    plannedN: fc.option(logUniform(10, 1e7), { nil: undefined }),
  });
  fc.assert(
    fc.property(settings, finite, fc.double({ min: 0, max: 1e6, noNaN: true }), ({ n, alpha, plannedN }, estimate, se) => {
      const s = { n, alpha, ...(plannedN === undefined ? {} : { plannedN }) };
      const z = normalQuantile(1 - alpha / 2);
      const m = sequenceMultiplier(s);
      assert.ok(m > z, `multiplier ${m} <= z ${z} at ${JSON.stringify(s)}`);
      const [lo, hi] = alwaysValidInterval(estimate, se, s);
      assert.ok(lo <= estimate - z * se && hi >= estimate + z * se, `[${lo}, ${hi}] narrower than ${estimate} ± ${z} * ${se}`);
    }),
    params,
  );
  // And on a grid of n, planned at n or at a fixed 1e4.
  for (let n = 10; n <= 1e7; n *= 10) {
    for (const alpha of [0.001, 0.01, 0.05, 0.1, 0.2]) {
      const z = normalQuantile(1 - alpha / 2);
      assert.ok(sequenceMultiplier({ n, alpha }) > z, `n = ${n}, alpha = ${alpha}`);
      assert.ok(sequenceMultiplier({ n, alpha, plannedN: 1e4 }) > z, `n = ${n}, alpha = ${alpha}, plannedN = 1e4`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Sample sizes
// ---------------------------------------------------------------------------------------------

test("proportionsSampleSize falls as |p2 - p1| grows and rises with power", () => {
  // p2 = p1 + direction * f * room, f1 < f2 apart by at least 0.1 % (closer, rounding decides), so
  // p2 moves away from p1 and stays in (0, 1).
  const p1 = fc.double({ min: 0.001, max: 0.999, noNaN: true });
  const fractions = fc
    .tuple(fc.double({ min: 0.001, max: 0.99, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }))
    .map(([f1, t]) => [f1, f1 + (0.999 - f1) * t] as const);
  fc.assert(
    fc.property(p1, fc.boolean(), fractions, (base, up, [f1, f2]) => {
      const room = up ? 1 - base : base;
      const at = (f: number) => base + (up ? 1 : -1) * f * room;
      const near = proportionsSampleSize({ p1: base, p2: at(f1) }).n;
      const far = proportionsSampleSize({ p1: base, p2: at(f2) }).n;
      assert.ok(far <= near, `p1 = ${base}: n = ${far} at p2 = ${at(f2)} but ${near} at p2 = ${at(f1)}`);
    }),
    params,
  );
  const step = fc.double({ min: 0.001, max: 0.5, noNaN: true });
  fc.assert(
    fc.property(p1, p1, fc.double({ min: 0.05, max: 0.98, noNaN: true }), step, (a, b, lowPower, up) => {
      fc.pre(Math.abs(a - b) >= 1e-4);
      const highPower = Math.min(0.99, lowPower + up);
      const low = proportionsSampleSize({ p1: a, p2: b, power: lowPower }).n;
      const high = proportionsSampleSize({ p1: a, p2: b, power: highPower }).n;
      assert.ok(low <= high, `p1 = ${a}, p2 = ${b}: n = ${low} at power ${lowPower} but ${high} at ${highPower}`);
    }),
    params,
  );
});

test("meansSampleSize falls as |delta| / sd grows and rises with power", () => {
  // Each call bisects to machine precision, so fewer runs; effects differ by at least 1 %.
  const few = { seed: SEED, numRuns: 40 };
  const effect = logUniform(0.05, 5);
  const sd = logUniform(1e-3, 1e3);
  fc.assert(
    fc.property(effect, fc.double({ min: 0.01, max: 2, noNaN: true }), sd, fc.boolean(), (small, grow, s, negative) => {
      const sign = negative ? -1 : 1;
      const large = small * (1 + grow);
      const nSmall = meansSampleSize({ delta: sign * small * s, sd: s }).n;
      const nLarge = meansSampleSize({ delta: sign * large * s, sd: s }).n;
      assert.ok(nLarge <= nSmall, `sd = ${s}: n = ${nLarge} at delta/sd = ${large} but ${nSmall} at ${small}`);
    }),
    few,
  );
  fc.assert(
    fc.property(effect, sd, fc.double({ min: 0.05, max: 0.98, noNaN: true }), fc.double({ min: 0.001, max: 0.01, noNaN: true }), (e, s, lowPower, step) => {
      const highPower = lowPower + step;
      const low = meansSampleSize({ delta: e * s, sd: s, power: lowPower }).n;
      const high = meansSampleSize({ delta: e * s, sd: s, power: highPower }).n;
      assert.ok(low <= high, `delta/sd = ${e}: n = ${low} at power ${lowPower} but ${high} at ${highPower}`);
    }),
    few,
  );
});

// ---------------------------------------------------------------------------------------------
// Multiple-comparison adjustments
// ---------------------------------------------------------------------------------------------

test("Holm and Benjamini-Hochberg: raw <= BH <= Holm <= 1, monotone in the raw order", () => {
  const pValue = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.001, 0.01, 0.04, 0.05, 0.5, 1));
  fc.assert(
    fc.property(fc.array(pValue, { minLength: 1, maxLength: 30 }), (p) => {
      const h = holm(p);
      const bh = benjaminiHochberg(p);
      assert.equal(h.length, p.length);
      assert.equal(bh.length, p.length);
      p.forEach((raw, i) => {
        assert.ok(h[i]! >= raw && h[i]! <= 1, `holm[${i}] = ${h[i]} for raw ${raw}`);
        assert.ok(bh[i]! >= raw && bh[i]! <= 1, `bh[${i}] = ${bh[i]} for raw ${raw}`);
        assert.ok(bh[i]! <= h[i]!, `bh[${i}] = ${bh[i]} > holm ${h[i]}`);
        p.forEach((other, j) => {
          if (raw <= other) {
            assert.ok(h[i]! <= h[j]!, `holm not monotone: p[${i}] = ${raw} <= p[${j}] = ${other} but ${h[i]} > ${h[j]}`);
            assert.ok(bh[i]! <= bh[j]!, `bh not monotone: p[${i}] = ${raw} <= p[${j}] = ${other} but ${bh[i]} > ${bh[j]}`);
          }
        });
      });
    }),
    params,
  );
});

// ---------------------------------------------------------------------------------------------
// Monte Carlo: the promise of the always-valid interval
// ---------------------------------------------------------------------------------------------

/** Standard normal draws by Box-Muller, both of each pair used. */
function normalSource(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

test("Monte Carlo: peeking at the always-valid interval keeps false positives near alpha; the fixed-n one does not", () => {
  const EXPERIMENTS = 400;
  const UNITS = 2000;
  const PEEK_EVERY = 100;
  const ALPHA = 0.05;
  const normal = normalSource(seededUniform(20240611));
  let alwaysValidRejections = 0;
  let fixedRejections = 0;
  for (let e = 0; e < EXPERIMENTS; e++) {
    // A/A: both arms draw from N(0, 1); units alternate between the arms.
    const n = [0, 0];
    const sum = [0, 0];
    const sumSquares = [0, 0];
    let alwaysValidRejected = false;
    let fixedRejected = false;
    for (let unit = 1; unit <= UNITS; unit++) {
      const arm = unit % 2;
      const v = normal();
      n[arm]! += 1;
      sum[arm]! += v;
      sumSquares[arm]! += v * v;
      if (unit % PEEK_EVERY !== 0) continue;
      const result = analyzeAb(
        [0, 1].map((i) => ({ name: `arm${i}`, n: n[i]!, sum: sum[i]!, sumSquares: sumSquares[i]! })),
        // The mixture is tuned in advance for the planned size, as a confidence sequence requires.
        { confidence: 1 - ALPHA, plannedN: UNITS },
      );
      const cmp = result.comparisons[0];
      assert.ok(cmp?.status === "ok");
      const excludesZero = (ci: readonly [number, number]) => ci[0] > 0 || ci[1] < 0;
      alwaysValidRejected ||= excludesZero(cmp.absolute.alwaysValidCi);
      fixedRejected ||= excludesZero(cmp.absolute.ci);
    }
    if (alwaysValidRejected) alwaysValidRejections++;
    if (fixedRejected) fixedRejections++;
  }
  const limit = ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / EXPERIMENTS); // 0.0827
  const alwaysValidShare = alwaysValidRejections / EXPERIMENTS;
  const fixedShare = fixedRejections / EXPERIMENTS;
  assert.ok(alwaysValidShare <= limit, `always-valid interval excluded 0 in ${alwaysValidShare} of A/A experiments`);
  // Twenty looks at a 95% interval: roughly a quarter of A/A experiments "find" an effect.
  assert.ok(fixedShare > 0.1, `fixed-n interval excluded 0 in only ${fixedShare} of A/A experiments`);
});

test("Monte Carlo: the default planned size stays valid under frequent peeking", () => {
  // Regression: the planned size once defaulted to the current n, re-tuning the mixture at every
  // look; with a look every 4 units that erred in about 16% of A/A experiments.
  const EXPERIMENTS = 300;
  const UNITS = 20_000;
  const ALPHA = 0.05;
  const normal = normalSource(seededUniform(7));
  let rejections = 0;
  for (let e = 0; e < EXPERIMENTS; e++) {
    const sum = [0, 0];
    const sumSquares = [0, 0];
    for (let unit = 1; unit <= UNITS; unit++) {
      const arm = unit % 2;
      const v = normal();
      sum[arm]! += v;
      sumSquares[arm]! += v * v;
      if (unit % 4 !== 0) continue;
      // The difference of means and its standard error, as analyzeAb computes them, without the
      // rest of the document (this loop looks 1.5 million times).
      const half = unit / 2;
      const m0 = sum[0]! / half;
      const m1 = sum[1]! / half;
      const v0 = (sumSquares[0]! - sum[0]! * m0) / (half - 1);
      const v1 = (sumSquares[1]! - sum[1]! * m1) / (half - 1);
      const [lo, hi] = alwaysValidInterval(m1 - m0, Math.sqrt((v0 + v1) / half), { n: unit, alpha: ALPHA });
      if (lo > 0 || hi < 0) {
        rejections++;
        break;
      }
    }
  }
  const limit = ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / EXPERIMENTS);
  assert.ok(rejections / EXPERIMENTS <= limit, `excluded 0 in ${rejections} of ${EXPERIMENTS} A/A experiments`);
});
