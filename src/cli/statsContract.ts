/**
 * The JSON contract of `prodinsights stats <test>`: one object in, one object out. Scripts rely
 * on the exact field names, so each test maps its input fields to a core function and picks
 * exactly the documented output fields. A bad field is a UsageError that names it.
 */
import { analyzeAb, type AbOptions } from "../core/ab/analyzeAb";
import { jensenShannonDistance } from "../core/drift/jensenShannon";
import { populationStabilityIndex } from "../core/drift/psi";
import { wassersteinDistance } from "../core/drift/wasserstein";
import type { AbArmInput } from "../core/ab/armStats";
import { adjustPValues } from "../core/stats/adjust";
import { chiSquareGoodnessOfFit } from "../core/stats/chiSquareGoodnessOfFit";
import { ksTwoSample } from "../core/stats/ksTwoSample";
import { mannWhitneyU } from "../core/stats/mannWhitneyU";
import { pairedTTest } from "../core/stats/pairedTTest";
import { meansSampleSize, proportionsSampleSize } from "../core/stats/power";
import { alwaysValidInterval, DEFAULT_PLANNED_N, sequenceMultiplier } from "../core/stats/sequential";
import { studentTTest } from "../core/stats/studentTTest";
import type { TTestResult } from "../core/stats/tTest";
import { twoProportionTest } from "../core/stats/twoProportionTest";
import { welchTTest } from "../core/stats/welchTTest";
import { asUsageError, UsageError } from "./errors";

type Fields = Record<string, unknown>;

/** One test of the contract: what it reads, what it writes, and how it computes. */
interface StatsTest {
  readonly input: string;
  readonly output: string;
  readonly run: (input: Fields) => Record<string, unknown>;
}

function field(input: Fields, name: string): unknown {
  if (!(name in input)) throw new UsageError(`missing field '${name}'`);
  return input[name];
}

function num(input: Fields, name: string, fallback?: number): number {
  if (input[name] === undefined && fallback !== undefined) return fallback;
  const v = field(input, name);
  if (typeof v !== "number" || !Number.isFinite(v)) throw new UsageError(`field '${name}' must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function optionalNum(input: Fields, name: string): number | undefined {
  return input[name] === undefined ? undefined : num(input, name);
}

function numbers(input: Fields, name: string, length?: number): number[] {
  const v = field(input, name);
  if (!Array.isArray(v)) throw new UsageError(`field '${name}' must be an array of numbers, got ${JSON.stringify(v)?.slice(0, 40)}`);
  if (length !== undefined && v.length !== length) throw new UsageError(`field '${name}' must have ${length} numbers, got ${v.length}`);
  v.forEach((x: unknown, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new UsageError(`field '${name}[${i}]' must be a number, got ${JSON.stringify(x)}`);
  });
  return v as number[];
}

function pair(input: Fields, name: string): [number, number] {
  const [a, b] = numbers(input, name, 2);
  return [a!, b!];
}

const tTest =
  (fn: typeof welchTTest) =>
  (input: Fields): Record<string, unknown> => {
    const r: TTestResult = fn(numbers(input, "x"), numbers(input, "y"), { confidence: num(input, "confidence", 0.95) });
    return { statistic: r.statistic, df: r.df, pValue: r.pValue, ci: r.ci, estimate: r.estimate };
  };

const T_IN = "{x: number[], y: number[], confidence?: 0.95}";
const T_OUT = "{statistic, df, pValue, ci: [lo, hi], estimate}; two-sided; estimate = mean(x) - mean(y)";

export const STATS_TESTS: Readonly<Record<string, StatsTest>> = {
  welch: { input: T_IN, output: `${T_OUT} (R t.test)`, run: tTest(welchTTest) },
  student: { input: T_IN, output: `${T_OUT} (R t.test, var.equal=TRUE)`, run: tTest(studentTTest) },
  paired: { input: T_IN, output: "as welch; estimate = mean(x - y) (R t.test, paired=TRUE)", run: tTest(pairedTTest) },
  mannwhitney: {
    input: "{x: number[], y: number[]}",
    output: "{statistic, pValue}; statistic is W (R wilcox.test, exact=FALSE, correct=TRUE)",
    run: (input) => {
      const r = mannWhitneyU(numbers(input, "x"), numbers(input, "y"));
      return { statistic: r.statistic, pValue: r.pValue };
    },
  },
  ks: {
    input: "{x: number[], y: number[]}",
    output: "{statistic, pValue} (R ks.test: exact when nx*ny < 10000)",
    run: (input) => {
      const r = ksTwoSample(numbers(input, "x"), numbers(input, "y"));
      return { statistic: r.statistic, pValue: r.pValue };
    },
  },
  proportions: {
    input: "{successes: [a, b], trials: [n1, n2], confidence?: 0.95}",
    output: "{statistic, pValue, ci}; statistic is X-squared, ci is for p1 - p2 (R prop.test, correct=FALSE)",
    run: (input) => {
      const r = twoProportionTest(pair(input, "successes"), pair(input, "trials"), { confidence: num(input, "confidence", 0.95) });
      return { statistic: r.statistic, pValue: r.pValue, ci: r.ci };
    },
  },
  chisq: {
    input: "{observed: number[], expected: number[]} (expected as proportions or counts)",
    output: "{statistic, df, pValue} (R chisq.test(observed, p = expected / sum(expected)))",
    run: (input) => {
      const r = chiSquareGoodnessOfFit(numbers(input, "observed"), numbers(input, "expected"));
      return { statistic: r.statistic, df: r.df, pValue: r.pValue };
    },
  },
  power: {
    input: '{kind: "proportions", p1, p2, alpha?: 0.05, power?: 0.8} or {kind: "means", delta, sd, alpha?, power?}',
    output: "{n}: per group, unrounded (R power.prop.test / power.t.test)",
    run: (input) => {
      const kind = field(input, "kind");
      const settings = { alpha: num(input, "alpha", 0.05), power: num(input, "power", 0.8) };
      if (kind === "proportions") return proportionsSampleSize({ p1: num(input, "p1"), p2: num(input, "p2"), ...settings });
      if (kind === "means") return meansSampleSize({ delta: num(input, "delta"), sd: num(input, "sd"), ...settings });
      throw new UsageError(`field 'kind' must be "proportions" or "means", got ${JSON.stringify(kind)}`);
    },
  },
  padjust: {
    input: '{p: number[], method: "holm" | "bh" | "none"}',
    output: "{adjusted} (R p.adjust, methods holm and BH)",
    run: (input) => {
      const method = field(input, "method");
      if (method !== "holm" && method !== "bh" && method !== "none") {
        throw new UsageError(`field 'method' must be "holm", "bh" or "none", got ${JSON.stringify(method)}`);
      }
      return { adjusted: adjustPValues(numbers(input, "p"), method) };
    },
  },
  sequential: {
    input: "{estimate, standardError, n, alpha?: 0.05, plannedN?: 10000}",
    output: "{ci, multiplier}: an always-valid interval (asymptotic confidence sequence)",
    run: (input) => {
      const settings = { n: num(input, "n"), alpha: num(input, "alpha", 0.05), plannedN: num(input, "plannedN", DEFAULT_PLANNED_N) };
      return {
        ci: alwaysValidInterval(num(input, "estimate"), num(input, "standardError"), settings),
        multiplier: sequenceMultiplier(settings),
      };
    },
  },
  psi: {
    input: "{expected: number[], actual: number[]} (bin counts, baseline first)",
    output: "{value}: the population stability index; empty bins floored at 0.0001 (Evidently)",
    run: (input) => ({ value: populationStabilityIndex(numbers(input, "expected"), numbers(input, "actual")) }),
  },
  jsdistance: {
    input: "{p: number[], q: number[]} (counts or proportions)",
    output: "{value}: Jensen-Shannon distance, natural log (scipy jensenshannon)",
    run: (input) => ({ value: jensenShannonDistance(numbers(input, "p"), numbers(input, "q")) }),
  },
  wasserstein: {
    input: "{x: number[], y: number[]} (x is the reference)",
    output: "{value, normed}: scipy wasserstein_distance, and value / population sd of x",
    run: (input) => {
      const r = wassersteinDistance(numbers(input, "x"), numbers(input, "y"));
      return { value: r.value, normed: r.normed };
    },
  },
  ab: {
    input: '{arms: [{name, successes, trials} | {name, n, sum, sumSquares}, ...], confidence?, correction?: "none"|"holm"|"bh", mde?, direction?, expectedSplit?}',
    output: "the ab result document (see docs/results.md)",
    run: (input) => {
      const arms = field(input, "arms");
      if (!Array.isArray(arms)) throw new UsageError(`field 'arms' must be an array of arms, got ${JSON.stringify(arms)}`);
      const correction = input["correction"];
      if (correction !== undefined && correction !== "none" && correction !== "holm" && correction !== "bh") {
        throw new UsageError(`field 'correction' must be "none", "holm" or "bh", got ${JSON.stringify(correction)}`);
      }
      const direction = input["direction"];
      if (direction !== undefined && direction !== "higher" && direction !== "lower") {
        throw new UsageError(`field 'direction' must be "higher" or "lower", got ${JSON.stringify(direction)}`);
      }
      const options: AbOptions = {
        confidence: num(input, "confidence", 0.95),
        ...(correction === undefined ? {} : { correction }),
        ...(direction === undefined ? {} : { direction }),
        ...(input["mde"] === undefined ? {} : { mde: num(input, "mde") }),
        ...(input["expectedSplit"] === undefined ? {} : { expectedSplit: numbers(input, "expectedSplit") }),
        ...(optionalNum(input, "plannedN") === undefined ? {} : { plannedN: num(input, "plannedN") }),
      };
      return { ...analyzeAb(arms as AbArmInput[], options) };
    },
  },
};

/** Runs one test of the contract on a parsed JSON input. */
export function runStats(test: string, input: unknown): Record<string, unknown> {
  const spec = STATS_TESTS[test];
  if (!spec) throw new UsageError(`unknown test '${test}'; choose one of ${Object.keys(STATS_TESTS).join(", ")}`);
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new UsageError(`the input must be one JSON object, got ${Array.isArray(input) ? "an array" : JSON.stringify(input)}`);
  }
  try {
    return spec.run(input as Fields);
  } catch (err) {
    throw asUsageError(err);
  }
}
