/**
 * The `drift` result document: per feature, how far the current window moved from the baseline,
 * by which measure, at which level, with both histograms on shared bins for the renderer; and a
 * dataset verdict from the share of drifted features. Fields only ever gain members.
 * docs/drift.md describes the methods, the levels and the selection rules.
 */
import type { InsufficientData } from "./common";

export const DRIFT_MIME = "application/vnd.prodinsights.drift+json";

/** The measures, named as in Evidently: the three tests give p-values, the rest are distances. */
export type DriftMethod = "ks" | "chisquare" | "z" | "psi" | "jensenshannon" | "wasserstein";

/** none < possible < drift; docs/drift.md defines the "possible" band. */
export type DriftLevel = "none" | "possible" | "drift";

/** How the selection rules see a column: numeric with more than 5 unique values, or not. */
export type DriftColumnType = "numeric" | "categorical" | "binary";

/**
 * A numeric bin: values in (lower, upper]. A missing bound is infinite (an open Prometheus
 * bucket). For raw samples the first bin also holds its lower edge, and lower === upper marks a
 * bin that holds that single value.
 */
export interface DriftBin {
  readonly lower?: number;
  readonly upper?: number;
}

/** Counts of both windows over the same bins or categories, in the same order. */
export type DriftHistogram =
  | {
      readonly kind: "numeric";
      readonly bins: readonly DriftBin[];
      readonly baseline: readonly number[];
      readonly current: readonly number[];
    }
  | {
      readonly kind: "categorical";
      /** Category names, or for numeric columns with at most 5 unique values the values as text. */
      readonly categories: readonly string[];
      readonly baseline: readonly number[];
      readonly current: readonly number[];
    };

export interface DriftWindowCounts {
  readonly baseline: number;
  readonly current: number;
}

interface DriftFeatureCommon {
  /** The feature's name as given: data, to be escaped by whoever renders it. */
  readonly name: string;
  /** Values (or counts) used from each window, after dropping missing values. */
  readonly n: DriftWindowCounts;
  /** Raw samples only: NaN or infinite values left out of each window, when there were any. */
  readonly missing?: DriftWindowCounts;
}

export type DriftFeature =
  | (DriftFeatureCommon & {
      readonly status: "ok";
      /** The input's shape: raw numeric samples, histogram buckets, or category counts. */
      readonly dataKind: "numeric" | "binned" | "categorical";
      readonly columnType: DriftColumnType;
      readonly method: DriftMethod;
      /**
       * Who chose the method: the selection rules, the global option, the feature's own
       * override, or a fallback (a constant baseline has no normed Wasserstein distance).
       */
      readonly methodSource: "default" | "options" | "feature" | "fallback";
      /**
       * The effect size, independent of n: KS D; chi-square Cohen's w = sqrt(X² / n current);
       * z the difference of shares (current - baseline) of the second category; otherwise the
       * distance itself (PSI, Jensen-Shannon distance, Wasserstein / baseline sd).
       */
      readonly score: number;
      /** Tests only: KS D, chi-square X², or the z statistic (current minus baseline). */
      readonly statistic?: number;
      /** Tests only (ks, chisquare, z). */
      readonly pValue?: number;
      readonly threshold: number;
      /** What the threshold is compared with: the p-value for tests, the score for distances. */
      readonly comparedWith: "pValue" | "score";
      /**
       * The edge of the "possible" band: for tests p < possibleBound = min(2 threshold, 1); for
       * distances score >= possibleBound = threshold / 2.
       */
      readonly possibleBound: number;
      readonly level: DriftLevel;
      readonly histogram: DriftHistogram;
    })
  | (DriftFeatureCommon & InsufficientData);

export type DriftVerdict = "drift" | "possible" | "none" | "insufficient-data";

export interface DriftLevelCounts {
  readonly none: number;
  readonly possible: number;
  readonly drift: number;
  readonly insufficientData: number;
}

export interface DriftResult {
  readonly kind: "drift";
  /**
   * "drift" when shareDrifted >= driftShare, else "possible" when shareAtLeastPossible >=
   * driftShare, else "none"; "insufficient-data" when no feature could be tested.
   */
  readonly verdict: DriftVerdict;
  /** The share of tested features at which the dataset counts as drifted (Evidently's drift_share). */
  readonly driftShare: number;
  /** drift / tested; absent when nothing could be tested. */
  readonly shareDrifted?: number;
  /** (drift + possible) / tested; absent when nothing could be tested. */
  readonly shareAtLeastPossible?: number;
  /** Features with a measure; insufficient ones are left out of the shares, and warned about. */
  readonly tested: number;
  readonly counts: DriftLevelCounts;
  readonly features: readonly DriftFeature[];
  readonly warnings: readonly string[];
}
