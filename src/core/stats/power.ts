import { noncentralTSf, normalCdf, normalQuantile, studentTQuantile } from "./distributions";

/** Two-sided test settings shared by the power functions. */
export interface PowerSettings {
  /** Significance level, two-sided; default 0.05. */
  readonly alpha?: number;
  /** Target power; default 0.8. */
  readonly power?: number;
}

function settings(fn: string, s: PowerSettings): { alpha: number; power: number } {
  const alpha = s.alpha ?? 0.05;
  const power = s.power ?? 0.8;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`${fn}: 'alpha' must be between 0 and 1, got ${s.alpha}`);
  if (!(power > alpha / 2 && power < 1)) throw new Error(`${fn}: 'power' must be between alpha/2 and 1, got ${s.power}`);
  return { alpha, power };
}

function requireProportions(fn: string, p1: number, p2: number): void {
  for (const [name, p] of [["p1", p1], ["p2", p2]] as const) {
    if (!(p > 0 && p < 1)) throw new Error(`${fn}: '${name}' must be strictly between 0 and 1, got ${p}`);
  }
  if (p1 === p2) throw new Error(`${fn}: 'p1' and 'p2' are equal, so no sample size detects a difference`);
}

/**
 * Power of the two-sided two-proportion test with n per group (R `power.prop.test`,
 * strict = FALSE: the far rejection tail is ignored, as R does by default).
 */
export function proportionsPower(args: { p1: number; p2: number; n: number; alpha?: number }): number {
  const fn = "proportionsPower";
  const { alpha } = settings(fn, { alpha: args.alpha, power: 0.5 });
  requireProportions(fn, args.p1, args.p2);
  const { p1, p2, n } = args;
  const za = normalQuantile(1 - alpha / 2);
  const num = Math.sqrt(n) * Math.abs(p1 - p2) - za * Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2));
  return normalCdf(num / Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)));
}

/**
 * Sample size per group for the two-sided two-proportion test: R `power.prop.test` solved in
 * closed form (Fleiss, Levin & Paik 2003, eq. 4.14, without continuity correction), unrounded.
 *
 * @example proportionsSampleSize({ p1: 0.1, p2: 0.11 }).n // 14750.79 (R: 14750.79)
 */
export function proportionsSampleSize(args: { p1: number; p2: number } & PowerSettings): { n: number } {
  const fn = "proportionsSampleSize";
  const { alpha, power } = settings(fn, args);
  requireProportions(fn, args.p1, args.p2);
  const { p1, p2 } = args;
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const root = za * Math.sqrt((p1 + p2) * (1 - (p1 + p2) / 2)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return { n: (root / (p1 - p2)) ** 2 };
}

/** Power of the two-sided two-sample t-test with n per group (R `power.t.test`, noncentral t). */
export function meansPower(args: { delta: number; sd: number; n: number; alpha?: number }): number {
  const { alpha } = settings("meansPower", { alpha: args.alpha, power: 0.5 });
  const nu = Math.max(1e-7, args.n - 1) * 2;
  const ncp = Math.sqrt(args.n / 2) * (Math.abs(args.delta) / args.sd);
  return noncentralTSf(studentTQuantile(1 - alpha / 2, nu), nu, ncp);
}

/**
 * Sample size per group for the two-sided two-sample t-test with a difference `delta` and a
 * common standard deviation `sd`: the root of R's `power.t.test` power equation, found by
 * bisection to machine precision (R's default `tol` stops near 1e-4), unrounded.
 *
 * @example meansSampleSize({ delta: 1, sd: 1 }).n // 16.71476 (R: 16.71476)
 */
export function meansSampleSize(args: { delta: number; sd: number } & PowerSettings): { n: number } {
  const fn = "meansSampleSize";
  const { alpha, power } = settings(fn, args);
  if (!(Number.isFinite(args.delta) && args.delta !== 0)) throw new Error(`${fn}: 'delta' must be a nonzero number, got ${args.delta}`);
  if (!(Number.isFinite(args.sd) && args.sd > 0)) throw new Error(`${fn}: 'sd' must be > 0, got ${args.sd}`);
  const gap = (n: number): number => meansPower({ delta: args.delta, sd: args.sd, n, alpha }) - power;
  let lo = 2;
  let hi = 1e7;
  if (gap(lo) >= 0) return { n: lo };
  while (gap(hi) < 0) {
    if (hi > 1e15) throw new Error(`${fn}: no sample size below 1e15 reaches power ${power}`);
    hi *= 10;
  }
  while (hi - lo > 1e-12 * hi) {
    const mid = (lo + hi) / 2;
    if (gap(mid) < 0) lo = mid;
    else hi = mid;
  }
  return { n: (lo + hi) / 2 };
}
