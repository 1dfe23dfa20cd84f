/**
 * Prediction logs as a telemetry source: one streaming pass over JSONL, CSV and Parquet files that
 * produces the inputs of the drift, release-jump and A/B analyses, with a report of what it read
 * and skipped. Memory is bounded by `LogLimits`, never by the size of the files; the report's
 * `peaks` show the most it held. docs/prediction-logs.md is the user-facing description.
 */
import type { FeatureInput } from "../../core/drift/inputs";
import type { MetricSeries } from "../../core/jumps/inputs";
import { ArmsAggregator, type ExperimentArms } from "./arms";
import { CsvHeaderError, readCsv } from "./csv";
import { FeatureAggregator, type FeatureSummary } from "./features";
import { fileChunks, resolveLogFiles, type LogFile } from "./files";
import { readJsonl, type TextReaderState } from "./jsonl";
import { normalizeRow } from "./records";
import { ReleaseTracker, VersionCounter, type LogReleaseEvent, type VersionSummary } from "./releases";
import { SeriesAggregator } from "./series";
import {
  DEFAULT_LIMITS,
  type DriftWindow,
  type FileReport,
  type LogFilters,
  type LogFormat,
  type LogLimits,
  type RowItem,
  type ScanReport,
  type SkippedLine,
} from "./types";

const FN = "readPredictionLogs";

export interface ReadLogsOptions {
  /** Files, directories (every log file below) and glob patterns (`logs/*.jsonl`, `logs/**\/*.parquet`). */
  readonly paths: readonly string[];
  /** Where relative paths start; the process's working directory by default. */
  readonly cwd?: string;
  /** Read every file as this format instead of telling it by extension. */
  readonly format?: LogFormat;
  readonly filters?: LogFilters;
  /** The drift windows; features are summarised only when both are given. */
  readonly baseline?: DriftWindow;
  readonly current?: DriftWindow;
  /**
   * The summaries to build besides the features (which the windows ask for) and the versions
   * (always); all three by default. Those left out come back empty, and their work is skipped.
   */
  readonly summaries?: ReadonlyArray<"series" | "experiments" | "releases">;
  /** Series bucket width in ms; by default the finest that fits `maxSeriesPoints`. */
  readonly bucketMs?: number;
  /** Which way the outcome is better (conversion: higher; churn: lower). Default "higher". */
  readonly outcomeDirection?: "higher" | "lower";
  /** The A/B baseline arm; by default "control" or "baseline" when present. */
  readonly baselineArm?: string;
  readonly limits?: Partial<LogLimits>;
  /** Called after each chunk or batch with bytes read so far (compressed bytes for .gz) and the files' total size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Aborting stops the scan at the next chunk with an AbortError. */
  readonly signal?: AbortSignal;
}

export interface PredictionLogs {
  readonly report: ScanReport;
  /** Drift inputs per feature, the prediction first; empty without both windows. */
  readonly features: FeatureInput[];
  readonly featureSummaries: FeatureSummary[];
  readonly experiments: ExperimentArms[];
  /** error_rate, latency_p95, prediction_mean, outcome_rate, always in this order. */
  readonly series: MetricSeries[];
  /** The series' bucket width. */
  readonly bucketMs: number;
  readonly releases: LogReleaseEvent[];
  readonly versions: VersionSummary[];
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException(`${FN}: the scan was aborted`, "AbortError");
}

function checkWindow(name: string, w: DriftWindow | undefined): void {
  if (w === undefined) return;
  if (!(Number.isFinite(w.start) && Number.isFinite(w.end) && w.start < w.end)) {
    throw new Error(`${FN}: '${name}' must have finite start < end (ms), got ${JSON.stringify(w)}`);
  }
}

function checkLimits(limits: LogLimits): void {
  for (const [k, v] of Object.entries(limits)) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${FN}: 'limits.${k}' must be a whole number >= 1, got ${v}`);
  }
}

const inWindow = (w: DriftWindow, t: number, version: string | undefined): boolean =>
  t >= w.start && t < w.end && (w.version === undefined || w.version === version);

/** hyparquet is loaded only when a Parquet file is read. */
let parquetModule: Promise<typeof import("./parquet")> | undefined;

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Reads prediction logs and returns what the analyses need. Malformed records are skipped and
 * reported with their line; unreadable files are reported and the scan goes on. Throws only for
 * broken preconditions (no files, bad options) and on abort.
 */
export async function readPredictionLogs(options: ReadLogsOptions): Promise<PredictionLogs> {
  const limits: LogLimits = { ...DEFAULT_LIMITS, ...options.limits };
  checkLimits(limits);
  const filters = options.filters ?? {};
  const { baseline, current, signal } = options;
  checkWindow("baseline", baseline);
  checkWindow("current", current);
  checkWindow("filters.range", filters.range);
  if ((baseline === undefined) !== (current === undefined)) throw new Error(`${FN}: give both 'baseline' and 'current' windows, or neither`);
  if (filters.versions && !filters.versions.every((v) => typeof v === "string")) throw new Error(`${FN}: 'filters.versions' must be strings`);
  if (signal?.aborted) throw abortError(signal);

  const { files, unmatched } = await resolveLogFiles(options.paths, { cwd: options.cwd, format: options.format });
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const outcomeDirection = options.outcomeDirection ?? "higher";
  const series = new SeriesAggregator({ bucketMs: options.bucketMs, range: filters.range, maxPoints: limits.maxSeriesPoints, outcomeDirection });
  const features = baseline && current ? new FeatureAggregator(limits) : undefined;
  const arms = new ArmsAggregator({ maxExperiments: limits.maxExperiments, maxArms: limits.maxArms, baselineArm: options.baselineArm, outcomeDirection });
  const releases = new ReleaseTracker(limits.maxVersions);
  const versions = new VersionCounter(limits.maxVersions);
  const versionFilter = filters.versions ? new Set(filters.versions) : undefined;
  const wanted = new Set(options.summaries ?? ["series", "experiments", "releases"]);
  const wantSeries = wanted.has("series");
  const wantArms = wanted.has("experiments");
  const wantReleases = wanted.has("releases");
  const range = filters.range;
  const normalize = { maxLabelChars: limits.maxLabelChars };

  const skipped: SkippedLine[] = [];
  const fileReports: FileReport[] = [];
  const text: TextReaderState = { peakBuffered: 0 };
  let bytesRead = 0;
  let rowsRead = 0;
  let rowsMatched = 0;
  let rowsSkipped = 0;
  let events = 0;
  let peakBatch = 0;

  // An error thrown by the caller's callback is theirs: it ends the scan, not just the file.
  let callbackError: { error: unknown } | undefined;
  const progress = (): void => {
    try {
      options.onProgress?.(bytesRead, totalBytes);
    } catch (error) {
      callbackError = { error };
      throw error;
    }
  };

  const skip = (file: string, line: number, reason: string): void => {
    if (skipped.length < limits.maxReasons) skipped.push({ file, line, reason });
  };

  const handle = (file: string, item: RowItem): boolean => {
    rowsRead++;
    if ("error" in item) {
      rowsSkipped++;
      skip(file, item.line, item.error);
      return false;
    }
    const n = normalizeRow(item.row, item.textual, normalize);
    if (n.kind === "invalid") {
      rowsSkipped++;
      skip(file, item.line, n.reason);
      return false;
    }
    if (n.kind === "event") {
      events++;
      if (wantReleases && (filters.model === undefined || n.event.model === undefined || n.event.model === filters.model)) releases.seeEvent(n.event);
      return true;
    }
    const r = n.record;
    if (filters.model !== undefined && r.model !== filters.model) return true;
    if (wantReleases) releases.seeRow(r);
    if (versionFilter && (r.version === undefined || !versionFilter.has(r.version))) return true;
    if (filters.experiment !== undefined && r.experiment !== filters.experiment) return true;
    if (range && !(r.t >= range.start && r.t < range.end)) return true;
    rowsMatched++;
    versions.add(r);
    if (wantSeries) series.add(r);
    if (wantArms) arms.add(r);
    if (features) {
      if (inWindow(baseline!, r.t, r.version)) features.addRow(0, r.features, r.prediction);
      if (inWindow(current!, r.t, r.version)) features.addRow(1, r.features, r.prediction);
    }
    return true;
  };

  const readerFor = async (file: LogFile, onBytes: (n: number) => void): Promise<AsyncGenerator<RowItem[]>> => {
    if (file.format === "parquet") {
      const { readParquet } = await (parquetModule ??= import("./parquet"));
      return readParquet(file.path, file.size, { batchRows: limits.parquetBatchRows, maxRowGroupBytes: limits.maxRowGroupBytes, onBytes });
    }
    const chunks = fileChunks(file, onBytes);
    return file.format === "csv" ? readCsv(chunks, limits.maxLineBytes, text) : readJsonl(chunks, limits.maxLineBytes, text);
  };

  for (const file of files) {
    if (signal?.aborted) throw abortError(signal);
    const startBytes = bytesRead;
    let fileBytes = 0;
    let rows = 0;
    let bad = 0;
    let error: string | undefined;
    let lastLine = 0;
    const onBytes = (n: number): void => {
      const add = Math.min(n, file.size - fileBytes);
      fileBytes += add;
      bytesRead += add;
    };
    try {
      for await (const batch of await readerFor(file, onBytes)) {
        if (batch.length > peakBatch) peakBatch = batch.length;
        for (const item of batch) {
          rows++;
          lastLine = item.line;
          if (!handle(file.path, item)) bad++;
        }
        progress();
        await immediate(); // lets an abort (or other work) in between batches
        if (signal?.aborted) throw abortError(signal);
      }
    } catch (e) {
      if (signal?.aborted) throw abortError(signal); // leaving the loop has closed the reader
      if (callbackError) throw callbackError.error;
      const known = e instanceof CsvHeaderError || (e instanceof Error && e.name === "ParquetFileError");
      error = known ? e.message : `read failed after line ${lastLine}: ${e instanceof Error ? e.message : String(e)}`;
      skip(file.path, 0, error);
    }
    bytesRead = startBytes + file.size;
    progress();
    fileReports.push({ path: file.path, format: file.format, bytes: file.size, rows, skipped: bad, ...(error !== undefined ? { error } : {}) });
  }

  const featureResult = features?.finish() ?? { inputs: [], summaries: [] };
  const warnings: string[] = [];
  for (const p of unmatched) warnings.push(`'${p}' matched no log files`);
  for (const f of fileReports) if (f.error) warnings.push(`${f.path}: ${f.error}`);
  if (rowsSkipped > 0) warnings.push(`${rowsSkipped} malformed record${rowsSkipped === 1 ? " was" : "s were"} skipped${rowsSkipped > limits.maxReasons ? `; the report lists the first ${limits.maxReasons}` : ""}`);
  if (features && features.dropped > 0) warnings.push(`${features.dropped} values of features beyond the first ${limits.maxFeatures} were left out`);
  for (const s of featureResult.summaries) {
    if (s.mixed > 0) warnings.push(`feature '${s.name}' is ${s.kind}: ${s.mixed} ${s.kind === "numeric" ? "text" : "numeric"} value${s.mixed === 1 ? " was" : "s were"} left out`);
  }
  if (arms.withoutArm > 0) warnings.push(`${arms.withoutArm} rows name an experiment but no arm and were left out of the arms`);
  if (arms.droppedExperiments + arms.droppedArms > 0) {
    warnings.push(`${arms.droppedExperiments + arms.droppedArms} rows of experiments or arms beyond the caps (${limits.maxExperiments} experiments, ${limits.maxArms} arms) were left out`);
  }
  if (releases.otherEvents > 0) warnings.push(`${releases.otherEvents} event records other than "release" were ignored`);
  if (releases.dropped + versions.dropped > 0) warnings.push(`versions beyond the first ${limits.maxVersions} were not tracked`);
  if (series.widened) warnings.push(`the series buckets widened from ${options.bucketMs} ms to ${series.width} ms to stay within ${limits.maxSeriesPoints} points`);

  const report: ScanReport = {
    files: fileReports,
    bytes: totalBytes,
    rowsRead,
    rowsMatched,
    events,
    rowsSkipped,
    skipped,
    warnings,
    peaks: {
      bufferedBytes: text.peakBuffered,
      batchRows: peakBatch,
      rawSample: features?.peakRawSample ?? 0,
      features: features?.featureCount ?? 0,
      categories: features?.peakCategories ?? 0,
      seriesPoints: series.peakPoints,
      versions: Math.max(releases.tracked, versions.size),
      experiments: arms.experimentCount,
      arms: arms.peakArms,
    },
  };
  return {
    report,
    features: featureResult.inputs,
    featureSummaries: featureResult.summaries,
    experiments: arms.finish(),
    series: series.finish(),
    bucketMs: series.width,
    releases: releases.finish(range, filters.versions),
    versions: versions.finish(),
  };
}
