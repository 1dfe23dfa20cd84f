import * as vscode from "vscode";
import type { SecretLookup } from "../config/secrets";
import type { Config } from "../config/types";
import type { ExtensionContextHolder } from "./context";

const GATEWAY_TOKEN = "prodInsights.gatewayToken";
const NAMED = "prodInsights.secret.";

/**
 * Credentials in the editor's SecretStorage (never in settings or logs): the gateway's admin token,
 * and the `${secret:NAME}` values that prodinsights.yaml names for its backends.
 */
export class GatewaySecrets {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(ctx: ExtensionContextHolder) {
    ctx.register(this.changed);
    ctx.register(ctx.extension.secrets.onDidChange((e) => {
      if (e.key === GATEWAY_TOKEN || e.key.startsWith(NAMED)) this.changed.fire();
    }));
    this.storage = ctx.extension.secrets;
  }

  private readonly storage: vscode.SecretStorage;

  gatewayToken(): Thenable<string | undefined> {
    return this.storage.get(GATEWAY_TOKEN);
  }

  /** A `${secret:NAME}` of prodinsights.yaml. */
  named(name: string): Thenable<string | undefined> {
    return this.storage.get(NAMED + name);
  }

  /**
   * Where the analyses look up the secrets prodinsights.yaml names: `${env:…}` in the environment,
   * `${secret:…}` here. In an untrusted workspace nothing is found, so no credential goes to a URL
   * that the workspace chose.
   */
  lookup(): SecretLookup {
    if (!vscode.workspace.isTrusted) return () => undefined;
    return async (ref) => (ref.store === "env" ? process.env[ref.name] : await this.named(ref.name));
  }

  async store(target: SecretTarget, value: string): Promise<void> {
    await this.storage.store(target.kind === "gateway" ? GATEWAY_TOKEN : NAMED + target.name, value);
  }
}

export type SecretTarget = { readonly kind: "gateway" } | { readonly kind: "named"; readonly name: string; readonly where: string };

/** Every `${secret:NAME}` that the config's backends and Unleash name, with where (the gateway's token has a target of its own). */
export function namedSecrets(config: Config): SecretTarget[] {
  const found = new Map<string, string>();
  const note = (value: string | undefined, where: string): void => {
    const m = value === undefined ? null : /^\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    if (m && !found.has(m[1]!)) found.set(m[1]!, where);
  };
  for (const backend of config.backends.values()) {
    if (backend.type !== "prometheus") continue;
    const auth = backend.auth;
    if (auth?.kind === "bearer") note(auth.token, `backend ${backend.name}, bearer token`);
    if (auth?.kind === "basic") note(auth.password, `backend ${backend.name}, password of ${auth.username}`);
    for (const [header, value] of Object.entries(backend.headers)) note(value, `backend ${backend.name}, header ${header}`);
  }
  if ([...config.models.values()].some((m) => m.rollout === "unleash")) note(config.unleash.token, `Unleash admin token, ${config.unleash.url}`);
  return [...found].map(([name, where]) => ({ kind: "named", name, where }));
}
