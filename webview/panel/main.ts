// The report panel app. It restores the last report from the webview state at once (so a reload
// or a restart shows it before the host answers), then says `ready`; the host sends nothing before
// that (a message to a webview that has not loaded is lost). Host messages and panel messages are
// the typed protocol of src/core/results/report.ts. No inline script, eval or innerHTML: the host's
// CSP allows this bundle by nonce and nothing else.
import "@vscode-elements/elements/dist/vscode-button/index.js";
import type { HostMessage, PanelMessage, PanelState, Report } from "../../src/core/results/report";
import { drawError, drawLoading } from "../render/draw";
import { renderReport } from "../render/index";
import { loadPlotly, watchTheme } from "../render/plot";

/** The part of the webview API that VS Code injects as a global (declared here: no types package). */
interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  getState(): unknown;
  setState<T>(state: T): T;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi(); // may be called only once per webview
const post = (message: PanelMessage): void => vscode.postMessage(message);
const app = document.getElementById("app") ?? document.body;

let current: Report | undefined;
/** Renders run one at a time, and only the newest pending one runs: a burst of `show`s draws once. */
let queued: Report | undefined;
let running: Promise<void> | undefined;

function refreshButton(): HTMLElement {
  const button = document.createElement("vscode-button");
  button.setAttribute("secondary", "");
  button.textContent = "Refresh";
  button.dataset["action"] = "refresh";
  button.addEventListener("click", () => post({ type: "action", action: "refresh" }));
  return button;
}

function show(report: Report): void {
  current = report;
  queued = report;
  if (running) return;
  running = (async () => {
    while (queued) {
      const next = queued;
      queued = undefined;
      await renderReport(next, app, { post, toolbar: [refreshButton()] });
    }
  })().finally(() => (running = undefined));
}

function isHostMessage(data: unknown): data is HostMessage {
  if (typeof data !== "object" || data === null) return false;
  const m = data as { type?: unknown; report?: unknown; text?: unknown; message?: unknown };
  return (
    (m.type === "show" && typeof m.report === "object" && m.report !== null) ||
    (m.type === "loading" && typeof m.text === "string") ||
    (m.type === "error" && typeof m.message === "string")
  );
}

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) return;
  switch (message.type) {
    case "show":
      vscode.setState<PanelState>({ report: message.report });
      show(message.report);
      break;
    case "loading":
      // Keep the last report's state: a reload while loading shows it again.
      queued = undefined;
      drawLoading(app, message.text);
      break;
    case "error": {
      queued = undefined;
      drawError(app, message.message, current ? refreshRow() : undefined);
      break;
    }
  }
});

/** Under an error banner: a way to try again. */
function refreshRow(): HTMLElement {
  const row = document.createElement("div");
  row.className = "pi-actions";
  row.append(refreshButton());
  return row;
}

watchTheme(() => {
  if (current) show(current);
});

const restored = vscode.getState() as PanelState | undefined;
if (restored?.report) show(restored.report);
else drawLoading(app, "Waiting for the report…");
post({ type: "ready" });
// Plotly is most of the panel's code: start loading it while the host computes the report.
void loadPlotly().catch(() => undefined);
