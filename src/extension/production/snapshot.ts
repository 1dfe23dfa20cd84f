/**
 * Gathers what the editor shows of production (types.ts): the gateway's routing and counts, and
 * every experiment and monitor through the CLI run in-process. Independent reads run at once, at
 * most four at a time; a read that fails becomes a Problem on its item, never a thrown error. Only
 * cancelling (the signal) rejects. No `vscode` here.
 */
import path from "node:path";
import type { SecretLookup } from "../../config/secrets";
import type { Config } from "../../config/types";
import { GatewayAdmin } from "../../rollout/gateway";
import { gatherContext, problemOf } from "./context";
import { gatherExperiment } from "./experiments";
import { gatherModel, type GatewayRead } from "./models";
import { gatherMonitor } from "./monitors";
import type { ProductionSnapshot, Problem } from "./types";

export { resolveGatewayToken, type GatewayToken } from "./gatewayToken";

export interface GatherInput {
  /** prodinsights.yaml, absolute (relative paths resolve against the working directory). */
  readonly configFile: string;
  /** The file loaded (src/config/load.ts loadConfigFile). */
  readonly config: Config;
  /** The gateway's admin token (resolveGatewayToken); without one the routing is not read. */
  readonly gatewayToken?: string;
  /** Where the backends' secret references are looked up (runInsights). */
  readonly secrets?: SecretLookup;
  /** False in an untrusted workspace (no kubeconfig is read). Default true. */
  readonly trusted?: boolean;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  /** Where the CLI runs; default: the config file's folder. */
  readonly cwd?: string;
  /** Only the models' routing and traffic: no experiments, monitors, drift or error-rate series. */
  readonly routingOnly?: boolean;
  /** The admin API's timeout per call, ms. Default 5 s: a refresh should not hang on a stuck gateway. */
  readonly gatewayTimeoutMs?: number;
}

function noTokenProblem(config: Config): Problem {
  const ref = /^\$\{env:(\w+)\}$/.exec(config.gateway.token);
  const how = ref ? `set the environment variable ${ref[1]} (prodinsights.yaml gateway.token names it) or store the token in the editor` : "store the token in the editor";
  return { message: `no admin token for the gateway at ${config.gateway.url}: ${how}. Rollout state is not shown.` };
}

export async function gatherSnapshot(input: GatherInput): Promise<ProductionSnapshot> {
  const configFile = path.resolve(input.configFile);
  const at = (input.now ?? Date.now)();
  const { config, signal } = input;
  const ctx = gatherContext({
    configFile,
    config,
    cwd: input.cwd ?? path.dirname(configFile),
    now: at,
    ...(input.secrets ? { secrets: input.secrets } : {}),
    ...(signal ? { signal } : {}),
    ...(input.trusted === false ? { trusted: false } : {}),
  });
  if (signal?.aborted) throw signal.reason;
  const problems: Problem[] = [];

  const usesGateway = [...config.models.values()].some((m) => m.rollout === "gateway");
  const admin = usesGateway && input.gatewayToken
    ? new GatewayAdmin({ url: config.gateway.url, token: input.gatewayToken, actor: "prodinsights editor", timeoutMs: input.gatewayTimeoutMs ?? 5_000 })
    : undefined;
  let gatewayRead: Promise<GatewayRead> | undefined;
  if (admin) {
    gatewayRead = ctx.read(() => admin.state(signal)).then(
      (state): GatewayRead => ({ state }),
      (err: unknown): GatewayRead => ({ problem: problemOf(err, "gateway") }),
    );
  } else if (usesGateway) {
    gatewayRead = Promise.resolve({ problem: noTokenProblem(config) });
  }

  const models = Promise.all([...config.models.values()].map(async (m) => gatherModel(ctx, m, { ...(admin ? { admin } : {}), ...(gatewayRead ? { read: await gatewayRead } : {}) }, input.routingOnly)));
  const experiments = input.routingOnly ? [] : Promise.all([...config.experiments.values()].map((e) => gatherExperiment(ctx, e)));
  const monitors = input.routingOnly ? [] : Promise.all([...config.monitors.values()].map((m) => gatherMonitor(ctx, m)));
  const [read, modelSnapshots, experimentSnapshots, monitorSnapshots] = await Promise.all([gatewayRead, models, experiments, monitors]);
  if (signal?.aborted) throw signal.reason;
  if (read && "problem" in read) problems.push(read.problem);
  return {
    at,
    configFile,
    // Connected: the gateway answers; without gateway models, every model's provider was read.
    // A model whose own provider fails says so in its problems.
    connected: usesGateway ? read !== undefined && "state" in read : modelSnapshots.length > 0 && modelSnapshots.every((m) => m.stable !== undefined),
    models: modelSnapshots,
    experiments: experimentSnapshots,
    monitors: monitorSnapshots,
    problems,
  };
}
