import * as vscode from "vscode";
import type { WorkspaceConfigWatcher } from "../workspace";
import { settingsOf } from "./notebookFile";
import { NOTEBOOK_TYPE } from "./serializer";
import { starterNotebook } from "./starter";

const RANGES = [
  { label: "-1h..now", description: "the last hour" },
  { label: "-6h..now", description: "the last 6 hours" },
  { label: "-1d..now", description: "the last day" },
  { label: "-7d..now", description: "the last week" },
  { label: "-14d..now", description: "the last two weeks" },
  { label: "-30d..now", description: "the last 30 days" },
];

/** The notebook a toolbar command acts on: the one it was clicked in, else the active one of ours. */
function notebookOf(arg: unknown): vscode.NotebookDocument | undefined {
  const fromToolbar = (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri;
  const editor = vscode.window.activeNotebookEditor;
  const notebook = fromToolbar ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === fromToolbar.toString()) : editor?.notebook;
  return notebook?.notebookType === NOTEBOOK_TYPE ? notebook : undefined;
}

async function setMetadata(notebook: vscode.NotebookDocument, change: Record<string, unknown>): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  const metadata: Record<string, unknown> = { ...notebook.metadata, ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete metadata[key];
  edit.set(notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata(metadata)]);
  await vscode.workspace.applyEdit(edit);
}

/** "New Production Insights Notebook": an untitled notebook with cells for this workspace's config. */
export async function newNotebook(workspace: WorkspaceConfigWatcher): Promise<void> {
  const loaded = await workspace.get();
  const starter = starterNotebook(loaded.status === "ok" ? loaded.config : undefined);
  const data = new vscode.NotebookData(
    starter.cells.map((c) => new vscode.NotebookCellData(c.kind === "markdown" ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code, c.source, c.language)),
  );
  data.metadata = { ...starter.metadata };
  const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  await vscode.window.showNotebookDocument(notebook);
}

/** "Set Time Range…": a preset or a range typed in the CLI's grammar. */
export async function setRange(arg: unknown): Promise<void> {
  const notebook = notebookOf(arg);
  if (!notebook) throw new Error("open a Production Insights notebook (.prodnb) first");
  const current = settingsOf(notebook.metadata).range;
  const custom = { label: "Another range…", description: "e.g. -3d..-1d or 2026-11-01..2026-11-15" };
  const picked = await vscode.window.showQuickPick(
    [...RANGES.map((r) => ({ ...r, ...(r.label === current ? { detail: "current" } : {}) })), custom],
    { title: "Notebook time range", placeHolder: `Now ${current}. Cells that query a backend read this range unless they give --range.` },
  );
  if (!picked) return;
  let range = picked.label;
  if (picked === custom) {
    const typed = await vscode.window.showInputBox({
      title: "Notebook time range",
      value: current,
      prompt: "START..END: relative (-7d, -1h, now) or ISO dates",
      validateInput: (text) => (/^\S+\.\.\S+$/.test(text.trim()) ? undefined : "Write START..END, e.g. -7d..now"),
    });
    if (typed === undefined) return;
    range = typed.trim();
  }
  await setMetadata(notebook, { range });
}

/** "Set Backend…": one of prodinsights.yaml's backends, or the config's default. */
export async function setBackend(arg: unknown, workspace: WorkspaceConfigWatcher): Promise<void> {
  const notebook = notebookOf(arg);
  if (!notebook) throw new Error("open a Production Insights notebook (.prodnb) first");
  const { config } = await workspace.require();
  const current = settingsOf(notebook.metadata).backend;
  const items = [
    { label: "Default", description: `each command's own backend, else ${config.defaultBackend}`, name: undefined as string | undefined },
    ...[...config.backends.values()].map((b) => ({ label: b.name, description: b.type === "prometheus" ? b.url : `logs: ${b.paths.join(", ")}`, name: b.name as string | undefined })),
  ].map((item) => (item.name === current ? { ...item, detail: "current" } : item));
  const picked = await vscode.window.showQuickPick(items, { title: "Notebook backend", placeHolder: "Where PromQL cells and the analyses read" });
  if (picked) await setMetadata(notebook, { backend: picked.name });
}
