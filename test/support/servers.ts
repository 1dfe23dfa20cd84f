/**
 * Private Prometheus and VictoriaMetrics servers for integration tests: plain processes on
 * 127.0.0.1 and a free port, with a temporary data directory, stopped by PID.
 *
 * - Prometheus: the history (test/support/promHistory.ts) is backfilled with
 *   `promtool tsdb create-blocks-from openmetrics` BEFORE the server starts (blocks added to a
 *   running server show up only after about a minute). The blocks are cached in the temp folder,
 *   keyed by the generator's source, and copied for each server (backfill takes ~15 s, a copy ~0).
 *   Retention counts from the newest block, not from the clock: 3650d keeps the fixed past history.
 * - VictoriaMetrics: imported through /api/v1/import/prometheus (ms timestamps), then
 *   /internal/force_flush, then polled until queryable. -retentionPeriod=100y: a bare number means
 *   months, and samples outside retention are dropped at import.
 *
 * A missing binary skips the suite with how to install it, except under CI, where it fails.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { onPath } from "../../src/gateway/demo/prometheus";
import { END_MS, promHistory } from "./promHistory";

export type ServerKind = "prometheus" | "victoriametrics";

export const SERVER_KINDS: readonly ServerKind[] = ["prometheus", "victoriametrics"];

const BINARIES: Record<ServerKind, readonly string[]> = {
  prometheus: ["prometheus", "promtool"],
  victoriametrics: ["victoria-metrics"],
};

const INSTALL_HINT = "apt-get install --no-install-recommends prometheus victoria-metrics";

export interface RunningServer {
  readonly kind: ServerKind;
  /** Base URL, e.g. http://127.0.0.1:43123 */
  readonly url: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its data. Safe to call twice. */
  stop(): Promise<void>;
}

/** Absolute path of `name` on PATH, or undefined (the demo's own lookup). */
export const findBinary = onPath;

/**
 * Why the suite for `kind` cannot run here, or undefined when it can. Under CI a missing server is a
 * failure, not a skip: see `missingServerPolicy`.
 */
export function missingBinaries(kind: ServerKind): string | undefined {
  const missing = BINARIES[kind].filter((name) => !findBinary(name));
  if (missing.length === 0) return undefined;
  return `${missing.join(" and ")} not found on PATH; install with: ${INSTALL_HINT}`;
}

/** `{ skip }` for describe() when the binary is missing locally; under CI, `{ fail }` with the reason. */
export function missingServerPolicy(kind: ServerKind): { skip?: string; fail?: string } {
  const reason = missingBinaries(kind);
  if (!reason) return {};
  return process.env.CI ? { fail: `CI is set and ${kind} cannot run: ${reason}` } : { skip: reason };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const running = new Set<ChildProcess>();
// A test process that dies without its after() hooks must not leave servers behind: kill ours by PID.
process.once("exit", () => {
  for (const child of running) if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
});

function cacheRoot(): string {
  const dir = path.join(tmpdir(), "prodinsights-test-cache");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Changes to the generator (or to how blocks are made) change the key, and so the cache entry. */
function historyKey(): string {
  const hash = createHash("sha256");
  hash.update(readFileSync(path.join(import.meta.dirname, "promHistory.ts")));
  hash.update("promtool --max-block-duration=24h");
  return hash.digest("hex").slice(0, 16);
}

/** The backfilled TSDB blocks of the history, made once and cached. Returns the blocks' folder. */
function prometheusBlocks(): string {
  const final = path.join(cacheRoot(), `prom-blocks-${historyKey()}`);
  if (existsSync(final)) return final;
  const work = mkdtempSync(path.join(cacheRoot(), "prom-build-"));
  try {
    const input = path.join(work, "history.om");
    promHistory().writeOpenMetrics(input);
    const blocks = path.join(work, "blocks");
    mkdirSync(blocks);
    // 24h blocks: promtool re-reads the input once per block window (2h blocks take ~4x as long).
    const result = spawnSync(findBinary("promtool")!, ["tsdb", "create-blocks-from", "openmetrics", "-q", "--max-block-duration=24h", input, blocks], {
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`promtool backfill failed (exit ${result.status}): ${result.stderr || result.error?.message}`);
    try {
      renameSync(blocks, final); // atomic: a concurrent test file either sees it whole or makes its own
    } catch (error) {
      if (!existsSync(final)) throw error;
    }
    return final;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function poll<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>, log: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-15).join("\n") : "(no log)";
      throw new Error(`${what} within ${timeoutMs} ms (last error: ${String(last)}). Server log tail:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The number of model_traffic_weight series at END: 3 once the history is queryable. */
async function historyVisible(url: string): Promise<true | undefined> {
  const params = new URLSearchParams({ query: "count(model_traffic_weight)", time: String(END_MS / 1000) });
  const response = await fetch(`${url}/api/v1/query?${params}`);
  const body = (await response.json()) as { data?: { result?: { value?: [number, string] }[] } };
  return body.data?.result?.[0]?.value?.[1] === "3" ? true : undefined;
}

function launch(kind: ServerKind, binary: string, args: string[], dir: string, port: number): RunningServer {
  const log = path.join(dir, "server.log");
  const fd = openSync(log, "a");
  const child = spawn(binary, args, { cwd: dir, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  if (!child.pid) throw new Error(`could not start ${binary}`);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        child.kill("SIGCONT"); // a test may have frozen it with SIGSTOP
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  return { kind, url: `http://127.0.0.1:${port}`, pid: child.pid, process: child, stop };
}

export interface StartOptions {
  /** Load the deterministic history (promHistory). Default true; fault tests need an empty server only. */
  readonly history?: boolean;
  /** Prometheus: `host:port` targets to scrape at /metrics every second (the gateway's). */
  readonly scrape?: readonly string[];
}

export async function startPrometheus(options: StartOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "prodinsights-prom-"));
  const data = path.join(dir, "data");
  mkdirSync(data);
  if (options.history ?? true) {
    const blocks = prometheusBlocks();
    for (const block of readdirSync(blocks)) cpSync(path.join(blocks, block), path.join(data, block), { recursive: true });
  }
  const config = path.join(dir, "prometheus.yml");
  const scrape = options.scrape ?? [];
  writeFileSync(
    config,
    scrape.length === 0
      ? "global: {scrape_interval: 15s}\nscrape_configs: []\n"
      : // Out-of-order samples are accepted up to a day old: a gateway on a simulated clock stamps its own.
        `global: {scrape_interval: 1s}\nstorage: {tsdb: {out_of_order_time_window: 1d}}\nscrape_configs:\n  - job_name: gateway\n    static_configs: [{targets: ${JSON.stringify(scrape)}}]\n`,
  );
  const port = await freePort();
  const server = launch(
    "prometheus",
    findBinary("prometheus")!,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      "--storage.tsdb.retention.time=3650d",
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    dir,
    port,
  );
  try {
    const log = path.join(dir, "server.log");
    await poll("Prometheus was not ready", 60_000, async () => ((await fetch(`${server.url}/-/ready`)).ok ? true : undefined), log);
    if (options.history ?? true) await poll("Prometheus did not show the backfilled history", 60_000, () => historyVisible(server.url), log);
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function startVictoriaMetrics(options: StartOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "prodinsights-vm-"));
  const port = await freePort();
  const server = launch(
    "victoriametrics",
    findBinary("victoria-metrics")!,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${path.join(dir, "data")}`,
      "-retentionPeriod=100y",
      // The response cache could keep an answer from before the import; the history is in the past anyway.
      "-search.disableCache",
      "-loggerLevel=WARN",
    ],
    dir,
    port,
  );
  try {
    const log = path.join(dir, "server.log");
    await poll("VictoriaMetrics was not healthy", 60_000, async () => ((await fetch(`${server.url}/health`)).ok ? true : undefined), log);
    if (options.history ?? true) {
      const input = path.join(dir, "history.prom");
      promHistory().writePromText(input);
      const response = await fetch(`${server.url}/api/v1/import/prometheus`, { method: "POST", body: readFileSync(input) });
      if (!response.ok) throw new Error(`VictoriaMetrics import failed: HTTP ${response.status} ${await response.text()}`);
      rmSync(input);
      await fetch(`${server.url}/internal/force_flush`);
      await poll("VictoriaMetrics did not show the imported history", 60_000, () => historyVisible(server.url), log);
    }
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * Freezes a server with SIGSTOP and waits until every thread has stopped (signal delivery is
 * asynchronous: a thread still running could answer one more request). The kernel keeps accepting
 * connections for it, so a client sees a server that never answers.
 */
export async function freeze(server: RunningServer): Promise<void> {
  process.kill(server.pid, "SIGSTOP");
  const tasks = `/proc/${server.pid}/task`;
  if (!existsSync(tasks)) return new Promise((r) => setTimeout(r, 500));
  const stopped = () => readdirSync(tasks).every((task) => {
    try {
      // state is the field after the parenthesised command name: T (stopped) or t (traced)
      return /\)\s+[Tt]\s/.test(readFileSync(path.join(tasks, task, "stat"), "utf8"));
    } catch {
      return true; // the thread is gone
    }
  });
  await poll("the server did not stop on SIGSTOP", 10_000, async () => (stopped() ? true : undefined), "");
}

export function startServer(kind: ServerKind, options: StartOptions = {}): Promise<RunningServer> {
  return kind === "prometheus" ? startPrometheus(options) : startVictoriaMetrics(options);
}
