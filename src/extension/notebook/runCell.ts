/**
 * Runs one notebook cell through the CLI in-process and turns what it printed into the cell's
 * output: the result document under its MIME type, a Markdown summary for viewers without the
 * extension, and a stamp that says how to get the same result again (the time range, the backend,
 * prodinsights.yaml's hash and the git commit). Plain Node; the controller adds the editor.
 */
import { execFile } from "node:child_process";
import { NOTEBOOK_COMMANDS } from "../../cli/analysisCommands";
import { findConfigFile } from "../../cli/configSource";
import { parseTimeRange } from "../../cli/timeRange";
import { loadConfigFile } from "../../config/load";
import type { SecretLookup } from "../../config/secrets";
import type { ReportDocument, ResultStamp } from "../../core/results/report";
import { escapeMarkdown, markdownSummary } from "../../core/results/summary";
import { failureOf, runInsights } from "../production/insights";
import { CellError, cellCommand, complaintOffset, placeInCell, type CellCommand } from "./cells";
import type { NotebookSettings } from "./notebookFile";

export type CellOutcome =
  | { readonly kind: "result"; readonly mime: string; readonly document: ReportDocument; readonly markdown: string; readonly stamp: ResultStamp }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "error"; readonly name: string; readonly message: string; readonly excerpt?: string };

export interface RunCellOptions {
  /** The notebook's folder: relative paths and the nearest prodinsights.yaml start there. */
  readonly cwd: string;
  readonly signal?: AbortSignal;
  readonly secrets?: SecretLookup;
  /** False in an untrusted workspace: no credential is read from disk. */
  readonly trusted?: boolean;
  readonly now?: number;
}

export const resultMime = (kind: string): string => `application/vnd.prodinsights.${kind}+json`;

function git(args: readonly string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, timeout: 3000, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/** The commit the notebook's folder is at, `-dirty` when tracked files changed; undefined outside git. */
export async function gitCommit(cwd: string): Promise<string | undefined> {
  const head = await git(["rev-parse", "--short=12", "HEAD"], cwd);
  if (!head) return undefined;
  const changes = await git(["status", "--porcelain", "--untracked-files=no"], cwd);
  return changes ? `${head}-dirty` : head;
}

async function configHash(cwd: string): Promise<string | undefined> {
  const file = findConfigFile(cwd);
  if (!file) return undefined;
  try {
    return (await loadConfigFile(file)).hash;
  } catch {
    return undefined; // A broken file: the cell's own run says what is wrong with it.
  }
}

/** A shell-quoted word, so that the stamp's command can be pasted into a terminal. */
const shellWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

function documentOf(command: CellCommand, printed: unknown): ReportDocument {
  if (typeof printed !== "object" || printed === null || Array.isArray(printed)) throw new CellError(`${command.argv[0]} printed no result document`);
  // `sample-size --json` prints its figures without a kind (report.ts).
  return ("kind" in printed ? printed : { ...printed, kind: "samplesize" }) as ReportDocument;
}

/** The value of `--name` in the argv the cell ran, if it has one. */
function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * The range and backend the command ran with (the cell's own, or the notebook's that cellCommand
 * filled in): none for commands that take neither (`--logs`, `--counts`, sample-size), so that
 * the stamp never names what did not make the result.
 */
async function stampOf(command: CellCommand, document: ReportDocument, options: RunCellOptions, now: number): Promise<ResultStamp> {
  const source = "source" in document && typeof document.source === "object" && document.source !== null ? (document.source as Record<string, unknown>) : {};
  const range = flagValue(command.argv, "range");
  let window: { start?: string; end?: string } = {};
  try {
    if (range !== undefined) {
      const r = parseTimeRange(range, now);
      window = { start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString() };
    }
  } catch {
    // A range the CLI refused never gets here; one a command reads its own way (jumps over logs) may not parse here.
  }
  const [hash, commit] = await Promise.all([typeof source["configHash"] === "string" ? source["configHash"] : configHash(options.cwd), gitCommit(options.cwd)]);
  const backend = typeof source["backend"] === "string" ? source["backend"] : flagValue(command.argv, "backend");
  return {
    ...(range !== undefined ? { range } : {}),
    ...window,
    ...(backend ? { backend } : {}),
    ...(hash ? { configHash: hash } : {}),
    ...(commit ? { commit } : {}),
    ranAt: new Date(now).toISOString(),
    command: ["prodinsights", ...command.argv].map(shellWord).join(" "),
  };
}

/** Runs a cell of `language`; never throws but for cancellation (the signal's reason). */
export async function runCell(language: string, source: string, settings: NotebookSettings, options: RunCellOptions): Promise<CellOutcome> {
  let command: CellCommand;
  try {
    command = cellCommand(language, source, settings, NOTEBOOK_COMMANDS);
  } catch (error) {
    if (!(error instanceof CellError)) throw error;
    return { kind: "error", name: "Cell error", ...placeInCell(source, error.message, error.offset) };
  }
  const now = options.now ?? Date.now();
  const run = await runInsights(command.argv, {
    cwd: options.cwd,
    now: () => now,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.trusted === false ? { trusted: false } : {}),
  });
  if (command.help && run.code === 0) return { kind: "text", text: run.stdout };
  if (run.code !== 0 || run.document === undefined) {
    // "prodinsights ab: Unknown option '--foo'. See …" → the part after the command's name.
    const failure = failureOf(run);
    const reason = failure.replace(/^prodinsights [a-z-]+: /, "");
    const details = run.stderr.split("\n").filter((l) => l !== failure).join("\n").trim();
    const placed = placeInCell(source, reason, complaintOffset(reason, command));
    const excerpt = [placed.excerpt, details].filter(Boolean).join("\n\n");
    return { kind: "error", name: run.code === 1 ? "Internal error" : `${command.argv[0]} failed`, message: placed.message, ...(excerpt ? { excerpt } : {}) };
  }
  let document: ReportDocument;
  try {
    document = documentOf(command, run.document);
  } catch (error) {
    return { kind: "error", name: "Cell error", message: error instanceof Error ? error.message : String(error) };
  }
  const stamp = await stampOf(command, document, options, now);
  const stamped = { ...document, stamp } as unknown as ReportDocument;
  return { kind: "result", mime: resultMime(document.kind), document: stamped, markdown: `${markdownSummary(stamped)}\n\n${stampLine(stamp)}\n`, stamp };
}

/** The stamp as one Markdown line for the summary. */
export function stampLine(stamp: ResultStamp): string {
  const window = stamp.start && stamp.end ? ` (${stamp.start} → ${stamp.end})` : "";
  const parts = [
    stamp.range !== undefined ? `range ${stamp.range}${window}` : undefined,
    stamp.backend ? `backend ${stamp.backend}` : undefined,
    stamp.configHash ? `config ${stamp.configHash}` : "no prodinsights.yaml",
    stamp.commit ? `commit ${stamp.commit}` : "not in git",
  ].filter(Boolean);
  // The command goes in a code span, where nothing is markup; a backtick in it would end the span.
  // One line: a line break would end the code span, and a next line that starts with a tag is raw HTML.
  const command = stamp.command.replace(/`/g, "'").replace(/\s*[\r\n]+\s*/g, " ");
  return `<sub>${escapeMarkdown(parts.join(" · "))} · \`${command}\`</sub>`;
}
