import { ConfigError } from "../config/load";
import type { Command } from "./command";
import { abCommand } from "./commands/ab";
import { canaryCommand } from "./commands/canary";
import { checkCommand } from "./commands/check";
import { compareCommand } from "./commands/compare";
import { queryCommand } from "./commands/query";
import { demoCommand } from "./commands/demo";
import { driftCommand } from "./commands/drift";
import { gatewayCommand } from "./commands/gateway";
import { initCommand } from "./commands/init";
import { jumpsCommand } from "./commands/jumps";
import { sampleSizeCommand } from "./commands/sampleSize";
import { statsCommand } from "./commands/stats";
import { UsageError } from "./errors";
import type { CliIo } from "./io";
import { commandHelp, parseCommandArgs } from "./parse";

/** Every subcommand, in the order --help lists them. */
export const COMMANDS: readonly Command[] = [abCommand, driftCommand, jumpsCommand, sampleSizeCommand, compareCommand, statsCommand, queryCommand, initCommand, checkCommand, gatewayCommand, canaryCommand, demoCommand];

const VERSION = "0.1.0";

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "prodinsights: production evidence for ML models, from the command line.",
    "",
    "Usage: prodinsights <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Run 'prodinsights <command> --help' for a command's options and examples, e.g.",
    '  prodinsights ab --counts "Original Page=378/3662,Test it out=462/3568"',
    "",
  ].join("\n");
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns the exit code:
 * 0 on success, 2 for a usage or input mistake (one line on stderr), 1 for a bug.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`prodinsights: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(", ")}.\n`);
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
