import path from "node:path";
import * as vscode from "vscode";
import type { ExtensionContextHolder } from "../context";
import { loadEngine } from "../loadEngine";
import type { GatewaySecrets } from "../secrets";
import type { WorkspaceConfigWatcher } from "../workspace";
import { CELL_LANGUAGES } from "./cells";
import { settingsOf } from "./notebookFile";
import type { CellOutcome } from "./runCell";
import { NOTEBOOK_TYPE } from "./serializer";

const ERROR_STACK_LIMIT = 4000;

/**
 * The notebook's kernel: runs `promql` and insights cells in order, one at a time, through the CLI
 * in-process (runCell.ts). Interrupting cancels the running cell's backend request and leaves the
 * queued ones unrun; a cell that fails stops a Run All, as in Jupyter.
 */
export class InsightsKernel implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  /** Execution order per notebook, as a Jupyter kernel counts per notebook session. */
  private readonly orders = new WeakMap<vscode.NotebookDocument, number>();
  /** Runs of each notebook, chained so that cells of one notebook never overlap. */
  private readonly queues = new WeakMap<vscode.NotebookDocument, Promise<void>>();

  constructor(
    private readonly ctx: ExtensionContextHolder,
    private readonly workspace: WorkspaceConfigWatcher,
    private readonly secrets: GatewaySecrets,
  ) {
    this.controller = vscode.notebooks.createNotebookController("prodinsights-kernel", NOTEBOOK_TYPE, "Production Insights");
    this.controller.supportedLanguages = [...CELL_LANGUAGES];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = "PromQL and prodinsights commands against prodinsights.yaml's backends";
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
  }

  dispose(): void {
    this.controller.dispose();
  }

  private execute(cells: readonly vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    // Each cell shows as queued at once; they then run in order.
    const executions = cells.filter((c) => c.kind === vscode.NotebookCellKind.Code).map((cell) => this.controller.createNotebookCellExecution(cell));
    const previous = this.queues.get(notebook) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.runInOrder(executions, notebook));
    this.queues.set(notebook, next);
    return next;
  }

  private async runInOrder(executions: readonly vscode.NotebookCellExecution[], notebook: vscode.NotebookDocument): Promise<void> {
    let stopped = false;
    for (const execution of executions) {
      if (stopped || execution.token.isCancellationRequested) {
        // A queued cell that will not run: ended without a verdict, its outputs left as they were.
        execution.start();
        execution.end(undefined);
        continue;
      }
      stopped = !(await this.runOne(execution, notebook));
    }
  }

  /** Runs one cell; false when it failed or was interrupted (the rest of its batch then does not run). */
  private async runOne(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument): Promise<boolean> {
    const cell = execution.cell;
    const order = (this.orders.get(notebook) ?? 0) + 1;
    this.orders.set(notebook, order);
    execution.executionOrder = order;
    const started = Date.now();
    execution.start(started);
    await execution.clearOutput();
    const abort = new AbortController();
    const listener = execution.token.onCancellationRequested(() => abort.abort(new vscode.CancellationError()));
    try {
      const engine = await loadEngine();
      const outcome = await engine.runCell(cell.document.languageId, cell.document.getText(), settingsOf(notebook.metadata), {
        cwd: await this.folderOf(notebook),
        signal: abort.signal,
        secrets: this.secrets.lookup(),
        trusted: vscode.workspace.isTrusted,
      });
      await execution.replaceOutput(outputOf(outcome));
      const ok = outcome.kind !== "error";
      this.ctx.log.info(`notebook ${path.basename(notebook.uri.path)} cell ${cell.index + 1}: ${ok ? "done" : outcome.message} (${Date.now() - started} ms)`);
      execution.end(ok, Date.now());
      return ok;
    } catch (error) {
      const interrupted = abort.signal.aborted;
      const message = interrupted ? `stopped after ${((Date.now() - started) / 1000).toFixed(1)} s; its request to the backend was cancelled` : error instanceof Error ? error.message : String(error);
      if (!interrupted) this.ctx.log.error(`notebook cell ${cell.index + 1} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: interrupted ? "Interrupted" : "Error", message })]));
      execution.end(false, Date.now());
      return false;
    } finally {
      listener.dispose();
    }
  }

  /** Where a notebook's relative paths and its prodinsights.yaml are found: its folder, or the workspace's for an untitled one. */
  private async folderOf(notebook: vscode.NotebookDocument): Promise<string> {
    if (notebook.uri.scheme === "file") return path.dirname(notebook.uri.fsPath);
    const loaded = await this.workspace.get();
    if (loaded.status !== "none") return loaded.folder;
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  }
}

/** The output of a cell's outcome: the document and its summary, help text, or an error that says where. */
export function outputOf(outcome: CellOutcome): vscode.NotebookCellOutput {
  switch (outcome.kind) {
    case "result":
      return new vscode.NotebookCellOutput(
        [vscode.NotebookCellOutputItem.json(outcome.document, outcome.mime), vscode.NotebookCellOutputItem.text(outcome.markdown, "text/markdown")],
        { stamp: outcome.stamp },
      );
    case "text":
      return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(outcome.text, "text/plain")]);
    case "error": {
      // VS Code shows an error's stack instead of its message when it has one, so the stack starts with the message.
      const stack = outcome.excerpt ? `${outcome.name}: ${outcome.message}\n\n${outcome.excerpt}`.slice(0, ERROR_STACK_LIMIT) : undefined;
      return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: outcome.name, message: outcome.message, ...(stack ? { stack } : {}) })]);
    }
  }
}
