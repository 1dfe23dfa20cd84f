/** The built CLI (dist/cli.js, which `npm test` builds first) in a child process, as CI and users run it. */
import { spawn } from "node:child_process";
import path from "node:path";

export const CLI = path.resolve(__dirname, "../../dist/cli.js");

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `prodinsights <args>` with `env`; resolves when the process has ended and its output is read. */
export function runBuiltCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}
