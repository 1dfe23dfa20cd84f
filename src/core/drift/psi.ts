import { pairedTotals } from "./counts";

/** Evidently's stand-in for a zero bin proportion, so that ln(a / e) stays finite. */
export const PSI_ZERO_FLOOR = 0.0001;

function floorZero(proportion: number): number {
  return proportion === 0 ? PSI_ZERO_FLOOR : proportion;
}

/**
 * Population Stability Index over shared bins (Siddiqi 2006; Evidently `psi`):
 * PSI = Σ (a_i - e_i) ln(a_i / e_i), where e and a are each side's counts divided by its total and
 * a proportion that is exactly 0 is replaced by 0.0001 (Evidently's convention; nothing is
 * renormalized). Every term is >= 0. scipy has no PSI; the fixtures compute this formula in numpy.
 *
 * @example populationStabilityIndex([50, 50], [40, 60]) // 0.04054651 (= 0.1 ln 1.5)
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  const [te, ta] = pairedTotals("populationStabilityIndex", ["expected", "actual"], expected, actual);
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = floorZero(expected[i]! / te);
    const a = floorZero(actual[i]! / ta);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
