/** One wrk run with bench/gateway/load.lua, and what it reports. */
import { spawn } from "node:child_process";
import path from "node:path";
import { pinned } from "./servers";

export interface WrkResult {
  readonly requests: number;
  readonly durationUs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
  readonly meanUs: number;
  readonly errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** Sends that left over a millisecond after their slot (paced runs only). */
  readonly late: number;
  /** Sends paced (0 when unpaced). */
  readonly paced: number;
}

export interface WrkRun {
  readonly wrk: string;
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  /** Requests per second; 0 = unpaced. */
  readonly rate: number;
  readonly body: string;
  readonly unit: string;
  /** The CPUs wrk runs on (taskset's list syntax); all without. */
  readonly cpus?: string;
}

const SCRIPT = path.join(typeof __dirname === "string" ? __dirname : path.resolve("bench", "gateway"), "load.lua");

export function runWrk(run: WrkRun): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    // One thread: on a 2-core machine the load generator, the proxy and the model server share the cores.
    const args = ["-t1", `-c${run.connections}`, `-d${run.seconds}s`, "--timeout", "2s", "-s", SCRIPT, run.url];
    const env = { ...process.env, BENCH_RATE: String(run.rate), BENCH_BODY: run.body, BENCH_UNIT: run.unit };
    const [cmd, cmdArgs] = pinned(run.wrk, args, run.cpus);
    const proc = spawn(cmd, cmdArgs, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    proc.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
    proc.once("error", reject);
    proc.once("exit", (code, signal) => {
      const line = /^BENCH (\{.*\})$/m.exec(out)?.[1];
      if (code !== 0 || !line) return reject(new Error(`wrk ${args.join(" ")} exited with ${signal ?? `status ${code}`}:\n${out}`));
      resolve(JSON.parse(line) as WrkResult);
    });
  });
}

export const errorCount = (r: WrkResult): number => r.errors.connect + r.errors.read + r.errors.write + r.errors.status + r.errors.timeout;
export const ratePerSecond = (r: WrkResult): number => r.requests / (r.durationUs / 1e6);
