/**
 * The gateway as a rollout provider: its admin API over HTTP (docs/gateway.md), for hosts outside
 * the gateway process such as `prodinsights canary run` and, later, the editor. Errors name the
 * call and carry the gateway's own message; the token is sent, never shown.
 */
import type { CanaryMeasurement } from "../core/canary/policy";

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

export interface ModelRouting {
  readonly weights: Readonly<Record<string, number>>;
  readonly stable: string;
  readonly canary?: { readonly version: string; readonly result: { readonly status: string } };
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
}

export class GatewayAdmin {
  private readonly base: string;
  constructor(private readonly options: GatewayAdminOptions) {
    this.base = options.url.replace(/\/+$/, "");
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, "x-actor": this.options.actor ?? "prodinsights", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
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

  async routing(model: string): Promise<ModelRouting> {
    const state = await this.call<{ models: Record<string, ModelRouting> }>("GET", "/state");
    const route = state.models[model];
    if (!route) throw new RolloutError(`the gateway does not route model '${model}' (it routes ${Object.keys(state.models).join(", ") || "none"})`, 404);
    return route;
  }

  async setWeights(model: string, weights: Readonly<Record<string, number>>): Promise<void> {
    await this.call("PUT", `/models/${encodeURIComponent(model)}/weights`, { weights });
  }

  async promote(model: string, version: string): Promise<void> {
    await this.call("POST", `/models/${encodeURIComponent(model)}/promote`, { version });
  }

  async rollback(model: string): Promise<void> {
    await this.call("POST", `/models/${encodeURIComponent(model)}/rollback`);
  }

  async totals(model: string): Promise<Readonly<Record<string, VersionTotals>>> {
    return (await this.call<{ versions: Record<string, VersionTotals> }>("GET", `/models/${encodeURIComponent(model)}/totals`)).versions;
  }
}
