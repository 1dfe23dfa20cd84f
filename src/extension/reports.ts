import path from "node:path";
import * as vscode from "vscode";
import type { Config } from "../config/types";
import type { AbResult } from "../core/results/ab";
import type { Report, ReportOrigin, RolloutAction, RolloutReport } from "../core/results/report";
import type { ExtensionContextHolder } from "./context";
import { type EngineModule, loadEngine } from "./loadEngine";
import { pickModel, pickName, pickVersion, targetOf } from "./pick";
import type { ModelSnapshot } from "./production/types";
import type { ReportPanels } from "./panels/reportPanels";
import type { GatewaySecrets } from "./secrets";
import type { ProductionStore } from "./store";
import type { WorkspaceConfigWatcher } from "./workspace";

/** The analyses behind the report commands: the CLI's own commands, run in-process with --json. */
export class Reports {
  constructor(
    private readonly ctx: ExtensionContextHolder,
    private readonly workspace: WorkspaceConfigWatcher,
    private readonly store: ProductionStore,
    private readonly secrets: GatewaySecrets,
    private readonly panels: () => ReportPanels,
  ) {}

  /** Makes the report of `origin` (the panels' ReportMaker). `origin.argv` is complete but for --json. */
  make = async (origin: ReportOrigin, signal: AbortSignal): Promise<Report> => {
    if (origin.kind === "rollout") return this.rolloutReport(origin.model, signal);
    const { folder } = await this.workspace.require();
    const engine = await loadEngine();
    const insights = (argv: readonly string[]) => engine.runInsights(argv, { cwd: folder, signal, secrets: this.secrets.lookup(), trusted: vscode.workspace.isTrusted });
    const run = await insights([...origin.argv, "--json"]);
    if (run.code !== 0 || run.document === undefined) throw new Error(run.stderr.trim().replace(/^prodinsights /, "") || `prodinsights ${origin.argv[0]} exited with ${run.code}`);
    let document = run.document as Report["document"];
    // An experiment over a metrics backend also gets its cumulative lift over time.
    if (origin.argv[0] === "ab" && origin.argv.includes("--config")) document = { ...(document as AbResult), series: await engine.abLiftSeries(origin.argv, document, insights) };
    return { title: titleOf(origin), document, command: commandLine(origin.argv, folder), at: Date.now(), origin };
  };

  private async rolloutReport(model: string, signal: AbortSignal): Promise<Report> {
    // The routing alone: the analyses of a whole refresh are not needed here.
    const snapshot = await this.store.routing(signal);
    const m = snapshot.models.find((x) => x.name === model);
    if (!m) throw new Error(`model '${model}' is not in prodinsights.yaml`);
    if (!snapshot.connected) throw new Error(snapshot.problems[0]?.message ?? "the rollout backend is not connected");
    const trusted = vscode.workspace.isTrusted;
    // A canary runs: the gateway's own, or another provider's canary version (Unleash, Argo).
    const canaryRuns = m.canary?.active || (m.provider !== "gateway" && m.versions.some((v) => v.role === "canary"));
    const actions: RolloutAction[] = canaryRuns ? ["promote", "abort", "rollback"] : ["promote", "rollback"];
    return {
      title: `Rollout of ${model}`,
      document: rolloutDocument(m),
      at: Date.now(),
      origin: { kind: "rollout", model },
      ...(trusted ? { actions } : { actions: [], actionsDisabledReason: "Rollout actions are off: the workspace is not trusted." }),
    };
  }

  async experiment(arg: unknown): Promise<void> {
    const { config } = await this.workspace.require();
    const t = targetOf(arg);
    const name = t.experiment ?? (await pickName([...config.experiments.keys()], "experiment", "Open Experiment Report"));
    if (!name) return;
    const experiment = config.experiments.get(name);
    if (!experiment) throw new Error(`no experiment '${name}' in prodinsights.yaml`);
    const metric = await pickName(experiment.metrics.length ? experiment.metrics : ["conversion"], "metric", `Experiment ${name}`);
    if (metric) await this.show(`Experiment ${name}`, (engine, ws) => engine.abArgv(ws, name, metric));
  }

  async drift(arg: unknown): Promise<void> {
    const { config } = await this.workspace.require();
    const model = await pickModel(config, targetOf(arg), "Show Drift Report");
    if (!model) return;
    // The model's drift monitor says which windows to compare; else the CLI's defaults.
    const monitor = [...config.monitors.values()].find((m) => m.kind === "drift" && m.model === model);
    await this.show(`Drift of ${model}`, (engine, ws) => ({ argv: engine.driftArgv(ws, model, monitor?.baseline ?? "-14d..-7d", monitor?.current ?? "-1d..now") }));
  }

  async jumps(arg: unknown): Promise<void> {
    const { config } = await this.workspace.require();
    const model = await pickModel(config, targetOf(arg), "Find Release Jumps");
    if (!model) return;
    const metrics = config.models.get(model)?.metrics ?? [];
    const metric = await pickName(metrics.length ? metrics : ["error_rate"], "metric", `Find Release Jumps of ${model}`);
    if (metric) await this.show(`Release jumps of ${model}: ${metric}`, (engine, ws) => engine.jumpsArgv(ws, model, metric));
  }

  async compare(arg: unknown): Promise<void> {
    const { config } = await this.workspace.require();
    const t = targetOf(arg);
    const model = await pickModel(config, t, "Compare Versions");
    if (!model) return;
    const snapshot = await this.store.ensure();
    const stable = snapshot?.models.find((m) => m.name === model)?.stable;
    const candidate = await pickVersion(snapshot, model, t, "Compare Versions: the candidate", (role) => role !== "stable");
    if (!candidate) return;
    const baseline = stable && stable !== candidate ? stable : await pickVersion(snapshot, model, {}, `Compare ${candidate} with`, (_, name) => name !== candidate);
    if (baseline) await this.show(`${model} ${candidate} vs ${baseline}`, (_, ws) => ({ argv: ["compare", model, candidate, baseline, "--config", ws.configFile] }));
  }

  /** Opens a report of the CLI's: the argv comes from the engine, which knows each backend's grammar. */
  private async show(title: string, argvOf: (engine: EngineModule, ws: { config: Config; configFile: string }) => { argv: string[] } | { error: string }): Promise<void> {
    const { config, file } = await this.workspace.require();
    const built = argvOf(await loadEngine(), { config, configFile: file });
    if ("error" in built) throw new Error(`${title}: ${built.error}`);
    await this.panels().show(title, { kind: "insights", argv: built.argv });
  }

  async rollout(arg: unknown): Promise<void> {
    const { config } = await this.workspace.require();
    const model = await pickModel(config, targetOf(arg), "Show Rollout");
    if (model) await this.panels().show(`Rollout of ${model}`, { kind: "rollout", model });
  }

  async monitor(arg: unknown): Promise<void> {
    const snapshot = await this.store.ensure();
    const name = targetOf(arg).monitor ?? (await pickName(snapshot?.monitors.map((m) => m.name) ?? [], "monitor", "Show Monitor Evidence"));
    const monitor = snapshot?.monitors.find((m) => m.name === name);
    if (!monitor) return;
    if (monitor.command.length === 0) throw new Error(`monitor ${monitor.name} has no evidence to show: ${monitor.detail}`);
    await this.panels().show(`Monitor ${monitor.name}`, { kind: "insights", argv: [...monitor.command] });
  }
}

/** The argv as someone would type it in the workspace folder: paths inside it made relative. */
function commandLine(argv: readonly string[], folder: string): string {
  const shown = argv.map((a) => (path.isAbsolute(a) && !path.relative(folder, a).startsWith("..") ? path.relative(folder, a) : a));
  return `prodinsights ${shown.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ")}`;
}

function titleOf(origin: ReportOrigin): string {
  return origin.kind === "rollout" ? `Rollout of ${origin.model}` : `prodinsights ${origin.argv.join(" ")}`;
}

export function rolloutDocument(m: ModelSnapshot): RolloutReport {
  return {
    kind: "rollout",
    model: m.name,
    provider: m.provider,
    stable: m.stable ?? "",
    weights: m.versions.map((v) => ({ version: v.name, weight: v.weight })),
    ...(m.shadow ? { shadow: m.shadow } : {}),
    ...(m.canary ? { canary: m.canary } : {}),
  };
}
