/**
 * The `.prodnb` file: a Production Insights notebook as JSON that diffs well (two-space indent,
 * sources as arrays of lines, result documents as JSON rather than encoded bytes). Reading never
 * fails: a file that is not JSON opens as a notebook that holds its text, and a file of the wrong
 * shape keeps every cell and output it can read, so that saving loses nothing. No `vscode` here;
 * serializer.ts maps this to the editor's NotebookData.
 */
import { lineAndColumn } from "../../cli/words";

export const NOTEBOOK_FORMAT = 1;

/** Where a notebook's queries look: a time range in the CLI's grammar and a backend of prodinsights.yaml. */
export interface NotebookSettings {
  readonly range: string;
  /** Unset: the config's default backend. */
  readonly backend?: string;
}

export const DEFAULT_RANGE = "-1d..now";

/** One output item: a JSON document, text, or anything else as base64. */
export type OutputItemData =
  | { readonly mime: string; readonly json: unknown }
  | { readonly mime: string; readonly text: string }
  | { readonly mime: string; readonly base64: string };

export interface OutputData {
  readonly items: readonly OutputItemData[];
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface ExecutionData {
  readonly order?: number;
  readonly success?: boolean;
  /** Epoch milliseconds. */
  readonly start?: number;
  readonly end?: number;
}

export interface CellData {
  readonly kind: "markdown" | "code";
  /** The cell's language: `promql`, `prodinsights` (insights cells), or markdown. */
  readonly language: string;
  readonly source: string;
  readonly outputs: readonly OutputData[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly execution?: ExecutionData;
}

export interface NotebookFileData {
  /** The notebook's metadata: `range` and `backend` (NotebookSettings), and whatever else was there. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly cells: readonly CellData[];
}

export interface ReadResult {
  readonly notebook: NotebookFileData;
  /** What could not be read, for the log; empty for a good file. */
  readonly problems: readonly string[];
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The settings a notebook's metadata holds, with defaults for what is missing or malformed. */
export function settingsOf(metadata: Readonly<Record<string, unknown>> | undefined): NotebookSettings {
  const range = typeof metadata?.["range"] === "string" && metadata["range"].trim() !== "" ? metadata["range"].trim() : DEFAULT_RANGE;
  const backend = typeof metadata?.["backend"] === "string" && metadata["backend"].trim() !== "" ? metadata["backend"].trim() : undefined;
  return backend === undefined ? { range } : { range, backend };
}

/**
 * Where JSON text first goes wrong: a small recursive-descent check, since JSON.parse in Node 20
 * names no position for most mistakes. Undefined when the text is JSON.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const space = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string): void => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= text.length || text.charCodeAt(i) < 0x20) fail();
      const c = text[i++];
      if (c === '"') return;
      if (c === "\\") {
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
        } else if ('"\\/bfnrt'.includes(text[i] ?? "")) i++;
        else fail();
      }
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{") {
      i++;
      space();
      if (text[i] === "}") return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ":") fail();
        i++;
        value();
        space();
        if (text[i] === "}") return void i++;
        if (text[i] !== ",") fail();
        i++;
      }
    }
    if (c === "[") {
      i++;
      space();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === "]") return void i++;
        if (text[i] !== ",") fail();
        i++;
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!number) fail();
    i += number![0].length;
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (offset) {
    return typeof offset === "number" ? Math.min(offset, text.length) : undefined;
  }
}

/** Where the text stops being JSON, as "line L, column C" with what is there. */
function jsonErrorAt(text: string): string {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return "it is not JSON";
  const { line, column } = lineAndColumn(text, offset);
  const found = offset >= text.length ? "the text ends" : `unexpected ${JSON.stringify(text[offset])}`;
  return `line ${line}, column ${column}: ${found}`;
}

function sourceOf(raw: Json): string | undefined {
  if (typeof raw === "string") return raw;
  if (Array.isArray(raw) && raw.every((l) => typeof l === "string")) return raw.join("\n");
  return undefined;
}

function readItem(raw: Json): OutputItemData | undefined {
  if (!isObject(raw) || typeof raw["mime"] !== "string") return undefined;
  const mime = raw["mime"];
  if ("json" in raw) return { mime, json: raw["json"] };
  if (typeof raw["text"] === "string") return { mime, text: raw["text"] };
  if (typeof raw["base64"] === "string") return { mime, base64: raw["base64"] };
  return undefined;
}

function readOutput(raw: Json, where: string, problems: string[]): OutputData | undefined {
  if (!isObject(raw) || !Array.isArray(raw["items"])) {
    problems.push(`${where}: an output without items was left out`);
    return undefined;
  }
  const items: OutputItemData[] = [];
  raw["items"].forEach((item, i) => {
    const read = readItem(item);
    if (read) items.push(read);
    else problems.push(`${where}, item ${i + 1}: an output item without mime and json, text or base64 was left out`);
  });
  return isObject(raw["metadata"]) ? { items, metadata: raw["metadata"] } : { items };
}

function readExecution(raw: Json): ExecutionData | undefined {
  if (!isObject(raw)) return undefined;
  const num = (k: string): number | undefined => (typeof raw[k] === "number" && Number.isFinite(raw[k]) ? (raw[k] as number) : undefined);
  const order = num("order");
  const start = num("start");
  const end = num("end");
  return {
    ...(order !== undefined ? { order } : {}),
    ...(typeof raw["success"] === "boolean" ? { success: raw["success"] } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
  };
}

function readCell(raw: Json, index: number, problems: string[]): CellData {
  const where = `cell ${index + 1}`;
  if (!isObject(raw)) {
    problems.push(`${where} is not an object; its JSON is kept as a cell's text`);
    return { kind: "code", language: "json", source: JSON.stringify(raw, null, 2), outputs: [] };
  }
  const kind = raw["kind"] === "markdown" ? "markdown" : "code";
  if (raw["kind"] !== "markdown" && raw["kind"] !== "code") problems.push(`${where}: kind ${JSON.stringify(raw["kind"])} read as code`);
  let source = sourceOf(raw["source"]);
  if (source === undefined) {
    if (raw["source"] !== undefined) problems.push(`${where}: its source is not text; its JSON is kept as the cell's text`);
    source = raw["source"] === undefined ? "" : JSON.stringify(raw["source"]);
  }
  const language = typeof raw["language"] === "string" ? raw["language"] : kind === "markdown" ? "markdown" : "prodinsights";
  const outputs = (Array.isArray(raw["outputs"]) ? raw["outputs"] : []).flatMap((o, i) => readOutput(o, `${where}, output ${i + 1}`, problems) ?? []);
  const execution = readExecution(raw["execution"]);
  return {
    kind,
    language,
    source,
    outputs,
    ...(isObject(raw["metadata"]) ? { metadata: raw["metadata"] } : {}),
    ...(execution ? { execution } : {}),
  };
}

/** Reads a `.prodnb` file's text. Never throws. */
export function readNotebookFile(text: string): ReadResult {
  if (text.trim() === "") return { notebook: { metadata: { range: DEFAULT_RANGE }, cells: [] }, problems: [] };
  let data: Json;
  try {
    data = JSON.parse(text);
  } catch {
    const reason = jsonErrorAt(text);
    // The text is kept whole in a cell, so that saving the notebook loses nothing of it.
    return {
      notebook: {
        metadata: { range: DEFAULT_RANGE },
        cells: [
          { kind: "markdown", language: "markdown", source: `**This file is not a readable notebook**: it is not JSON (${reason.replace(/[\\`*_[\]<>&|#]/g, (c) => `&#${c.charCodeAt(0)};`)}). Its text is in the cell below, unchanged.`, outputs: [] },
          { kind: "code", language: "json", source: text, outputs: [] },
        ],
      },
      problems: [`not JSON: ${reason}`],
    };
  }
  const problems: string[] = [];
  if (!isObject(data)) {
    problems.push("the file is JSON but not an object; its JSON is kept as a cell's text");
    return { notebook: { metadata: { range: DEFAULT_RANGE }, cells: [{ kind: "code", language: "json", source: JSON.stringify(data, null, 2), outputs: [] }] }, problems };
  }
  const format = data["prodinsights_notebook"];
  if (typeof format === "number" && format > NOTEBOOK_FORMAT) problems.push(`format ${format} is newer than this version reads (${NOTEBOOK_FORMAT}); unknown fields are left out`);
  const metadata = isObject(data["metadata"]) ? data["metadata"] : {};
  if (data["cells"] !== undefined && !Array.isArray(data["cells"])) problems.push("`cells` is not a list; the notebook opens empty");
  const cells = (Array.isArray(data["cells"]) ? data["cells"] : []).map((c, i) => readCell(c, i, problems));
  return { notebook: { metadata, cells }, problems };
}

function writeCell(cell: CellData): Record<string, unknown> {
  return {
    kind: cell.kind,
    language: cell.language,
    // One string a line: a changed line is a changed line in the diff.
    source: cell.source.split("\n"),
    ...(cell.metadata && Object.keys(cell.metadata).length > 0 ? { metadata: cell.metadata } : {}),
    ...(cell.execution && Object.keys(cell.execution).length > 0 ? { execution: cell.execution } : {}),
    ...(cell.kind === "code" ? { outputs: cell.outputs.map((o) => ({ items: o.items, ...(o.metadata && Object.keys(o.metadata).length > 0 ? { metadata: o.metadata } : {}) })) } : {}),
  };
}

/** The file's text for `notebook`: stable key order, two-space indent, a final newline. */
export function writeNotebookFile(notebook: NotebookFileData): string {
  const file = { prodinsights_notebook: NOTEBOOK_FORMAT, metadata: notebook.metadata, cells: notebook.cells.map(writeCell) };
  return `${JSON.stringify(file, null, 2)}\n`;
}
