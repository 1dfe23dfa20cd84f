import * as vscode from "vscode";
import { percent, pIs } from "../../core/format";
import type { AbComparison, AbResult } from "../../core/results/ab";
import type { ExperimentSnapshot, ModelSnapshot } from "../production/types";
import type { ProductionStore } from "../store";
import { messageItem, problemItem, safeMarkdown, SnapshotTree } from "./items";
import type { ModelTarget } from "./modelsView";

type Node =
  | { readonly kind: "experiment"; readonly experiment: ExperimentSnapshot }
  | { readonly kind: "rollout"; readonly model: ModelSnapshot }
  | { readonly kind: "item"; readonly item: vscode.TreeItem };

/** Live A/B tests (arms, lift with its interval, significance, SRM) and running rollouts. */
export class ExperimentsTree extends SnapshotTree<Node> {
  constructor(private readonly store: ProductionStore) {
    super();
  }

  getChildren(node?: Node): Node[] {
    const snapshot = this.store.snapshot;
    if (!snapshot) return [];
    if (!node) {
      return [
        ...snapshot.experiments.map((experiment) => ({ kind: "experiment" as const, experiment })),
        ...snapshot.models.filter((m) => m.canary?.active || m.shadow).map((model) => ({ kind: "rollout" as const, model })),
      ];
    }
    if (node.kind === "experiment") return armRows(node.experiment).map((item) => ({ kind: "item", item }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "item") return node.item;
    if (node.kind === "rollout") return rolloutItem(node.model);
    return experimentItem(node.experiment);
  }
}

/** `+15.2% [+8.1%, +22.3%], p = 1.2e-12` for an arm against the baseline. */
export function liftText(c: AbComparison): string {
  if (c.verdict === "insufficient-data") return "not enough data";
  const rel = c.relative;
  const lift = rel.status === "ok" ? `${percent(rel.estimate, 1, true)} [${percent(rel.ci[0], 1, true)}, ${percent(rel.ci[1], 1, true)}]` : `${percent(c.absolute.estimate, 2, true)} abs.`;
  return `${lift}, ${pIs(c.adjustedPValue)}`;
}

function verdictText(result: AbResult): string {
  if (result.verdict === "winner") return `winner: ${result.winner}`;
  if (result.verdict === "loser") return "worse than baseline";
  return result.verdict === "insufficient-data" ? "not enough data" : "inconclusive";
}

function experimentItem(e: ExperimentSnapshot): vscode.TreeItem {
  const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `experiment:${e.name}`;
  const r = e.result;
  const srm = r?.srm.status === "ok" && r.srm.flagged;
  const best = r?.comparisons.find((c) => c.arm === r.winner) ?? r?.comparisons[0];
  item.description = r ? `${verdictText(r)}${best ? ` · ${liftText(best)}` : ""}${srm ? " · SRM!" : ""}` : (e.problems[0]?.message ?? "");
  const icon = srm ? "warning" : r?.verdict === "winner" ? "pass-filled" : r?.verdict === "loser" ? "error" : r ? "beaker" : "question";
  const color = srm ? "list.warningForeground" : r?.verdict === "winner" ? "testing.iconPassed" : r?.verdict === "loser" ? "list.errorForeground" : undefined;
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.contextValue = "experiment";
  item.tooltip = safeMarkdown([`${e.name} · metric ${e.metric}`, r ? verdictText(r) : "no result", ...(r?.warnings ?? [])]);
  item.command = { command: "prodInsights.openExperimentReport", title: "Open Experiment Report", arguments: [{ experiment: e.name }] };
  return item;
}

function armRows(e: ExperimentSnapshot): vscode.TreeItem[] {
  const r = e.result;
  const rows = e.arms.map((arm, i) => {
    const stats = r?.arms.find((a) => a.name === arm.name);
    const comparison = r?.comparisons.find((c) => c.arm === arm.name);
    const rate = stats && stats.status === "ok" ? ` · ${r?.metricKind === "proportion" ? percent(stats.estimate, 2) : stats.estimate.toPrecision(4)}` : "";
    const lift = comparison ? ` · ${liftText(comparison)}` : i === 0 ? " · baseline" : "";
    const item = messageItem(arm.name, i === 0 ? "circle-large-outline" : r?.winner === arm.name ? "star-full" : "circle-large-filled");
    item.description = `${arm.units.toLocaleString("en-US")} units (${percent(arm.share)})${rate}${lift}`;
    return item;
  });
  if (r?.srm.status === "ok" && r.srm.flagged) {
    rows.unshift(messageItem(`Sample ratio mismatch (${pIs(r.srm.pValue)}): the split differs from the plan; do not trust the lift`, "warning", { color: "list.warningForeground" }));
  }
  return [...rows, ...e.problems.map(problemItem)];
}

function rolloutItem(model: ModelSnapshot): vscode.TreeItem {
  const c = model.canary?.active ? model.canary : undefined;
  const label = c ? `${model.name} canary ${c.version}` : `${model.name} shadow ${model.shadow!.version}`;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `rollout:${model.name}`;
  item.description = c ? `step ${Math.max(c.result.step + 1, 1)}/${c.steps.length} · ${c.result.weight}% · vs ${c.baseline}` : `${model.shadow!.share}% mirrored`;
  item.iconPath = new vscode.ThemeIcon(c ? "rocket" : "mirror");
  item.contextValue = c ? "model.canary" : "model";
  item.command = { command: "prodInsights.showRollout", title: "Show Rollout", arguments: [{ model: model.name } satisfies ModelTarget] };
  return item;
}
