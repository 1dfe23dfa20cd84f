import path from "node:path";
import { MissingSecretError } from "../../config/secrets";
import { loadGatewayConfig, type GatewayConfig } from "../../gateway/config";
import { Gateway } from "../../gateway/server";
import { StateFileError } from "../../gateway/stateFile";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { stringFlag } from "../parse";

/** Starts a gateway for `file`, turning what a user can fix (a secret, a port, a state file) into one-line errors. */
export async function startGateway(file: string, log: (line: string) => void): Promise<Gateway> {
  const config = await loadGatewayConfig(file);
  try {
    return await Gateway.start(config, { baseDir: path.dirname(path.resolve(file)), log });
  } catch (err) {
    if (err instanceof MissingSecretError || err instanceof StateFileError) throw new UsageError(err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if ((err as NodeJS.ErrnoException).syscall === "listen" && (code === "EADDRINUSE" || code === "EADDRNOTAVAIL" || code === "EACCES")) {
      const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
      throw new UsageError(`cannot listen on ${e.address ?? "?"}:${e.port ?? "?"} (${code}): change 'listen' or 'admin' in ${file}`);
    }
    // A folder it cannot create or write (logs, state): the path and the reason, on one line.
    if (code === "EACCES" || code === "EROFS" || code === "ENOSPC" || code === "ENOTDIR") throw new UsageError(`${(err as Error).message} (check 'logs.dir' and 'state' in ${file})`);
    throw err;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Warnings for listeners that other machines can reach: the admin API above all. */
export function exposureWarnings(config: GatewayConfig): string[] {
  const out: string[] = [];
  if (!LOOPBACK.test(config.admin.host)) out.push(`warning: the admin API listens on ${config.admin.host}: anyone who can reach it and holds the token can change routing; keep it on 127.0.0.1 unless a firewall or proxy guards it`);
  if (!LOOPBACK.test(config.listen.host)) out.push(`warning: model traffic, /metrics and /outcomes listen on ${config.listen.host}, reachable from other machines`);
  return out;
}

export const gatewayCommand: Command = {
  name: "gateway",
  summary: "Runs the local model gateway: routing, experiments, shadows, canaries, telemetry.",
  usage: "gateway [--config gateway.yaml]",
  flags: {
    config: { type: "string", description: "the gateway's configuration", default: "gateway.yaml" },
  },
  details: [
    "Model requests go to /models/<model>/<path> and are forwarded to the unit's version; /metrics serves",
    "Prometheus telemetry and /outcomes takes delayed outcomes. The admin API listens on its own address and",
    "needs the token that gateway.yaml names (admin.token: ${env:NAME}). Routing survives restarts in the",
    "state file. Stops on Ctrl-C. See docs/gateway.md.",
  ].join("\n"),
  examples: ["PRODINSIGHTS_GATEWAY_TOKEN=secret prodinsights gateway --config gateway.yaml"],
  async run(args, io) {
    const file = stringFlag(args, "config") ?? "gateway.yaml";
    const gw = await startGateway(file, (line) => io.stderr(`${line}\n`));
    for (const w of exposureWarnings(gw.config)) io.stderr(`${w}\n`);
    io.stdout(
      [
        `Gateway for ${[...gw.config.models.keys()].join(", ")}: ${gw.url}/models/<model>/…, ${gw.url}/metrics, ${gw.url}/outcomes`,
        `Admin API: ${gw.adminUrl} (Authorization: Bearer <admin token>)`,
        `State: ${gw.statePath}; logs: ${path.dirname(gw.predictionsLog.file)}`,
        "",
      ].join("\n"),
    );
    const signal = await (io.untilStopped ?? (() => new Promise<string>(() => {})))();
    io.stderr(`Stopping the gateway (${signal}).\n`);
    await gw.close();
    return 0;
  },
};
