import * as vscode from "vscode";
import type { HostMessage, PanelMessage, PanelState, Report, ReportOrigin } from "../../core/results/report";
import type { ExtensionContextHolder } from "../context";
import { panelHtml } from "./html";

export const REPORT_VIEW_TYPE = "prodInsights.report";

/** Makes a report from where it came from: runs the analysis again, or reads the rollout again. */
export type ReportMaker = (origin: ReportOrigin, signal: AbortSignal) => Promise<Report>;

/** Runs a rollout button of a report (confirmed and guarded by the command it calls). */
export type ActionRunner = (report: Report, action: "promote" | "abort" | "rollback") => Thenable<unknown>;

interface Open {
  readonly panel: vscode.WebviewPanel;
  ready: boolean;
  pending?: HostMessage;
  origin?: ReportOrigin;
  report?: Report;
  opened: number;
  abort?: AbortController;
}

/**
 * Report panels: one per origin (opening the same report again reveals and refreshes it), a ready
 * handshake before any message, state restored after a reload, and the panel's buttons routed to
 * the guarded commands.
 */
export class ReportPanels {
  private readonly open = new Map<string, Open>();

  constructor(
    private readonly ctx: ExtensionContextHolder,
    private readonly make: ReportMaker,
    private readonly act: ActionRunner,
  ) {
    ctx.register(
      vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: PanelState | undefined) => {
          const report = state?.report;
          this.attach(panel, report?.origin, report);
        },
      }),
    );
    ctx.register({ dispose: () => [...this.open.values()].forEach((o) => o.panel.dispose()) });
  }

  /** Opens (or reveals) the report of `origin` and fills it. */
  async show(title: string, origin: ReportOrigin): Promise<void> {
    const key = keyOf(origin);
    let entry = this.open.get(key);
    if (entry) {
      entry.panel.title = title;
      entry.panel.reveal(undefined, false);
    } else {
      const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, title, vscode.ViewColumn.Active, this.options());
      entry = this.attach(panel, origin);
    }
    await this.fill(entry, origin);
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.ctx.extension.extensionUri, "dist", "webview")],
    };
  }

  private attach(panel: vscode.WebviewPanel, origin: ReportOrigin | undefined, report?: Report): Open {
    const entry: Open = { panel, ready: false, opened: performance.now(), ...(origin ? { origin } : {}), ...(report ? { report } : {}) };
    const key = origin ? keyOf(origin) : `restored:${Math.random()}`;
    this.open.set(key, entry);
    panel.webview.options = this.options();
    panel.iconPath = vscode.Uri.joinPath(this.ctx.extension.extensionUri, "media", "icon.svg");
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(this.ctx.extension.extensionUri, "dist", "webview", "panel.js"));
    panel.webview.html = panelHtml(panel.webview, script, panel.title);
    const subscription = panel.webview.onDidReceiveMessage((message: PanelMessage) => this.receive(entry, message));
    // A hidden panel's page is dropped (no retainContextWhenHidden): hold messages until it says ready again.
    const visibility = panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible) entry.ready = false;
    });
    panel.onDidDispose(() => {
      subscription.dispose();
      visibility.dispose();
      entry.abort?.abort();
      if (this.open.get(key) === entry) this.open.delete(key);
    });
    return entry;
  }

  private receive(entry: Open, message: PanelMessage): void {
    switch (message?.type) {
      case "ready": {
        // Also after the page was reloaded (a hidden panel's page is dropped): the newest message.
        entry.ready = true;
        const next: HostMessage | undefined = entry.pending ?? (entry.report ? { type: "show", report: entry.report } : undefined);
        entry.pending = undefined;
        if (next) void entry.panel.webview.postMessage(next);
        return;
      }
      case "rendered":
        this.ctx.log.info(`report '${entry.panel.title}' (${message.kind}): chart drawn ${Math.round(performance.now() - entry.opened)} ms after opening (${Math.round(message.ms)} ms in the panel)`);
        return;
      case "action":
        if (message.action === "refresh") {
          if (entry.origin) void this.fill(entry, entry.origin);
        } else if (entry.report) {
          void this.act(entry.report, message.action);
        }
        return;
      case "error":
        this.ctx.log.error(`report '${entry.panel.title}': ${message.message}`);
        return;
    }
  }

  private post(entry: Open, message: HostMessage): void {
    // Before the handshake the message would be lost: keep the latest, send it on `ready`.
    if (entry.ready) void entry.panel.webview.postMessage(message);
    else entry.pending = message;
  }

  private async fill(entry: Open, origin: ReportOrigin): Promise<void> {
    entry.abort?.abort();
    const abort = new AbortController();
    entry.abort = abort;
    entry.opened = performance.now();
    this.post(entry, { type: "loading", text: `Reading ${entry.panel.title}…` });
    try {
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: entry.panel.title }, () => this.make(origin, abort.signal));
      if (abort.signal.aborted) return;
      entry.report = { ...report, title: entry.panel.title };
      this.post(entry, { type: "show", report: entry.report });
    } catch (error) {
      if (abort.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log.error(`${entry.panel.title}: ${message}`);
      this.post(entry, { type: "error", message });
    }
  }

  /** Reports whose origin is this model's rollout, refreshed after an action changed it. */
  refreshRollout(model: string): void {
    const entry = this.open.get(keyOf({ kind: "rollout", model }));
    if (entry?.origin) void this.fill(entry, entry.origin);
  }
}

function keyOf(origin: ReportOrigin): string {
  return origin.kind === "rollout" ? `rollout:${origin.model}` : `insights:${origin.argv.join("\u0000")}`;
}
