/**
 * The gateway as a rollout provider: its admin API over HTTP (docs/gateway.md), for hosts outside
 * the gateway process such as `prodinsights canary run` and, later, the editor. Errors name the
 * call and carry the gateway's own message; the token is sent, never shown.
 */
import type { CanaryMeasurement } from "../core/canary/policy";
import type { CanaryResult } from "../core/results/canary";

/** Per-version running totals as the gateway counts them (its src/gateway/versionStats.ts). */
export interface VersionTotals {
  readonly requests: number;
  readonly errors: number;
  readonly latencyBins: readonly number[];
}

/** The metrics a gateway canary can be judged by, and what kind each is. */
export const GATEWAY_CANARY_METRICS = {
  error_rate: { kind: "proportion", direction: "lower" },
  latency: { kind: "distribution", direction: "lower" },
} as const;
export type GatewayCanaryMetric = keyof typeof GATEWAY_CANARY_METRICS;

/** What happened between two snapshots of the same version. */
export function since(now: VersionTotals, before: VersionTotals): VersionTotals {
  return { requests: now.requests - before.requests, errors: now.errors - before.errors, latencyBins: now.latencyBins.map((c, i) => c - (before.latencyBins[i] ?? 0)) };
}

/** The canary measurements of `metrics` from the baseline's and the candidate's totals over a window. */
export function measurements(metrics: readonly string[], baseline: VersionTotals, candidate: VersionTotals): CanaryMeasurement[] {
  return metrics.map((metric): CanaryMeasurement => {
    if (metric === "error_rate") {
      return { metric, kind: "proportion", baseline: { successes: baseline.errors, trials: baseline.requests }, candidate: { successes: candidate.errors, trials: candidate.requests } };
    }
    if (metric === "latency") return { metric, kind: "distribution", baseline: baseline.latencyBins, candidate: candidate.latencyBins };
    throw new Error(`no gateway canary metric '${metric}' (there are ${Object.keys(GATEWAY_CANARY_METRICS).join(", ")})`);
  });
}

/** A canary as GET /state shows it: its policy as the gateway resolved it, and its document. */
export interface GatewayCanaryView {
  readonly version: string;
  readonly baseline: string;
  readonly policy: {
    readonly steps: readonly { readonly weight: number; readonly pauseMs: number }[];
    readonly metrics: readonly { readonly name: string; readonly tolerance?: number }[];
  };
  /** The canary document (with the state machine's own counters besides). */
  readonly result: CanaryResult;
}

/** A running chaos rule as the gateway keeps it (src/gateway/chaos.ts). */
export type GatewayChaosRule = ChaosRuleInput & { readonly id: string; readonly until: number };

/** One model's routing in GET /state (src/gateway/admin.ts stateView). */
export interface ModelRouting {
  /** Percent of the model's traffic per version, every version of the gateway's config. */
  readonly weights: Readonly<Record<string, number>>;
  readonly stable: string;
  readonly shadow?: { readonly version: string; readonly share: number };
  readonly canary?: GatewayCanaryView;
  /** The canary that ended last. */
  readonly lastCanary?: GatewayCanaryView;
  readonly chaos: readonly GatewayChaosRule[];
}

/** An entry of GET /audit (src/gateway/audit.ts), with each side's routing summary. */
export interface GatewayAuditEntry {
  readonly ts: string;
  readonly who: string;
  readonly action: string;
  readonly model: string;
  readonly before?: { readonly weights?: Readonly<Record<string, number>>; readonly stable?: string };
  readonly after?: { readonly weights?: Readonly<Record<string, number>>; readonly stable?: string };
}

export interface GatewayState {
  readonly models: Readonly<Record<string, ModelRouting>>;
}

/** A chaos fault for POST /models/M/chaos: `share` percent of `version`'s requests, for `duration` ("30s", "5m"; at most 24h). */
export type ChaosRuleInput = { readonly version: string; readonly share: number; readonly duration?: string } & (
  | { readonly kind: "latency"; readonly ms: number }
  | { readonly kind: "error" }
  | { readonly kind: "bias"; readonly amount: number }
  | { readonly kind: "corrupt" }
);

/**
 * A canary policy for POST /models/M/canary (src/gateway/canaryHost.ts): steps with a pause such as
 * "30s", metrics by name (error_rate, latency) with an optional tolerance; parts left out take the
 * gateway's defaults.
 */
export interface GatewayPolicyInput {
  readonly steps?: readonly { readonly weight: number; readonly pause: string }[];
  readonly metrics?: readonly (GatewayCanaryMetric | { readonly name: GatewayCanaryMetric; readonly tolerance?: number })[];
  readonly confidence?: number;
  readonly minSample?: number;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
}

export class RolloutError extends Error {
  override readonly name = "RolloutError";
  constructor(
    message: string,
    /** The HTTP status, when the gateway answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface GatewayAdminOptions {
  /** The admin API's base URL. */
  readonly url: string;
  readonly token: string;
  /** Who acts, for the gateway's audit log. */
  readonly actor?: string;
  readonly timeoutMs?: number;
  /** Cancels every call of this client (the editor's refresh); each call may add its own. */
  readonly signal?: AbortSignal;
}

export class GatewayAdmin {
  private readonly base: string;
  constructor(private readonly options: GatewayAdminOptions) {
    this.base = options.url.replace(/\/+$/, "");
  }

  private async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const signals = [AbortSignal.timeout(this.options.timeoutMs ?? 10_000), ...[this.options.signal, signal].filter((s): s is AbortSignal => s !== undefined)];
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, "x-actor": this.options.actor ?? "prodinsights", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals),
      });
    } catch (err) {
      const cancelled = [this.options.signal, signal].find((s) => s?.aborted);
      if (cancelled) throw cancelled.reason ?? err;
      const why = (err as Error).name === "TimeoutError" ? "did not answer in time" : `is unreachable (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`;
      throw new RolloutError(`${method} ${path}: the gateway admin API at ${this.base} ${why}; is 'prodinsights gateway' running?`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RolloutError(`${method} ${path}: the gateway answered ${res.status} with something that is not JSON`, res.status);
    }
    if (!res.ok) {
      const message = (json as { error?: unknown }).error;
      throw new RolloutError(`${method} ${path}: ${res.status === 401 ? "the admin token was refused" : typeof message === "string" ? message : `status ${res.status}`}`, res.status);
    }
    return json as T;
  }

  /** The newest entries of the gateway's audit log (at most `limit`), oldest first. */
  async audit(limit = 10_000, signal?: AbortSignal): Promise<readonly GatewayAuditEntry[]> {
    return (await this.call<{ entries: GatewayAuditEntry[] }>("GET", `/audit?limit=${limit}`, undefined, signal)).entries;
  }

  /** Every model's routing: weights, stable version, shadow, the running and the last canary, chaos rules. */
  async state(signal?: AbortSignal): Promise<GatewayState> {
    return this.call<GatewayState>("GET", "/state", undefined, signal);
  }

  async routing(model: string, signal?: AbortSignal): Promise<ModelRouting> {
    const state = await this.state(signal);
    const route = state.models[model];
    if (!route) throw new RolloutError(`the gateway does not route model '${model}' (it routes ${Object.keys(state.models).join(", ") || "none"})`, 404);
    return route;
  }

  private path(model: string, what: string): string {
    return `/models/${encodeURIComponent(model)}/${what}`;
  }

  /** The model's routing after a change, as the admin API answers every change. */
  private async change(method: string, model: string, what: string, body?: unknown, signal?: AbortSignal): Promise<ModelRouting> {
    const state = await this.call<GatewayState>(method, this.path(model, what), body, signal);
    return state.models[model]!;
  }

  async setWeights(model: string, weights: Readonly<Record<string, number>>, signal?: AbortSignal): Promise<void> {
    await this.change("PUT", model, "weights", { weights }, signal);
  }

  async promote(model: string, version: string, signal?: AbortSignal): Promise<void> {
    await this.change("POST", model, "promote", { version }, signal);
  }

  async rollback(model: string, signal?: AbortSignal): Promise<void> {
    await this.change("POST", model, "rollback", undefined, signal);
  }

  async totals(model: string, signal?: AbortSignal): Promise<Readonly<Record<string, VersionTotals>>> {
    return (await this.call<{ versions: Record<string, VersionTotals> }>("GET", this.path(model, "totals"), undefined, signal)).versions;
  }

  /** Starts the gateway's own canary of `version` (its first step's weight is set at once). */
  startCanary(model: string, version: string, policy?: GatewayPolicyInput, signal?: AbortSignal): Promise<ModelRouting> {
    return this.change("POST", model, "canary", { version, ...(policy !== undefined ? { policy } : {}) }, signal);
  }

  /** Aborts the running canary: the traffic goes back to the stable version. A 409 when none runs. */
  abortCanary(model: string, signal?: AbortSignal): Promise<ModelRouting> {
    return this.change("DELETE", model, "canary", undefined, signal);
  }

  /** Mirrors `share` percent of the model's requests to `version`. */
  setShadow(model: string, version: string, share: number, signal?: AbortSignal): Promise<ModelRouting> {
    return this.change("PUT", model, "shadow", { version, share }, signal);
  }

  clearShadow(model: string, signal?: AbortSignal): Promise<ModelRouting> {
    return this.change("DELETE", model, "shadow", undefined, signal);
  }

  /** Adds a chaos rule; `duration` defaults to 5m, so that a forgotten rule ends soon. */
  startChaos(model: string, rule: ChaosRuleInput, signal?: AbortSignal): Promise<ModelRouting> {
    return this.change("POST", model, "chaos", { duration: "5m", ...rule }, signal);
  }

  /** Ends every chaos rule of the model. */
  stopChaos(model: string, signal?: AbortSignal): Promise<ModelRouting> {
    return this.change("DELETE", model, "chaos", undefined, signal);
  }
}
