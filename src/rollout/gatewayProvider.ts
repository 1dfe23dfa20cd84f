/**
 * The local gateway behind the provider interface: its admin API (gateway.ts) moves weights, hosts
 * canaries and shadows, and its audit log is the history.
 */
import { GatewayAdmin, type ModelRouting, RolloutError } from "./gateway";
import { type Capability, checkWeight, ProviderError, type RolloutEvent, type RolloutProvider, type RolloutStatus } from "./provider";

const KINDS: Readonly<Record<string, RolloutEvent["kind"]>> = { "set weights": "weights", "start canary": "weights", promote: "promote", rollback: "rollback", "abort canary": "abort", "canary promote": "promote", "canary rollback": "rollback", "canary set-weight": "weights" };

export class GatewayProvider implements RolloutProvider {
  readonly kind = "gateway" as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(["weights", "hostedCanary", "shadow", "promote", "rollback", "abort", "history"]);

  constructor(readonly admin: GatewayAdmin) {}

  /** Gateway errors as provider errors, so that every host handles one kind. */
  private async guard<T>(what: () => Promise<T>): Promise<T> {
    try {
      return await what();
    } catch (err) {
      if (!(err instanceof RolloutError)) throw err;
      const kind = err.status === undefined ? "unreachable" : err.status === 401 ? "unauthorized" : err.status === 404 ? "not-found" : err.status === 409 ? "conflict" : "refused";
      throw new ProviderError(err.message, kind, err.status);
    }
  }

  private statusOf(model: string, r: ModelRouting): RolloutStatus {
    const others = Object.entries(r.weights).filter(([v, w]) => v !== r.stable && w > 0);
    const canary = r.canary ? { version: r.canary.version, weight: r.weights[r.canary.version] ?? 0 } : others.length === 1 ? { version: others[0]![0], weight: others[0]![1] } : undefined;
    return {
      model,
      provider: "gateway",
      stable: r.stable,
      weights: r.weights,
      ...(canary ? { canary } : {}),
      ...(r.shadow ? { shadow: r.shadow } : {}),
      ...(r.canary ? { notes: [`the gateway hosts a canary of ${r.canary.version}: ${r.canary.result.status}, step ${r.canary.result.step + 1}`] } : {}),
    };
  }

  status(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.guard(async () => this.statusOf(model, await this.admin.routing(model, signal)));
  }

  setWeight(model: string, version: string, weight: number, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.guard(async () => {
      checkWeight(weight);
      const { stable } = await this.admin.routing(model, signal);
      if (version === stable) throw new ProviderError(`${version} is the stable version of '${model}': give a candidate a weight, or promote it`, "refused");
      await this.admin.setWeights(model, { [stable]: 100 - weight, [version]: weight }, signal);
      return this.status(model, signal);
    });
  }

  promote(model: string, version: string, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.guard(async () => {
      await this.admin.promote(model, version, signal);
      return this.status(model, signal);
    });
  }

  rollback(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.guard(async () => {
      await this.admin.rollback(model, signal);
      return this.status(model, signal);
    });
  }

  /** Ends the gateway's own canary; without one, the same as a rollback. */
  abort(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.guard(async () => {
      const r = await this.admin.routing(model, signal);
      if (r.canary) await this.admin.abortCanary(model, signal);
      else await this.admin.rollback(model, signal);
      return this.status(model, signal);
    });
  }

  setShadow(model: string, version: string, share: number, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.guard(async () => {
      if (share === 0) await this.admin.clearShadow(model, signal);
      else await this.admin.setShadow(model, version, share, signal);
      return this.status(model, signal);
    });
  }

  /** From the newest 10,000 entries of the audit log (the admin API's limit). */
  history(model: string, sinceMs: number, signal?: AbortSignal): Promise<RolloutEvent[]> {
    return this.guard(async () =>
      (await this.admin.audit(10_000, signal))
        .filter((e) => e.model === model && Date.parse(e.ts) >= sinceMs)
        .map((e) => ({ t: Date.parse(e.ts), kind: KINDS[e.action] ?? "other", ...(e.after?.weights ? { weights: e.after.weights } : {}), actor: e.who, source: e.action })),
    );
  }
}
