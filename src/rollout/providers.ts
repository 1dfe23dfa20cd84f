/**
 * The rollout provider of a model, as prodinsights.yaml names it (`rollout:` per model), with its
 * credentials resolved: the gateway's admin token, or Unleash's admin token.
 */
import { resolveSecret, type SecretLookup } from "../config/secrets";
import type { Config } from "../config/types";
import { GatewayAdmin } from "./gateway";
import { GatewayProvider } from "./gatewayProvider";
import { ProviderError, type RolloutProvider } from "./provider";
import { UnleashProvider } from "./unleash";

export interface ProviderOptions {
  /** Who acts, for the backend's audit log. */
  readonly actor?: string;
  readonly timeoutMs?: number;
}

export async function providerFor(config: Config, model: string, secrets: SecretLookup, options: ProviderOptions = {}): Promise<RolloutProvider> {
  const m = config.models.get(model);
  if (!m) throw new ProviderError(`no model '${model}' in prodinsights.yaml`, "not-found");
  switch (m.rollout) {
    case "gateway": {
      const token = await resolveSecret(config.gateway.token, secrets, "prodinsights.yaml gateway.token");
      return new GatewayProvider(new GatewayAdmin({ url: config.gateway.url, token, actor: options.actor ?? "prodinsights", ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) }));
    }
    case "unleash": {
      const token = await resolveSecret(config.unleash.token, secrets, "prodinsights.yaml unleash.token");
      return new UnleashProvider({
        url: config.unleash.url,
        token,
        project: config.unleash.project,
        environment: config.unleash.environment,
        flags: (name) => {
          const model = config.models.get(name);
          return { flag: model?.flag ?? name, stickiness: model?.stickiness ?? "userId" };
        },
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
    }
    case "argo":
      throw new ProviderError(`model '${model}' rolls out through Argo Rollouts, which this version cannot drive yet`, "unsupported");
  }
}
