import * as vscode from "vscode";
import type { ExtensionContextHolder } from "../context";
import { type CellData, type OutputData, type OutputItemData, readNotebookFile, writeNotebookFile } from "./notebookFile";

export const NOTEBOOK_TYPE = "prodinsights-notebook";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The MIME type of NotebookCellOutputItem.error's items: JSON of { name, message, stack }. */
const ERROR_MIME = "application/vnd.code.notebook.error";

/** MIME types whose bytes are JSON, kept as JSON in the file so that a diff reads them. */
const isJsonMime = (mime: string): boolean => mime === "application/json" || mime.endsWith("+json") || mime === ERROR_MIME;
const isTextMime = (mime: string): boolean => mime.startsWith("text/") || mime === "application/javascript" || mime === "image/svg+xml";

function itemFromFile(item: OutputItemData): vscode.NotebookCellOutputItem {
  if ("json" in item) return new vscode.NotebookCellOutputItem(encoder.encode(JSON.stringify(item.json)), item.mime);
  if ("text" in item) return vscode.NotebookCellOutputItem.text(item.text, item.mime);
  return new vscode.NotebookCellOutputItem(Buffer.from(item.base64, "base64"), item.mime);
}

function itemToFile(item: vscode.NotebookCellOutputItem): OutputItemData {
  if (isJsonMime(item.mime)) {
    try {
      return { mime: item.mime, json: JSON.parse(decoder.decode(item.data)) as unknown };
    } catch {
      // Not JSON after all: keep its bytes as they are.
    }
  }
  if (isTextMime(item.mime)) return { mime: item.mime, text: decoder.decode(item.data) };
  return { mime: item.mime, base64: Buffer.from(item.data).toString("base64") };
}

function cellFromFile(cell: CellData): vscode.NotebookCellData {
  const kind = cell.kind === "markdown" ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code;
  const data = new vscode.NotebookCellData(kind, cell.source, cell.language);
  data.outputs = cell.outputs.map((o) => new vscode.NotebookCellOutput(o.items.map(itemFromFile), o.metadata ? { ...o.metadata } : undefined));
  if (cell.metadata) data.metadata = { ...cell.metadata };
  const e = cell.execution;
  if (e) {
    data.executionSummary = {
      ...(e.order !== undefined ? { executionOrder: e.order } : {}),
      ...(e.success !== undefined ? { success: e.success } : {}),
      ...(e.start !== undefined && e.end !== undefined ? { timing: { startTime: e.start, endTime: e.end } } : {}),
    };
  }
  return data;
}

function cellToFile(cell: vscode.NotebookCellData): CellData {
  const summary = cell.executionSummary;
  const outputs: OutputData[] = (cell.outputs ?? []).map((o) => ({ items: o.items.map(itemToFile), ...(o.metadata ? { metadata: o.metadata } : {}) }));
  return {
    kind: cell.kind === vscode.NotebookCellKind.Markup ? "markdown" : "code",
    language: cell.languageId,
    source: cell.value,
    outputs,
    ...(cell.metadata && Object.keys(cell.metadata).length > 0 ? { metadata: cell.metadata } : {}),
    ...(summary
      ? {
          execution: {
            ...(summary.executionOrder !== undefined ? { order: summary.executionOrder } : {}),
            ...(summary.success !== undefined ? { success: summary.success } : {}),
            ...(summary.timing ? { start: summary.timing.startTime, end: summary.timing.endTime } : {}),
          },
        }
      : {}),
  };
}

/** `.prodnb` files (notebookFile.ts) to and from the editor's notebook model. */
export class ProdNotebookSerializer implements vscode.NotebookSerializer {
  constructor(private readonly ctx: ExtensionContextHolder) {}

  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    const { notebook, problems } = readNotebookFile(decoder.decode(content));
    for (const problem of problems) this.ctx.log.warn(`notebook: ${problem}`);
    const data = new vscode.NotebookData(notebook.cells.map(cellFromFile));
    data.metadata = { ...notebook.metadata };
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return encoder.encode(writeNotebookFile({ metadata: data.metadata ?? {}, cells: data.cells.map(cellToFile) }));
  }
}
