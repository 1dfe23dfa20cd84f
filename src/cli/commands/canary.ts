import path from "node:path";
import type { CanaryDecision, CanaryResult } from "../../core/results/canary";
import { environmentSecrets, MissingSecretError, resolveSecret } from "../../config/secrets";
import type { Config, PolicyConfig } from "../../config/types";
import { gatewayPolicy, UnmeasuredMetricError } from "../../rollout/gatewayPolicy";
import { noSuch } from "../../config/suggest";
import { GatewayAdmin, measurements, RolloutError, since, type VersionTotals } from "../../rollout/gateway";
import { CanaryHostError, hostCanary, type CanaryTarget } from "../../rollout/hostCanary";
import type { Command, ParsedArgs } from "../command";
import { CONFIG_FLAGS, loadWorkspace } from "../configSource";
import type { CliIo } from "../io";
import { asMetricsUsageError, openMetrics } from "../metricsSource";
import { prepareProviderCanary, runProviderCanary } from "../../rollout/providerCanary";
import { ProviderError } from "../../rollout/provider";
import { providerFor } from "../../rollout/providers";
import { UsageError } from "../errors";
import { stringFlag } from "../parse";

function policyFor(config: Config, model: string, name: string | undefined): PolicyConfig {
  const chosen = name ?? config.models.get(model)?.policy ?? "canary";
  const policy = config.policies.get(chosen);
  if (!policy) throw new UsageError(noSuch("policy", chosen, config.policies.keys()));
  return policy;
}

/** The gateway as a canary target: weights between the stable version and the candidate, totals diffed per window. */
function gatewayTarget(admin: GatewayAdmin, model: string, baseline: string, candidate: string, metrics: readonly string[]): CanaryTarget {
  let start: Readonly<Record<string, VersionTotals>> | undefined;
  const empty: VersionTotals = { requests: 0, errors: 0, latencyBins: [] };
  return {
    setWeight: (weight) => admin.setWeights(model, { [baseline]: 100 - weight, [candidate]: weight }),
    promote: () => admin.promote(model, candidate),
    rollback: () => admin.rollback(model),
    startWindow: async () => {
      start = await admin.totals(model);
    },
    measure: async () => {
      const now = await admin.totals(model);
      const before = start ?? now;
      return measurements(metrics, since(now[baseline] ?? empty, before[baseline] ?? empty), since(now[candidate] ?? empty, before[candidate] ?? empty));
    },
  };
}

const time = (t: number): string => new Date(t).toISOString().replace(/\.\d+Z$/, "Z");

const decisionLine = (candidate: string) => (d: CanaryDecision): string => `${time(d.t)}  ${d.action.type === "set-weight" ? `${d.action.weight}% to ${candidate}` : d.action.type}: ${d.reasons.join("; ")}\n`;

/** The gateway moves the traffic and counts each version's requests itself. */
async function onGateway(config: Config, model: string, candidate: string, policyConfig: PolicyConfig, io: CliIo, signal: AbortSignal): Promise<CanaryResult> {
  const policy = gatewayPolicy(policyConfig);
  const token = await resolveSecret(config.gateway.token, io.secrets ?? environmentSecrets(), "prodinsights.yaml gateway.token");
  const admin = new GatewayAdmin({ url: config.gateway.url, token, actor: "prodinsights canary run" });
  const routing = await admin.routing(model);
  if (!(candidate in routing.weights)) throw new UsageError(noSuch("version", candidate, Object.keys(routing.weights)));
  if (candidate === routing.stable) throw new UsageError(`${candidate} is already the stable version of '${model}'`);
  if (routing.canary) throw new UsageError(`the gateway is running its own canary of ${routing.canary.version} for '${model}'`);
  io.stderr(`Canary of ${model} ${candidate} against ${routing.stable}, policy '${policyConfig.name}': steps ${policyConfig.steps.join(", ")}% every ${policyConfig.intervalMs / 1000} s, judged on ${policy.metrics.map((m) => m.name).join(", ")}.\n`);
  return hostCanary(gatewayTarget(admin, model, routing.stable, candidate, policy.metrics.map((m) => m.name)), policy, { signal, onDecision: (d) => io.stderr(decisionLine(candidate)(d)) });
}

/** Another provider (Unleash, Argo) moves the traffic; the model's metrics backend measures the versions. */
async function onProvider(args: ParsedArgs, config: Config, where: { model: string; baseDir: string }, candidate: string, policyConfig: PolicyConfig, io: CliIo, signal: AbortSignal): Promise<CanaryResult> {
  const { model, baseDir } = where;
  const provider = await providerFor(config, model, io.secrets ?? environmentSecrets(), { actor: "prodinsights canary run", baseDir });
  const prepared = await prepareProviderCanary(config, provider, model, candidate, policyConfig, signal);
  for (const warning of prepared.warnings) io.stderr(`Warning: ${warning}.\n`);
  const session = await openMetrics(args, io, (ws) => ws.config.models.get(model)?.backend);
  io.stderr(`Canary of ${model} ${candidate} against ${prepared.baseline} on ${provider.kind}, policy '${policyConfig.name}': steps ${policyConfig.steps.join(", ")}% every ${policyConfig.intervalMs / 1000} s, judged on ${prepared.policy.metrics.map((m) => m.name).join(", ")} from ${session.backend.name}.\n`);
  try {
    return await runProviderCanary(prepared, config, provider, session.api, { signal, onDecision: (d) => io.stderr(decisionLine(candidate)(d)) });
  } catch (err) {
    throw asMetricsUsageError(err);
  }
}

export const canaryCommand: Command = {
  name: "canary",
  summary: "Runs a canary of a model version to its end: promotes it, or rolls it back (exit 1).",
  usage: "canary run --model NAME --version VERSION [--policy NAME] [--config FILE] [--json]",
  flags: {
    config: CONFIG_FLAGS.config!,
    model: { type: "string", description: "the model, as prodinsights.yaml names it" },
    version: { type: "string", description: "the candidate version" },
    policy: { type: "string", description: "the policy of prodinsights.yaml", default: "the model's, else 'canary'" },
    json: { type: "boolean", description: "print the canary document at the end" },
  },
  details: [
    "For CI gates: the candidate gets each step's share of traffic in turn, is judged against the stable",
    "version after each step's interval, and is promoted after the last, or rolled back at the first failed",
    "check. Exit code 0 when promoted, 1 when rolled back, 2 for a mistake in the call or the file. Ctrl-C",
    "rolls back. The traffic moves through the model's rollout provider: the gateway of 'gateway:', which",
    "also counts each version's requests, or Unleash or Argo Rollouts, judged on the policy's metrics from",
    "the model's metrics backend. On Argo the candidate is the Rollout's running canary, and each policy",
    "step below 100 must be a setWeight step of the Rollout, followed by pause: {}. Tokens come from the",
    "environment. Decisions are printed as they are made. See docs/canary.md and docs/rollout-providers.md.",
  ].join("\n"),
  examples: ["prodinsights canary run --model churn --version v2", "prodinsights canary run --model churn --version v3 --policy quick --json > canary.json"],
  async run(args, io) {
    if (args.positionals[0] !== "run" || args.positionals.length > 1) throw new UsageError(`the subcommand is 'run': prodinsights canary run --model NAME --version VERSION`);
    const model = stringFlag(args, "model");
    const candidate = stringFlag(args, "version");
    if (!model || !candidate) throw new UsageError("--model and --version are required");
    const { config, file } = await loadWorkspace(stringFlag(args, "config"), io.cwd);
    const modelConfig = config.models.get(model);
    if (!modelConfig) throw new UsageError(noSuch("model", model, config.models.keys()));
    const policyConfig = policyFor(config, model, stringFlag(args, "policy"));
    const controller = new AbortController();
    void io.untilStopped?.().then(() => controller.abort(new Error("stopped")));
    let result: CanaryResult;
    try {
      const baseDir = path.dirname(path.resolve(io.cwd ?? process.cwd(), file));
      result = modelConfig.rollout === "gateway" ? await onGateway(config, model, candidate, policyConfig, io, controller.signal) : await onProvider(args, config, { model, baseDir }, candidate, policyConfig, io, controller.signal);
    } catch (err) {
      if (err instanceof RolloutError || err instanceof CanaryHostError || err instanceof ProviderError || err instanceof UnmeasuredMetricError || err instanceof MissingSecretError) throw new UsageError(err.message);
      throw err;
    }
    if ((result as { aborted?: boolean }).aborted) io.stderr("Stopped: the traffic is back on the stable version.\n");
    if (args.values["json"]) io.stdout(`${JSON.stringify({ model, candidate, policy: policyConfig.name, ...result }, null, 2)}\n`);
    else io.stdout(`${model} ${candidate}: ${result.status === "promoted" ? "promoted" : "rolled back"}\n`);
    return result.status === "promoted" ? 0 : 1;
  },
};
