import type { CanaryResult } from "../../core/results/canary";
import { environmentSecrets, MissingSecretError, resolveSecret } from "../../config/secrets";
import type { Config, PolicyConfig } from "../../config/types";
import { gatewayPolicy, UnmeasuredMetricError } from "../../rollout/gatewayPolicy";
import { noSuch } from "../../config/suggest";
import { GatewayAdmin, measurements, RolloutError, since, type VersionTotals } from "../../rollout/gateway";
import { CanaryHostError, hostCanary, type CanaryTarget } from "../../rollout/hostCanary";
import type { Command } from "../command";
import { CONFIG_FLAGS, loadWorkspace } from "../configSource";
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
    "rolls back. The traffic moves through the gateway of prodinsights.yaml's 'gateway:' (its token from",
    "the environment). Decisions are printed as they are made. See docs/canary.md.",
  ].join("\n"),
  examples: ["prodinsights canary run --model churn --version v2", "prodinsights canary run --model churn --version v3 --policy quick --json > canary.json"],
  async run(args, io) {
    if (args.positionals[0] !== "run" || args.positionals.length > 1) throw new UsageError(`the subcommand is 'run': prodinsights canary run --model NAME --version VERSION`);
    const model = stringFlag(args, "model");
    const candidate = stringFlag(args, "version");
    if (!model || !candidate) throw new UsageError("--model and --version are required");
    const { config } = await loadWorkspace(stringFlag(args, "config"), io.cwd);
    const modelConfig = config.models.get(model);
    if (!modelConfig) throw new UsageError(noSuch("model", model, config.models.keys()));
    if (modelConfig.rollout !== "gateway") throw new UsageError(`model '${model}' rolls out through ${modelConfig.rollout}; canary run drives the gateway only for now`);
    const policyConfig = policyFor(config, model, stringFlag(args, "policy"));
    let policy;
    try {
      policy = gatewayPolicy(policyConfig);
    } catch (err) {
      if (err instanceof UnmeasuredMetricError) throw new UsageError(err.message);
      throw err;
    }
    let token: string;
    try {
      token = await resolveSecret(config.gateway.token, io.secrets ?? environmentSecrets(), "prodinsights.yaml gateway.token");
    } catch (err) {
      throw err instanceof MissingSecretError ? new UsageError(err.message) : err;
    }
    const admin = new GatewayAdmin({ url: config.gateway.url, token, actor: "prodinsights canary run" });
    let result: CanaryResult;
    const controller = new AbortController();
    void io.untilStopped?.().then(() => controller.abort(new Error("stopped")));
    try {
      const routing = await admin.routing(model);
      if (!(candidate in routing.weights)) throw new UsageError(noSuch("version", candidate, Object.keys(routing.weights)));
      if (candidate === routing.stable) throw new UsageError(`${candidate} is already the stable version of '${model}'`);
      if (routing.canary) throw new UsageError(`the gateway is running its own canary of ${routing.canary.version} for '${model}'`);
      io.stderr(`Canary of ${model} ${candidate} against ${routing.stable}, policy '${policyConfig.name}': steps ${policyConfig.steps.join(", ")}% every ${policyConfig.intervalMs / 1000} s, judged on ${policy.metrics.map((m) => m.name).join(", ")}.\n`);
      result = await hostCanary(gatewayTarget(admin, model, routing.stable, candidate, policy.metrics.map((m) => m.name)), policy, {
        signal: controller.signal,
        onDecision: (d) => io.stderr(`${time(d.t)}  ${d.action.type === "set-weight" ? `${d.action.weight}% to ${candidate}` : d.action.type}: ${d.reasons.join("; ")}\n`),
      });
    } catch (err) {
      if (err instanceof RolloutError || err instanceof CanaryHostError) throw new UsageError(err.message);
      throw err;
    }
    if ((result as { aborted?: boolean }).aborted) io.stderr("Stopped: the traffic is back on the stable version.\n");
    if (args.values["json"]) io.stdout(`${JSON.stringify({ model, candidate, policy: policyConfig.name, ...result }, null, 2)}\n`);
    else io.stdout(`${model} ${candidate}: ${result.status === "promoted" ? "promoted" : "rolled back"}\n`);
    return result.status === "promoted" ? 0 : 1;
  },
};
