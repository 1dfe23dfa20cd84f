/**
 * What a notebook cell asks the CLI: a `promql` cell is `query <cell> --range … --backend …`, and a
 * `prodinsights` (insights) cell is a CLI command line without `prodinsights`, split as a shell
 * splits it and handed to the CLI's own parser. The notebook's time range and backend fill the
 * flags the cell leaves out. When the CLI refuses the cell, the mistake is located in the cell's
 * text. No `vscode` here.
 */
import type { Command } from "../../cli/command";
import { lineAndColumn, splitWords, type Word, WordsError } from "../../cli/words";
import type { NotebookSettings } from "./notebookFile";

/** The cell languages this notebook's kernel runs. */
export const PROMQL_LANGUAGE = "promql";
export const INSIGHTS_LANGUAGE = "prodinsights";
export const CELL_LANGUAGES = [PROMQL_LANGUAGE, INSIGHTS_LANGUAGE] as const;

/** A cell the kernel cannot run, with where in its text the problem is. */
export class CellError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = "CellError";
  }
}

export interface CellCommand {
  /** The CLI's argv, `--json` included unless the cell asks for --help. */
  readonly argv: readonly string[];
  /** The cell's words (insights cells), to place the CLI's complaints. */
  readonly words: readonly Word[];
  /** Where the PromQL query starts in the cell (promql cells). */
  readonly queryOffset?: number;
  /** The cell asked for a command's help: the output is text. */
  readonly help: boolean;
}

const has = (words: readonly string[], flag: string): boolean => words.some((w) => w === `--${flag}` || w.startsWith(`--${flag}=`));

/** The argv of a cell in `language`, or a CellError. `commands`: what cells may run (the analyses). */
export function cellCommand(language: string, source: string, settings: NotebookSettings, commands: readonly Command[]): CellCommand {
  if (language === PROMQL_LANGUAGE) {
    const query = source.trim();
    if (query === "") throw new CellError("the cell is empty: write a PromQL query, e.g. sum by (version) (rate(model_requests_total[5m]))", 0);
    const argv = ["query", query, "--range", settings.range, ...(settings.backend ? ["--backend", settings.backend] : []), "--json"];
    return { argv, words: [], queryOffset: source.indexOf(query), help: false };
  }
  if (language !== INSIGHTS_LANGUAGE) throw new CellError(`this kernel runs PromQL and Insights cells, not ${language}: change the cell's language`, 0);
  let words: Word[];
  try {
    words = splitWords(source);
  } catch (error) {
    if (error instanceof WordsError) throw new CellError(error.message, error.offset);
    throw error;
  }
  // A line pasted from a terminal keeps its `prodinsights`.
  if (words[0]?.text === "prodinsights") words = words.slice(1);
  const first = words[0];
  if (!first) throw new CellError(`the cell is empty: write a command, e.g. ${commands.map((c) => c.name).slice(0, 4).join(", ")}`, 0);
  const command = commands.find((c) => c.name === first.text);
  if (!command) {
    throw new CellError(`'${first.text}' is not a command a notebook runs; these are: ${commands.map((c) => c.name).join(", ")}`, first.start);
  }
  const texts = words.map((w) => w.text);
  const help = texts.includes("--help") || texts.includes("-h");
  if (help) return { argv: texts, words, help };
  // The notebook's range and backend apply where the command reads a workspace backend.
  const fromBackend = !has(texts, "counts") && !has(texts, "logs");
  const extra: string[] = [];
  if (fromBackend && command.flags["range"] && !has(texts, "range")) extra.push("--range", settings.range);
  if (fromBackend && settings.backend && command.flags["backend"] && !has(texts, "backend")) extra.push("--backend", settings.backend);
  return { argv: [...texts, ...extra, ...(has(texts, "json") ? [] : ["--json"])], words, help };
}

/**
 * Where in the cell a complaint of the CLI points: the word it quotes (`'--foo'`, `'abc'`), or
 * the flag it names (`--mde must be a number`). Undefined when it names nothing in the cell.
 */
export function complaintOffset(message: string, command: CellCommand): number | undefined {
  if (command.queryOffset !== undefined) {
    // Prometheus and VictoriaMetrics place parse errors as line:column of the query.
    const m = /\b(\d+):(\d+): parse error/.exec(message);
    if (!m) return undefined;
    return promqlOffset(command, Number(m[1]), Number(m[2]));
  }
  const words = command.words;
  for (const quoted of message.matchAll(/'([^']+)'/g)) {
    const word = words.find((w) => w.text === quoted[1] || w.text.startsWith(`${quoted[1]}=`));
    if (word) return word.start;
  }
  for (const flag of message.matchAll(/(?:^|[\s(])(--[a-z][a-z0-9-]*)/g)) {
    const word = words.find((w) => w.text === flag[1] || w.text.startsWith(`${flag[1]}=`));
    if (word) return word.start;
  }
  return undefined;
}

/** The cell offset of line `line`, column `column` (1-based) of a promql cell's query. */
function promqlOffset(command: CellCommand, line: number, column: number): number | undefined {
  const query = command.argv[1] ?? "";
  const lines = query.split("\n");
  if (line < 1 || line > lines.length) return undefined;
  const before = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  return (command.queryOffset ?? 0) + before + Math.min(Math.max(column - 1, 0), lines[line - 1]!.length);
}

/** A message that says where, and an excerpt of the cell with a caret under the place. */
export function placeInCell(source: string, message: string, offset: number | undefined): { readonly message: string; readonly excerpt?: string } {
  if (offset === undefined) return { message };
  const { line, column } = lineAndColumn(source, offset);
  const text = source.split("\n")[line - 1] ?? "";
  const where = source.includes("\n") ? `line ${line}, column ${column}` : `column ${column}`;
  return { message: `${where}: ${message}`, excerpt: `${text}\n${" ".repeat(column - 1)}^` };
}
