/**
 * Argo Rollouts as a rollout provider, through the Kubernetes API: a model is an
 * `argoproj.io/v1alpha1` Rollout with the canary strategy, and its versions are the Rollout's
 * ReplicaSets, named by a pod-template label (or the first container's image tag).
 *
 * Argo's controller owns the rollout: it moves the canary's weight by the Rollout's steps. This
 * provider reads that state and sends the same requests as the `kubectl argo rollouts` plugin:
 * `promote --full` and `abort` patch the status subresource, `undo` puts the stable ReplicaSet's
 * pod template back into the spec, and a weight is set by moving `status.currentStepIndex` to a
 * `setWeight` step, as `promote` moves it one step on (a weight written into the traffic router
 * directly would be undone by the controller). Shadowing is an edit of the Istio VirtualService
 * that the Rollout's traffic routing names.
 */
import type { KubeClient } from "./kube";
import { type Capability, checkWeight, ProviderError, type RolloutEvent, type RolloutProvider, type RolloutStatus } from "./provider";

export interface ArgoOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  /** Each model's Rollout, and the pod-template label that names a version. */
  readonly rollouts: (model: string) => { readonly name: string; readonly versionLabel: string };
}

interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly creationTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly { readonly kind: string; readonly name: string; readonly uid: string }[];
}

interface PodTemplate {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly [k: string]: unknown };
  readonly spec?: { readonly containers?: readonly { readonly name: string; readonly image?: string }[]; readonly [k: string]: unknown };
}

interface CanaryStep {
  readonly setWeight?: number;
  readonly pause?: { readonly duration?: string | number };
  readonly analysis?: unknown;
}

interface IstioVirtualServiceRef {
  readonly name: string;
  readonly routes?: readonly string[];
}

interface AnalysisRunStatusRef {
  readonly name: string;
  readonly status: string;
  readonly message?: string;
}

interface Rollout {
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Set by `kubectl argo rollouts pause`; the controller moves no step while it is true. */
    readonly paused?: boolean;
    readonly selector?: { readonly matchLabels?: Readonly<Record<string, string>> };
    readonly template?: PodTemplate;
    readonly strategy?: {
      readonly canary?: {
        readonly canaryService?: string;
        readonly stableService?: string;
        readonly steps?: readonly CanaryStep[];
        readonly trafficRouting?: { readonly istio?: { readonly virtualService?: IstioVirtualServiceRef; readonly virtualServices?: readonly IstioVirtualServiceRef[] } };
      };
      readonly blueGreen?: unknown;
    };
  };
  readonly status?: {
    readonly phase?: string;
    readonly message?: string;
    readonly abort?: boolean;
    readonly currentPodHash?: string;
    readonly stableRS?: string;
    readonly currentStepIndex?: number;
    readonly pauseConditions?: readonly { readonly reason: string; readonly startTime?: string }[];
    readonly canary?: {
      readonly weights?: { readonly canary: { readonly weight: number }; readonly stable: { readonly weight: number } };
      readonly currentStepAnalysisRunStatus?: AnalysisRunStatusRef;
      readonly currentBackgroundAnalysisRunStatus?: AnalysisRunStatusRef;
    };
  };
}

interface ReplicaSet {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly template?: PodTemplate };
}

interface AnalysisRun {
  readonly metadata: ObjectMeta;
  readonly status?: { readonly phase?: string; readonly message?: string };
}

interface HttpRoute {
  readonly name?: string;
  readonly mirror?: { readonly host: string };
  readonly mirrorPercentage?: { readonly value: number };
  readonly [k: string]: unknown;
}

interface VirtualService {
  readonly metadata: ObjectMeta;
  readonly spec?: { readonly http?: readonly HttpRoute[] };
}

const HASH_LABEL = "rollouts-pod-template-hash";
const REVISION = "rollout.argoproj.io/revision";

/** One ReplicaSet of the Rollout, as a version. */
interface Revision {
  readonly hash: string;
  readonly version: string;
  readonly revision: number;
  readonly rs: ReplicaSet;
}

/** What `status` and the operations need: the Rollout, its revisions, and who is stable and canary. */
interface State {
  readonly name: string;
  readonly rollout: Rollout;
  readonly revisions: readonly Revision[];
  readonly stable: Revision;
  readonly canary?: Revision;
}

/** The tag of an image reference, without a digest: `reg:5000/ml/churn:v2@sha256:…` → `v2`. */
function imageTag(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const noDigest = image.split("@")[0]!;
  const colon = noDigest.lastIndexOf(":");
  return colon > noDigest.lastIndexOf("/") ? noDigest.slice(colon + 1) : undefined;
}

/** A `setWeight` step of a Rollout, for `canary run`'s check of a policy against the Rollout. */
export interface ArgoWeightStep {
  readonly weight: number;
  /** Whether a `pause: {}` (no duration) follows it, so that the canary stays there until someone moves it on. */
  readonly held: boolean;
}

/** The setWeight values of `steps`, each once, in the order they first appear. */
const stepWeights = (steps: readonly CanaryStep[]): number[] => [...new Set(steps.flatMap((step) => (typeof step.setWeight === "number" ? [step.setWeight] : [])))];

export class ArgoProvider implements RolloutProvider {
  readonly kind = "argo" as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(["weights", "promote", "rollback", "abort", "shadow", "history"]);

  constructor(private readonly options: ArgoOptions) {}

  private get ns(): string {
    return encodeURIComponent(this.options.namespace);
  }

  private rolloutPath(name: string): string {
    return `/apis/argoproj.io/v1alpha1/namespaces/${this.ns}/rollouts/${encodeURIComponent(name)}`;
  }

  /** The model's Rollout, which must use the canary strategy. */
  private async rollout(model: string, signal?: AbortSignal): Promise<{ name: string; where: string; rollout: Rollout }> {
    const { name } = this.options.rollouts(model);
    const where = `Rollout '${name}' in namespace '${this.options.namespace}'`;
    const rollout = await this.options.client.get<Rollout>(this.rolloutPath(name), { signal, what: `reading ${where}` });
    if (!rollout.spec.strategy?.canary) throw new ProviderError(`${where} does not use the canary strategy; the provider supports canary Rollouts only`, "unsupported");
    return { name, where, rollout };
  }

  private async state(model: string, signal?: AbortSignal): Promise<State> {
    const { versionLabel } = this.options.rollouts(model);
    const { name, where, rollout } = await this.rollout(model, signal);
    const matchLabels = rollout.spec.selector?.matchLabels ?? {};
    const selector = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
    const all = await this.options.client.list<ReplicaSet>(`/apis/apps/v1/namespaces/${this.ns}/replicasets`, selector, { signal, what: `listing the ReplicaSets of ${where}` });
    const revisions = all
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === "Rollout" && o.uid === rollout.metadata.uid))
      .flatMap((rs): Revision[] => {
        const hash = rs.metadata.labels?.[HASH_LABEL];
        if (!hash) return [];
        const template = rs.spec?.template;
        const version = template?.metadata?.labels?.[versionLabel] ?? imageTag(template?.spec?.containers?.[0]?.image) ?? hash;
        return [{ hash, version, revision: Number(rs.metadata.annotations?.[REVISION] ?? "0"), rs }];
      })
      .sort((a, b) => a.revision - b.revision);
    const byHash = (hash: string | undefined): Revision | undefined => revisions.find((r) => r.hash === hash);
    const st = rollout.status ?? {};
    const stable = byHash(st.stableRS);
    if (!stable) throw new ProviderError(`${where} has no stable ReplicaSet yet (status.stableRS: ${st.stableRS ?? "unset"}); wait for its first rollout to finish`, "not-found");
    let canary = st.currentPodHash && st.currentPodHash !== st.stableRS ? byHash(st.currentPodHash) : undefined;
    // Two templates with the same version name (e.g. only an env var changed): tell them apart by hash.
    if (canary && canary.version === stable.version) canary = { ...canary, version: `${canary.version}@${canary.hash}` };
    return { name, rollout, revisions, stable, ...(canary ? { canary } : {}) };
  }

  /** The canary's weight: what the traffic router was set to, else the last setWeight step passed. */
  private canaryWeight(s: State): number {
    const st = s.rollout.status ?? {};
    if (st.abort) return 0;
    const recorded = st.canary?.weights?.canary.weight;
    if (typeof recorded === "number") return recorded;
    const steps = s.rollout.spec.strategy?.canary?.steps ?? [];
    let weight = 0;
    for (const step of steps.slice(0, st.currentStepIndex ?? 0)) if (typeof step.setWeight === "number") weight = step.setWeight;
    return weight;
  }

  private istio(s: State): { vs: IstioVirtualServiceRef; canaryService: string } | undefined {
    const canary = s.rollout.spec.strategy?.canary;
    const vs = canary?.trafficRouting?.istio?.virtualService ?? canary?.trafficRouting?.istio?.virtualServices?.[0];
    return vs && canary?.canaryService ? { vs, canaryService: canary.canaryService } : undefined;
  }

  private vsPath(name: string): string {
    return `/apis/networking.istio.io/v1beta1/namespaces/${this.ns}/virtualservices/${encodeURIComponent(name)}`;
  }

  /** The route Argo manages: the first one named in the Rollout's traffic routing, else the first. */
  private routeIndex(vs: VirtualService, ref: IstioVirtualServiceRef): number {
    const routes = vs.spec?.http ?? [];
    const wanted = ref.routes?.[0];
    const i = wanted === undefined ? (routes.length > 0 ? 0 : -1) : routes.findIndex((r) => r.name === wanted);
    if (i < 0) throw new ProviderError(`VirtualService '${ref.name}' has no http route ${wanted === undefined ? "" : `named '${wanted}' `}(it has: ${routes.map((r) => r.name ?? "(unnamed)").join(", ") || "none"})`, "not-found");
    return i;
  }

  private async statusOf(model: string, s: State, signal?: AbortSignal): Promise<RolloutStatus> {
    const st = s.rollout.status ?? {};
    const weights: Record<string, number> = {};
    for (const r of s.revisions) weights[r.version] = 0;
    const w = s.canary ? this.canaryWeight(s) : 0;
    weights[s.stable.version] = 100 - w;
    if (s.canary) weights[s.canary.version] = w;

    const notes: string[] = [st.phase ? `${st.phase}${st.message ? `: ${st.message}` : ""}` : "no phase yet: the controller has not reconciled the Rollout"];
    const steps = s.rollout.spec.strategy?.canary?.steps ?? [];
    if (s.canary && steps.length > 0) notes.push(`step ${Math.min((st.currentStepIndex ?? 0) + 1, steps.length)} of ${steps.length}`);
    if (st.pauseConditions?.length) notes.push(`paused: ${st.pauseConditions.map((p) => p.reason).join(", ")}`);
    if (st.abort) notes.push(`aborted: the traffic is back on ${s.stable.version}; the spec still names ${s.canary?.version ?? "the aborted version"} (roll back to return it to ${s.stable.version})`);
    if (s.canary) {
      const runs = await this.options.client.list<AnalysisRun>(`/apis/argoproj.io/v1alpha1/namespaces/${this.ns}/analysisruns`, `${HASH_LABEL}=${s.canary.hash}`, { signal, what: `listing the AnalysisRuns of Rollout '${s.name}'` });
      const sorted = [...runs].sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? ""));
      for (const run of sorted) {
        const type = run.metadata.labels?.["rollout-type"];
        notes.push(`analysis run ${run.metadata.name}${type ? ` (${type})` : ""}: ${run.status?.phase ?? "Pending"}${run.status?.message ? ` (${run.status.message})` : ""}`);
      }
    }

    let shadow: RolloutStatus["shadow"];
    const istio = this.istio(s);
    if (istio) {
      try {
        const vs = await this.options.client.get<VirtualService>(this.vsPath(istio.vs.name), { signal, what: `reading VirtualService '${istio.vs.name}'` });
        const route = vs.spec?.http?.[this.routeIndex(vs, istio.vs)];
        const host = route?.mirror?.host;
        if (host && (host === istio.canaryService || host.startsWith(`${istio.canaryService}.`))) {
          shadow = { version: s.canary?.version ?? s.stable.version, share: route?.mirrorPercentage?.value ?? 100 };
        }
      } catch (err) {
        if (!(err instanceof ProviderError) || err.kind === "unreachable") throw err;
        notes.push(`shadow unknown: ${err.message}`);
      }
    }

    return {
      model,
      provider: "argo",
      stable: s.stable.version,
      weights,
      ...(s.canary ? { canary: { version: s.canary.version, weight: w } } : {}),
      ...(shadow ? { shadow } : {}),
      notes,
    };
  }

  async status(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    return this.statusOf(model, await this.state(model, signal), signal);
  }

  /**
   * The Rollout's `setWeight` steps in order, each with whether a `pause: {}` right after it holds
   * the canary there: the weights `setWeight` can move a canary to, and the ones where Argo waits
   * for the next move instead of going on by itself.
   */
  async canarySteps(model: string, signal?: AbortSignal): Promise<ArgoWeightStep[]> {
    const steps = (await this.rollout(model, signal)).rollout.spec.strategy?.canary?.steps ?? [];
    return steps.flatMap((step, i): ArgoWeightStep[] => {
      if (typeof step.setWeight !== "number") return [];
      const next = steps[i + 1];
      return [{ weight: step.setWeight, held: next?.pause !== undefined && next.pause.duration === undefined }];
    });
  }

  /**
   * Moves the running canary to the Rollout's `setWeight` step of `weight`, as the plugin's
   * `promote` moves it one step on: a merge patch of the status subresource,
   * `{"status":{"pauseConditions":null,"currentStepIndex":i}}`, then, if `spec.paused`,
   * `{"spec":{"paused":false}}` on the Rollout. The controller then carries out step i and what
   * follows it; a `pause: {}` after it holds the canary there. Argo moves a canary only between
   * its steps, so a weight no step sets is refused with the weights the steps offer.
   *
   * Which step, when several set `weight`: the first at or after the current step, else the first
   * one. Moving on is what a canary does; going back to an earlier step is the exception. Nothing is
   * sent when the canary is already held there: the traffic router has `weight`, the last
   * setWeight step before the current one sets it, and the current step is a pause (so that
   * asking twice does not restart the step's pause).
   *
   * The status returned is read right after the patch, before the controller has acted on it: it
   * still shows the old weight, and a note says so, because a caller that prints it (`rollout
   * weight`) would otherwise seem to say the request did nothing.
   */
  async setWeight(model: string, version: string, weight: number, signal?: AbortSignal): Promise<RolloutStatus> {
    checkWeight(weight);
    if (weight === 0) throw new ProviderError(`argo sets no weight of 0: abort the canary (status.abort, the traffic back on the stable version) or roll it back (the stable template back into the spec)`, "refused");
    if (weight === 100) throw new ProviderError(`argo sets no weight of 100: promote the canary instead (a full promotion, status.promoteFull)`, "refused");
    const s = await this.state(model, signal);
    const st = s.rollout.status ?? {};
    if (s.canary?.version !== version) {
      throw new ProviderError(`cannot set ${version}'s weight on Rollout '${s.name}': ${s.canary ? `the running canary is ${s.canary.version}` : `no canary is running (stable: ${s.stable.version})`}; Argo canaries the version in the Rollout's spec.template, so to canary ${version}, change the spec`, "refused");
    }
    if (st.abort) throw new ProviderError(`cannot set ${version}'s weight on Rollout '${s.name}': its canary was aborted; roll back, or re-apply the Rollout to start the canary again`, "refused");
    const steps = s.rollout.spec.strategy?.canary?.steps ?? [];
    const current = st.currentStepIndex ?? 0;
    const at = (from: number): number => steps.findIndex((step, i) => i >= from && step.setWeight === weight);
    const i = at(current) >= 0 ? at(current) : at(0);
    if (i < 0) {
      const offered = stepWeights(steps);
      throw new ProviderError(`Rollout '${s.name}' ${offered.length > 0 ? `steps set ${offered.join(", ")}` : "has no setWeight step"}; Argo moves a canary only between its steps: ${offered.length > 0 ? "choose one of those, or " : ""}add a setWeight: ${weight} step to spec.strategy.canary.steps`, "refused");
    }
    const lastSet = steps.slice(0, current).reverse().find((step) => typeof step.setWeight === "number");
    if (this.canaryWeight(s) === weight && lastSet?.setWeight === weight && steps[current]?.pause !== undefined) return this.statusOf(model, s, signal);

    const what = `moving the canary of ${version} on Rollout '${s.name}' to step ${i + 1} (setWeight: ${weight})`;
    await this.options.client.patch(`${this.rolloutPath(s.name)}/status`, { status: { pauseConditions: null, currentStepIndex: i } }, "application/merge-patch+json", { signal, what });
    // As the plugin's promote: a Rollout paused by hand moves no step until spec.paused is false.
    if (s.rollout.spec.paused) await this.options.client.patch(this.rolloutPath(s.name), { spec: { paused: false } }, "application/merge-patch+json", { signal, what: `unpausing Rollout '${s.name}'` });
    const after = await this.status(model, signal);
    if (after.canary?.weight === weight) return after;
    return { ...after, notes: [...(after.notes ?? []), `asked for step ${i + 1} (setWeight: ${weight}): the weights shown are the traffic router's until Argo's controller carries it out`] };
  }

  /** Full promotion of the running canary, as `kubectl argo rollouts promote --full`. */
  async promote(model: string, version: string, signal?: AbortSignal): Promise<RolloutStatus> {
    const s = await this.state(model, signal);
    if (!s.canary && version === s.stable.version) return this.statusOf(model, s, signal);
    if (s.canary?.version !== version) {
      throw new ProviderError(`cannot promote ${version} on Rollout '${s.name}': ${s.canary ? `the running canary is ${s.canary.version}` : `no canary is running (stable: ${s.stable.version})`}; Argo promotes the version in the Rollout's spec.template, so to release ${version}, change the spec`, "refused");
    }
    await this.options.client.patch(`${this.rolloutPath(s.name)}/status`, { status: { promoteFull: true } }, "application/merge-patch+json", { signal, what: `promoting ${version} on Rollout '${s.name}'` });
    return this.status(model, signal);
  }

  /** Stops the canary, as `kubectl argo rollouts abort`: the traffic goes back to the stable version; the spec is left as it is. */
  async abort(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    const s = await this.state(model, signal);
    if (!s.canary) return this.statusOf(model, s, signal);
    await this.options.client.patch(`${this.rolloutPath(s.name)}/status`, { status: { abort: true } }, "application/merge-patch+json", { signal, what: `aborting the canary of ${s.canary.version} on Rollout '${s.name}'` });
    return this.status(model, signal);
  }

  /** The stable ReplicaSet's pod template back into the spec, as `kubectl argo rollouts undo` does with a revision. */
  async rollback(model: string, signal?: AbortSignal): Promise<RolloutStatus> {
    const s = await this.state(model, signal);
    if (!s.canary) return this.statusOf(model, s, signal);
    const template = structuredClone(s.stable.rs.spec?.template ?? {}) as { metadata?: { labels?: Record<string, string> } };
    if (template.metadata?.labels) delete template.metadata.labels[HASH_LABEL];
    await this.options.client.patch(this.rolloutPath(s.name), [{ op: "replace", path: "/spec/template", value: template }], "application/json-patch+json", { signal, what: `rolling Rollout '${s.name}' back to ${s.stable.version}` });
    return this.status(model, signal);
  }

  /**
   * Mirrors `share` percent of the requests on the Rollout's Istio route to its canary Service
   * (which serves `version`, the running canary); share 0 stops mirroring. The route is replaced
   * by a JSON Patch whose first op tests its previous content, so an edit in between (Argo moving
   * the weights) makes this a conflict instead of being overwritten.
   */
  async setShadow(model: string, version: string, share: number, signal?: AbortSignal): Promise<RolloutStatus> {
    if (!Number.isFinite(share) || share < 0 || share > 100) throw new ProviderError(`a shadow share is a percent from 0 to 100, got ${share}`, "refused");
    const s = await this.state(model, signal);
    const istio = this.istio(s);
    if (!istio) throw new ProviderError(`Rollout '${s.name}' has no Istio virtualService and canaryService in spec.strategy.canary: shadowing mirrors the Istio route to the canary Service`, "unsupported");
    if (share > 0 && s.canary?.version !== version) {
      throw new ProviderError(`cannot shadow ${version} on Rollout '${s.name}': the canary Service '${istio.canaryService}' serves ${s.canary ? `the running canary, ${s.canary.version}` : `the stable version, ${s.stable.version} (no canary is running)`}; start a canary of ${version} (a first step setWeight: 0 and a pause sends it no live traffic)`, "refused");
    }
    const what = share > 0 ? `mirroring ${share}% to ${version} on VirtualService '${istio.vs.name}'` : `stopping the mirror on VirtualService '${istio.vs.name}'`;
    const vs = await this.options.client.get<VirtualService>(this.vsPath(istio.vs.name), { signal, what: `reading VirtualService '${istio.vs.name}'` });
    const i = this.routeIndex(vs, istio.vs);
    const before = vs.spec!.http![i]!;
    const { mirror: _m, mirrorPercentage: _p, ...rest } = before;
    const after: HttpRoute = share > 0 ? { ...rest, mirror: { host: istio.canaryService }, mirrorPercentage: { value: share } } : rest;
    if (share === 0 && !before.mirror) return this.status(model, signal);
    await this.options.client.patch(this.vsPath(istio.vs.name), [
      { op: "test", path: `/spec/http/${i}`, value: before },
      { op: "replace", path: `/spec/http/${i}`, value: after },
    ], "application/json-patch+json", { signal, what });
    return this.status(model, signal);
  }

  /**
   * The Rollout's revisions since `sinceMs`, oldest first: one event per ReplicaSet at its
   * creation, with the version it brought in. Argo keeps no record of weight changes, so the
   * events carry no weights.
   */
  async history(model: string, sinceMs: number, signal?: AbortSignal): Promise<RolloutEvent[]> {
    const s = await this.state(model, signal);
    return s.revisions
      .map((r) => ({ t: Date.parse(r.rs.metadata.creationTimestamp ?? ""), r }))
      .filter(({ t }) => Number.isFinite(t) && t >= sinceMs)
      .sort((a, b) => a.t - b.t || a.r.revision - b.r.revision)
      .map(({ t, r }) => ({ t, kind: "other" as const, version: r.version, source: `revision ${r.revision}: ${r.version}` }));
  }
}
