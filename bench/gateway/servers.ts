/**
 * The processes of the gateway bench, each a plain foreground child in a temporary folder:
 * nginx (the model server, or a reverse proxy in front of it) and our gateway as the CLI runs it.
 * Nothing is written outside the folder, so it also runs as a normal user.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  /** What the child wrote to stdout and stderr, for an error message. */
  output(): string;
  stop(): Promise<void>;
}

/** The first of `candidates` that exists as a file, else a name found on PATH, else undefined. */
export function findBinary(name: string, candidates: readonly string[]): string | undefined {
  for (const c of candidates) if (c && existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** A port that was free a moment ago (nginx cannot report the port it got for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port, or rejects after `ms`. */
async function waitForPort(port: number, child: Child, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`${child.name} exited at start:\n${child.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${child.name} does not listen on port ${port} after ${ms} ms:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The command line that runs `cmd` on the CPUs `cpus` (taskset's list syntax, e.g. "1"), or as it
 * is without `cpus`. taskset execs the command, so the pid stays the command's.
 */
export function pinned(cmd: string, args: readonly string[], cpus: string | undefined): [string, string[]] {
  return cpus === undefined ? [cmd, [...args]] : ["taskset", ["-c", cpus, cmd, ...args]];
}

function startChild(name: string, command: string, commandArgs: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; cpus?: string }): Child {
  const [cmd, args] = pinned(command, commandArgs, options.cpus);
  const proc = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  // Always drained: a child whose pipe fills up would block on its next write.
  const keep = (chunk: Buffer): void => {
    out = (out + chunk.toString("utf8")).slice(-20_000);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    name,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const killed = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/**
 * The `*_temp_path` directives this nginx knows, pointed into `dir`: Debian's build puts them
 * under /var/lib/nginx, which a normal user cannot write; a module built without is left out.
 */
function tempPaths(nginx: string, dir: string): string {
  const r = spawnSync(nginx, ["-V"], { encoding: "utf8" });
  const flags = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const lines = [`client_body_temp_path ${path.join(dir, "client_body")};`];
  for (const m of ["proxy", "fastcgi", "uwsgi", "scgi"]) if (!flags.includes(`--without-http_${m}_module`)) lines.push(`${m}_temp_path ${path.join(dir, m)};`);
  return lines.join("\n  ");
}

export interface Nginx extends Child {
  readonly port: number;
  readonly url: string;
  /** The worker's pid (the config has one worker), for its CPU time. */
  workerPid(): number | undefined;
}

/**
 * An nginx with one worker, in the foreground, on 127.0.0.1:`port`, from a config in `dir`.
 * `server` is the body of its one server block; `http` more directives of the http block.
 */
export async function startNginx(nginx: string, name: string, dir: string, server: string, http = "", cpus?: string): Promise<Nginx> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `# ${name}, written by bench/gateway.bench.ts
worker_processes 1;
pid ${path.join(dir, "nginx.pid")};
error_log ${path.join(dir, "error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${tempPaths(nginx, dir)}
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  ${http}
  server {
    listen 127.0.0.1:${port};
    ${server}
  }
}
`,
  );
  const child = startChild(name, nginx, ["-p", dir, "-c", conf, "-e", path.join(dir, "error.log"), "-g", "daemon off;"], { cwd: dir, ...(cpus !== undefined ? { cpus } : {}) });
  const out = child.output;
  const withLog = { ...child, output: () => `${out()}${readIfExists(path.join(dir, "error.log"))}` };
  await waitForPort(port, withLog);
  return {
    ...withLog,
    port,
    url: `http://127.0.0.1:${port}`,
    workerPid() {
      try {
        const pid = child.proc.pid!;
        return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0]) || undefined;
      } catch {
        return undefined;
      }
    },
  };
}

const readIfExists = (file: string): string => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
};

export interface GatewayProcess extends Child {
  readonly url: string;
  readonly adminUrl: string;
  readonly token: string;
  readonly logsDir: string;
}

/**
 * `node <cli> gateway --config <dir>/gateway.yaml` for a `churn` model whose versions v1 (all the
 * traffic) and v2 (for the shadow) are both `model`. Logs: the defaults, every request logged.
 */
export async function startGateway(cli: string, dir: string, model: string, nodeArgs: readonly string[] = [], cpus?: string): Promise<GatewayProcess> {
  mkdirSync(dir, { recursive: true });
  const token = "bench-gateway-token";
  const yaml = path.join(dir, "gateway.yaml");
  writeFileSync(
    yaml,
    [
      `admin: {token: "\${env:BENCH_GW_TOKEN}", port: 0}`,
      "listen: {port: 0}",
      "state: state/gateway-state.json",
      "logs: {dir: logs}",
      "models:",
      "  churn:",
      "    timeout: 2s",
      "    versions:",
      `      v1: {url: "${model}/v1", weight: 100}`,
      `      v2: {url: "${model}/v2", weight: 0}`,
      "",
    ].join("\n"),
  );
  const child = startChild("gateway", process.execPath, [...nodeArgs, cli, "gateway", "--config", yaml], { cwd: dir, env: { ...process.env, BENCH_GW_TOKEN: token }, ...(cpus !== undefined ? { cpus } : {}) });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const out = child.output();
    const url = /Gateway for churn: (http:\/\/\S+?)\/models\//.exec(out)?.[1];
    const adminUrl = /Admin API: (http:\/\/\S+)/.exec(out)?.[1];
    if (url && adminUrl) return { ...child, url, adminUrl, token, logsDir: path.join(dir, "logs") };
    if (child.proc.exitCode !== null || Date.now() > deadline) {
      await child.stop();
      throw new Error(`the gateway did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CLOCK_TICKS_PER_SECOND = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  return Number(r.stdout?.trim()) || 100;
})();

/** User + system CPU seconds of a process and all its threads so far (Linux /proc), or undefined. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
