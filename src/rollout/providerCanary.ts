/**
 * A canary on a provider that does not host one (Unleash, Argo Rollouts): the canary state
 * machine, run by the caller's process, moves the candidate's weight through the provider and
 * judges each step on the model's metrics backend. The CLI's `canary run` and the editor's Start
 * Canary both run it, so that both check the same things before any traffic moves.
 */
import type { Config, PolicyConfig } from "../config/types";
import type { CanaryPolicy } from "../core/canary/policy";
import type { CanaryDecision } from "../core/results/canary";
import type { MetricsApi } from "../telemetry/metrics/api";
import { hostCanary } from "./hostCanary";
import { metricsPolicy, providerTarget } from "./metricsCanary";
import { ArgoProvider } from "./argo";
import { ProviderError, requireCapability, type RolloutProvider, type RolloutStatus } from "./provider";

export interface ProviderCanary {
  readonly model: string;
  readonly candidate: string;
  /** The stable version the candidate is judged against. */
  readonly baseline: string;
  readonly policy: CanaryPolicy;
  readonly policyConfig: PolicyConfig;
  /** What may go otherwise than the policy says, for people (an Argo step that does not wait). */
  readonly warnings: readonly string[];
}

/**
 * Everything that can be checked before traffic moves: the provider sets weights, the candidate
 * is not the stable version, no other canary runs, the policy judges measurable metrics, and on
 * Argo the Rollout has the policy's steps. Refusals are ProviderErrors, said for people.
 */
export async function prepareProviderCanary(config: Config, provider: RolloutProvider, model: string, candidate: string, policyConfig: PolicyConfig, signal?: AbortSignal): Promise<ProviderCanary> {
  // A canary moves the candidate's weight step by step.
  requireCapability(provider, "weights");
  const policy = metricsPolicy(config, policyConfig);
  const status = await provider.status(model, signal);
  if (candidate === status.stable) throw new ProviderError(`${candidate} is already the stable version of '${model}'`, "refused");
  if (status.canary && status.canary.version !== candidate) throw new ProviderError(`a canary of ${status.canary.version} is already running for '${model}' on ${provider.kind}`, "refused");
  const warnings = provider instanceof ArgoProvider ? await checkArgoSteps(provider, model, candidate, policyConfig, status, signal) : [];
  return { model, candidate, baseline: status.stable, policy, policyConfig, warnings };
}

/**
 * Argo moves a canary only to its Rollout's setWeight steps, and canaries only the version of the
 * Rollout's spec.template: a policy step the Rollout lacks would fail half-way through the canary,
 * so it is refused before any traffic moves. A step of 100% is the promotion (a full promotion in
 * Argo), not a setWeight step. Returns the warnings.
 */
async function checkArgoSteps(provider: ArgoProvider, model: string, candidate: string, policyConfig: PolicyConfig, status: RolloutStatus, signal?: AbortSignal): Promise<string[]> {
  if (!status.canary) throw new ProviderError(`no canary of ${candidate} is running for '${model}' on argo: Argo canaries the version in the Rollout's spec.template; set it to ${candidate}, then run this once the Rollout holds at its first pause`, "refused");
  const steps = await provider.canarySteps(model, signal);
  const offered = [...new Set(steps.map((s) => s.weight))];
  const moved = policyConfig.steps.filter((w) => w < 100);
  const missing = moved.filter((w) => !offered.includes(w));
  if (missing.length > 0) {
    throw new ProviderError(`policy '${policyConfig.name}' steps ${policyConfig.steps.join(", ")}% need a setWeight step each below 100, and the Rollout of '${model}' has none for ${missing.join(", ")}% (its steps set ${offered.join(", ") || "no weight"}): Argo moves a canary only between its steps; add them to spec.strategy.canary.steps, each followed by pause: {}, or choose a policy of those weights`, "refused");
  }
  const unheld = moved.filter((w) => !steps.some((s) => s.weight === w && s.held));
  return unheld.length > 0 ? [`the Rollout's setWeight ${unheld.join(", ")} ${unheld.length === 1 ? "is" : "are"} not followed by pause: {}; Argo goes on from there by itself, without waiting for this canary's checks`] : [];
}

/** Runs a prepared canary to its end; an abort through `signal` rolls the traffic back first. */
export function runProviderCanary(prepared: ProviderCanary, config: Config, provider: RolloutProvider, api: MetricsApi, options: { readonly signal?: AbortSignal; readonly onDecision?: (d: CanaryDecision) => void } = {}): ReturnType<typeof hostCanary> {
  const { model, baseline, candidate, policy, policyConfig } = prepared;
  const target = providerTarget(provider, api, config, policyConfig, { model, baseline, candidate, ...(options.signal ? { signal: options.signal } : {}) });
  return hostCanary(target, policy, { ...(options.signal ? { signal: options.signal } : {}), ...(options.onDecision ? { onDecision: (d) => options.onDecision!(d) } : {}) });
}
