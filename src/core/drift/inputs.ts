/**
 * What a drift analysis reads for one feature (or the prediction): the baseline window against
 * the current one, as raw samples, as counts over shared numeric bins, or as category counts.
 * Telemetry sources (prediction logs, Prometheus histograms) produce these.
 */
import type { Sample } from "../stats/sample";

export type FeatureData =
  /** Raw values; sources keep these only while the windows are small enough. */
  | { readonly kind: "numeric"; readonly baseline: Sample; readonly current: Sample }
  /**
   * Counts per bin over shared edges: bin i holds values in (edges[i], edges[i + 1]] as
   * Prometheus `le` buckets do. `edges.length === counts.length + 1`; the first edge may be
   * -Infinity and the last +Infinity.
   */
  | {
      readonly kind: "binned";
      readonly edges: readonly number[];
      readonly baseline: readonly number[];
      readonly current: readonly number[];
    }
  /** Counts per category, in the same category order for both windows. */
  | {
      readonly kind: "categorical";
      readonly categories: readonly string[];
      readonly baseline: readonly number[];
      readonly current: readonly number[];
    };

/** A named feature; the prediction is a feature named "prediction". */
export interface FeatureInput {
  readonly name: string;
  readonly data: FeatureData;
}
