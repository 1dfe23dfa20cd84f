/**
 * What every part of a snapshot shares: the workspace, the clock of this gathering, at most four
 * reads at a time, the CLI run in-process (identical runs are made once), and how each CLI
 * command is spelt for a backend. No `vscode` here.
 */
import path from "node:path";
import type { SecretLookup } from "../../config/secrets";
import type { Backend, Config } from "../../config/types";
import { runInsights, type InsightsRun } from "./insights";
import type { Problem } from "./types";

export const MAX_CONCURRENT_READS = 4;

export interface GatherContext {
  /** Absolute. */
  readonly configFile: string;
  readonly config: Config;
  /** The workspace folder: where the CLI runs. */
  readonly cwd: string;
  /** The instant of this snapshot, ms: every relative range counts back from it. */
  readonly now: number;
  readonly secrets?: SecretLookup;
  readonly signal?: AbortSignal;
  /** False in an untrusted workspace: providers that read credentials from disk (a kubeconfig) are not asked. */
  readonly trusted?: boolean;
  /** Runs `task` when fewer than MAX_CONCURRENT_READS reads are running. */
  read<T>(task: () => Promise<T>): Promise<T>;
  /** `prodinsights <argv>` in-process, as one read; the same argv twice is run once. */
  insights(argv: readonly string[]): Promise<InsightsRun>;
}

/** A queue that lets `limit` tasks run at once. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export function gatherContext(input: Omit<GatherContext, "read" | "insights">): GatherContext {
  const read = limiter(MAX_CONCURRENT_READS);
  const runs = new Map<string, Promise<InsightsRun>>();
  return {
    ...input,
    read,
    insights(argv) {
      const key = JSON.stringify(argv);
      let run = runs.get(key);
      if (!run) {
        run = read(() => runInsights(argv, { cwd: input.cwd, now: () => input.now, ...(input.secrets ? { secrets: input.secrets } : {}), ...(input.trusted === false ? { trusted: false } : {}), ...(input.signal ? { signal: input.signal } : {}) }));
        runs.set(key, run);
      }
      return run;
    },
  };
}

/** A thrown value as a Problem's message. */
export function problemOf(err: unknown, what: string): Problem {
  return { message: `${what}: ${err instanceof Error ? err.message : String(err)}` };
}

/** What the argv builders need: the config and where its file is. */
export type ConfigOf = Pick<GatherContext, "config" | "configFile">;

/** The backend's log paths, resolved against the config file's folder as prodinsights.yaml means them. */
function logArgs(ctx: ConfigOf, backend: Extract<Backend, { type: "logs" }>): string[] {
  return backend.paths.flatMap((p) => ["--logs", path.resolve(path.dirname(ctx.configFile), p)]);
}

export function backendOf(ctx: ConfigOf, name: string): Backend | undefined {
  return ctx.config.backends.get(name);
}

/** The metrics a prediction log gives per model (`jumps --logs`) and per arm (`ab --logs`). */
export const LOG_JUMP_METRICS: readonly string[] = ["error_rate", "latency_p95", "prediction_mean", "outcome_rate"];
export const LOG_AB_METRICS: readonly string[] = ["conversion", "outcome_rate", "outcome_mean", "error_rate", "latency_ms", "prediction_mean"];

/**
 * `drift` of a model between two windows, from the model's backend: over Prometheus with
 * `--config`, over prediction logs with `--logs` (the CLI reads a logs backend only that way).
 */
export function driftArgv(ctx: ConfigOf, model: string, baseline: string, current: string): string[] {
  const backend = backendOf(ctx, ctx.config.models.get(model)?.backend ?? ctx.config.defaultBackend);
  const windows = ["--baseline", baseline, "--current", current];
  if (backend?.type === "logs") return ["drift", ...logArgs(ctx, backend), "--model", model, ...windows];
  return ["drift", model, "--config", ctx.configFile, ...windows];
}

/** `jumps` of a model's metric; undefined with the reason when its backend cannot give that metric. */
export function jumpsArgv(ctx: ConfigOf, model: string, metric: string): { argv: string[] } | { error: string } {
  const backend = backendOf(ctx, ctx.config.models.get(model)?.backend ?? ctx.config.defaultBackend);
  if (backend?.type === "logs") {
    if (!LOG_JUMP_METRICS.includes(metric)) return { error: `prediction logs give ${LOG_JUMP_METRICS.join(", ")}, not '${metric}'` };
    return { argv: ["jumps", ...logArgs(ctx, backend), "--model", model, "--metric", metric] };
  }
  return { argv: ["jumps", model, "--config", ctx.configFile, "--metric", metric] };
}

/** `ab` of an experiment's metric, from the experiment's backend. */
export function abArgv(ctx: ConfigOf, experiment: string, metric: string): { argv: string[] } | { error: string } {
  const backend = backendOf(ctx, ctx.config.experiments.get(experiment)?.backend ?? ctx.config.defaultBackend);
  if (backend?.type === "logs") {
    if (!LOG_AB_METRICS.includes(metric)) return { error: `prediction logs give ${LOG_AB_METRICS.join(", ")} per arm, not '${metric}'` };
    return { argv: ["ab", ...logArgs(ctx, backend), "--experiment", experiment, "--metric", metric] };
  }
  return { argv: ["ab", experiment, "--config", ctx.configFile, "--metric", metric] };
}

/** `argv` with `--json`, for the document. */
export const json = (argv: readonly string[]): string[] => [...argv, "--json"];
