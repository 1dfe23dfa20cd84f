/**
 * The `ab` result document: the contract between the A/B engine and every host (CLI `--json`,
 * notebook outputs, webview reports). Fields only ever gain members; renderers may rely on them.
 */
import type { Correction } from "../stats/adjust";
import type { Estimate, InsufficientData } from "./common";

export const AB_MIME = "application/vnd.prodinsights.ab+json";

export type AbVerdict = "winner" | "loser" | "inconclusive" | "insufficient-data";

/** An arm's summary: its estimate with a Wald (proportions) or t (means) interval. */
export type AbArm =
  | ({ readonly name: string; readonly n: number; readonly status: "ok" } & Estimate)
  | ({ readonly name: string; readonly n: number } & InsufficientData);

/** One arm against the baseline (the first arm). Differences are arm minus baseline. */
export type AbComparison =
  | {
      readonly arm: string;
      readonly baseline: string;
      readonly status: "ok";
      /** Difference, with its fixed-horizon interval and an always-valid one for peeking. */
      readonly absolute: Estimate & { readonly alwaysValidCi: readonly [number, number] };
      /** Relative lift as a fraction (0.254 for +25.4%), delta-method interval. */
      readonly relative: ({ readonly status: "ok" } & Estimate) | InsufficientData;
      readonly pValue: number;
      readonly adjustedPValue: number;
      /** Normal approximation Φ(diff / unpooled se), oriented by the metric's direction. */
      readonly chanceToBeatBaseline: number;
      readonly verdict: Exclude<AbVerdict, "insufficient-data">;
    }
  | ({
      readonly arm: string;
      readonly baseline: string;
      readonly verdict: "insufficient-data";
    } & InsufficientData);

/** Sample ratio mismatch by chi-square goodness of fit against the expected split. */
export type AbSrm =
  | {
      readonly status: "ok";
      readonly statistic: number;
      readonly pValue: number;
      /** p < 0.001 once every arm has at least 8 units. */
      readonly flagged: boolean;
      /** The expected share of each arm, in arm order. */
      readonly expected: readonly number[];
    }
  | InsufficientData;

/** Power at the current sample sizes for the minimum detectable effect (absolute), the weakest arm. */
export type AbPower =
  | { readonly status: "ok"; readonly mde: number; readonly value: number }
  | { readonly status: "not-requested"; readonly reason: string }
  | InsufficientData;

export interface AbResult {
  readonly kind: "ab";
  readonly metricKind: "proportion" | "mean";
  readonly direction: "higher" | "lower";
  readonly confidence: number;
  readonly correction: Correction;
  readonly arms: readonly AbArm[];
  readonly comparisons: readonly AbComparison[];
  readonly srm: AbSrm;
  readonly power: AbPower;
  /** The overall verdict: a winner if any arm wins, and never one while the SRM check fails. */
  readonly verdict: AbVerdict;
  readonly winner?: string;
  readonly warnings: readonly string[];
}
