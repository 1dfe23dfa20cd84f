/**
 * Which admin token the editor uses for the gateway: the editor's secret storage first, then the
 * environment variable prodinsights.yaml names, then (for a gateway on this machine only) the token
 * file the demo writes. The value is never shown; `from` says where it came from.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseSecretRef } from "../../config/secrets";
import type { Config } from "../../config/types";

export interface GatewayToken {
  readonly token: string;
  readonly from: "secret-storage" | "environment" | "demo-token-file";
}

/** Where `prodinsights demo` keeps the admin token, relative to its workspace (src/gateway/demo/run.ts). */
export const DEMO_TOKEN_FILE = path.join(".prodinsights", "gateway-token");

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Whether `url` names this machine, so that a token file in the workspace may be trusted for it. */
export function isLoopback(url: string): boolean {
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export async function resolveGatewayToken(
  config: Config,
  options: { readonly secret?: string; readonly env: Readonly<Record<string, string | undefined>>; readonly workspaceDir: string },
): Promise<GatewayToken | undefined> {
  if (options.secret) return { token: options.secret, from: "secret-storage" };
  const ref = parseSecretRef(config.gateway.token);
  if (ref?.store === "env") {
    const value = options.env[ref.name];
    if (value) return { token: value, from: "environment" };
  }
  if (!isLoopback(config.gateway.url)) return undefined;
  try {
    const token = (await readFile(path.join(options.workspaceDir, DEMO_TOKEN_FILE), "utf8")).trim();
    return token ? { token, from: "demo-token-file" } : undefined;
  } catch {
    return undefined;
  }
}
