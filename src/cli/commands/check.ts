import path from "node:path";
import { environmentSecrets, MissingSecretError } from "../../config/secrets";
import type { Backend, Config } from "../../config/types";
import { resolveLogFiles } from "../../telemetry/logs/files";
import { connectBackend } from "../../telemetry/metrics/connect";
import { escapeLabelValue } from "../../telemetry/metrics/templates";
import type { Command } from "../command";
import { CONFIG_FLAGS, loadWorkspace } from "../configSource";
import { UsageError } from "../errors";
import { count } from "../format";
import type { CliIo } from "../io";
import { stringFlag } from "../parse";

interface Outcome {
  readonly ok: boolean;
  readonly line: string;
}

/** A Prometheus backend answers a trivial query, and the configured models have traffic in the last day. */
async function checkPrometheus(backend: Extract<Backend, { type: "prometheus" }>, config: Config, now: number, secrets: CliIo["secrets"]): Promise<Outcome> {
  const started = Date.now();
  const client = await connectBackend(backend, secrets ?? environmentSecrets());
  await client.query("vector(1)", { timeMs: now });
  const ms = Date.now() - started;
  const models = [...config.models.values()].filter((m) => m.backend === backend.name).map((m) => m.name);
  if (models.length === 0) return { ok: true, line: `reachable in ${ms} ms` };
  const selector = `model_requests_total{model=~"${models.map((m) => escapeLabelValue(m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("|")}"}`;
  const seen = new Set((await client.instant(`count by (model) (${selector})`, now)).map((s) => s.labels["model"]));
  const missing = models.filter((m) => !seen.has(m));
  const line = `reachable in ${ms} ms; model_requests_total ${missing.length === 0 ? `has every model (${models.join(", ")})` : `has no series of ${missing.join(", ")} right now`}`;
  return { ok: true, line };
}

/** A logs backend's patterns match files. */
async function checkLogs(backend: Extract<Backend, { type: "logs" }>, configDir: string): Promise<Outcome> {
  const { files, unmatched } = await resolveLogFiles(backend.paths, { cwd: configDir, ...(backend.format ? { format: backend.format } : {}) });
  const bytes = files.reduce((s, f) => s + f.size, 0);
  const line = `${count(files.length)} file${files.length === 1 ? "" : "s"}, ${(bytes / 1e6).toFixed(1)} MB${unmatched.length ? `; no files for ${unmatched.join(", ")}` : ""}`;
  return { ok: true, line };
}

async function checkBackend(backend: Backend, config: Config, configDir: string, now: number, secrets: CliIo["secrets"]): Promise<Outcome> {
  try {
    return backend.type === "logs" ? await checkLogs(backend, configDir) : await checkPrometheus(backend, config, now, secrets);
  } catch (err) {
    const message = err instanceof MissingSecretError || err instanceof Error ? err.message : String(err);
    return { ok: false, line: message };
  }
}

export const checkCommand: Command = {
  name: "check",
  summary: "Checks prodinsights.yaml and tries each of its backends.",
  usage: "check [--config FILE] [--backend NAME] [--offline]",
  flags: {
    config: CONFIG_FLAGS.config!,
    backend: { type: "string", description: "try only this backend" },
    offline: { type: "boolean", description: "check the file only, without contacting any backend" },
  },
  details: "Exit code 0 when the file is sound and every backend answers; 2 otherwise, with each problem on its own line.",
  examples: ["prodinsights check", "prodinsights check --config deploy/prodinsights.yaml --backend prod"],
  async run(args, io: CliIo) {
    const { file, shown, config } = await loadWorkspace(stringFlag(args, "config"), io.cwd);
    const only = stringFlag(args, "backend");
    if (only !== undefined && !config.backends.has(only)) throw new UsageError(`no backend named '${only}' in ${shown}`);
    const counts = [`${config.backends.size} backend${config.backends.size === 1 ? "" : "s"}`, `${config.models.size} model${config.models.size === 1 ? "" : "s"}`, `${config.experiments.size} experiment${config.experiments.size === 1 ? "" : "s"}`];
    io.stdout(`${shown}: ok (${counts.join(", ")}; config hash ${config.hash})\n`);
    if (args.values["offline"]) return 0;
    let failed = 0;
    for (const backend of config.backends.values()) {
      if (only !== undefined && backend.name !== only) continue;
      const outcome = await checkBackend(backend, config, path.dirname(path.resolve(io.cwd ?? process.cwd(), file)), io.now(), io.secrets);
      if (!outcome.ok) failed++;
      const where = backend.type === "logs" ? `logs ${backend.paths.join(" ")}` : `prometheus ${backend.url}`;
      io.stdout(`${outcome.ok ? "ok  " : "FAIL"} ${backend.name} (${where}): ${outcome.line}\n`);
    }
    if (failed > 0) {
      io.stderr(`prodinsights check: ${failed} backend${failed === 1 ? "" : "s"} failed\n`);
      return 2;
    }
    return 0;
  },
};
