/**
 * One interface for every system that moves a model's traffic between its versions: the local
 * gateway, Unleash feature flags, Argo Rollouts. Each provider says what it can do, so that the
 * CLI and the editor offer only that. The provider's backend holds the truth (DESIGN.md §2.4):
 * nothing here keeps rollout state between calls.
 */

export type ProviderKind = "gateway" | "unleash" | "argo";

/**
 * What a provider can do beyond status and history:
 * - `weights`: set the candidate's share of traffic;
 * - `hostedCanary`: run a canary itself, with a policy (the gateway);
 * - `shadow`: mirror a share of requests to a version;
 * - `promote`, `rollback`, `abort`: end a rollout;
 * - `history`: the past changes, which are also release events.
 */
export type Capability = "weights" | "hostedCanary" | "shadow" | "promote" | "rollback" | "abort" | "history";

export interface RolloutStatus {
  readonly model: string;
  readonly provider: ProviderKind;
  /** The version that gets the traffic no canary takes. */
  readonly stable: string;
  /** Percent of traffic per version; every version the provider knows, 0 included. */
  readonly weights: Readonly<Record<string, number>>;
  /** A version that has part of the traffic besides the stable one. */
  readonly canary?: { readonly version: string; readonly weight: number };
  readonly shadow?: { readonly version: string; readonly share: number };
  /** What the provider itself says about the rollout, for people (Argo's phase, a paused flag). */
  readonly notes?: readonly string[];
}

/** A change of a model's traffic, as the provider's history records it. */
export interface RolloutEvent {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly kind: "weights" | "promote" | "rollback" | "abort" | "enable" | "disable" | "other";
  /** The weights after the change, when the event says them. */
  readonly weights?: Readonly<Record<string, number>>;
  /** The version the event brought in, when the provider records versions rather than weights (Argo's revisions). */
  readonly version?: string;
  readonly actor?: string;
  /** The provider's own name for the event, e.g. Unleash's `feature-strategy-update`. */
  readonly source: string;
}

/** A provider's failure, said for people: what was asked, and what the backend answered. */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  constructor(
    message: string,
    /** What kind of failure: decides whether a retry can help, and what the CLI says. */
    readonly kind: "unreachable" | "unauthorized" | "not-found" | "conflict" | "refused" | "unsupported" = "refused",
    /** The HTTP status, when the backend answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RolloutProvider {
  readonly kind: ProviderKind;
  readonly capabilities: ReadonlySet<Capability>;
  status(model: string, signal?: AbortSignal): Promise<RolloutStatus>;
  /** Gives `version` `weight` percent of the traffic and the stable version the rest. */
  setWeight(model: string, version: string, weight: number, signal?: AbortSignal): Promise<RolloutStatus>;
  /** All traffic to `version`, which becomes the stable version. */
  promote(model: string, version: string, signal?: AbortSignal): Promise<RolloutStatus>;
  /** All traffic back to the stable version. */
  rollback(model: string, signal?: AbortSignal): Promise<RolloutStatus>;
  /** Ends a running canary; the traffic goes back to the stable version. */
  abort(model: string, signal?: AbortSignal): Promise<RolloutStatus>;
  /** Past changes since `sinceMs`, oldest first. */
  history(model: string, sinceMs: number, signal?: AbortSignal): Promise<RolloutEvent[]>;
  /** With the `shadow` capability: mirrors `share` percent of the requests to `version`; 0 stops it. */
  setShadow?(model: string, version: string, share: number, signal?: AbortSignal): Promise<RolloutStatus>;
}

/** Refuses an operation the provider lacks, with what it can do instead. */
export function requireCapability(provider: RolloutProvider, capability: Capability): void {
  if (!provider.capabilities.has(capability)) {
    throw new ProviderError(`${provider.kind} cannot ${capability === "hostedCanary" ? "host a canary" : capability === "weights" ? "set weights" : capability}; it can ${[...provider.capabilities].join(", ")}`, "unsupported");
  }
}

/** A weight as a whole percent from 0 to 100, or a ProviderError. */
export function checkWeight(weight: number): number {
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new ProviderError(`a weight is a whole percent from 0 to 100, got ${weight}`, "refused");
  return weight;
}
