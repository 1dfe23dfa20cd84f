/**
 * Unleash OSS as a rollout provider, through its admin API (unleash-server 7.x). A model is a
 * feature flag; in the configured environment its strategies route the traffic, and each
 * strategy's one variant is a model version:
 * - the stable strategy: `flexibleRollout` at 100% whose variant is the stable version;
 * - during a canary, a canary strategy evaluated first: `flexibleRollout` at the candidate's
 *   percentage, sticky on the unit id, whose variant is the candidate.
 * An application asks the SDK for the flag's variant and serves that version. Rolling back removes
 * the canary strategy (its rollout drops to 0); promoting makes the candidate the stable variant.
 * Every change is a JSON Patch whose first operation tests the value it read, so that two edits at
 * once cannot both land: the second gets a conflict instead of silently undoing the first.
 */
import { checkWeight, type Capability, ProviderError, type RolloutEvent, type RolloutProvider, type RolloutStatus } from "./provider";

export interface UnleashOptions {
  /** The server's base URL, without /api. */
  readonly url: string;
  /** An admin API token. */
  readonly token: string;
  readonly project: string;
  readonly environment: string;
  /** Each model's flag and stickiness field. */
  readonly flags: (model: string) => { readonly flag: string; readonly stickiness: string };
  readonly timeoutMs?: number;
}

interface Variant {
  readonly name: string;
  readonly weight: number;
  readonly weightType?: string;
  readonly stickiness?: string;
}

interface Strategy {
  readonly id: string;
  readonly name: string;
  readonly title?: string | null;
  readonly disabled?: boolean | null;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly variants?: readonly Variant[];
  readonly constraints?: readonly unknown[];
  readonly sortOrder?: number;
}

interface FeatureEnvironment {
  readonly name: string;
  readonly enabled: boolean;
  readonly strategies: readonly Strategy[];
}

interface UnleashEvent {
  readonly type: string;
  readonly createdAt: string;
  readonly createdBy?: string;
  readonly environment?: string | null;
  readonly data?: Partial<Strategy> | null;
  readonly preData?: Partial<Strategy> | null;
}

const STABLE_TITLE = "prodinsights: stable";
const CANARY_TITLE = "prodinsights: canary";

/** The flag's routing as strategies: which is the stable one, which the canary. */
interface Routing {
  readonly flag: string;
  readonly enabled: boolean;
  readonly stable?: Strategy;
  readonly canary?: Strategy;
}

const variantOf = (s: Strategy | undefined): string | undefined => (s?.variants?.length === 1 ? s.variants[0]!.name : undefined);
const rolloutOf = (s: Strategy): number => Number(s.parameters?.["rollout"] ?? "100");

/** The stable and canary strategies among an environment's: by the titles this provider gives them, else by shape. */
function routingOf(flag: string, env: FeatureEnvironment): Routing {
  const live = [...env.strategies].filter((s) => !s.disabled && s.name === "flexibleRollout" && variantOf(s) !== undefined).sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0));
  const stable = live.find((s) => s.title === STABLE_TITLE) ?? live.filter((s) => rolloutOf(s) === 100).at(-1);
  const canary = live.find((s) => s.title === CANARY_TITLE) ?? live.find((s) => s !== stable && rolloutOf(s) < 100);
  return { flag, enabled: env.enabled, ...(stable ? { stable } : {}), ...(canary ? { canary } : {}) };
}

export class UnleashProvider implements RolloutProvider {
  readonly kind = "unleash" as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(["weights", "promote", "rollback", "abort", "history"]);
  private readonly base: string;

  constructor(private readonly options: UnleashOptions) {
    this.base = options.url.replace(/\/+$/, "");
  }

  private async call<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined, what: string): Promise<T> {
    const signals = [AbortSignal.timeout(this.options.timeoutMs ?? 10_000), ...(signal ? [signal] : [])];
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/admin${path}`, {
        method,
        headers: { authorization: this.options.token, accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      const why = (err as Error).name === "TimeoutError" ? "did not answer in time" : `is unreachable (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`;
      throw new ProviderError(`${what}: Unleash at ${this.base} ${why}`, "unreachable");
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      throw new ProviderError(`${what}: Unleash's answer broke off (${(err as Error).message})`, "unreachable", res.status);
    }
    if (res.ok) {
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new ProviderError(`${what}: Unleash answered ${res.status} with something that is not JSON: is ${this.base} an Unleash server?`, "refused", res.status);
      }
    }
    let message = text.slice(0, 300);
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      // Not JSON: keep the text.
    }
    if (res.status === 401 || res.status === 403) throw new ProviderError(`${what}: Unleash refused the token (${res.status}); the provider needs an admin API token`, "unauthorized", res.status);
    if (res.status === 404) throw new ProviderError(`${what}: not found in Unleash (${message})`, "not-found", res.status);
    if (/Test operation failed/i.test(message)) {
      throw new ProviderError(`${what}: the flag changed in Unleash since it was read (another edit at the same time); read the status and try again`, "conflict", res.status);
    }
    throw new ProviderError(`${what}: Unleash answered ${res.status}: ${message.split("\n")[0]}`, "refused", res.status);
  }

  private featurePath(flag: string): string {
    return `/projects/${encodeURIComponent(this.options.project)}/features/${encodeURIComponent(flag)}`;
  }

  private strategiesPath(flag: string): string {
    return `${this.featurePath(flag)}/environments/${encodeURIComponent(this.options.environment)}/strategies`;
  }

  private async routing(model: string, signal?: AbortSignal): Promise<Routing> {
    const { flag } = this.options.flags(model);
    const feature = await this.call<{ environments?: FeatureEnvironment[] }>("GET", this.featurePath(flag), undefined, signal, `reading flag '${flag}'`);
    const env = feature.environments?.find((e) => e.name === this.options.environment);
    if (!env) throw new ProviderError(`flag '${flag}' has no environment '${this.options.environment}' in project '${this.options.project}'`, "not-found");
    return routingOf(flag, env);
  }

  private statusOf(model: string, r: Routing): RolloutStatus {
    const stable = variantOf(r.stable);
    if (!stable) throw new ProviderError(`flag '${r.flag}' has no stable strategy in ${this.options.environment}: a flexibleRollout at 100% with one variant, the stable version`, "not-found");
    const candidate = variantOf(r.canary);
    const weight = r.canary && candidate && candidate !== stable ? rolloutOf(r.canary) : 0;
    const weights: Record<string, number> = { [stable]: 100 - weight };
    if (candidate && candidate !== stable) weights[candidate] = weight;
    return {
      model,
      provider: "unleash",
      stable,
      weights,
      ...(candidate && candidate !== stable ? { canary: { version: candidate, weight } } : {}),
      ...(r.enabled ? {} : { notes: [`flag '${r.flag}' is off in ${this.options.environment}: applications serve their fallback`] }),
    };
  }

  async status(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.statusOf(model, await this.routing(model, signal));
  }

  /**
   * Creates the model's flag with the stable strategy, on in the environment: for a model that has
   * no flag yet. A flag that exists is left as it is.
   */
  async init(model: string, stable: string, signal?: AbortSignal): Promise<RolloutStatus> {
    const { flag, stickiness } = this.options.flags(model);
    try {
      await this.call("GET", this.featurePath(flag), undefined, signal, `reading flag '${flag}'`);
      return await this.status(model, signal);
    } catch (err) {
      if (!(err instanceof ProviderError) || err.kind !== "not-found") throw err;
    }
    await this.call("POST", `/projects/${encodeURIComponent(this.options.project)}/features`, { name: flag, type: "release", description: `Versions of model ${model}, routed by Production Insights` }, signal, `creating flag '${flag}'`);
    await this.call("POST", this.strategiesPath(flag), this.strategy(STABLE_TITLE, flag, stable, 100, stickiness, 1), signal, `adding the stable strategy to '${flag}'`);
    await this.call("POST", `${this.featurePath(flag)}/environments/${encodeURIComponent(this.options.environment)}/on`, undefined, signal, `turning '${flag}' on`);
    return this.status(model, signal);
  }

  private strategy(title: string, flag: string, version: string, rollout: number, stickiness: string, sortOrder: number): Omit<Strategy, "id"> {
    return {
      name: "flexibleRollout",
      title,
      constraints: [],
      sortOrder,
      parameters: { rollout: String(rollout), stickiness, groupId: flag },
      variants: [{ name: version, weight: 1000, weightType: "variable", stickiness }],
    };
  }

  async setWeight(model: string, version: string, weight: number, signal?: AbortSignal): Promise<RolloutStatus> {
    checkWeight(weight);
    const { flag, stickiness } = this.options.flags(model);
    const r = await this.routing(model, signal);
    const status = this.statusOf(model, r);
    if (version === status.stable) throw new ProviderError(`${version} is the stable version of '${model}': give a candidate a weight, or promote it`, "refused");
    if (status.canary && status.canary.version !== version) throw new ProviderError(`a canary of ${status.canary.version} is running on '${flag}': roll it back or promote it first`, "conflict");
    const what = `setting ${version} to ${weight}% on '${flag}'`;
    if (r.canary) {
      const path = `${this.strategiesPath(flag)}/${encodeURIComponent(r.canary.id)}`;
      await this.call("PATCH", path, [
        { op: "test", path: "/parameters/rollout", value: r.canary.parameters?.["rollout"] },
        { op: "test", path: "/variants/0/name", value: variantOf(r.canary) },
        { op: "replace", path: "/parameters/rollout", value: String(weight) },
      ], signal, what);
    } else {
      // The canary strategy goes before the stable one, so that the units in its rollout get the candidate.
      const stableOrder = r.stable!.sortOrder ?? 0;
      const created = await this.call<Strategy>("POST", this.strategiesPath(flag), this.strategy(CANARY_TITLE, flag, version, weight, stickiness, Math.max(0, stableOrder - 1)), signal, what);
      if (stableOrder <= 0) {
        await this.call("POST", `${this.strategiesPath(flag)}/set-sort-order`, [{ id: created.id, sortOrder: 0 }, { id: r.stable!.id, sortOrder: 1 }], signal, `putting the canary of '${flag}' first`);
      }
      await this.checkOrder(model, created.id, signal);
    }
    return this.status(model, signal);
  }

  /**
   * Two canaries started at once would both add a strategy. Each checks after adding, and one that
   * finds another canary withdraws its own: at most one stays, and when both check late, neither
   * does (the safe side: all traffic stays on the stable version).
   */
  private async checkOrder(model: string, createdId: string, signal?: AbortSignal): Promise<void> {
    const { flag } = this.options.flags(model);
    const feature = await this.call<{ environments?: FeatureEnvironment[] }>("GET", this.featurePath(flag), undefined, signal, `reading flag '${flag}'`);
    const strategies = feature.environments?.find((e) => e.name === this.options.environment)?.strategies ?? [];
    const other = strategies.find((s) => s.title === CANARY_TITLE && s.id !== createdId);
    if (other) {
      await this.removeCanary(flag, { id: createdId } as Strategy, signal);
      throw new ProviderError(`another canary (${variantOf(other)}) was started on '${flag}' at the same time; this one was withdrawn`, "conflict");
    }
  }

  async promote(model: string, version: string, signal?: AbortSignal): Promise<RolloutStatus> {
    const { flag } = this.options.flags(model);
    const r = await this.routing(model, signal);
    const status = this.statusOf(model, r);
    if (version === status.stable && !r.canary) return status;
    if (status.canary && status.canary.version !== version) throw new ProviderError(`a canary of ${status.canary.version} is running on '${flag}', not of ${version}: roll it back first`, "conflict");
    // First the stable variant (everyone outside the canary moves to the candidate), then the canary strategy goes.
    await this.call("PATCH", `${this.strategiesPath(flag)}/${encodeURIComponent(r.stable!.id)}`, [
      { op: "test", path: "/variants/0/name", value: status.stable },
      { op: "replace", path: "/variants/0/name", value: version },
    ], signal, `promoting ${version} on '${flag}'`);
    if (r.canary) await this.removeCanary(flag, r.canary, signal);
    return this.status(model, signal);
  }

  private async removeCanary(flag: string, canary: Strategy, signal?: AbortSignal): Promise<void> {
    try {
      await this.call("DELETE", `${this.strategiesPath(flag)}/${encodeURIComponent(canary.id)}`, undefined, signal, `removing the canary strategy of '${flag}'`);
    } catch (err) {
      // Removed meanwhile by another edit: the outcome asked for.
      if (!(err instanceof ProviderError && err.kind === "not-found")) throw err;
    }
  }

  async rollback(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    const { flag } = this.options.flags(model);
    const r = await this.routing(model, signal);
    if (r.canary) await this.removeCanary(flag, r.canary, signal);
    return this.status(model, signal);
  }

  abort(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.rollback(model, signal);
  }

  /**
   * The flag's changes in the environment since `sinceMs`, oldest first, each with the weights it
   * left: replayed from Unleash's event log (strategy added, updated, removed; flag on and off).
   */
  async history(model: string, sinceMs: number, signal?: AbortSignal): Promise<RolloutEvent[]> {
    const { flag } = this.options.flags(model);
    const answer = await this.call<{ events?: UnleashEvent[] }>("GET", `/events/${encodeURIComponent(flag)}`, undefined, signal, `reading the events of '${flag}'`);
    const events = [...(answer.events ?? [])].filter((e) => !e.environment || e.environment === this.options.environment).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    const strategies = new Map<string, Strategy>();
    let enabled = false;
    const out: RolloutEvent[] = [];
    for (const e of events) {
      const data = e.data as Strategy | null | undefined;
      const pre = e.preData as Strategy | null | undefined;
      let kind: RolloutEvent["kind"] | undefined;
      if (e.type === "feature-strategy-add" && data?.id) {
        strategies.set(data.id, data);
        kind = "weights";
      } else if (e.type === "feature-strategy-update" && data?.id) {
        kind = pre && variantOf(pre) !== variantOf(data) ? "promote" : "weights";
        strategies.set(data.id, data);
      } else if (e.type === "feature-strategy-remove" && pre?.id) {
        strategies.delete(pre.id);
        kind = pre.title === CANARY_TITLE ? "rollback" : "weights";
      } else if (e.type === "feature-environment-enabled") {
        enabled = true;
        kind = "enable";
      } else if (e.type === "feature-environment-disabled") {
        enabled = false;
        kind = "disable";
      }
      if (!kind) continue;
      const t = Date.parse(e.createdAt);
      if (t < sinceMs) continue;
      let weights: Record<string, number> | undefined;
      try {
        weights = { ...this.statusOf(model, routingOf(flag, { name: this.options.environment, enabled, strategies: [...strategies.values()] })).weights };
      } catch {
        weights = undefined; // no stable strategy yet
      }
      out.push({ t, kind, ...(weights ? { weights } : {}), ...(e.createdBy ? { actor: e.createdBy } : {}), source: e.type });
    }
    return out;
  }
}
