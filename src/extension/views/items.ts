import * as vscode from "vscode";
import type { Problem } from "../production/types";

/** A tree row that only says something: a problem, or what to do next. */
export function messageItem(label: string, icon: string, options: { tooltip?: string; command?: vscode.Command; color?: string } = {}): vscode.TreeItem {
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(icon, options.color ? new vscode.ThemeColor(options.color) : undefined);
  item.contextValue = "message";
  if (options.tooltip) item.tooltip = options.tooltip;
  if (options.command) item.command = options.command;
  return item;
}

export function problemItem(problem: Problem): vscode.TreeItem {
  return messageItem(problem.message, "warning", { tooltip: problem.message, color: "list.warningForeground" });
}

/**
 * Markdown for a tooltip from text that may hold label values from production: every Markdown
 * and HTML character escaped, so that a label such as `<img src=x>` or `[a](command:…)` stays text.
 */
export function safeMarkdown(lines: readonly string[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = false;
  md.supportHtml = false;
  lines.forEach((line, i) => {
    if (i > 0) md.appendMarkdown("  \n");
    md.appendText(line);
  });
  return md;
}

/** A tree data provider whose whole tree is rebuilt from each snapshot (trees here are small). */
export abstract class SnapshotTree<T> implements vscode.TreeDataProvider<T> {
  protected readonly changed = new vscode.EventEmitter<T | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  abstract getTreeItem(element: T): vscode.TreeItem;
  abstract getChildren(element?: T): T[];

  update(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
