/**
 * The models of prodinsights.yaml as the rollout provider routes them: each version's weight and
 * role, its requests and errors (since the gateway started, or over the last 24 hours from the
 * model's Prometheus backend for Unleash and Argo Rollouts), its error rate against the stable
 * version, its last 24 hours, and the model's drift. No `vscode` here.
 */
import type { Backend, ModelConfig } from "../../config/types";
import { twoProportionTest } from "../../core/stats/twoProportionTest";
import path from "node:path";
import { environmentSecrets, MissingSecretError } from "../../config/secrets";
import type { GatewayAdmin, GatewayState, ModelRouting } from "../../rollout/gateway";
import type { RolloutStatus } from "../../rollout/provider";
import { providerFor } from "../../rollout/providers";
import { backendOf, driftArgv, json, problemOf, type GatherContext } from "./context";
import { readErrorRateSeries, SERIES_HOURS } from "./errorSeries";
import { driftEvidence } from "./evidence";
import type { ModelSnapshot, Problem, VersionSnapshot } from "./types";
import { readVersionTotals, TOTALS_HOURS, type VersionCounts } from "./versionTotals";

/** The gateway's routing of every model, or why there is none. */
export type GatewayRead = { readonly state: GatewayState } | { readonly problem: Problem };

/**
 * Against the stable version by the two-proportion test (R prop.test, correct = FALSE). With no
 * error on either side the test is undefined; the rates are equal, so difference 0 and p = 1.
 */
export function versusStable(version: VersionCounts, stable: VersionCounts, stableName: string): VersionSnapshot["vsStable"] {
  if (version.requests === 0 || stable.requests === 0) return undefined;
  if (version.errors + stable.errors === 0) return { stable: stableName, difference: 0, pValue: 1 };
  const test = twoProportionTest([version.errors, stable.errors], [version.requests, stable.requests]);
  return { stable: stableName, difference: test.estimate, pValue: test.pValue };
}

function roleOf(routing: ModelRouting, version: string): VersionSnapshot["role"] {
  if (version === routing.stable) return "stable";
  if (routing.canary?.version === version) return "canary";
  if (routing.shadow?.version === version) return "shadow";
  return "other";
}

function versionsOf(routing: ModelRouting, totals: Readonly<Record<string, VersionCounts>> | undefined, series: Map<string, number[]> | undefined): VersionSnapshot[] {
  const stable = totals?.[routing.stable];
  return Object.entries(routing.weights).map(([name, weight]) => {
    const t = totals?.[name];
    const vs = t && stable && name !== routing.stable ? versusStable(t, stable, routing.stable) : undefined;
    // A version with no series in the backend had no traffic in those hours.
    const s = series ? (series.get(name) ?? Array.from({ length: SERIES_HOURS }, () => NaN)) : undefined;
    return {
      name,
      weight,
      role: roleOf(routing, name),
      ...(t ? { requests: t.requests, errors: t.errors, ...(t.requests > 0 ? { errorRate: t.errors / t.requests } : {}) } : {}),
      ...(vs ? { vsStable: vs } : {}),
      ...(s ? { errorRateSeries: s } : {}),
    };
  });
}

function canaryOf(routing: ModelRouting): ModelSnapshot["canary"] {
  const c = routing.canary ?? routing.lastCanary;
  if (!c) return undefined;
  return { version: c.version, baseline: c.baseline, steps: c.policy.steps.map((s) => s.weight), active: routing.canary !== undefined, result: c.result };
}

/** A provider's status in the gateway's routing shape, so that one path builds the versions. */
function routingOf(status: RolloutStatus): ModelRouting {
  return { weights: status.weights, stable: status.stable, ...(status.shadow ? { shadow: status.shadow } : {}), chaos: [] };
}

/** The routing of a model another provider moves (Unleash, Argo Rollouts), or why there is none. */
async function readProvider(ctx: GatherContext, model: ModelConfig): Promise<{ status: RolloutStatus } | { problem: Problem }> {
  try {
    const provider = await providerFor(ctx.config, model.name, ctx.secrets ?? environmentSecrets(), {
      actor: "prodinsights editor",
      timeoutMs: 5_000,
      baseDir: path.dirname(ctx.configFile),
      ...(ctx.trusted === false ? { trusted: false } : {}),
    });
    return { status: await ctx.read(() => provider.status(model.name, ctx.signal)) };
  } catch (err) {
    if (err instanceof MissingSecretError) {
      return { problem: { message: `no admin token for Unleash at ${ctx.config.unleash.url}: ${err.message}. Set it in the environment or store it with Connect Backend…; rollout state is not shown.` } };
    }
    return { problem: problemOf(err, model.rollout) };
  }
}

type TotalsRead = { readonly totals: Readonly<Record<string, VersionCounts>>; readonly from: NonNullable<ModelSnapshot["totalsFrom"]> } | { readonly problem: Problem };

/**
 * Each version's requests and errors, or why there are none. The gateway counts its own versions'
 * requests; Unleash and Argo Rollouts count none, so theirs come from the model's metrics backend.
 * Undefined when nothing can count them (no gateway admin, a logs backend).
 */
async function readTotals(ctx: GatherContext, model: ModelConfig, admin: GatewayAdmin | undefined, backend: Backend | undefined): Promise<TotalsRead | undefined> {
  if (model.rollout === "gateway") {
    if (!admin) return undefined;
    return ctx.read(() => admin.totals(model.name, ctx.signal)).then(
      (totals): TotalsRead => ({ totals, from: { source: "gateway" } }),
      (err: unknown): TotalsRead => ({ problem: problemOf(err, "request totals") }),
    );
  }
  if (backend?.type !== "prometheus") return undefined;
  return readVersionTotals(ctx, model.name, backend.name).then(
    (totals): TotalsRead => ({ totals, from: { source: "backend", backend: backend.name, hours: TOTALS_HOURS } }),
    (err: unknown): TotalsRead => ({ problem: problemOf(err, `request totals from ${backend.name}`) }),
  );
}

/** The model's drift, from its first drift monitor's windows (or the CLI's default windows). */
async function driftOf(ctx: GatherContext, model: ModelConfig): Promise<{ drift?: ModelSnapshot["drift"]; problem?: Problem }> {
  const monitor = [...ctx.config.monitors.values()].find((m) => m.kind === "drift" && m.model === model.name);
  const run = await ctx.insights(json(driftArgv(ctx, model.name, monitor?.baseline ?? "-14d..-7d", monitor?.current ?? "-1d..now")));
  const evidence = driftEvidence(run);
  if (evidence.state === "error") return { problem: { message: `drift: ${evidence.detail}` } };
  return { drift: { level: evidence.document?.verdict ?? "insufficient-data", drifted: evidence.drifted } };
}

/** The model's routing, traffic and health; with `routingOnly`, without its drift and error-rate series (a rollout report needs only the routing). */
export async function gatherModel(ctx: GatherContext, model: ModelConfig, gateway: { admin?: GatewayAdmin; read?: GatewayRead }, routingOnly = false): Promise<ModelSnapshot> {
  const problems: Problem[] = [];
  const backend = backendOf(ctx, model.backend);
  const driftRead = routingOnly ? Promise.resolve({}) : driftOf(ctx, model).catch((err: unknown) => ({ problem: problemOf(err, "drift") }) as Awaited<ReturnType<typeof driftOf>>);
  let routing: ModelRouting | undefined;
  let totals: Exclude<TotalsRead, { problem: Problem }> | undefined;
  let series: Map<string, number[]> | undefined;
  /** A provider's canary version (the gateway's own canary is in its routing). */
  let candidate: string | undefined;
  let notes: readonly string[] = [];
  if (model.rollout !== "gateway") {
    const read = await readProvider(ctx, model);
    if ("problem" in read) problems.push(read.problem);
    else {
      routing = routingOf(read.status);
      candidate = read.status.canary?.version;
      notes = read.status.notes ?? [];
    }
  } else if (!gateway.read || "problem" in gateway.read) {
    problems.push({ message: "no routing: the gateway is not connected" });
  } else {
    routing = gateway.read.state.models[model.name];
    if (!routing) problems.push({ message: `the gateway does not route model '${model.name}' (it routes ${Object.keys(gateway.read.state.models).join(", ") || "none"})` });
  }
  if (routing) {
    // The totals are traffic, which routingOnly keeps; the error rate series is an analysis.
    const [t, s] = await Promise.all([
      readTotals(ctx, model, gateway.admin, backend),
      backend?.type === "prometheus" && !routingOnly
        ? readErrorRateSeries(ctx, model.name, backend.name).catch((err: unknown): Problem => problemOf(err, "error rate series"))
        : undefined,
    ]);
    if (t && "problem" in t) problems.push(t.problem);
    else totals = t;
    if (s instanceof Map) series = s;
    else if (s) problems.push(s);
  }
  const drift: Awaited<ReturnType<typeof driftOf>> = await driftRead;
  if (drift.problem) problems.push(drift.problem);
  const shadow = routing?.shadow;
  const canary = routing ? canaryOf(routing) : undefined;
  return {
    name: model.name,
    provider: model.rollout,
    ...(routing ? { stable: routing.stable } : {}),
    versions: routing ? versionsOf(routing, totals?.totals, series).map((v) => (v.name === candidate ? { ...v, role: "canary" as const } : v)) : [],
    ...(totals ? { totalsFrom: totals.from } : {}),
    ...(shadow ? { shadow: { version: shadow.version, share: shadow.share } } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(canary ? { canary } : {}),
    ...(drift.drift ? { drift: drift.drift } : {}),
    problems,
  };
}
