import * as vscode from "vscode";
import { versionCounts } from "./views/versionText";
import { lensTitle, sparkline, type VersionFacts } from "../core/refs/lens";
import { findVersionRefs, type VersionRef } from "../core/refs/versionRefs";
import type { ModelSnapshot, ProductionSnapshot, VersionSnapshot } from "./production/types";
import type { ProductionStore } from "./store";
import type { WorkspaceConfigWatcher } from "./workspace";

/** Python first, and the other languages model code and its config are written in. */
export const LENS_LANGUAGES = ["python", "typescript", "typescriptreact", "javascript", "javascriptreact", "yaml"];

/** A version reference matched to the model and version that production knows. */
interface Resolved {
  readonly ref: VersionRef;
  readonly model?: ModelSnapshot;
  readonly version?: VersionSnapshot;
}

/**
 * Code lenses and hovers on model versions in code (`models:/churn/3`, `MODEL_VERSION = "v3"`,
 * the patterns of prodinsights.yaml): traffic, errors against the stable version and drift, with
 * Report, Promote and Roll back; the hover adds the last 24 hours of the error rate.
 */
export class VersionLenses implements vscode.CodeLensProvider, vscode.HoverProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly store: ProductionStore,
    private readonly workspace: WorkspaceConfigWatcher,
  ) {}

  /** Called when the snapshot or the settings change. */
  update(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** The last document scanned: a hover asks again for the text the lenses just scanned. */
  private scanned: { uri: string; version: number; config: object; refs: VersionRef[] } | undefined;

  private resolve(document: vscode.TextDocument): Resolved[] {
    const loaded = this.workspace.value;
    if (loaded.status !== "ok") return [];
    const uri = document.uri.toString();
    const s = this.scanned;
    const refs = s && s.uri === uri && s.version === document.version && s.config === loaded.config ? s.refs : findVersionRefs(document.getText(), [...loaded.config.models.values()].map((m) => ({ name: m.name, patterns: m.patterns })));
    this.scanned = { uri, version: document.version, config: loaded.config, refs };
    const snapshot = this.store.snapshot;
    return refs.map((ref) => resolveRef(ref, snapshot));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration("prodInsights").get<boolean>("codeLens.enabled", true)) return [];
    const resolved = this.resolve(document);
    if (resolved.length && !this.store.snapshot) void this.store.ensure();
    const trusted = vscode.workspace.isTrusted;
    return resolved.flatMap(({ ref, model, version }) => {
      const range = new vscode.Range(ref.line, ref.start, ref.line, ref.end);
      const name = model?.name ?? ref.model;
      if (!name) return [];
      const target = { model: name, ...(version ? { version: version.name } : {}) };
      const facts = version && model ? factsOf(model, version) : undefined;
      const title = facts ? lensTitle(facts) : `${name} ${ref.version} · ${this.store.snapshot ? "not routed by the rollout backend" : "loading production…"}`;
      const lenses = [
        new vscode.CodeLens(range, { title, command: "prodInsights.showRollout", arguments: [target], tooltip: "Show the rollout of this model" }),
        new vscode.CodeLens(range, { title: "Report", command: version && version.role !== "stable" ? "prodInsights.compareVersions" : "prodInsights.showRollout", arguments: [target] }),
      ];
      if (trusted && version && version.role !== "stable") lenses.push(new vscode.CodeLens(range, { title: "Promote", command: "prodInsights.promote", arguments: [target] }));
      if (trusted && version && version.weight > 0 && version.role !== "stable") lenses.push(new vscode.CodeLens(range, { title: "Roll back", command: "prodInsights.rollback", arguments: [target] }));
      return lenses;
    });
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const hit = this.resolve(document).find(({ ref }) => ref.line === position.line && position.character >= ref.start && position.character <= ref.end);
    if (!hit?.model || !hit.version) return undefined;
    const { model, version } = hit;
    const md = new vscode.MarkdownString();
    md.isTrusted = false;
    md.appendText(lensTitle(factsOf(model, version)));
    // Where the counts behind the error rate come from: the gateway, or the model's metrics backend.
    md.appendMarkdown("\n\n");
    md.appendText(versionCounts(model, version));
    const series = version.errorRateSeries;
    if (series?.some((v) => Number.isFinite(v))) {
      // An <img> does not inherit the theme's colour: draw in a blue that reads on light and dark.
      const svg = sparkline(series, `${model.name} ${version.name} error rate, last 24 h`).replace(/currentColor/g, "#3794ff");
      md.appendMarkdown(`\n\nError rate, last 24 hours (hourly):\n\n![error rate](data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")})`);
    }
    return new vscode.Hover(md, new vscode.Range(hit.ref.line, hit.ref.start, hit.ref.line, hit.ref.end));
  }
}

/** `3` in `models:/churn/3` is the gateway's `v3` when there is no version named `3`. */
function resolveRef(ref: VersionRef, snapshot: ProductionSnapshot | undefined): Resolved {
  const model = snapshot?.models.find((m) => m.name === ref.model) ?? (ref.model === undefined && snapshot?.models.length === 1 ? snapshot.models[0] : undefined);
  const version = model?.versions.find((v) => v.name === ref.version) ?? model?.versions.find((v) => v.name === `v${ref.version}`);
  return { ref, ...(model ? { model } : {}), ...(version ? { version } : {}) };
}

function factsOf(model: ModelSnapshot, v: VersionSnapshot): VersionFacts {
  const stable = model.versions.find((x) => x.role === "stable");
  return {
    model: model.name,
    version: v.name,
    weight: v.weight,
    ...(v.errorRate !== undefined
      ? { errors: { rate: v.errorRate, ...(stable?.errorRate !== undefined && stable.name !== v.name ? { baselineRate: stable.errorRate, baselineVersion: stable.name } : {}), ...(v.vsStable ? { pValue: v.vsStable.pValue } : {}) } }
      : {}),
    ...(model.drift && model.drift.level !== "insufficient-data" ? { driftedFeatures: model.drift.drifted.length } : {}),
  };
}
