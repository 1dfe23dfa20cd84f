/**
 * The demo's Prometheus, when one is installed: a private server on 127.0.0.1 that scrapes the
 * gateway every second, with its data in the demo workspace. The gateway stamps its samples with
 * the simulated time, so the TSDB must take samples from the past: the out-of-order window and
 * the retention cover the scenario's span.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";

export interface DemoPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

/** `name` on the PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    // An empty entry would mean the current folder: never look there for a server to run.
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface PrometheusOptions {
  readonly dir: string;
  readonly port: number;
  /** `host:port` of the gateway. */
  readonly target: string;
  /** How far back the gateway's samples go. */
  readonly lookbackMs: number;
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Prometheus and waits until it is ready; undefined when it is not installed. */
export async function startPrometheus(options: PrometheusOptions): Promise<DemoPrometheus | undefined> {
  const binary = onPath("prometheus");
  if (!binary) return undefined;
  mkdirSync(path.join(options.dir, "data"), { recursive: true });
  const config = path.join(options.dir, "prometheus.yml");
  const days = Math.ceil(options.lookbackMs / 86_400_000) + 2;
  writeFileSync(
    config,
    [
      "# Written by prodinsights demo: scrape the demo gateway, whose samples carry simulated times.",
      "global: {scrape_interval: 1s}",
      `storage: {tsdb: {out_of_order_time_window: ${days}d}}`,
      "scrape_configs:",
      "  - job_name: gateway",
      `    static_configs: [{targets: ["${options.target}"]}]`,
      "",
    ].join("\n"),
  );
  // Port 0 means any free one, as for the gateway; Prometheus itself cannot pick one and say which.
  const port = options.port === 0 ? await freePort() : options.port;
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(options.dir, "data")}`, `--storage.tsdb.retention.time=${days + 30}d`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`Prometheus exited at start (${child.exitCode}): ${stderr.trim().split("\n").at(-1) ?? ""}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`Prometheus did not become ready on ${url} within 30 s`);
}
