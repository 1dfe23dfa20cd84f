/**
 * `prodinsights <argv>` run in the test's own process (runCli) with its output captured: for
 * suites whose fakes live in this process, where a child process could not reach them, or that
 * need to stop a run as Ctrl-C does.
 */
import type { CliIo } from "../../src/cli/io";
import { runCli } from "../../src/cli/run";
import { environmentSecrets } from "../../src/config/secrets";

export interface InProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InProcessOptions {
  /** Where relative paths start. */
  readonly cwd: string;
  /** The environment that `${env:…}` references read; nothing else of the process's. */
  readonly env?: Record<string, string>;
  readonly now?: number;
  /** Sees each piece of stderr; true stops the run as Ctrl-C does. */
  readonly stopWhen?: (stderr: string) => boolean;
}

export async function runInProcess(argv: readonly string[], options: InProcessOptions): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  let stop: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => {
      stderr += t;
      if (options.stopWhen?.(t)) stop("SIGINT");
    },
    readStdin: () => Promise.resolve(undefined),
    stdoutIsTty: false,
    stderrIsTty: false,
    now: () => options.now ?? Date.now(),
    untilStopped: () => stopped,
    secrets: environmentSecrets(options.env ?? {}),
    cwd: options.cwd,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
