/**
 * What the gateway routes by, and every change the admin API and the canary host make to it, as
 * plain data and functions that return a new state: the server swaps the state whole, persists it
 * (stateFile.ts) and audits the difference. Nothing here does I/O, so that every rule (weights sum
 * to 100, a rollback goes to the last stable version and is harmless twice) is tested directly.
 */
import type { CanaryPolicy } from "../core/canary/policy";
import type { CanaryState } from "../core/canary/canary";
import { checkWeights, type Weighted } from "./assign";
import type { GatewayConfig } from "./config";
import type { ChaosRule } from "./chaos";

export interface ShadowRoute {
  readonly version: string;
  /** Percent of the model's requests mirrored to the shadow version. */
  readonly share: number;
}

export interface CanaryRoute {
  readonly version: string;
  /** The version the candidate is judged against, and gets traffic back on rollback. */
  readonly baseline: string;
  readonly policy: CanaryPolicy;
  readonly state: CanaryState;
}

export interface ModelRoute {
  /** Every version of the config, in its order (which lays out the bucket ranges). */
  readonly versions: readonly Weighted[];
  /** The last version known good: where a rollback goes. */
  readonly stable: string;
  readonly shadow?: ShadowRoute;
  readonly canary?: CanaryRoute;
  /** The canary that ended last, with its final document, for the state and `canary run` to show. */
  readonly lastCanary?: CanaryRoute;
  readonly chaos: readonly ChaosRule[];
}

export interface RoutingState {
  readonly version: 1;
  readonly models: Readonly<Record<string, ModelRoute>>;
}

/** A request the state cannot take: the admin API answers it with a 4xx and this message. */
export class RoutingError extends Error {
  override readonly name = "RoutingError";
  constructor(
    message: string,
    /** 404 for something that does not exist, 409 for a conflict with the current state, else 400. */
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
  }
}

/** The routing that gateway.yaml describes, before any change. */
export function initialRouting(config: GatewayConfig): RoutingState {
  const models: Record<string, ModelRoute> = {};
  for (const [name, m] of config.models) {
    models[name] = { versions: m.versions.map(({ name: v, weight }) => ({ name: v, weight })), stable: m.stable, chaos: [] };
  }
  return { version: 1, models };
}

export function modelRoute(state: RoutingState, model: string): ModelRoute {
  const route = state.models[model];
  if (!route) throw new RoutingError(`no model '${model}' (the gateway has ${Object.keys(state.models).join(", ")})`, 404);
  return route;
}

export function checkVersion(route: ModelRoute, model: string, version: unknown): string {
  if (typeof version !== "string" || !route.versions.some((v) => v.name === version)) {
    throw new RoutingError(`model '${model}' has no version ${JSON.stringify(version)} (it has ${route.versions.map((v) => v.name).join(", ")})`, 404);
  }
  return version;
}

const withModel = (state: RoutingState, model: string, route: ModelRoute): RoutingState => ({ ...state, models: { ...state.models, [model]: route } });

/** Sets a model's weights; versions left out get 0. Refused while a canary runs, which owns them. */
export function setWeights(state: RoutingState, model: string, weights: Readonly<Record<string, number>>): RoutingState {
  const route = modelRoute(state, model);
  if (route.canary) throw new RoutingError(`model '${model}' has a canary of ${route.canary.version} in progress: abort it before setting weights`, 409);
  for (const v of Object.keys(weights)) checkVersion(route, model, v);
  const versions = route.versions.map((v) => ({ name: v.name, weight: weights[v.name] ?? 0 }));
  try {
    checkWeights(`model '${model}' weights`, versions);
  } catch (err) {
    throw new RoutingError((err as Error).message);
  }
  return withModel(state, model, { ...route, versions });
}

/** The weights with `candidate` at `weight` percent and `baseline` at the rest, the others at 0. */
export function splitBetween(route: ModelRoute, baseline: string, candidate: string, weight: number): Weighted[] {
  return route.versions.map((v) => ({ name: v.name, weight: v.name === baseline ? 100 - weight : v.name === candidate ? weight : 0 }));
}

/** Every request to `version`. */
const allTo = (route: ModelRoute, version: string): Weighted[] => splitBetween(route, version, "", 0);

export function startCanary(state: RoutingState, model: string, version: string, policy: CanaryPolicy, canary: CanaryState): RoutingState {
  const route = modelRoute(state, model);
  checkVersion(route, model, version);
  if (route.canary) throw new RoutingError(`model '${model}' already has a canary of ${route.canary.version} in progress`, 409);
  if (version === route.stable) throw new RoutingError(`${version} is already model '${model}''s stable version`, 409);
  return withModel(state, model, { ...route, canary: { version, baseline: route.stable, policy, state: canary } });
}

/** The canary's state after a decision, with the weights that decision set. */
export function updateCanary(state: RoutingState, model: string, canary: CanaryState): RoutingState {
  const route = modelRoute(state, model);
  if (!route.canary) throw new RoutingError(`model '${model}' has no canary in progress`, 409);
  const { version, baseline } = route.canary;
  return withModel(state, model, { ...route, versions: splitBetween(route, baseline, version, canary.weight), canary: { ...route.canary, state: canary } });
}

/** The route without its canary, which is kept as the last one with its final state. */
function endCanary(route: ModelRoute, status: "promoted" | "rolled-back", final?: CanaryState): ModelRoute {
  const { canary, ...rest } = route;
  if (!canary) return rest;
  return { ...rest, lastCanary: { ...canary, state: final ?? { ...canary.state, status } } };
}

/**
 * All traffic to `version` (default: the canary's candidate), which becomes the stable version; a
 * canary in progress ends as promoted, with `final` as its last state when the canary host decided.
 */
export function promote(state: RoutingState, model: string, version?: string, final?: CanaryState): RoutingState {
  const route = modelRoute(state, model);
  const target = version !== undefined ? checkVersion(route, model, version) : route.canary?.version;
  if (target === undefined) throw new RoutingError(`model '${model}' has no canary in progress: name the version to promote`, 409);
  return withModel(state, model, { ...endCanary(route, "promoted", final), stable: target, versions: allTo(route, target) });
}

/** All traffic back to the stable version; a canary in progress ends. Doing it again changes nothing. */
export function rollback(state: RoutingState, model: string, final?: CanaryState): RoutingState {
  const route = modelRoute(state, model);
  return withModel(state, model, { ...endCanary(route, "rolled-back", final), versions: allTo(route, route.stable) });
}

export function setShadow(state: RoutingState, model: string, shadow: ShadowRoute | undefined): RoutingState {
  const route = modelRoute(state, model);
  if (shadow === undefined) {
    const { shadow: _stopped, ...rest } = route;
    return withModel(state, model, rest);
  }
  checkVersion(route, model, shadow.version);
  if (!(typeof shadow.share === "number" && shadow.share > 0 && shadow.share <= 100)) throw new RoutingError(`a shadow's share must be a percentage in (0, 100], got ${JSON.stringify(shadow.share)}`);
  return withModel(state, model, { ...route, shadow: { version: shadow.version, share: shadow.share } });
}

export function setChaos(state: RoutingState, model: string, chaos: readonly ChaosRule[]): RoutingState {
  const route = modelRoute(state, model);
  return withModel(state, model, { ...route, chaos });
}

/**
 * A state read back from disk, checked against the config it now runs with: a version that the
 * config no longer has is an error (the state would route to nowhere); a version the config added
 * joins with weight 0.
 */
export function reconcile(saved: unknown, config: GatewayConfig): RoutingState {
  const fresh = initialRouting(config);
  if (typeof saved !== "object" || saved === null || (saved as { version?: unknown }).version !== 1 || typeof (saved as { models?: unknown }).models !== "object") {
    throw new Error("it is not a gateway state of version 1");
  }
  const models: Record<string, ModelRoute> = { ...fresh.models };
  for (const [name, route] of Object.entries((saved as RoutingState).models)) {
    const configured = fresh.models[name];
    if (!configured) throw new Error(`it routes model '${name}', which gateway.yaml no longer has`);
    const savedWeights = new Map(route.versions.map((v) => [v.name, v.weight]));
    for (const v of savedWeights.keys()) {
      if (!configured.versions.some((c) => c.name === v)) throw new Error(`it routes model '${name}' to version '${v}', which gateway.yaml no longer has`);
    }
    const versions = configured.versions.map((v) => ({ name: v.name, weight: savedWeights.get(v.name) ?? 0 }));
    checkWeights(`model '${name}' weights`, versions);
    models[name] = { ...route, versions, chaos: route.chaos ?? [] };
  }
  return { version: 1, models };
}
