/**
 * Always-valid ("anytime") confidence intervals, so that an experiment can be looked at every
 * day without inflating its error rate: the asymptotic confidence sequence of Waudby-Smith,
 * Arnold, Wu, Howard & Ramdas, "Time-uniform central limit theory and asymptotic confidence
 * sequences", Annals of Statistics 52 (2024), Theorem 2.2, with Robbins' normal-mixture
 * boundary. The mixture width rho is tuned so that the sequence is tightest at a planned sample
 * size (their eq. 2.6). For a difference between two arms, n counts the units of both arms and
 * the standard error is that of the difference, as in the paper's randomized-experiment section.
 *
 * The sequence is valid only if rho is fixed before the first look. Re-tuning it to the current n
 * at each look gives a constant multiplier, which loses the guarantee (a simulated A/A test that
 * peeks every few units then errs 16% of the time), so the planned size defaults to a constant.
 */

/** The planned sample size used when none is given; it tunes width, not validity. */
export const DEFAULT_PLANNED_N = 10_000;

/** Settings of a confidence sequence. */
export interface SequenceSettings {
  /** Units observed so far (both arms together for a difference). */
  readonly n: number;
  /** Miscoverage over all looks together; default 0.05. */
  readonly alpha?: number;
  /** Sample size at which the sequence should be tightest, fixed before the first look; default 10,000. */
  readonly plannedN?: number;
}

/** The mixture parameter rho^2 that minimizes the boundary at `plannedN` (their eq. 2.6). */
export function mixtureRhoSquared(alpha: number, plannedN: number): number {
  const l = -2 * Math.log(alpha);
  return (l + Math.log(l + 1)) / plannedN;
}

/**
 * The factor that replaces z_{1-alpha/2} in estimate ± factor * standardError:
 * sqrt( 2 (n rho^2 + 1) / (n rho^2) * log( sqrt(n rho^2 + 1) / alpha ) ).
 * It exceeds the fixed-n z and shrinks toward it only slowly, which is the price of peeking.
 *
 * @example sequenceMultiplier({ n: 10000, alpha: 0.05 }) // 3.0352 (z would be 1.96)
 */
export function sequenceMultiplier(settings: SequenceSettings): number {
  const fn = "sequenceMultiplier";
  const alpha = settings.alpha ?? 0.05;
  const plannedN = settings.plannedN ?? DEFAULT_PLANNED_N;
  if (!(settings.n > 0)) throw new Error(`${fn}: 'n' must be > 0, got ${settings.n}`);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`${fn}: 'alpha' must be between 0 and 1, got ${settings.alpha}`);
  if (!(plannedN > 0)) throw new Error(`${fn}: 'plannedN' must be > 0, got ${settings.plannedN}`);
  const nr2 = settings.n * mixtureRhoSquared(alpha, plannedN);
  return Math.sqrt(((2 * (nr2 + 1)) / nr2) * Math.log(Math.sqrt(nr2 + 1) / alpha));
}

/**
 * The always-valid interval for an estimate with the given standard error after n units.
 *
 * @example alwaysValidInterval(0.026, 0.0075, { n: 7230 }) // [0.0032, 0.0488]
 */
export function alwaysValidInterval(
  estimate: number,
  standardError: number,
  settings: SequenceSettings,
): readonly [number, number] {
  if (!(standardError >= 0)) throw new Error(`alwaysValidInterval: 'standardError' must be >= 0, got ${standardError}`);
  const half = sequenceMultiplier(settings) * standardError;
  return [estimate - half, estimate + half];
}
