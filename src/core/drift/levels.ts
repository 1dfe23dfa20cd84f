/**
 * The three levels of a column. A test drifts at p < threshold (Evidently) and is "possible" up
 * to twice the threshold, capped at 1: at the default alpha 0.05 that is 0.05 <= p < 0.10, the
 * band usually called marginal. A distance drifts at score >= threshold (Evidently) and is
 * "possible" from half the threshold: at the default 0.1, 0.05 <= score < 0.1.
 */
import type { DriftLevel, DriftMethod } from "../results/drift";
import { isPValueMethod } from "./selectMethod";

/** Where the "possible" band starts: p below it for tests, score at or above it for distances. */
export function possibleBound(method: DriftMethod, threshold: number): number {
  return isPValueMethod(method) ? Math.min(2 * threshold, 1) : threshold / 2;
}

/**
 * The level of a column from the value its threshold applies to: the p-value for tests, the
 * score (distance) otherwise.
 *
 * @example driftLevel("ks", 0.05, 0.07) // "possible"
 */
export function driftLevel(method: DriftMethod, threshold: number, value: number): DriftLevel {
  const bound = possibleBound(method, threshold);
  if (isPValueMethod(method)) return value < threshold ? "drift" : value < bound ? "possible" : "none";
  return value >= threshold ? "drift" : value >= bound ? "possible" : "none";
}
