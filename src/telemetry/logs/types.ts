/**
 * Shared types of the prediction-log reader: the normalised record, the options, the caps and the
 * scan report. docs/prediction-logs.md explains them for people.
 */

import type { ScannedRow } from "./records";

/** A feature value after normalisation: finite numbers, or category labels (booleans as "true"/"false"). */
export type FeatureValue = number | string;

/**
 * A record's features, visited in the order they were written. Values are converted as they are
 * visited instead of being copied into a list first: a scan meets tens of millions of them.
 */
export interface FeatureSource {
  visit(visitor: FeatureVisitor): void;
}

/** What a FeatureSource calls per value: an object with a method, which the JIT inlines better than a closure. */
export interface FeatureVisitor {
  feature(name: string, value: FeatureValue): void;
}

/** One prediction request, validated (DESIGN.md §4). */
export interface PredictionRecord {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly model?: string;
  readonly version?: string;
  readonly unit?: string;
  readonly experiment?: string;
  readonly arm?: string;
  readonly features: FeatureSource;
  readonly prediction?: FeatureValue;
  readonly latencyMs?: number;
  readonly error: boolean;
  /** Booleans as 0/1; any finite number otherwise. */
  readonly outcome?: number;
}

/** An explicit event record such as `{"ts": ..., "event": "release", "model": "churn", "version": "v2"}`. */
export interface EventRecord {
  readonly t: number;
  readonly event: string;
  readonly model?: string;
  readonly version?: string;
}

/**
 * What a format reader hands the scan: a row as read (an object, or what the JSONL fast path read
 * of one), or why the record could not be read.
 */
export type RowItem =
  | { readonly line: number; readonly row: Readonly<Record<string, unknown>> | ScannedRow; readonly textual: boolean }
  | { readonly line: number; readonly error: string };

export type LogFormat = "jsonl" | "csv" | "parquet";

/** A half-open time window [start, end) in ms; a drift window may also pin a version. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}
export interface DriftWindow extends TimeWindow {
  readonly version?: string;
}

export interface LogFilters {
  readonly model?: string;
  /** Rows of any of these versions. */
  readonly versions?: readonly string[];
  readonly experiment?: string;
  /** Only rows with start <= t < end. */
  readonly range?: TimeWindow;
}

/** Every bound that keeps memory independent of the input's size. */
export interface LogLimits {
  /** A line (JSONL) or record (CSV) longer than this is skipped. */
  readonly maxLineBytes: number;
  /** How many skipped-line reasons the report lists (all are counted). */
  readonly maxReasons: number;
  /** Raw values kept per feature and window; a window with more is summarised by its sketch. */
  readonly rawSampleCap: number;
  /** Distinct features tracked, the prediction included; values of later ones are ignored. */
  readonly maxFeatures: number;
  /** Categories per categorical feature; the rest are counted as "(other)". */
  readonly maxCategories: number;
  /** Target number of bins for numeric features (baseline quantiles). */
  readonly bins: number;
  /** Time buckets per series; buckets widen until the span fits. */
  readonly maxSeriesPoints: number;
  /** Distinct (model, version) pairs and explicit release events tracked. */
  readonly maxVersions: number;
  readonly maxExperiments: number;
  readonly maxArms: number;
  /** Labels (model, version, unit, experiment, arm, event) longer than this make a row malformed; longer category values are cut. */
  readonly maxLabelChars: number;
  /** Parquet rows turned into records at a time. */
  readonly parquetBatchRows: number;
  /** A Parquet row group larger than this (uncompressed bytes, from the footer) is not read. */
  readonly maxRowGroupBytes: number;
}

export const DEFAULT_LIMITS: LogLimits = {
  maxLineBytes: 1 << 20,
  maxReasons: 20,
  rawSampleCap: 5000,
  maxFeatures: 256,
  maxCategories: 100,
  bins: 10,
  maxSeriesPoints: 1000,
  maxVersions: 1000,
  maxExperiments: 100,
  maxArms: 20,
  maxLabelChars: 256,
  parquetBatchRows: 4096,
  maxRowGroupBytes: 512 * (1 << 20),
};

export interface SkippedLine {
  readonly file: string;
  /** 1-based line (JSONL), first line of the record (CSV), or row (Parquet); 0 for the whole file. */
  readonly line: number;
  readonly reason: string;
}

export interface FileReport {
  readonly path: string;
  readonly format: LogFormat;
  readonly bytes: number;
  /** Records read from this file, malformed ones included. */
  readonly rows: number;
  readonly skipped: number;
  /** Set when the file could not be read to its end; rows before the failure still count. */
  readonly error?: string;
}

/** The largest amounts the scan held at any moment: the proof that memory stayed bounded. */
export interface ScanPeaks {
  /** Bytes of one unfinished line or record. */
  readonly bufferedBytes: number;
  /** Rows handed over at once by a reader. */
  readonly batchRows: number;
  /** Raw values kept for any one feature and window. */
  readonly rawSample: number;
  readonly features: number;
  /** Categories of any one feature, "(other)" included. */
  readonly categories: number;
  /** Time buckets held by the series. */
  readonly seriesPoints: number;
  readonly versions: number;
  readonly experiments: number;
  /** Arms of any one experiment. */
  readonly arms: number;
}

export interface ScanReport {
  readonly files: readonly FileReport[];
  readonly bytes: number;
  /** Records read (predictions, events and malformed ones); blank lines and CSV headers are not records. */
  readonly rowsRead: number;
  /** Prediction rows that passed every filter. */
  readonly rowsMatched: number;
  /** Explicit event records read. */
  readonly events: number;
  readonly rowsSkipped: number;
  /** The first `maxReasons` skipped records. */
  readonly skipped: readonly SkippedLine[];
  readonly warnings: readonly string[];
  readonly peaks: ScanPeaks;
}
