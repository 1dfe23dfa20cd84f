import * as vscode from "vscode";
import { RolloutActions } from "./actions";
import type { ExtensionContextHolder } from "./context";
import { LENS_LANGUAGES, VersionLenses } from "./lenses";
import { CellLanguageFeatures } from "./notebook/cellLanguages";
import { InsightsKernel } from "./notebook/controller";
import { NOTEBOOK_TYPE, ProdNotebookSerializer } from "./notebook/serializer";
import { ReportPanels } from "./panels/reportPanels";
import { Reports } from "./reports";
import { GatewaySecrets } from "./secrets";
import { ProductionStatus } from "./statusBar";
import { ProductionStore, type ViewId } from "./store";
import { ExperimentsTree } from "./views/experimentsView";
import { ModelsTree } from "./views/modelsView";
import { MonitorsTree } from "./views/monitorsView";
import type { SnapshotTree } from "./views/items";
import { WorkspaceConfigWatcher } from "./workspace";

/**
 * The extension's parts and how they are wired: the config watcher and the secrets feed the store;
 * the views, lenses and status bar read the store; commands open reports and act through the
 * rollout provider. Everything is registered with the one context, and nothing here does I/O:
 * the engine loads when the first view, lens or command needs it.
 */
export class App {
  readonly workspace: WorkspaceConfigWatcher;
  readonly secrets: GatewaySecrets;
  readonly store: ProductionStore;
  readonly reports: Reports;
  readonly actions: RolloutActions;
  readonly panels: ReportPanels;

  constructor(readonly ctx: ExtensionContextHolder) {
    this.workspace = new WorkspaceConfigWatcher(ctx);
    this.secrets = new GatewaySecrets(ctx);
    this.store = new ProductionStore(ctx, this.workspace, this.secrets);
    this.reports = new Reports(ctx, this.workspace, this.store, this.secrets, () => this.panels);
    this.panels = new ReportPanels(ctx, this.reports.make, (report, action) => {
      const model = report.document.kind === "rollout" ? report.document.model : undefined;
      const command = action === "promote" ? "prodInsights.promote" : action === "abort" ? "prodInsights.abortRollout" : "prodInsights.rollback";
      const version = report.document.kind === "rollout" ? report.document.canary?.version : undefined;
      return vscode.commands.executeCommand(command, { model, ...(action === "promote" && version ? { version } : {}) });
    });
    this.actions = new RolloutActions(ctx, this.workspace, this.store, this.secrets, (model) => this.panels.refreshRollout(model));

    this.view("prodInsights.experiments", new ExperimentsTree(this.store));
    this.view("prodInsights.models", new ModelsTree(this.store));
    this.view("prodInsights.monitors", new MonitorsTree(this.store));

    const lenses = ctx.register(new VersionLenses(this.store, this.workspace));
    const selector = LENS_LANGUAGES.map((language) => ({ language, scheme: "file" }));
    ctx.register(vscode.languages.registerCodeLensProvider(selector, lenses));
    ctx.register(vscode.languages.registerHoverProvider(selector, lenses));
    ctx.register(this.store.onDidChange(() => lenses.update()));
    ctx.register(this.workspace.onDidChange(() => lenses.update()));
    ctx.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("prodInsights.codeLens")) lenses.update();
      }),
    );
    ctx.register(vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new ProdNotebookSerializer(ctx)));
    ctx.register(new InsightsKernel(ctx, this.workspace, this.secrets));
    ctx.register(new CellLanguageFeatures(ctx, this.workspace, this.store, this.secrets).register());
    ctx.register(new ProductionStatus(this.store, (model, version) => this.actions.toldEnd(model, version)));
    // Lenses and the status bar need the config even when no view is open.
    void this.workspace.get().then((loaded) => {
      if (loaded.status !== "none") void this.store.refresh("activation");
      else void vscode.commands.executeCommand("setContext", "prodInsights.hasConfig", false);
    });
  }

  private view<T>(id: ViewId, tree: SnapshotTree<T>): void {
    const view = this.ctx.register(vscode.window.createTreeView(id, { treeDataProvider: tree, showCollapseAll: id !== "prodInsights.monitors" }));
    this.ctx.register(tree);
    this.ctx.register(this.store.onDidChange(() => tree.update()));
    this.ctx.register(view.onDidChangeVisibility((e) => this.store.setVisible(id, e.visible)));
    if (view.visible) this.store.setVisible(id, true);
  }
}
