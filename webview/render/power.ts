/**
 * The sample size an experiment needs, for the progress bar of the experiment report. Normal
 * approximations: close to R's power.prop.test (which also counts the far tail, a negligible term)
 * and power.t.test (which uses t quantiles; a few units more for small n).
 */

/**
 * The standard normal quantile, Acklam's rational approximation (relative error below 1.2e-9);
 * enough for a sample size, which is rounded up anyway.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const tail = (q: number): number =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Units per arm to detect p1 -> p2 with a two-sided two-proportion z test (unrounded). */
export function proportionsPerArm(p1: number, p2: number, alpha: number, power: number): number {
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const pBar = (p1 + p2) / 2;
  const top = za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return (top * top) / ((p2 - p1) * (p2 - p1));
}

/** Units per arm to detect a shift `delta` of a mean with standard deviation `sd`, two-sided. */
export function meansPerArm(delta: number, sd: number, alpha: number, power: number): number {
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return (2 * z * z * sd * sd) / (delta * delta);
}
