import type * as vscode from "vscode";
import { App } from "./app";
import { registerCommands } from "./commands";
import { ExtensionContextHolder } from "./context";

let holder: ExtensionContextHolder | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  holder = new ExtensionContextHolder(context);
  registerCommands(new App(holder));
  // Activation must stay cheap (STYLE §6); the number in the log keeps us honest.
  holder.log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {
  holder?.dispose();
  holder = undefined;
}
