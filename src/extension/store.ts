import * as vscode from "vscode";
import type { ProductionSnapshot } from "./production/types";
import type { ExtensionContextHolder } from "./context";
import { loadEngine } from "./loadEngine";
import type { GatewaySecrets } from "./secrets";
import type { WorkspaceConfig, WorkspaceConfigWatcher } from "./workspace";

export type ViewId = "prodInsights.experiments" | "prodInsights.models" | "prodInsights.monitors";

/**
 * The latest snapshot of production, for the views, lenses, hovers and status bar. Refreshes never
 * overlap (a refresh asked for during one joins it), run at the configured interval only while a
 * Production Insights view is visible, and can be cancelled.
 */
export class ProductionStore implements vscode.Disposable {
  private latest: ProductionSnapshot | undefined;
  private running: { promise: Promise<void>; cancel: vscode.CancellationTokenSource } | undefined;
  /** The reason for a refresh to run once the one in progress ends. */
  private again: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly visible = new Set<string>();
  private readonly changed = new vscode.EventEmitter<{ previous?: ProductionSnapshot; current: ProductionSnapshot }>();
  readonly onDidChange = this.changed.event;
  private disposed = false;

  constructor(
    private readonly ctx: ExtensionContextHolder,
    private readonly workspace: WorkspaceConfigWatcher,
    private readonly secrets: GatewaySecrets,
  ) {
    ctx.register(this);
    ctx.register(this.changed);
    // These change what a refresh reads: one in progress read the old, so another follows it.
    ctx.register(workspace.onDidChange(() => void this.refresh("prodinsights.yaml changed", true)));
    ctx.register(secrets.onDidChange(() => void this.refresh("credentials changed", true)));
    ctx.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh("workspace trusted", true)));
    ctx.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration("prodInsights.refreshInterval")) this.schedule();
      }),
    );
  }

  get snapshot(): ProductionSnapshot | undefined {
    return this.latest;
  }

  /** A view's visibility; automatic refresh runs only while one is visible. */
  setVisible(view: ViewId, visible: boolean): void {
    const before = this.visible.size;
    if (visible) this.visible.add(view);
    else this.visible.delete(view);
    if (before === 0 && this.visible.size > 0) {
      // Shown again: catch up now if the snapshot is stale, then resume the interval.
      if (!this.latest || Date.now() - this.latest.at > intervalMs()) void this.refresh("view shown");
      else this.schedule();
    } else if (this.visible.size === 0) {
      this.stopTimer();
    }
  }

  /**
   * Gathers a new snapshot; joins the refresh in progress rather than starting a second one. With
   * `stale`, the one in progress read something that has changed since: a new one follows it.
   */
  refresh(reason: string, stale = false): Promise<void> {
    if (this.running) {
      if (stale) this.again = reason;
      return this.running.promise;
    }
    const cancel = new vscode.CancellationTokenSource();
    const promise = this.gather(reason, cancel.token).finally(() => {
      cancel.dispose();
      this.running = undefined;
      const again = this.again;
      this.again = undefined;
      if (again !== undefined && !this.disposed) void this.refresh(again);
      else this.schedule();
    });
    this.running = { promise, cancel };
    return promise;
  }

  /** Ensures there is a snapshot (for a lens or a command that needs one), without a second refresh. */
  async ensure(): Promise<ProductionSnapshot | undefined> {
    if (!this.latest) await this.refresh("first use");
    return this.latest;
  }

  private async gather(reason: string, token: vscode.CancellationToken): Promise<void> {
    const started = performance.now();
    const controller = new AbortController();
    const onCancel = token.onCancellationRequested(() => controller.abort());
    try {
      const loaded = await this.workspace.get();
      await vscode.commands.executeCommand("setContext", "prodInsights.hasConfig", loaded.status !== "none");
      if (loaded.status !== "ok") {
        await this.publish(undefined, loaded.status === "broken");
        return;
      }
      const trusted = vscode.workspace.isTrusted;
      const snapshot = await this.read(loaded, controller.signal, false);
      const extra = trusted ? [] : [{ message: "The workspace is not trusted: no credentials are sent, and rollout actions are off. Trust it to connect." }];
      const result = extra.length ? { ...snapshot, problems: [...extra, ...snapshot.problems] } : snapshot;
      if (this.disposed || controller.signal.aborted) return;
      this.ctx.log.info(`refreshed (${reason}) in ${Math.round(performance.now() - started)} ms: ${result.models.length} models, ${result.experiments.length} experiments, ${result.monitors.length} monitors${result.connected ? "" : ", gateway not connected"}`);
      for (const problem of result.problems) this.ctx.log.warn(problem.message);
      await this.publish(result, false);
    } catch (error) {
      this.ctx.log.error(`refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      onCancel.dispose();
    }
  }

  /** A snapshot of the rollout provider's routing only (for a rollout report), without publishing it. */
  async routing(signal: AbortSignal): Promise<ProductionSnapshot> {
    return this.read(await this.workspace.require(), signal, true);
  }

  private async read(loaded: Extract<WorkspaceConfig, { status: "ok" }>, signal: AbortSignal, routingOnly: boolean): Promise<ProductionSnapshot> {
    const engine = await loadEngine();
    // Restricted Mode: no credentials go to URLs that come from the workspace's file.
    const token = vscode.workspace.isTrusted ? await engine.resolveGatewayToken(loaded.config, { secret: await this.secrets.gatewayToken(), env: process.env, workspaceDir: loaded.folder }) : undefined;
    return engine.gatherSnapshot({
      configFile: loaded.file,
      config: loaded.config,
      ...(token ? { gatewayToken: token.token } : {}),
      secrets: this.secrets.lookup(),
      trusted: vscode.workspace.isTrusted,
      signal,
      routingOnly,
    });
  }

  private async publish(snapshot: ProductionSnapshot | undefined, broken: boolean): Promise<void> {
    const previous = this.latest;
    this.latest = snapshot;
    await vscode.commands.executeCommand("setContext", "prodInsights.connected", snapshot?.connected ?? false);
    await vscode.commands.executeCommand("setContext", "prodInsights.loaded", snapshot !== undefined || broken);
    if (snapshot) this.changed.fire({ ...(previous ? { previous } : {}), current: snapshot });
    else this.changed.fire({ current: emptySnapshot() });
  }

  private schedule(): void {
    this.stopTimer();
    if (this.disposed || this.visible.size === 0 || this.running) return;
    this.timer = setTimeout(() => void this.refresh("interval"), intervalMs());
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.stopTimer();
    this.running?.cancel.cancel();
  }
}

function intervalMs(): number {
  const seconds = vscode.workspace.getConfiguration("prodInsights").get<number>("refreshInterval", 30);
  return Math.max(5, Number.isFinite(seconds) ? seconds : 30) * 1000;
}

function emptySnapshot(): ProductionSnapshot {
  return { at: Date.now(), configFile: "", connected: false, models: [], experiments: [], monitors: [], problems: [] };
}
