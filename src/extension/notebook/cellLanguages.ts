import * as vscode from "vscode";
import type { CellNames, CompletionEntry } from "../../cli/complete";
import type { Config } from "../../config/types";
import type { PromVocabulary } from "../../telemetry/prometheus/vocabulary";
import type { ExtensionContextHolder } from "../context";
import { loadEngine } from "../loadEngine";
import type { GatewaySecrets } from "../secrets";
import type { ProductionStore } from "../store";
import type { WorkspaceConfigWatcher } from "../workspace";
import { INSIGHTS_LANGUAGE, PROMQL_LANGUAGE } from "./cells";
import { settingsOf } from "./notebookFile";

const KINDS: Record<CompletionEntry["kind"], vscode.CompletionItemKind> = {
  command: vscode.CompletionItemKind.Function,
  flag: vscode.CompletionItemKind.Property,
  experiment: vscode.CompletionItemKind.Class,
  model: vscode.CompletionItemKind.Module,
  metric: vscode.CompletionItemKind.Field,
  backend: vscode.CompletionItemKind.Reference,
  version: vscode.CompletionItemKind.EnumMember,
  value: vscode.CompletionItemKind.Value,
};

/** Cancellation as the engine takes it. */
function signalOf(token: vscode.CancellationToken): AbortSignal {
  const abort = new AbortController();
  if (token.isCancellationRequested) abort.abort();
  else token.onCancellationRequested(() => abort.abort());
  return abort.signal;
}

const rangeOf = (document: vscode.TextDocument, from: number, to: number): vscode.Range => new vscode.Range(document.positionAt(from), document.positionAt(to));

/** The notebook a cell's document belongs to, for its backend. */
function notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((n) => n.getCells().some((c) => c.document === document));
}

/**
 * Completion and hovers in notebook cells: in insights cells the CLI's commands and flags and the
 * names of prodinsights.yaml (the CLI's own grammar, src/cli/complete.ts); in PromQL cells the
 * functions, and the metric names and label values of the notebook's backend, cached per backend
 * (src/telemetry/prometheus/vocabulary.ts) and cancelled with the request.
 */
export class CellLanguageFeatures implements vscode.CompletionItemProvider, vscode.HoverProvider {
  private vocabularies = new Map<string, Promise<PromVocabulary | undefined>>();

  constructor(
    private readonly ctx: ExtensionContextHolder,
    private readonly workspace: WorkspaceConfigWatcher,
    private readonly store: ProductionStore,
    private readonly secrets: GatewaySecrets,
  ) {
    // A changed config or credential may point a backend elsewhere.
    ctx.register(workspace.onDidChange(() => this.vocabularies.clear()));
    ctx.register(secrets.onDidChange(() => this.vocabularies.clear()));
  }

  register(): vscode.Disposable {
    const selector = [INSIGHTS_LANGUAGE, PROMQL_LANGUAGE].map((language) => ({ language, scheme: "vscode-notebook-cell" }));
    return vscode.Disposable.from(
      vscode.languages.registerCompletionItemProvider(selector, this, "-", " ", "{", ",", '"', "=", "("),
      vscode.languages.registerHoverProvider(selector, this),
    );
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.CompletionItem[]> {
    const engine = await loadEngine();
    const text = document.getText();
    const offset = document.offsetAt(position);
    if (document.languageId === INSIGHTS_LANGUAGE) {
      const completion = engine.completeInsights(text, offset, await this.names(), engine.NOTEBOOK_COMMANDS);
      const range = rangeOf(document, completion.from, completion.to);
      return completion.items.map((entry) => {
        const item = new vscode.CompletionItem(entry.label, KINDS[entry.kind]);
        item.range = range;
        if (entry.insertText !== undefined) item.insertText = entry.insertText;
        if (entry.detail !== undefined) item.detail = entry.detail;
        if (entry.documentation !== undefined) item.documentation = new vscode.MarkdownString(entry.documentation);
        return item;
      });
    }
    const context = engine.promqlCompletionContext(text, offset);
    if (context.kind === "none") return [];
    const range = rangeOf(document, context.from, context.to);
    const signal = signalOf(token);
    const vocabulary = await this.vocabulary(document);
    try {
      if (context.kind === "metric") {
        const functions = engine.PROMQL_FUNCTIONS.map((f) => {
          const item = new vscode.CompletionItem({ label: f.name, description: f.kind }, vscode.CompletionItemKind.Function);
          item.detail = f.signature;
          item.documentation = f.description;
          item.range = range;
          return item;
        });
        const metrics = (await vocabulary?.metricNames(signal)) ?? [];
        return [...metrics.map((m) => Object.assign(new vscode.CompletionItem(m, vscode.CompletionItemKind.Field), { range })), ...functions];
      }
      if (context.kind === "labelName") {
        const names = (await vocabulary?.labelNames(context.metric, signal)) ?? [];
        return names.map((n) => Object.assign(new vscode.CompletionItem(n, vscode.CompletionItemKind.Property), { range }));
      }
      const values = (await vocabulary?.labelValues(context.label, context.metric, signal)) ?? [];
      return values.map((v) => Object.assign(new vscode.CompletionItem(v, vscode.CompletionItemKind.Value), { range, insertText: engine.promqlString(v, context.quote) }));
    } catch (error) {
      // Completion is a help, not a report: an unreachable backend gives functions only, and a line in the log.
      if (!signal.aborted) this.ctx.log.warn(`PromQL completion: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const engine = await loadEngine();
    const text = document.getText();
    const offset = document.offsetAt(position);
    const hover = document.languageId === INSIGHTS_LANGUAGE ? engine.hoverInsights(text, offset, engine.NOTEBOOK_COMMANDS) : engine.promqlHover(text, offset);
    return hover ? new vscode.Hover(new vscode.MarkdownString(hover.markdown), rangeOf(document, hover.from, hover.to)) : undefined;
  }

  /** The names an insights cell may use: from prodinsights.yaml, and each model's versions from the last snapshot. */
  private async names(): Promise<CellNames> {
    const loaded = await this.workspace.get();
    if (loaded.status !== "ok") return { experiments: [], models: [], metrics: [], backends: [] };
    const { config } = loaded;
    const versions: Record<string, string[]> = {};
    for (const m of this.store.snapshot?.models ?? []) versions[m.name] = m.versions.map((v) => v.name);
    return { experiments: [...config.experiments.keys()], models: [...config.models.keys()], metrics: [...config.metrics.keys()], backends: [...config.backends.keys()], versions };
  }

  /** The vocabulary of the notebook's backend (its own, else the config's default); none for a logs backend. */
  private async vocabulary(document: vscode.TextDocument): Promise<PromVocabulary | undefined> {
    const loaded = await this.workspace.get();
    if (loaded.status !== "ok") return undefined;
    const name = settingsOf(notebookOf(document)?.metadata).backend ?? loaded.config.defaultBackend;
    let vocabulary = this.vocabularies.get(name);
    if (!vocabulary) {
      vocabulary = this.connect(loaded.config, name);
      this.vocabularies.set(name, vocabulary);
    }
    return vocabulary;
  }

  private async connect(config: Config, name: string): Promise<PromVocabulary | undefined> {
    const backend = config.backends.get(name);
    if (backend?.type !== "prometheus") return undefined;
    const engine = await loadEngine();
    try {
      return new engine.PromVocabulary(await engine.connectBackend(backend, this.secrets.lookup()));
    } catch (error) {
      this.vocabularies.delete(name); // e.g. a secret not set yet: try again next time
      this.ctx.log.warn(`PromQL completion: cannot connect to ${name}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
