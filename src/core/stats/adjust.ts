/** Multiple-comparison adjustments of p-values; the result keeps the input order. */
export type Correction = "none" | "holm" | "bh";

function requirePValues(fn: string, p: readonly number[]): void {
  p.forEach((v, i) => {
    if (!(v >= 0 && v <= 1)) throw new Error(`${fn}: 'p[${i}]' must be a p-value in [0, 1], got ${v}`);
  });
}

/**
 * Holm's step-down adjustment (Holm 1979), controlling the family-wise error rate; matches R
 * `p.adjust(p, "holm")`.
 *
 * @example holm([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
 */
export function holm(p: readonly number[]): number[] {
  requirePValues("holm", p);
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, (m - rank) * p[idx]!);
    out[idx] = Math.min(1, running);
  });
  return out;
}

/**
 * Benjamini-Hochberg step-up adjustment (Benjamini & Hochberg 1995), controlling the false
 * discovery rate; matches R `p.adjust(p, "BH")`.
 *
 * @example benjaminiHochberg([0.01, 0.04, 0.03]) // [0.03, 0.04, 0.04]
 */
export function benjaminiHochberg(p: readonly number[]): number[] {
  requirePValues("benjaminiHochberg", p);
  const m = p.length;
  const order = p.map((_, i) => i).sort((a, b) => p[b]! - p[a]! || b - a);
  const out = new Array<number>(m);
  let running = 1;
  order.forEach((idx, k) => {
    running = Math.min(running, (m / (m - k)) * p[idx]!);
    out[idx] = running;
  });
  return out;
}

/** Applies the named correction. */
export function adjustPValues(p: readonly number[], correction: Correction): number[] {
  if (correction === "holm") return holm(p);
  if (correction === "bh") return benjaminiHochberg(p);
  requirePValues("adjustPValues", p);
  return [...p];
}
