// Report panel app, shell only: result renderers (one per result kind, shared with the notebook
// renderer) and the typed message protocol land with the extension issue.
// Import the one component used, not the whole library, to keep the bundle small.
import "@vscode-elements/elements/dist/vscode-label/index.js";

/** The part of the webview API that VS Code injects as a global (declared here: no types package). */
interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  getState(): unknown;
  setState<T>(state: T): T;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Panel → extension messages; `ready` is the handshake after which the host sends bootstrap state. */
type PanelMessage = { type: "ready" };

const vscode = acquireVsCodeApi(); // may be called only once per webview

const label = document.createElement("vscode-label");
label.textContent = "Production Insights report";
(document.getElementById("app") ?? document.body).replaceChildren(label);

vscode.postMessage({ type: "ready" });
