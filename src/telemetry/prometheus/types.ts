/**
 * Typed results of the Prometheus HTTP API (Prometheus 2.x and VictoriaMetrics agree on these
 * shapes). Sample values are numbers; NaN and ±Inf are "no data" and never appear: a sample or point
 * with such a value is left out, and a series left without points is left out too. VictoriaMetrics
 * drops NaN points itself, so this is what keeps both backends' answers alike.
 */
export type Labels = Readonly<Record<string, string>>;

export interface InstantSample {
  readonly labels: Labels;
  readonly value: number;
  /** Evaluation time, ms since the epoch. */
  readonly timeMs: number;
}

export interface RangePoint {
  /** Time, ms since the epoch. */
  readonly t: number;
  readonly v: number;
}

export interface RangeSeries {
  readonly labels: Labels;
  /** Ascending in time; only finite values. */
  readonly points: readonly RangePoint[];
}

/** What an instant query returns, by the server's `resultType`. */
export type InstantResult =
  | { readonly resultType: "vector"; readonly samples: readonly InstantSample[] }
  /** A scalar such as `1/0` or `scalar(x)`: `sample` is undefined when it has no finite value. */
  | { readonly resultType: "scalar"; readonly sample: InstantSample | undefined }
  /** An instant query of a range selector (`x[5m]`) returns raw samples as a matrix. */
  | { readonly resultType: "matrix"; readonly series: readonly RangeSeries[] }
  | { readonly resultType: "string"; readonly value: string; readonly timeMs: number };

export interface RangeResult {
  readonly series: readonly RangeSeries[];
  /** The step actually used (see `chooseStep`), ms. */
  readonly stepMs: number;
  readonly warnings: readonly string[];
}

export interface QueryResponse {
  readonly result: InstantResult;
  readonly warnings: readonly string[];
}
