/**
 * The CLI, run in this process: the editor and the notebook speak the CLI's grammar and get the
 * CLI's result documents, so that every view shows what `prodinsights … --json` would print.
 * No `vscode` here.
 */
import { ANALYSIS_COMMANDS } from "../../cli/analysisCommands";
import { runCommandLine } from "../../cli/dispatch";
import type { CliIo } from "../../cli/io";
import type { SecretLookup } from "../../config/secrets";

export interface InsightsOptions {
  /** Where relative paths (--config, --logs) start: the workspace folder. */
  readonly cwd: string;
  /** The clock relative times count back from. Default: Date.now. */
  readonly now?: () => number;
  /** Cancels the run's backend reads; an aborted run rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Where secret references are looked up: the editor's SecretStorage and environment, or nothing
   * in an untrusted workspace. Default: the process's environment.
   */
  readonly secrets?: SecretLookup;
  /** False in an untrusted workspace: no credential is read from disk (see CliIo.trusted). */
  readonly trusted?: boolean;
}

export interface InsightsRun {
  /** 0 success, 1 a bug, 2 a mistake in the input (one line on stderr). */
  readonly code: number;
  /** With `--json` and exit 0: stdout parsed. */
  readonly document?: unknown;
  readonly stdout: string;
  readonly stderr: string;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/**
 * Runs `prodinsights <argv>` with captured output; never reads stdin, never prints. Only the
 * analyses (ab, drift, jumps, sample-size, compare, stats, query): the gateway, the demo and
 * `canary run` are not bundled into the editor.
 */
export async function runInsights(argv: readonly string[], options: InsightsOptions): Promise<InsightsRun> {
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => undefined,
    stdoutIsTty: false,
    stderrIsTty: false,
    now: options.now ?? (() => Date.now()),
    cwd: options.cwd,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.trusted === false ? { trusted: false } : {}),
    ...(signal ? { signal } : {}),
  };
  const run = runCommandLine(argv, io, ANALYSIS_COMMANDS);
  // A command that does not watch the signal (a pure analysis) still returns at once when aborted.
  const code = signal
    ? await new Promise<number>((resolve, reject) => {
        const onAbort = (): void => reject(abortReason(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        run.then(
          (c) => {
            signal.removeEventListener("abort", onAbort);
            resolve(c);
          },
          (err: unknown) => {
            signal.removeEventListener("abort", onAbort);
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      })
    : await run;
  if (signal?.aborted) throw abortReason(signal);
  if (code !== 0 || !argv.includes("--json")) return { code, stdout, stderr };
  try {
    return { code, document: JSON.parse(stdout) as unknown, stdout, stderr };
  } catch {
    return { code: 1, stdout, stderr: `${stderr}prodinsights ${argv[0] ?? ""}: --json printed something that is not JSON\n` };
  }
}

/**
 * The one-line reason of a failed run, for a Problem: the CLI's own `prodinsights <command>: …`
 * line (progress such as "retrying … after: …" comes before it), else stderr's first line, else
 * the exit code.
 */
export function failureOf(run: InsightsRun): string {
  const lines = run.stderr.split("\n").filter((l) => l.trim() !== "");
  return lines.filter((l) => /^prodinsights [a-z-]+: /.test(l)).at(-1) ?? lines[0] ?? `exited with code ${run.code}`;
}
