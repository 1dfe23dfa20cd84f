import type { Command } from "./command";
import { ANALYSIS_COMMANDS } from "./analysisCommands";
import { canaryCommand } from "./commands/canary";
import { checkCommand } from "./commands/check";
import { demoCommand } from "./commands/demo";
import { gatewayCommand } from "./commands/gateway";
import { initCommand } from "./commands/init";
import { rolloutCommand } from "./commands/rollout";
import { runCommandLine } from "./dispatch";
import type { CliIo } from "./io";

/** Every subcommand, in the order --help lists them. */
export const COMMANDS: readonly Command[] = [...ANALYSIS_COMMANDS, initCommand, checkCommand, gatewayCommand, rolloutCommand, canaryCommand, demoCommand];

/**
 * Runs the CLI on `argv` (without the node and script paths) and returns the exit code:
 * 0 on success, 2 for a usage or input mistake (one line on stderr), 1 for a bug.
 */
export function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommandLine(argv, io, COMMANDS);
}
