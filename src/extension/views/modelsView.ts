import * as vscode from "vscode";
import { percent, pIs, points } from "../../core/format";
import type { ModelSnapshot, VersionSnapshot } from "../production/types";
import type { ProductionStore } from "../store";
import { messageItem, problemItem, safeMarkdown, SnapshotTree } from "./items";
import { versionCounts } from "./versionText";

type Node =
  | { readonly kind: "model"; readonly model: ModelSnapshot }
  | { readonly kind: "version"; readonly model: ModelSnapshot; readonly version: VersionSnapshot }
  | { readonly kind: "item"; readonly item: vscode.TreeItem };

/** A version is worse than the stable one when its error rate is higher at p < 0.05. */
const SIGNIFICANT = 0.05;

/** What tree rows and their context menus pass to the rollout commands. */
export interface ModelTarget {
  readonly model: string;
  readonly version?: string;
}

/** Models → versions, with traffic weight, health against the stable version, and drift. */
export class ModelsTree extends SnapshotTree<Node> {
  constructor(private readonly store: ProductionStore) {
    super();
  }

  getChildren(node?: Node): Node[] {
    const snapshot = this.store.snapshot;
    if (!snapshot) return [];
    if (!node) {
      const general = snapshot.problems.map((p) => ({ kind: "item" as const, item: problemItem(p) }));
      // Not connected: the way to connect sits right under the reason.
      const connect = snapshot.connected ? [] : [{ kind: "item" as const, item: messageItem("Connect Backend…", "plug", { command: { command: "prodInsights.connectBackend", title: "Connect Backend…" } }) }];
      return [...general, ...connect, ...snapshot.models.map((model) => ({ kind: "model" as const, model }))];
    }
    if (node.kind !== "model") return [];
    const { model } = node;
    const rows: Node[] = model.versions.map((version) => ({ kind: "version", model, version }));
    if (model.notes?.length) rows.push({ kind: "item", item: notesItem(model) });
    if (model.drift) rows.push({ kind: "item", item: driftItem(model) });
    if (model.canary) rows.push({ kind: "item", item: canaryItem(model) });
    for (const problem of model.problems) rows.push({ kind: "item", item: problemItem(problem) });
    return rows;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "item") return node.item;
    if (node.kind === "model") return modelItem(node.model);
    return versionItem(node.model, node.version);
  }
}

function modelItem(model: ModelSnapshot): vscode.TreeItem {
  const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `model:${model.name}`;
  const running = model.canary?.active ? model.canary : undefined;
  const parts = [model.stable ? `stable ${model.stable}` : "", running ? `canary ${running.version} ${running.result.weight}%` : "", model.shadow ? `shadow ${model.shadow.version}` : ""];
  item.description = parts.filter(Boolean).join(" · ");
  const worse = model.versions.some(isWorse);
  item.iconPath = new vscode.ThemeIcon(worse ? "error" : running ? "rocket" : "symbol-class", worse ? new vscode.ThemeColor("list.errorForeground") : undefined);
  // The provider last, so that menus offer only what it can do (package.json `view/item/context`).
  const providerCanary = model.provider !== "gateway" && model.versions.some((v) => v.role === "canary");
  item.contextValue = `model${running || providerCanary ? ".canary" : ""}.${model.provider}`;
  item.tooltip = safeMarkdown([`${model.name} (${model.provider})`, ...parts.filter(Boolean)]);
  item.command = { command: "prodInsights.showRollout", title: "Show Rollout", arguments: [{ model: model.name } satisfies ModelTarget] };
  return item;
}

function isWorse(v: VersionSnapshot): boolean {
  return v.vsStable !== undefined && v.vsStable.difference > 0 && v.vsStable.pValue < SIGNIFICANT;
}

/** `25% · errors 1.2% (+0.40 pp vs v2, p = 0.003)` */
export function versionHealth(v: VersionSnapshot): string {
  const parts = [`${Number(v.weight.toFixed(1))}%`];
  if (v.errorRate !== undefined) {
    const against = v.vsStable && v.role !== "stable" ? ` (${points(v.vsStable.difference)} vs ${v.vsStable.stable}, ${pIs(v.vsStable.pValue)})` : "";
    parts.push(`errors ${percent(v.errorRate, 2)}${against}`);
  } else if (v.requests === 0) {
    parts.push("no requests yet");
  }
  return parts.join(" · ");
}

function versionItem(model: ModelSnapshot, v: VersionSnapshot): vscode.TreeItem {
  const item = new vscode.TreeItem(v.name, vscode.TreeItemCollapsibleState.None);
  item.id = `version:${model.name}:${v.name}`;
  item.description = `${v.role === "other" ? "" : `${v.role} · `}${versionHealth(v)}`;
  const worse = isWorse(v);
  const icon = worse ? "error" : v.role === "stable" ? "pass" : v.role === "canary" ? "rocket" : v.role === "shadow" ? "mirror" : v.weight > 0 ? "circle-filled" : "circle-outline";
  item.iconPath = new vscode.ThemeIcon(icon, worse ? new vscode.ThemeColor("list.errorForeground") : v.role === "stable" ? new vscode.ThemeColor("testing.iconPassed") : undefined);
  item.contextValue = `version.${v.role}.${model.provider}`;
  item.tooltip = safeMarkdown([
    `${model.name} ${v.name}: ${v.role}, ${v.weight}% of traffic`,
    versionCounts(model, v),
    ...(worse ? [`errors are higher than ${v.vsStable!.stable}'s beyond chance (${pIs(v.vsStable!.pValue)})`] : []),
  ]);
  if (v.role !== "stable" && model.stable) {
    item.command = { command: "prodInsights.compareVersions", title: "Compare Versions", arguments: [{ model: model.name, version: v.name } satisfies ModelTarget] };
  }
  return item;
}

/** What the provider says of the rollout, e.g. `argo: Paused: CanaryPauseStep · step 2 of 5`; every note in the tooltip. */
function notesItem(model: ModelSnapshot): vscode.TreeItem {
  const notes = model.notes!;
  const item = messageItem(`${model.provider}: ${notes.slice(0, 2).join(" · ")}`, "info");
  item.tooltip = safeMarkdown(notes);
  return item;
}

function driftItem(model: ModelSnapshot): vscode.TreeItem {
  const drift = model.drift!;
  const n = drift.drifted.length;
  // Features at the drift level count even when the dataset as a whole is below its drift share.
  const label = n > 0 ? `drift: ${n} feature${n === 1 ? "" : "s"}` : drift.level === "insufficient-data" ? "drift: not enough data" : `drift: ${drift.level}`;
  const dataset = drift.level === "insufficient-data" ? "too little data to tell" : drift.level;
  return messageItem(label, n > 0 ? "pulse" : "graph", {
    tooltip: `${n ? `Drifted: ${drift.drifted.join(", ")}` : "No feature at the drift level"}. Dataset: ${dataset}.`,
    color: n > 0 ? "list.warningForeground" : undefined,
    command: { command: "prodInsights.showDriftReport", title: "Show Drift Report", arguments: [{ model: model.name } satisfies ModelTarget] },
  });
}

function canaryItem(model: ModelSnapshot): vscode.TreeItem {
  const c = model.canary!;
  const step = c.result.step >= 0 ? `step ${c.result.step + 1}/${c.steps.length}` : "starting";
  const label = c.active ? `canary ${c.version}: ${step}, ${c.result.weight}%` : `last canary ${c.version}: ${c.result.status}`;
  const failed = c.result.status === "rolled-back";
  return messageItem(label, failed ? "debug-disconnect" : c.active ? "sync" : "check", {
    tooltip: c.result.decisions.at(-1)?.reasons.join("\n") ?? "",
    color: failed ? "list.errorForeground" : undefined,
    command: { command: "prodInsights.showRollout", title: "Show Rollout", arguments: [{ model: model.name } satisfies ModelTarget] },
  });
}
