import type { SecretLookup } from "../config/secrets";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whole standard input, or undefined when it is a terminal (nothing was piped in). */
  readonly readStdin: () => Promise<string | undefined>;
  /** Whether stdout is a terminal, for choices such as colour; never for content. */
  readonly stdoutIsTty: boolean;
  /** Whether stderr is a terminal: progress lines are drawn only there. */
  readonly stderrIsTty: boolean;
  /** The clock that relative times count back from. */
  readonly now: () => number;
  /** Resolves when the user asks a long-running command (gateway, demo) to stop: Ctrl-C or SIGTERM. */
  readonly untilStopped?: () => Promise<string>;
  /** Where secret references (`${env:NAME}`, `${secret:NAME}`) are looked up. Default: the process's environment. */
  readonly secrets?: SecretLookup;
  /** Where relative paths (--config, --logs) start. Default: the process's working directory. */
  readonly cwd?: string;
  /**
   * False in an untrusted editor workspace: no credential is read from disk (a kubeconfig for
   * Argo). Default: trusted, as a shell is.
   */
  readonly trusted?: boolean;
  /** Cancels a command's backend reads and log scans (the editor's in-process runs). */
  readonly signal?: AbortSignal;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      if (process.stdin.isTTY) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    now: () => Date.now(),
    untilStopped: () =>
      new Promise((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      }),
  };
}
