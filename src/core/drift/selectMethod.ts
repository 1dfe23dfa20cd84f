/**
 * Which measure tests a column, and at which threshold: Evidently's default selection
 * (docs "Data drift: how it works"; `evidently.calculations.stattests.registry`), with overrides.
 */
import type { DriftColumnType, DriftMethod } from "../results/drift";

/** Up to this many baseline values the tests (p-values) apply; above it, the distances. */
export const REFERENCE_SIZE_LIMIT = 1000;

/** A numeric column with at most this many unique values is tested like a categorical one. */
export const MAX_CATEGORICAL_UNIQUE = 5;

export const DRIFT_METHODS: readonly DriftMethod[] = ["ks", "chisquare", "z", "psi", "jensenshannon", "wasserstein"];

/** Evidently's default thresholds: alpha 0.05 for the tests, 0.1 for every distance (PSI included). */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  psi: 0.1,
  jensenshannon: 0.1,
  wasserstein: 0.1,
};

/** Whether the method's threshold bounds a p-value (drift when p < threshold) rather than a distance. */
export function isPValueMethod(method: DriftMethod): boolean {
  return method === "ks" || method === "chisquare" || method === "z";
}

/**
 * Evidently's rule. Reference size <= 1000: numeric (more than 5 unique values) → KS; otherwise
 * chi-square, or z when the column is binary (at most 2 unique values). Above 1000: numeric →
 * Wasserstein normed; otherwise Jensen-Shannon.
 *
 * @example selectMethod(1001, "numeric") // "wasserstein"
 */
export function selectMethod(referenceSize: number, columnType: DriftColumnType): DriftMethod {
  if (!(referenceSize >= 0)) throw new Error(`selectMethod: 'referenceSize' must be >= 0, got ${referenceSize}`);
  if (referenceSize <= REFERENCE_SIZE_LIMIT) {
    if (columnType === "numeric") return "ks";
    return columnType === "binary" ? "z" : "chisquare";
  }
  return columnType === "numeric" ? "wasserstein" : "jensenshannon";
}

/** Throws unless `threshold` suits the method: a level in (0, 1) for tests, a positive distance otherwise. */
export function checkThreshold(fn: string, name: string, method: DriftMethod, threshold: number): void {
  if (isPValueMethod(method)) {
    if (!(threshold > 0 && threshold < 1)) throw new Error(`${fn}: '${name}' for ${method} is a p-value level in (0, 1), got ${threshold}`);
  } else if (!(Number.isFinite(threshold) && threshold > 0)) {
    throw new Error(`${fn}: '${name}' for ${method} must be a distance > 0, got ${threshold}`);
  }
}
