/**
 * The rollout provider of a model, as prodinsights.yaml names it (`rollout:` per model), with its
 * credentials resolved: the gateway's admin token, Unleash's admin token, or a kubeconfig for Argo.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveSecret, type SecretLookup } from "../config/secrets";
import { ArgoProvider } from "./argo";
import { KubeClient, loadKubeconfig } from "./kube";
import type { Config } from "../config/types";
import { GatewayAdmin } from "./gateway";
import { GatewayProvider } from "./gatewayProvider";
import { ProviderError, type RolloutProvider } from "./provider";
import { UnleashProvider } from "./unleash";

export interface ProviderOptions {
  /** Who acts, for the backend's audit log. */
  readonly actor?: string;
  readonly timeoutMs?: number;
  /** Where a relative `argo.kubeconfig` starts: prodinsights.yaml's folder. Default: the working directory. */
  readonly baseDir?: string;
  /**
   * False in an untrusted workspace: no kubeconfig is read, so that no cluster credential goes to a
   * server a workspace's file could name. (The gateway's and Unleash's tokens come from the secret
   * lookup, which the editor empties there.)
   */
  readonly trusted?: boolean;
}

/** The kubeconfig file as kubectl finds it: the config's, else the first of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(configured: string | undefined, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = configured ?? env["KUBECONFIG"]?.split(path.delimiter).find((p) => p !== "") ?? path.join(os.homedir(), ".kube", "config");
  const expanded = chosen.startsWith("~/") ? path.join(os.homedir(), chosen.slice(2)) : chosen;
  return path.resolve(baseDir, expanded);
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
    case "argo": {
      if (options.trusted === false) throw new ProviderError(`model '${model}' rolls out through Argo Rollouts: its kubeconfig is not read in an untrusted workspace`, "unauthorized");
      const file = kubeconfigPath(config.argo.kubeconfig, options.baseDir ?? process.cwd());
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        throw new ProviderError(`model '${model}' rolls out through Argo Rollouts, but the kubeconfig ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set argo.kubeconfig in prodinsights.yaml or KUBECONFIG`, "not-found");
      }
      let target;
      try {
        target = loadKubeconfig(text, { ...(config.argo.context ? { context: config.argo.context } : {}), ...(config.argo.namespace ? { namespace: config.argo.namespace } : {}), baseDir: path.dirname(file) });
      } catch (err) {
        throw new ProviderError(`kubeconfig ${file}: ${(err as Error).message}`, "refused");
      }
      return new ArgoProvider({
        client: new KubeClient(target, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        namespace: target.namespace,
        rollouts: (name) => {
          const m = config.models.get(name);
          return { name: m?.argoRollout ?? name, versionLabel: m?.versionLabel ?? "version" };
        },
      });
    }
  }
}
