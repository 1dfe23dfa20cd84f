/**
 * The `canary` result document: a canary's policy, its steps with every check and the metrics
 * behind it, and each decision (set weight, wait, promote, roll back) with its reasons. The
 * contract between the canary state machine and every host; fields only ever gain members.
 */

export const CANARY_MIME = "application/vnd.prodinsights.canary+json";

/** A metric's verdict at one check: no data or too little is inconclusive, never pass. */
export type CanaryVerdict = "pass" | "fail" | "inconclusive";

export type CanaryMetricCheck =
  | {
      readonly metric: string;
      readonly verdict: CanaryVerdict;
      readonly method: "two-proportion" | "mann-whitney";
      /** Units on each side. */
      readonly n: readonly [baseline: number, candidate: number];
      /**
       * proportion: candidate rate minus baseline rate. mann-whitney: the probability that a
       * candidate value exceeds a baseline value, minus 0.5 (ties count half).
       */
      readonly difference: number;
      readonly pValue: number;
      /** Why, in words: "error_rate 2.1% vs 1.0% (+1.1 pp), p = 3e-8: worse beyond the 0.5 pp allowed". */
      readonly reason: string;
    }
  | {
      readonly metric: string;
      readonly verdict: "inconclusive";
      readonly n: readonly [baseline: number, candidate: number];
      readonly reason: string;
    };

export interface CanaryCheck {
  readonly t: number;
  /** The step being judged, 0-based. */
  readonly step: number;
  readonly metrics: readonly CanaryMetricCheck[];
  /** fail when any metric fails; inconclusive when none fails but one is inconclusive; else pass. */
  readonly outcome: CanaryVerdict;
}

export type CanaryAction =
  | { readonly type: "set-weight"; readonly weight: number }
  | { readonly type: "wait"; readonly until: number }
  | { readonly type: "promote" }
  | { readonly type: "rollback" };

export interface CanaryDecision {
  readonly t: number;
  readonly action: CanaryAction;
  readonly reasons: readonly string[];
}

export type CanaryStatus = "pending" | "running" | "promoted" | "rolled-back";

export interface CanaryResult {
  readonly kind: "canary";
  readonly status: CanaryStatus;
  /** The step in progress, 0-based; -1 before the first. */
  readonly step: number;
  /** The candidate's traffic percentage now. */
  readonly weight: number;
  readonly checks: readonly CanaryCheck[];
  readonly decisions: readonly CanaryDecision[];
}
