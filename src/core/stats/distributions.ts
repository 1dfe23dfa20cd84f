/**
 * The distribution functions the tests use, each matching R's algorithm where R approximates
 * (so that p-values agree with R to 1e-9, not only with the exact mathematics).
 * Quantiles start from jstat's approximations and are refined on our accurate CDFs.
 */
import jStat from "jstat";
import { erfc, logBeta, logGamma, regularizedBeta, regularizedGamma } from "./special";

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = 0.797884560802865355879892119869; // sqrt(2/pi)
const LN_SQRT_PI = 0.572364942924700087071713675677; // log(sqrt(pi))

function requireFinite(fn: string, name: string, value: number): void {
  if (!Number.isFinite(value)) throw new Error(`${fn}: ${name} must be a finite number, got ${value}`);
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Upper tail P(Z > x) of the standard normal, accurate to the last double (R `pnorm(x, lower=FALSE)`). */
export function normalSf(x: number): number {
  return x >= 0 ? 0.5 * erfc(x * SQRT1_2) : 1 - 0.5 * erfc(-x * SQRT1_2);
}

/** Lower tail P(Z <= x) of the standard normal (R `pnorm`). */
export function normalCdf(x: number): number {
  return normalSf(-x);
}

/**
 * Standard normal quantile (R `qnorm`): Acklam's rational approximation (relative error 1.2e-9),
 * then Halley steps on the accurate tail probability, which reach double precision.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`normalQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalQuantile(1 - p);
  // Lower half: solve normalCdf(x) = p with x <= 0, where the tail keeps relative precision.
  let x = acklam(p);
  for (let i = 0; i < 8; i++) {
    const e = normalCdf(x) - p;
    const u = e / normalPdf(x);
    const step = u / (1 + (x * u) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
}

function acklam(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (k: readonly number[], t: number): number => k.reduce((acc, v) => acc * t + v, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * Upper tail P(T > t) of Student's t with `df` degrees of freedom, as R's `pt`: through the
 * incomplete beta function, and, like R, by a normal approximation once df > 4e5.
 */
export function studentTSf(t: number, df: number): number {
  if (!(df > 0)) throw new Error(`studentTSf: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) throw new Error("studentTSf: t is NaN");
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  if (df === Infinity) return normalSf(t);
  if (df > 4e5) {
    // R: pnorm(x * (1 - 1/(4n)) / sqrt(1 + x^2/(2n)))
    const v = 1 / (4 * df);
    return normalSf((t * (1 - v)) / Math.sqrt(1 + t * t * 2 * v));
  }
  const t2 = t * t;
  // Both tails of |T| > |t| together: I_{df/(df+t^2)}(df/2, 1/2).
  const x = df / (df + t2);
  const y = t2 / (df + t2);
  const twoSided = regularizedBeta(x, df / 2, 0.5, y).lower;
  return t > 0 ? twoSided / 2 : 1 - twoSided / 2;
}

/** Lower tail P(T <= t) of Student's t (R `pt`). */
export function studentTCdf(t: number, df: number): number {
  return studentTSf(-t, df);
}

/** Student's t density. */
export function studentTPdf(t: number, df: number): number {
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - 0.5 * Math.log(df) - logBeta(df / 2, 0.5));
}

/**
 * Quantile of Student's t (R `qt`): jstat's inverse as the start, then Newton steps on the log of
 * the tail probability, which converge in the far tails where plain Newton overshoots.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`studentTQuantile: p must be in [0, 1], got ${p}`);
  if (!(df > 0)) throw new Error(`studentTQuantile: df must be > 0, got ${df}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return -studentTQuantile(1 - p, df);
  if (df === Infinity) return normalQuantile(p);
  let x = jStat.studentt.inv(p, df) as number;
  if (!Number.isFinite(x) || x >= 0) x = normalQuantile(p);
  const logP = Math.log(p);
  for (let i = 0; i < 100; i++) {
    const tail = studentTCdf(x, df);
    // d/dx log F(x) = f(x) / F(x)
    const step = (Math.log(tail) - logP) / (studentTPdf(x, df) / tail);
    let next = x - step;
    if (next >= 0) next = x / 2; // stay in the lower half
    if (Math.abs(next - x) <= 1e-15 * Math.abs(x)) return next;
    x = next;
  }
  return x;
}

/** Upper tail P(X > x) of the chi-square distribution (R `pchisq(x, df, lower=FALSE)`). */
export function chiSquareSf(x: number, df: number): number {
  if (!(df > 0)) throw new Error(`chiSquareSf: df must be > 0, got ${df}`);
  requireFinite("chiSquareSf", "x", x);
  if (x <= 0) return 1;
  return regularizedGamma(df / 2, x / 2).upper;
}

/**
 * Upper tail of the noncentral t distribution, as R's `pnt`: Lenth's algorithm AS 243 (1989),
 * with R's error bound 1e-12 and its normal approximation for df > 4e5 or a huge ncp.
 * Used for the power of t-tests (`power.t.test`).
 */
export function noncentralTSf(t: number, df: number, ncp: number): number {
  if (!(df > 0)) throw new Error(`noncentralTSf: df must be > 0, got ${df}`);
  requireFinite("noncentralTSf", "t", t);
  requireFinite("noncentralTSf", "ncp", ncp);
  if (ncp === 0) return studentTSf(t, df);
  const negdel = t < 0;
  if (negdel && ncp > 40) return 1;
  const tt = negdel ? -t : t;
  const del = negdel ? -ncp : ncp;
  if (df > 4e5 || del * del > 2 * Math.LN2 * 1021) {
    // Abramowitz & Stegun 26.7.10, as R
    const s = 1 / (4 * df);
    const z = (tt * (1 - s) - del) / Math.sqrt(1 + tt * tt * 2 * s);
    return negdel ? normalCdf(z) : normalSf(z);
  }
  let tnc = 0;
  const x = (t * t) / (t * t + df);
  if (x > 0) {
    const lambda = del * del;
    let p = 0.5 * Math.exp(-0.5 * lambda);
    if (p === 0) return negdel ? 1 : 0;
    let q = SQRT_2_OVER_PI * p * del;
    let s = 0.5 - p;
    if (s < 1e-7) s = -0.5 * Math.expm1(-0.5 * lambda);
    let a = 0.5;
    const b = 0.5 * df;
    const rxb = Math.pow(1 - x, b);
    const albeta = LN_SQRT_PI + logGamma(b) - logGamma(0.5 + b);
    let xodd = regularizedBeta(x, a, b, df / (t * t + df)).lower;
    let godd = 2 * rxb * Math.exp(a * Math.log(x) - albeta);
    let tnc0 = b * x;
    let xeven = tnc0 < 2.220446049250313e-16 ? tnc0 : 1 - rxb;
    let geven = tnc0 * rxb;
    tnc = p * xodd + q * xeven;
    for (let it = 1; it <= 1000; it++) {
      a += 1;
      xodd -= godd;
      xeven -= geven;
      godd *= (x * (a + b - 1)) / a;
      geven *= (x * (a + b - 0.5)) / (a + 0.5);
      p *= lambda / (2 * it);
      q *= lambda / (2 * it + 1);
      tnc += p * xodd + q * xeven;
      s -= p;
      if (s < -1e-10) break; // rounding has taken over, as R warns
      if (s <= 0 && it > 1) break;
      const errbd = 2 * s * (xodd - godd);
      if (Math.abs(errbd) < 1e-12) break;
    }
    tnc0 = 0;
  }
  tnc += normalCdf(-del);
  const lower = Math.min(tnc, 1);
  // R returns lower tail when negdel XOR lower_tail; we want the upper tail of t.
  return negdel ? lower : 0.5 - lower + 0.5;
}
