import * as vscode from "vscode";
import type { MonitorSnapshot, MonitorState } from "../production/types";
import type { ProductionStore } from "../store";
import { safeMarkdown, SnapshotTree } from "./items";

const ICONS: Readonly<Record<MonitorState, [icon: string, color?: string]>> = {
  ok: ["pass", "testing.iconPassed"],
  firing: ["bell-dot", "list.errorForeground"],
  "insufficient-data": ["question"],
  error: ["warning", "list.warningForeground"],
};

/** Drift, jump and threshold monitors of prodinsights.yaml, with their state now. */
export class MonitorsTree extends SnapshotTree<MonitorSnapshot> {
  constructor(private readonly store: ProductionStore) {
    super();
  }

  getChildren(node?: MonitorSnapshot): MonitorSnapshot[] {
    return node ? [] : [...(this.store.snapshot?.monitors ?? [])];
  }

  getTreeItem(m: MonitorSnapshot): vscode.TreeItem {
    const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
    item.id = `monitor:${m.name}`;
    item.description = `${m.state === "insufficient-data" ? "not enough data" : m.state} · ${m.detail}`;
    const [icon, color] = ICONS[m.state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = "monitor";
    item.tooltip = safeMarkdown([`${m.kind} monitor of ${m.model}${m.metric ? ` (${m.metric})` : ""}: ${m.state}`, m.detail, `prodinsights ${m.command.join(" ")}`]);
    item.command = { command: "prodInsights.openMonitor", title: "Show Monitor Evidence", arguments: [{ monitor: m.name }] };
    return item;
  }
}
