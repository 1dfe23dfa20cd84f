import { parseArgs } from "node:util";
import type { Command, ParsedArgs } from "./command";
import { UsageError } from "./errors";

/** Parses a command's arguments strictly: an unknown flag or a missing value is a UsageError. */
export function parseCommandArgs(command: Command, argv: readonly string[]): ParsedArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, spec] of Object.entries(command.flags)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: joinDashValues(command, argv), options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (err) {
    // Node's messages are clear but long; keep the first sentence, and say where to look.
    const message = err instanceof Error ? err.message.split(/\.\s/)[0]!.replace(/\.$/, "") : String(err);
    throw new UsageError(`${message}. See 'prodinsights ${command.name} --help'.`);
  }
}

/**
 * `--baseline -14d..-7d` reads as an option followed by another option to Node's parser, which
 * then refuses it as ambiguous. A string flag followed by a value that starts with a dash and a
 * digit (a relative time, a negative number) is joined into `--baseline=-14d..-7d`.
 */
function joinDashValues(command: Command, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name !== undefined && command.flags[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A string flag's value; a repeated flag that is not `multiple` keeps its last value. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const raw = args.values[name];
  return typeof raw === "string" ? raw : undefined;
}

/** A number flag: absent gives the default, anything but a finite number is a UsageError. */
export function numberFlag(args: ParsedArgs, name: string, fallback?: number): number | undefined {
  const raw = args.values[name];
  if (raw === undefined || raw === false) return fallback;
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got '${String(raw)}'`);
  return value;
}

/** A string flag restricted to some choices. */
export function choiceFlag<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== "string" || !(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got '${String(raw)}'`);
  }
  return raw as T;
}

/** The help text of a command, built from its table entry. */
export function commandHelp(command: Command): string {
  const width = Math.max(...Object.keys(command.flags).map((f) => f.length + 7), 10);
  const flags = Object.entries(command.flags).map(([name, spec]) => {
    const label = `--${name}${spec.type === "string" ? " V" : ""}${spec.multiple ? "..." : ""}`.padEnd(width + 2);
    return `  ${label}${spec.description}${spec.default ? ` (default ${spec.default})` : ""}`;
  });
  flags.push(`  ${"--help".padEnd(width + 2)}show this help`);
  return [
    `${command.summary}`,
    "",
    `Usage: prodinsights ${command.usage}`,
    "",
    "Options:",
    ...flags,
    ...(command.details ? ["", command.details] : []),
    "",
    "Examples:",
    ...command.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}
