import { pairedTotals } from "./counts";

/** x ln(x / y), with 0 ln(0 / y) = 0: scipy's `rel_entr` for y > 0. */
function relativeEntropy(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0;
}

/**
 * Jensen-Shannon distance (Lin 1991; Endres & Schindelin 2003 for the square root as a metric):
 * sqrt((KL(p || m) + KL(q || m)) / 2) with m = (p + q) / 2 and natural logarithms, after each side
 * is divided by its total, so counts and proportions give the same value. Computed in scipy's
 * order of operations and matching `scipy.spatial.distance.jensenshannon(p, q)`; it lies in
 * [0, sqrt(ln 2)]. A sum that rounds below 0 for near-identical inputs gives 0, where scipy gives NaN.
 *
 * @example jensenShannonDistance([1, 0], [0, 1]) // 0.83255461 (= sqrt(ln 2))
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  const [tp, tq] = pairedTotals("jensenShannonDistance", ["p", "q"], p, q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / tp;
    const qi = q[i]! / tq;
    const m = (pi + qi) / 2;
    left += relativeEntropy(pi, m);
    right += relativeEntropy(qi, m);
  }
  return Math.sqrt(Math.max(0, (left + right) / 2));
}
