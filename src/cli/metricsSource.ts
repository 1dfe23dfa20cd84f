/**
 * What the analyses over Prometheus share on the command line: the workspace file and backend,
 * a client that records its queries, the time range, and the `source` stamp of a result document.
 */
import { environmentSecrets, MissingSecretError } from "../config/secrets";
import type { PrometheusBackend } from "../config/types";
import { PrometheusError } from "../telemetry/prometheus/errors";
import { MetricsInputError } from "../telemetry/metrics/abInputs";
import { RecordingApi, type MetricsApi } from "../telemetry/metrics/api";
import { connectBackend } from "../telemetry/metrics/connect";
import type { FlagSpec, ParsedArgs } from "./command";
import { CONFIG_FLAGS, loadWorkspace, pickBackend, type LoadedWorkspace } from "./configSource";
import { UsageError } from "./errors";
import type { CliIo } from "./io";
import { stringFlag } from "./parse";
import { formatTimeRange, parseTimeRange, type TimeRange } from "./timeRange";

export const METRICS_FLAGS: Readonly<Record<string, FlagSpec>> = {
  ...CONFIG_FLAGS,
  range: { type: "string", description: "with --config: the time span, e.g. -14d..now or 2026-11-01..2026-11-15", default: "-14d..now" },
};

export interface MetricsSession {
  readonly workspace: LoadedWorkspace;
  readonly backend: PrometheusBackend;
  readonly api: RecordingApi;
}

/** Loads the workspace, picks the backend (a model's or experiment's unless --backend says) and connects. */
export async function openMetrics(args: ParsedArgs, io: CliIo, preferredBackend?: (ws: LoadedWorkspace) => string | undefined): Promise<MetricsSession> {
  const workspace = await loadWorkspace(stringFlag(args, "config"), io.cwd);
  const backend = pickBackend(workspace.config, stringFlag(args, "backend"), preferredBackend?.(workspace) ?? workspace.config.defaultBackend);
  if (backend.type !== "prometheus") {
    throw new UsageError(`backend '${backend.name}' reads prediction logs; use --logs ${backend.paths.join(" ")} or pick a Prometheus backend with --backend`);
  }
  try {
    const client = await connectBackend(backend, io.secrets ?? environmentSecrets(), {
      onRetry: (e) => io.stderr(`retrying ${backend.name} in ${(e.delayMs / 1000).toFixed(1)} s after: ${e.error.message}\n`),
    });
    return { workspace, backend, api: new RecordingApi(withSignal(client, io.signal)) };
  } catch (err) {
    if (err instanceof MissingSecretError) throw new UsageError(err.message);
    throw err;
  }
}

/** Every query of `api` cancelled by `signal` too, unless the caller passes its own. */
function withSignal(api: MetricsApi, signal: AbortSignal | undefined): MetricsApi {
  if (!signal) return api;
  return {
    instant: (query, timeMs, own) => api.instant(query, timeMs, own ?? signal),
    range: (query, startMs, endMs, stepMs, own) => api.range(query, startMs, endMs, stepMs, own ?? signal),
  };
}

/** `--range`, relative to `--now` or the clock. */
export function metricsRange(args: ParsedArgs, now: number, fallback = "-14d..now"): TimeRange {
  return parseTimeRange(stringFlag(args, "range") ?? fallback, now, "range");
}

/** Backend failures and unanswerable requests are the user's to fix: one line, exit 2. */
export function asMetricsUsageError(err: unknown): unknown {
  if (err instanceof PrometheusError || err instanceof MetricsInputError) return new UsageError(err.message);
  return err;
}

/** The `source` of a result document: enough to run the same queries again. */
export function metricsStamp(session: MetricsSession, range: TimeRange, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: "prometheus",
    backend: session.backend.name,
    url: session.backend.url,
    config: session.workspace.shown,
    configHash: session.workspace.config.hash,
    range: formatTimeRange(range),
    queries: session.api.queries,
    ...extra,
  };
}
