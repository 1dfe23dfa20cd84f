import type { CliIo } from "./io";

/** A flag of a command: its type, what it means, and its default as shown in --help. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly description: string;
  readonly default?: string;
  readonly short?: string;
  /** The flag may be repeated; its value is then an array. */
  readonly multiple?: boolean;
}

/**
 * One subcommand, described as data so that --help, the parser and (later) notebook cells and
 * completions all read the same grammar.
 */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Extra help text after the flags: contracts, notes. */
  readonly details?: string;
  readonly examples: readonly string[];
  readonly run: (args: ParsedArgs, io: CliIo) => Promise<number>;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
  readonly positionals: readonly string[];
}
