/**
 * One metric at one check: the candidate against the baseline (the stable version) over the
 * step's window. It fails only when it is significantly worse by more than the tolerance; it is
 * inconclusive when either side has fewer units than the minimum, so that no data never passes.
 */
import type { CanaryMetricCheck } from "../results/canary";
import { mannWhitneyBinned } from "../jumps/mannWhitneyBinned";
import { twoProportionTest } from "../stats/twoProportionTest";
import { percent, pIs, points } from "../format";
import type { CanaryMeasurement, CanaryMetricRule, ResolvedPolicy } from "./policy";

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);


/** Which side has the fewest units: "the baseline side", "the candidate side" or "each side". */
const side = ([b, c]: readonly [number, number]): string => (b === c ? "each side" : b < c ? "the baseline side" : "the candidate side");

function inconclusive(metric: string, n: readonly [number, number], reason: string): CanaryMetricCheck {
  return { metric, verdict: "inconclusive", n, reason };
}

export function judgeMetric(rule: CanaryMetricRule, measurement: CanaryMeasurement | undefined, policy: ResolvedPolicy): CanaryMetricCheck {
  const { name } = rule;
  if (!measurement) return inconclusive(name, [0, 0], `${name}: no measurement`);
  if (measurement.kind !== rule.kind) throw new Error(`canary: metric '${name}' is a ${rule.kind} metric but its measurement is a ${measurement.kind}`);
  const alpha = 1 - policy.confidence;
  const tolerance = rule.tolerance ?? 0;
  // Positive `worse` means the candidate is worse than the baseline.
  const sign = rule.direction === "lower" ? 1 : -1;

  if (measurement.kind === "proportion") {
    const { baseline: b, candidate: c } = measurement;
    const n: [number, number] = [b.trials, c.trials];
    if (Math.min(...n) < policy.minSample) return inconclusive(name, n, `${name}: ${Math.min(...n)} units on ${side(n)}, fewer than the ${policy.minSample} needed`);
    const pb = b.successes / b.trials;
    const pc = c.successes / c.trials;
    const difference = pc - pb;
    const pooled = (b.successes + c.successes) / (b.trials + c.trials);
    // All successes or none on both sides: nothing differs, and the test is undefined.
    const pValue = pooled === 0 || pooled === 1 ? 1 : twoProportionTest([c.successes, b.successes], [c.trials, b.trials]).pValue;
    const worse = sign * difference;
    const fails = pValue < alpha && worse > tolerance;
    const how = fails ? `worse beyond the ${points(tolerance).replace("+", "")} allowed` : worse > 0 && pValue < alpha ? "worse, within the tolerance" : pValue < alpha ? "better" : "no significant difference";
    return { metric: name, verdict: fails ? "fail" : "pass", method: "two-proportion", n, difference, pValue, reason: `${name} ${percent(pc, 2)} vs ${percent(pb, 2)} (${points(difference)}), ${pIs(pValue)}: ${how}` };
  }

  const n: [number, number] = [sum(measurement.baseline), sum(measurement.candidate)];
  if (measurement.baseline.length !== measurement.candidate.length) throw new Error(`canary: metric '${name}' has ${measurement.baseline.length} baseline bins but ${measurement.candidate.length} candidate bins`);
  if (Math.min(...n) < policy.minSample) return inconclusive(name, n, `${name}: ${Math.min(...n)} values on ${side(n)}, fewer than the ${policy.minSample} needed`);
  const test = mannWhitneyBinned(measurement.candidate, measurement.baseline);
  // U / (n_c n_b): the chance that a candidate value exceeds a baseline one, ties counting half.
  const difference = test.statistic / (n[0] * n[1]) - 0.5;
  const worse = sign * difference;
  const fails = test.pValue < alpha && worse > tolerance;
  const how = fails ? "worse beyond the tolerance" : test.pValue < alpha ? (worse > 0 ? "worse, within the tolerance" : "better") : "no significant difference";
  return {
    metric: name,
    verdict: fails ? "fail" : "pass",
    method: "mann-whitney",
    n,
    difference,
    pValue: test.pValue,
    reason: `${name}: a candidate value exceeds a baseline one with probability ${(0.5 + difference).toFixed(3)}, ${pIs(test.pValue)}: ${how}`,
  };
}
