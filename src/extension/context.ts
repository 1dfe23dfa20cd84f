import * as vscode from "vscode";

/**
 * The one context of the extension (STYLE §4, after rust-analyzer's `ctx.ts`): everything that
 * needs cleanup is registered here and disposed together, in reverse order.
 */
export class ExtensionContextHolder implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = this.register(vscode.window.createOutputChannel("Production Insights", { log: true }));
    // VS Code disposes subscriptions on deactivation even if `deactivate` is never reached.
    extension.subscriptions.push(this);
  }

  /** Tracks `disposable`; one that arrives after disposal (e.g. from a slow async step) is disposed at once. */
  register<T extends vscode.Disposable>(disposable: T): T {
    if (this.disposed) disposable.dispose();
    else this.disposables.push(disposable);
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Reverse order: later registrations may still log to the channel created first.
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch (error) {
        console.error("Production Insights: dispose failed", error);
      }
    }
  }
}
