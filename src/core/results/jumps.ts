/**
 * The `jumps` result document: a metric's series around release events, the jump at each
 * release, change points nobody announced, and the slow trend. The contract between the
 * release-jump engine and every host; fields only ever gain members. See docs/jumps.md.
 */
import type { MetricKind } from "../jumps/inputs";
import type { Estimate, InsufficientData } from "./common";

export const JUMPS_MIME = "application/vnd.prodinsights.jumps+json";

/** Relative to the metric's direction: "worse" is up for an error rate, down for a conversion rate. */
export type JumpsDirection = "worse" | "better" | "none";

export interface JumpsMetric {
  readonly name: string;
  readonly kind: MetricKind;
  readonly direction: "higher" | "lower";
  /** For quantile metrics, which quantile (0.95 for p95). */
  readonly quantile?: number;
}

/**
 * One bucket as plotted: the rate (successes / n), the mean (sum / n) or the histogram quantile.
 * A bucket without data is flagged, never NaN.
 */
export type JumpsBucket =
  | { readonly t: number; readonly n: number; readonly status: "ok"; readonly value: number }
  | ({ readonly t: number; readonly n: number } & InsufficientData);

/** The span [start, end) in ms one side of a release covers, and how many buckets it holds. */
export interface JumpsWindow {
  readonly start: number;
  readonly end: number;
  readonly buckets: number;
  /** "release": cut short by a neighbouring release; "series": the series does not cover all of it. */
  readonly limitedBy?: "release" | "series";
}

/** A window's estimate with its interval, its units and its span. */
export type JumpsWindowEstimate = Estimate & {
  readonly n: number;
  readonly window: JumpsWindow;
  /** Quantiles only: the estimate is a bound, because the rank falls in an open-ended bin. */
  readonly censored?: "above" | "below";
  /**
   * Quantiles only, when not censored: the histogram bin (lower, upper] that holds the quantile's
   * rank. The interpolated estimate can be anywhere in it and the true quantile is there too (up
   * to sampling), so the bin width bounds the accuracy that `ci` does not show.
   */
  readonly bin?: readonly [number, number];
};

/** The test behind a jump's p-value. */
export interface JumpsTest {
  /** two-proportion-z: R prop.test(correct = FALSE); welch-t: R t.test; mann-whitney-binned: rank-sum over histogram bins. */
  readonly method: "two-proportion-z" | "welch-t" | "mann-whitney-binned";
  /** z (signed, after minus before), Welch's t, or W (the rank sum of the after window minus n(n+1)/2). */
  readonly statistic: number;
  readonly df?: number;
}

/** The jump at one release; differences are after minus before. */
export type ReleaseJump =
  | {
      readonly version: string;
      readonly t: number;
      readonly model?: string;
      readonly status: "ok";
      readonly before: JumpsWindowEstimate;
      readonly after: JumpsWindowEstimate;
      readonly difference: Estimate;
      /** after / before - 1 with a delta-method interval; insufficient when the before value is 0. */
      readonly relative: ({ readonly status: "ok" } & Estimate) | InsufficientData;
      readonly test: JumpsTest;
      readonly pValue: number;
      /** Holm across the releases that have a p-value. */
      readonly adjustedPValue: number;
      /** "none" unless significant. */
      readonly direction: JumpsDirection;
      /** adjustedPValue < alpha. */
      readonly significant: boolean;
    }
  | ({
      readonly version: string;
      readonly t: number;
      readonly model?: string;
      readonly before: { readonly n: number; readonly window: JumpsWindow };
      readonly after: { readonly n: number; readonly window: JumpsWindow };
    } & InsufficientData);

/** A segment's level next to a change point: the n-weighted mean of its bucket values. */
export interface JumpsSegment {
  readonly start: number;
  readonly end: number;
  readonly buckets: number;
  readonly mean: number;
}

/** A change in level found in the data, announced or not. */
export interface JumpsChangePoint {
  /** Index into `series` of the first bucket of the new segment. */
  readonly index: number;
  /** That bucket's start. */
  readonly t: number;
  readonly before: JumpsSegment;
  readonly after: JumpsSegment;
  /** after.mean - before.mean. */
  readonly shift: number;
  /** Which way the level moved, relative to the metric's direction (no test behind it). */
  readonly direction: Exclude<JumpsDirection, "none">;
  /** Versions released within one bucket of `t`; empty for an unannounced change. */
  readonly coincidesWith: readonly string[];
}

export type JumpsChangePoints =
  | {
      readonly status: "ok";
      readonly method: "pelt";
      /** The penalty per change point actually used, in squared metric units. */
      readonly penalty: number;
      /** sigma-hat behind the default penalty, and how it was estimated. */
      readonly sigma: number;
      readonly sigmaEstimator: "mad-of-differences" | "rms-of-differences" | "none";
      readonly points: readonly JumpsChangePoint[];
    }
  | InsufficientData;

export type JumpsTrend =
  | {
      readonly status: "ok";
      readonly method: "mann-kendall";
      readonly n: number;
      readonly tau: number;
      /** The continuity-corrected normal score of Kendall's S. */
      readonly statistic: number;
      readonly pValue: number;
      readonly slopeMethod: "theil-sen";
      /** Metric units per day. */
      readonly slope: number;
      /** Sen's interval at the document's confidence. */
      readonly slopeCi: readonly [number, number];
      readonly slopeUnit: "per-day";
      /** "none" unless pValue < alpha. */
      readonly direction: JumpsDirection;
      readonly significant: boolean;
    }
  | InsufficientData;

export interface JumpsSettings {
  readonly alpha: number;
  /** 1 - alpha: the level of every interval. */
  readonly confidence: number;
  readonly correction: "holm";
  /** The bucket width in ms; absent only for a series with fewer than 2 points. */
  readonly bucketMs?: number;
  /** The longest each side of a release may be, in ms and in whole buckets (absent when the bucket width is unknown). */
  readonly window: { readonly ms: number; readonly buckets?: number };
  readonly changePoints: {
    readonly method: "pelt";
    readonly cost: "normal-mean";
    /** The penalty is penaltyFactor * sigma-hat^2 * log(n) (default factor 3)... */
    readonly penaltyFactor?: number;
    /** ...or this fixed number, in squared metric units. Exactly one of the two is present. */
    readonly penalty?: number;
    readonly minSegment: number;
    /** Whether buckets are weighted by their units. */
    readonly weighted: boolean;
    /** How close to a release, in ms, a change point must be to coincide with it (one bucket). */
    readonly tolerance?: number;
  };
}

export interface JumpsResult {
  readonly kind: "jumps";
  readonly metric: JumpsMetric;
  readonly series: readonly JumpsBucket[];
  /** The release events, in time order. */
  readonly events: readonly { readonly t: number; readonly version: string; readonly model?: string }[];
  /** One per event, in the same order. */
  readonly jumps: readonly ReleaseJump[];
  readonly changePoints: JumpsChangePoints;
  readonly trend: JumpsTrend;
  readonly settings: JumpsSettings;
  readonly warnings: readonly string[];
}
