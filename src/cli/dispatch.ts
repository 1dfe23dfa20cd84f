/**
 * The command line's dispatch: --help, --version, the subcommand by name, and how each kind of
 * failure becomes an exit code. Parameterised by the commands, so that the editor runs the
 * analyses in-process without bundling the gateway and the demo (src/extension/production/insights.ts).
 */
import { ConfigError } from "../config/load";
import type { Command } from "./command";
import { UsageError } from "./errors";
import type { CliIo } from "./io";
import { commandHelp, parseCommandArgs } from "./parse";

const VERSION = "0.1.0";

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    "prodinsights: production evidence for ML models, from the command line.",
    "",
    "Usage: prodinsights <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Run 'prodinsights <command> --help' for a command's options and examples, e.g.",
    '  prodinsights ab --counts "Original Page=378/3662,Test it out=462/3568"',
    "",
  ].join("\n");
}

/**
 * Runs `argv` (without the node and script paths) against `commands`, and returns the exit code:
 * 0 on success, 2 for a usage or input mistake (one line on stderr), 1 for a bug.
 */
export async function runCommandLine(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(overview(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`prodinsights: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(", ")}.\n`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values["help"]) {
      io.stdout(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`prodinsights ${command.name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      // One line per problem, file:line:column first, so that editors and terminals link them.
      io.stderr(`prodinsights ${command.name}: ${err.file} has ${err.issues.length} problem${err.issues.length === 1 ? "" : "s"}:\n${err.message}\n`);
      return 2;
    }
    io.stderr(`prodinsights ${command.name}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
