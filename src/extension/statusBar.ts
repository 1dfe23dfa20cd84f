import * as vscode from "vscode";
import type { ProductionSnapshot } from "./production/types";
import { rolledBackByAnalysis } from "./rolloutPreview";
import type { ProductionStore } from "./store";

/**
 * The backend connection and the count of active alerts in the status bar, and a notification
 * when a monitor starts firing or a canary is rolled back (compared with the previous snapshot,
 * so that each event is told once).
 */
export class ProductionStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("prodInsights.status", vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(
    store: ProductionStore,
    /** Whether a canary's end was already told by the action that followed it. */
    private readonly told: (model: string, version: string) => boolean,
  ) {
    this.item.name = "Production Insights";
    this.subscription = store.onDidChange(({ previous, current }) => {
      this.show(store.snapshot);
      if (previous && store.snapshot) notify(previous, current, this.told);
    });
  }

  private show(snapshot: ProductionSnapshot | undefined): void {
    if (!snapshot) {
      this.item.hide();
      return;
    }
    const alerts = activeAlerts(snapshot);
    if (!snapshot.connected) {
      this.item.text = "$(debug-disconnect) Production: not connected";
      const reason = snapshot.problems[0] ?? snapshot.models.flatMap((m) => m.problems)[0];
      this.item.tooltip = `${reason?.message ?? "The rollout backend did not answer."}\nClick to connect.`;
      this.item.command = "prodInsights.connectBackend";
      this.item.backgroundColor = undefined;
    } else {
      this.item.text = alerts.length ? `$(bell-dot) Production: ${alerts.length} alert${alerts.length === 1 ? "" : "s"}` : "$(pulse) Production: ok";
      this.item.tooltip = alerts.length ? alerts.join("\n") : `Connected; ${snapshot.models.length} model(s), ${snapshot.monitors.length} monitor(s), none firing`;
      this.item.command = "prodInsights.models.focus";
      this.item.backgroundColor = alerts.length ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    }
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

/** One line per alert: a firing monitor, or a canary that failed its last check. */
export function activeAlerts(s: ProductionSnapshot): string[] {
  return [
    ...s.monitors.filter((m) => m.state === "firing").map((m) => `${m.name}: ${m.detail}`),
    ...s.models.filter((m) => m.canary?.active && m.canary.result.checks.at(-1)?.outcome === "fail").map((m) => `canary ${m.name} ${m.canary!.version} failed its last check`),
  ];
}

function notify(previous: ProductionSnapshot, current: ProductionSnapshot, told: (model: string, version: string) => boolean): void {
  if (!vscode.workspace.getConfiguration("prodInsights").get<boolean>("notifications", true)) return;
  for (const m of current.monitors) {
    const before = previous.monitors.find((p) => p.name === m.name);
    if (m.state === "firing" && before?.state !== "firing") {
      void vscode.window.showWarningMessage(`Monitor ${m.name} is firing: ${m.detail}`, "Show Evidence").then((choice) => {
        if (choice) void vscode.commands.executeCommand("prodInsights.openMonitor", { monitor: m.name });
      });
    }
  }
  for (const m of current.models) {
    const before = previous.models.find((p) => p.name === m.name);
    // Rolled back by its analysis, not aborted by hand, and not already told by Start Canary's progress.
    const ended = m.canary && !m.canary.active && rolledBackByAnalysis(m.canary.result) && before?.canary?.active && before.canary.version === m.canary.version && !told(m.name, m.canary.version);
    if (ended) {
      const why = m.canary!.result.decisions.at(-1)?.reasons.join("; ") ?? "";
      void vscode.window.showErrorMessage(`Canary ${m.name} ${m.canary!.version} was rolled back${why ? `: ${why}` : ""}`, "Open Report").then((choice) => {
        if (choice) void vscode.commands.executeCommand("prodInsights.showRollout", { model: m.name });
      });
    }
  }
}
