import path from "node:path";
import { MissingSecretError, environmentSecrets } from "../../config/secrets";
import { noSuch } from "../../config/suggest";
import { ProviderError, requireCapability, type RolloutProvider, type RolloutStatus } from "../../rollout/provider";
import { providerFor } from "../../rollout/providers";
import type { UnleashProvider } from "../../rollout/unleash";
import type { Command } from "../command";
import { CONFIG_FLAGS, loadWorkspace } from "../configSource";
import { UsageError } from "../errors";
import { nowFrom } from "../logsSource";
import { numberFlag, stringFlag } from "../parse";
import { parseTimeRange } from "../timeRange";

const ACTIONS = ["status", "weight", "promote", "rollback", "abort", "shadow", "history", "init"] as const;
type Action = (typeof ACTIONS)[number];

/** `churn (unleash): stable v2 · v2 75%, v3 25% (canary)`, and the provider's notes. */
export function statusLine(s: RolloutStatus): string {
  const weights = Object.entries(s.weights)
    .map(([v, w]) => `${v} ${w}%${s.canary?.version === v ? " (canary)" : ""}`)
    .join(", ");
  const shadow = s.shadow ? ` · shadow ${s.shadow.version} ${s.shadow.share}%` : "";
  return [`${s.model} (${s.provider}): stable ${s.stable} · ${weights}${shadow}`, ...(s.notes ?? []).map((n) => `  ${n}`)].join("\n");
}

const time = (t: number): string => new Date(t).toISOString().replace(/\.\d+Z$/, "Z");

export const rolloutCommand: Command = {
  name: "rollout",
  summary: "Reads and moves a model's traffic through its rollout provider: the gateway, Unleash or Argo Rollouts.",
  usage: "rollout status|weight|promote|rollback|abort|shadow|history|init --model NAME [options]",
  flags: {
    config: CONFIG_FLAGS.config!,
    model: { type: "string", description: "the model, as prodinsights.yaml names it" },
    version: { type: "string", description: "weight and promote: the version; init: the stable version", default: "promote: the running canary's" },
    weight: { type: "string", description: "weight: the version's percent of traffic, 0 to 100" },
    share: { type: "string", description: "shadow: the percent of requests mirrored to --version; 0 stops the shadow" },
    since: { type: "string", description: "history: from when, e.g. -7d", default: "-30d" },
    now: { type: "string", description: "the time relative times count back from", default: "the clock" },
    json: { type: "boolean", description: "print the status (or the history) as JSON" },
  },
  details: [
    "The provider is the model's `rollout:` in prodinsights.yaml: the gateway (its admin token from",
    "gateway.token), Unleash (an admin API token from unleash.token) or Argo Rollouts (a kubeconfig);",
    "see docs/rollout-providers.md. A provider refuses what it cannot do (Unleash mirrors no traffic;",
    "Argo sets only the weights of its Rollout's steps).",
    "status, weight, promote, rollback and abort print the traffic after the change. A change that",
    "another edit beat is refused rather than overwritten. init (Unleash) makes the model's flag with",
    "its stable version. Exit 2 for a mistake in the call or an answer of the provider.",
  ].join("\n"),
  examples: [
    "prodinsights rollout status --model churn",
    "prodinsights rollout weight --model churn --version v3 --weight 10",
    "prodinsights rollout promote --model churn",
    "prodinsights rollout shadow --model churn --version v3 --share 20",
    "prodinsights rollout history --model churn --since -7d --json",
  ],
  async run(args, io) {
    const action = args.positionals[0] as Action | undefined;
    if (!action || !(ACTIONS as readonly string[]).includes(action) || args.positionals.length > 1) {
      throw new UsageError(`say what to do: prodinsights rollout ${ACTIONS.join("|")} --model NAME`);
    }
    const model = stringFlag(args, "model");
    if (!model) throw new UsageError("--model is required");
    const { config, file } = await loadWorkspace(stringFlag(args, "config"), io.cwd);
    if (!config.models.has(model)) throw new UsageError(noSuch("model", model, config.models.keys()));
    const json = Boolean(args.values["json"]);
    let provider: RolloutProvider;
    try {
      provider = await providerFor(config, model, io.secrets ?? environmentSecrets(), { actor: "prodinsights rollout", baseDir: path.dirname(path.resolve(io.cwd ?? process.cwd(), file)) });
    } catch (err) {
      if (err instanceof MissingSecretError || err instanceof ProviderError) throw new UsageError(err.message);
      throw err;
    }
    const signal = io.signal;
    try {
      if (action === "history") {
        requireCapability(provider, "history");
        const since = parseTimeRange(`${stringFlag(args, "since") ?? "-30d"}..now`, nowFrom(args, io), "since").start;
        const events = await provider.history(model, since, signal);
        if (json) io.stdout(`${JSON.stringify({ model, provider: provider.kind, events }, null, 2)}\n`);
        else io.stdout(events.length === 0 ? `No changes to ${model} since ${time(since)}.\n` : `${events.map((e) => `${time(e.t)}  ${e.kind.padEnd(8)} ${e.weights ? Object.entries(e.weights).map(([v, w]) => `${v} ${w}%`).join(", ") : ""}${e.actor ? `  (${e.actor})` : ""}`).join("\n")}\n`);
        return 0;
      }
      const status = await act(provider, action, model, { version: stringFlag(args, "version"), weight: numberFlag(args, "weight"), share: numberFlag(args, "share") }, signal);
      io.stdout(json ? `${JSON.stringify(status, null, 2)}\n` : `${statusLine(status)}\n`);
      return 0;
    } catch (err) {
      if (err instanceof ProviderError) throw new UsageError(err.message);
      throw err;
    }
  },
};

async function act(provider: RolloutProvider, action: Exclude<Action, "history">, model: string, given: { version: string | undefined; weight: number | undefined; share: number | undefined }, signal?: AbortSignal): Promise<RolloutStatus> {
  const { version, weight, share } = given;
  switch (action) {
    case "status":
      return provider.status(model, signal);
    case "weight": {
      requireCapability(provider, "weights");
      if (!version || weight === undefined) throw new UsageError("weight needs --version V and --weight N");
      return provider.setWeight(model, version, weight, signal);
    }
    case "promote": {
      requireCapability(provider, "promote");
      const target = version ?? (await provider.status(model, signal)).canary?.version;
      if (!target) throw new UsageError(`no canary of '${model}' is running: say which version to promote with --version`);
      return provider.promote(model, target, signal);
    }
    case "rollback":
      requireCapability(provider, "rollback");
      return provider.rollback(model, signal);
    case "abort":
      requireCapability(provider, "abort");
      return provider.abort(model, signal);
    case "shadow": {
      requireCapability(provider, "shadow");
      if (!version || share === undefined) throw new UsageError("shadow needs --version V and --share N (0 stops it)");
      if (!(share >= 0 && share <= 100)) throw new UsageError(`--share is a percent from 0 to 100, got ${share}`);
      return provider.setShadow!(model, version, share, signal);
    }
    case "init": {
      if (provider.kind !== "unleash") throw new UsageError(`init makes an Unleash flag; '${model}' rolls out through ${provider.kind}`);
      if (!version) throw new UsageError("init needs --version, the stable version");
      return (provider as UnleashProvider).init(model, version, signal);
    }
  }
}
