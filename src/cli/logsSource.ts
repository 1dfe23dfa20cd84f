/**
 * Prediction logs as the CLI's telemetry source: the shared flags, the scan with progress on a
 * terminal, and the report of what was read and skipped.
 */
import path from "node:path";
import { LogInputError } from "../telemetry/logs/files";
import { readPredictionLogs, type PredictionLogs, type ReadLogsOptions } from "../telemetry/logs/scan";
import type { FlagSpec, ParsedArgs } from "./command";
import { asUsageError, UsageError } from "./errors";
import { count } from "./format";
import type { CliIo } from "./io";
import { stringFlag } from "./parse";
import { parseInstant } from "./timeRange";

export const LOG_FLAGS = {
  logs: { type: "string", multiple: true, description: "prediction logs: files, folders or globs (.jsonl, .csv, .parquet); repeatable" },
  model: { type: "string", description: "only this model's rows" },
  now: { type: "string", description: "the time relative ranges count back from, e.g. 2026-11-26T00:00Z", default: "the clock" },
} as const satisfies Record<string, FlagSpec>;

/** The --logs patterns; at least one is required. */
export function logPaths(args: ParsedArgs): string[] {
  const raw = args.values["logs"];
  const paths = Array.isArray(raw) ? [...(raw as string[])] : typeof raw === "string" ? [raw] : [];
  if (paths.length === 0) throw new UsageError("--logs is required, e.g. --logs 'logs/*.jsonl'");
  return paths;
}

/** The instant relative ranges count back from: --now, or the clock. */
export function nowFrom(args: ParsedArgs, io: CliIo): number {
  const text = stringFlag(args, "now");
  return text === undefined ? io.now() : parseInstant(text, io.now());
}

/** Scans the logs, drawing progress on stderr when it is a terminal; input mistakes become usage errors. */
export async function scanLogs(io: CliIo, options: Omit<ReadLogsOptions, "onProgress">): Promise<PredictionLogs> {
  let last = 0;
  const onProgress = io.stderrIsTty
    ? (read: number, total: number) => {
        const now = Date.now();
        if (now - last < 200) return;
        last = now;
        const mb = (b: number) => (b / 1e6).toFixed(1);
        io.stderr(`\rscanning logs: ${total > 0 ? Math.floor((100 * read) / total) : 0}% (${mb(read)} of ${mb(total)} MB)`);
      }
    : undefined;
  try {
    return await readPredictionLogs({ ...(io.cwd !== undefined ? { cwd: io.cwd } : {}), ...(io.signal ? { signal: io.signal } : {}), ...options, ...(onProgress ? { onProgress } : {}) });
  } catch (err) {
    throw err instanceof LogInputError ? new UsageError(err.message) : asUsageError(err);
  } finally {
    if (onProgress) io.stderr("\r\x1b[K");
  }
}

/** What was read: one line, plus the first skipped records with their file and line. */
export function scanSummary(logs: PredictionLogs, shown = 5): string {
  const r = logs.report;
  const files = `${r.files.length} file${r.files.length === 1 ? "" : "s"}`;
  const lines = [`Read ${count(r.rowsRead)} records from ${files}; ${count(r.rowsMatched)} matched the filters.`];
  if (r.rowsSkipped > 0) {
    lines.push(`Skipped ${count(r.rowsSkipped)} malformed record${r.rowsSkipped === 1 ? "" : "s"}:`);
    for (const s of r.skipped.slice(0, shown)) lines.push(`  ${displayPath(s.file)}:${s.line}: ${s.reason}`);
    if (r.rowsSkipped > shown) lines.push(`  ... and ${count(r.rowsSkipped - shown)} more (--json lists up to ${r.skipped.length}).`);
  }
  // The reader's own warning about skipped records repeats the lines above.
  lines.push(...r.warnings.filter((w) => !w.startsWith(`${r.rowsSkipped} malformed`)).map((w) => `Warning: ${w}`));
  return lines.join("\n");
}

/** A file as the user named it: relative to the working directory when it lies below it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** The source stamp that --json output carries next to the document, so a result can be traced. */
export function logsStamp(paths: readonly string[], logs: PredictionLogs, extra: Record<string, unknown>): Record<string, unknown> {
  const r = logs.report;
  return {
    kind: "prediction-logs",
    paths,
    files: r.files.map((f) => f.path),
    rowsRead: r.rowsRead,
    rowsMatched: r.rowsMatched,
    rowsSkipped: r.rowsSkipped,
    skipped: r.skipped,
    ...extra,
  };
}
