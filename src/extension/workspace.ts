import * as vscode from "vscode";
import type { Config } from "../config/types";
import type { ExtensionContextHolder } from "./context";
import { loadEngine } from "./loadEngine";

const CONFIG_FILE = "prodinsights.yaml";

/** The workspace's prodinsights.yaml, loaded; a broken file is shown as problems, not thrown. */
export type WorkspaceConfig =
  | { readonly status: "none" }
  | { readonly status: "broken"; readonly file: string; readonly folder: string; readonly message: string }
  | { readonly status: "ok"; readonly file: string; readonly folder: string; readonly config: Config };

/**
 * Finds and loads prodinsights.yaml (the first workspace folder that has one at its root, else
 * the first one anywhere), reloads it when it changes, and puts its problems in the Problems view
 * with their line and column.
 */
export class WorkspaceConfigWatcher {
  private current: WorkspaceConfig = { status: "none" };
  private loading: Promise<WorkspaceConfig> | undefined;
  private readonly changed = new vscode.EventEmitter<WorkspaceConfig>();
  readonly onDidChange = this.changed.event;
  private readonly diagnostics: vscode.DiagnosticCollection;

  constructor(private readonly ctx: ExtensionContextHolder) {
    ctx.register(this.changed);
    this.diagnostics = ctx.register(vscode.languages.createDiagnosticCollection("prodinsights"));
    const watcher = ctx.register(vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`));
    const reload = (): void => void this.reload();
    ctx.register(watcher.onDidChange(reload));
    ctx.register(watcher.onDidCreate(reload));
    ctx.register(watcher.onDidDelete(reload));
    ctx.register(vscode.workspace.onDidChangeWorkspaceFolders(reload));
  }

  get value(): WorkspaceConfig {
    return this.current;
  }

  /** The config, loading it on first use. */
  get(): Promise<WorkspaceConfig> {
    return this.loading ?? this.reload();
  }

  /** The loaded config, or an error that says what is missing or broken (for commands). */
  async require(): Promise<Extract<WorkspaceConfig, { status: "ok" }>> {
    const loaded = await this.get();
    if (loaded.status === "ok") return loaded;
    if (loaded.status === "broken") throw new Error(`${vscode.workspace.asRelativePath(loaded.file)} has problems; see the Problems view`);
    throw new Error(`no ${CONFIG_FILE} in this workspace: write one with 'prodinsights init', or run "Production Insights: Start Demo Environment"`);
  }

  reload(): Promise<WorkspaceConfig> {
    const loading = this.load().then((loaded) => {
      // A newer reload may have started meanwhile; only the newest one publishes.
      if (this.loading === loading) {
        this.current = loaded;
        this.changed.fire(loaded);
      }
      return loaded;
    });
    this.loading = loading;
    return loading;
  }

  private async load(): Promise<WorkspaceConfig> {
    const file = await findConfigFile();
    this.diagnostics.clear();
    if (!file) return { status: "none" };
    const folder = vscode.Uri.joinPath(file, "..").fsPath;
    const engine = await loadEngine();
    try {
      const config = await engine.loadConfigFile(file.fsPath, vscode.workspace.asRelativePath(file));
      this.ctx.log.info(`loaded ${file.fsPath} (${config.models.size} models, ${config.experiments.size} experiments, ${config.monitors.size} monitors)`);
      return { status: "ok", file: file.fsPath, folder, config };
    } catch (error) {
      if (!(error instanceof engine.ConfigError)) {
        // Unreadable, or a bug: the views say so rather than fail silently.
        const message = `${vscode.workspace.asRelativePath(file)}: ${error instanceof Error ? error.message : String(error)}`;
        this.ctx.log.error(message);
        return { status: "broken", file: file.fsPath, folder, message };
      }
      this.diagnostics.set(
        file,
        error.issues.map((issue) => {
          // ConfigIssue lines and columns count from 1; the editor's from 0.
          const range = new vscode.Range(issue.line - 1, issue.column - 1, issue.endLine - 1, Math.max(issue.endColumn - 1, issue.column));
          const diagnostic = new vscode.Diagnostic(range, issue.message, vscode.DiagnosticSeverity.Error);
          diagnostic.source = "prodinsights";
          return diagnostic;
        }),
      );
      this.ctx.log.warn(error.message);
      return { status: "broken", file: file.fsPath, folder, message: error.message };
    }
  }
}

async function findConfigFile(): Promise<vscode.Uri | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const candidate = vscode.Uri.joinPath(folder.uri, CONFIG_FILE);
    try {
      await vscode.workspace.fs.stat(candidate);
      return candidate;
    } catch {
      // Not at this folder's root; look further.
    }
  }
  const [found] = await vscode.workspace.findFiles(`**/${CONFIG_FILE}`, "**/node_modules/**", 1);
  return found;
}
