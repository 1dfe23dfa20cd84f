import type { AbArm, AbComparison, AbPower, AbResult, AbSrm, AbVerdict } from "../results/ab";
import { insufficient } from "../results/common";
import { adjustPValues, type Correction } from "../stats/adjust";
import { chiSquareGoodnessOfFit } from "../stats/chiSquareGoodnessOfFit";
import { normalCdf, normalQuantile, studentTQuantile } from "../stats/distributions";
import { confidenceLevel } from "../stats/sample";
import { alwaysValidInterval } from "../stats/sequential";
import { twoProportionTest } from "../stats/twoProportionTest";
import { isEssentiallyConstant } from "../stats/tTest";
import { welchFromMoments } from "../stats/welchTTest";
import { armStats, type AbArmInput, type ArmStats } from "./armStats";

export interface AbOptions {
  /** Confidence of every interval; alpha is 1 - confidence. Default 0.95. */
  readonly confidence?: number;
  /** Adjustment across the arms' comparisons. Default "holm". */
  readonly correction?: Correction;
  /** Minimum detectable effect, absolute, for the power figure. */
  readonly mde?: number;
  /** Whether higher or lower values of the metric are better. Default "higher". */
  readonly direction?: "higher" | "lower";
  /** Expected traffic split for the SRM check, any scale. Default even. */
  readonly expectedSplit?: readonly number[];
  /**
   * Whether the arms were randomised, so that their split can be checked. False for groups that
   * get their traffic by design, such as two model versions during a rollout. Default true.
   */
  readonly randomized?: boolean;
  /** Planned units in all arms, fixed before the first look: where the always-valid interval is tightest. Default 10,000. */
  readonly plannedN?: number;
}

/** SRM is judged only once every arm has this many units, as the DESIGN's defaults say. */
const SRM_MIN_UNITS = 8;
const SRM_ALPHA = 0.001;

/**
 * Analyzes an A/B test from per-arm sufficient statistics; the first arm is the baseline.
 * Proportion arms are `{ name, successes, trials }`, mean arms `{ name, n, sum, sumSquares }`.
 * Each arm is compared with the baseline (two-proportion test or Welch), p-values are adjusted
 * across arms, and the document carries the SRM check and the power for the MDE.
 * Data that cannot support a number (an empty arm, zero variance, no conversions) yields an
 * "insufficient-data" entry with its reason, never NaN.
 */
export function analyzeAb(arms: readonly AbArmInput[], options: AbOptions = {}): AbResult {
  const fn = "analyzeAb";
  const confidence = confidenceLevel(fn, options.confidence);
  const correction = options.correction ?? "holm";
  if (!["none", "holm", "bh"].includes(correction)) {
    throw new Error(`${fn}: 'correction' must be none, holm or bh, got ${String(correction)}`);
  }
  const direction = options.direction ?? "higher";
  const stats = armStats(fn, arms);
  const baseline = stats[0]!;
  const z = normalQuantile(1 - (1 - confidence) / 2);

  const drafts = stats.slice(1).map((arm) => compare(arm, baseline, confidence, z, direction, options.plannedN));
  const ok = drafts.filter((d): d is OkDraft => d.status === "ok");
  const adjusted = adjustPValues(ok.map((d) => d.pValue), correction);
  const alpha = 1 - confidence;
  const comparisons: AbComparison[] = drafts.map((d) => {
    if (d.status !== "ok") return d;
    const adjustedPValue = adjusted[ok.indexOf(d)]!;
    const better = (direction === "higher" ? 1 : -1) * d.absolute.estimate > 0;
    const verdict = adjustedPValue < alpha ? (better ? "winner" : "loser") : "inconclusive";
    return { ...d, adjustedPValue, verdict };
  });

  const srm = options.randomized === false ? insufficient("not checked: the groups were not randomised (versions get their traffic by design)") : srmCheck(stats, options.expectedSplit);
  const warnings: string[] = [];
  if (srm.status === "ok" && srm.flagged) {
    warnings.push(
      `Sample ratio mismatch (p = ${srm.pValue.toExponential(2)}): the traffic split differs from the expected one, ` +
        "so assignment or logging is broken and no winner is declared.",
    );
  }
  const { verdict, winner } = overallVerdict(comparisons, direction, srm.status === "ok" && srm.flagged);
  return {
    kind: "ab",
    metricKind: baseline.kind,
    direction,
    confidence,
    correction,
    arms: stats.map((s) => armSummary(s, confidence, z)),
    comparisons,
    srm,
    power: powerCheck(stats, options.mde, alpha),
    verdict,
    ...(winner === undefined ? {} : { winner }),
    warnings,
  };
}

type OkDraft = Omit<Extract<AbComparison, { status: "ok" }>, "adjustedPValue" | "verdict">;

function compare(
  arm: ArmStats,
  base: ArmStats,
  confidence: number,
  z: number,
  direction: "higher" | "lower",
  plannedN: number | undefined,
): OkDraft | Extract<AbComparison, { status: "insufficient-data" }> {
  const missing = (reason: string) => ({ arm: arm.name, baseline: base.name, verdict: "insufficient-data" as const, ...insufficient(reason) });
  for (const s of [base, arm]) if (s.unusable) return missing(`arm '${s.name}': ${s.unusable}`);
  const se = Math.sqrt(arm.variance / arm.n + base.variance / base.n);
  if (isEssentiallyConstant(se, Math.max(Math.abs(arm.mean), Math.abs(base.mean)))) {
    return missing("no variation within either arm, so the difference has no standard error");
  }
  let diff: number;
  let ci: readonly [number, number];
  let pValue: number;
  if (arm.kind === "proportion") {
    const pooled = (arm.successes + base.successes) / (arm.n + base.n);
    if (pooled === 0) return missing("no conversions in either arm");
    if (pooled === 1) return missing("every unit converted in both arms");
    const t = twoProportionTest([arm.successes, base.successes], [arm.n, base.n], { confidence });
    [diff, ci, pValue] = [t.estimate, t.ci, t.pValue];
  } else {
    const t = welchFromMoments(arm, base, confidence);
    [diff, ci, pValue] = [t.estimate, t.ci, t.pValue];
  }
  const sign = direction === "higher" ? 1 : -1;
  return {
    arm: arm.name,
    baseline: base.name,
    status: "ok",
    absolute: {
      estimate: diff,
      ci,
      alwaysValidCi: alwaysValidInterval(diff, se, {
        n: arm.n + base.n,
        alpha: 1 - confidence,
        ...(plannedN === undefined ? {} : { plannedN }),
      }),
    },
    relative: relativeLift(arm, base, z),
    pValue,
    chanceToBeatBaseline: normalCdf((sign * diff) / se),
  };
}

/** Lift m1/m0 - 1 with the delta-method variance of a ratio of independent means. */
function relativeLift(arm: ArmStats, base: ArmStats, z: number) {
  if (base.mean === 0) return insufficient("the baseline is 0, so a relative lift is undefined");
  const ratio = arm.mean / base.mean;
  // Var(m1/m0) = (Var m1 + ratio^2 Var m0) / m0^2, divided last so a tiny m0 cannot underflow.
  const se = Math.sqrt(arm.variance / arm.n + ratio ** 2 * (base.variance / base.n)) / Math.abs(base.mean);
  const lift = ratio - 1;
  if (!(Number.isFinite(lift) && Number.isFinite(se))) {
    return insufficient("the baseline is too close to 0 for a relative lift");
  }
  return { status: "ok" as const, estimate: lift, ci: [lift - z * se, lift + z * se] as const };
}

function armSummary(s: ArmStats, confidence: number, z: number): AbArm {
  if (s.unusable) return { name: s.name, n: s.n, ...insufficient(s.unusable) };
  if (s.kind === "proportion") {
    const half = z * Math.sqrt(s.variance / s.n);
    return { name: s.name, n: s.n, status: "ok", estimate: s.mean, ci: [Math.max(0, s.mean - half), Math.min(1, s.mean + half)] };
  }
  const half = studentTQuantile(1 - (1 - confidence) / 2, s.n - 1) * Math.sqrt(s.variance / s.n);
  return { name: s.name, n: s.n, status: "ok", estimate: s.mean, ci: [s.mean - half, s.mean + half] };
}

function srmCheck(stats: readonly ArmStats[], expectedSplit: readonly number[] | undefined): AbSrm {
  const counts = stats.map((s) => s.n);
  const split = expectedSplit ?? counts.map(() => 1);
  if (split.length !== counts.length) {
    throw new Error(`analyzeAb: 'expectedSplit' has ${split.length} entries for ${counts.length} arms`);
  }
  if (counts.reduce((a, b) => a + b, 0) === 0) return insufficient("no units in any arm");
  const test = chiSquareGoodnessOfFit(counts, split);
  const total = split.reduce((a, b) => a + b, 0);
  const enough = counts.every((c) => c >= SRM_MIN_UNITS);
  return {
    status: "ok",
    statistic: test.statistic,
    pValue: test.pValue,
    flagged: enough && test.pValue < SRM_ALPHA,
    expected: split.map((w) => w / total),
  };
}

/** Power of a two-sided z-test at the current n for a true difference of `mde` (normal approximation). */
function powerCheck(stats: readonly ArmStats[], mde: number | undefined, alpha: number): AbPower {
  if (mde === undefined) return { status: "not-requested", reason: "pass an MDE to compute power" };
  if (!(Number.isFinite(mde) && mde !== 0)) throw new Error(`analyzeAb: 'mde' must be a nonzero number, got ${mde}`);
  const base = stats[0]!;
  if (base.unusable) return insufficient(`baseline '${base.name}': ${base.unusable}`);
  const z = normalQuantile(1 - alpha / 2);
  let weakest = Infinity;
  for (const arm of stats.slice(1)) {
    if (arm.unusable) continue;
    let varArm: number;
    if (base.kind === "proportion") {
      const p1 = base.mean + mde;
      if (!(p1 > 0 && p1 < 1)) return insufficient(`baseline rate ${base.mean} plus the MDE ${mde} is not a rate`);
      varArm = p1 * (1 - p1);
    } else {
      varArm = base.variance;
    }
    const se = Math.sqrt(base.variance / base.n + varArm / arm.n);
    if (!(se > 0)) continue;
    const shift = Math.abs(mde) / se;
    weakest = Math.min(weakest, normalCdf(shift - z) + normalCdf(-shift - z));
  }
  if (weakest === Infinity) return insufficient("no arm has enough data to compare with the baseline");
  return { status: "ok", mde, value: weakest };
}

function overallVerdict(
  comparisons: readonly AbComparison[],
  direction: "higher" | "lower",
  srmFlagged: boolean,
): { verdict: AbVerdict; winner?: string } {
  const ok = comparisons.filter((c) => c.status === "ok");
  if (ok.length === 0) return { verdict: "insufficient-data" };
  if (srmFlagged) return { verdict: "inconclusive" };
  const sign = direction === "higher" ? 1 : -1;
  const winners = ok.filter((c) => c.verdict === "winner");
  if (winners.length > 0) {
    const best = winners.reduce((a, b) => (sign * b.absolute.estimate > sign * a.absolute.estimate ? b : a));
    return { verdict: "winner", winner: best.arm };
  }
  if (ok.every((c) => c.verdict === "loser")) return { verdict: "loser" };
  return { verdict: "inconclusive" };
}
