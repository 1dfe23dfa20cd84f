/**
 * The one entry for drawing a report, shared by the panel app and the notebook renderer:
 * report → view model (build.ts, pure) → DOM and plotly (draw.ts).
 */
import type { PanelMessage, Report } from "../../src/core/results/report";
import { buildReportView } from "./build";
import { drawView } from "./draw";
import type { Theme } from "./model";
import { readTheme } from "./plot";

export interface RenderOptions {
  /** Where `rendered`, `action` and `error` messages go (the panel's postMessage); none in a notebook. */
  readonly post?: (message: PanelMessage) => void;
  /** Defaults to the theme read from VS Code's CSS variables now. */
  readonly theme?: Theme;
  /** Elements for the header's right side (the panel's Refresh button). */
  readonly toolbar?: readonly HTMLElement[];
}

/**
 * Draws `report` into `element`, replacing its content. Resolves when every chart is drawn, after
 * posting `rendered` with the time it took. A failure (plotly did not load, a document in an
 * unexpected shape) shows in the element and is posted as `error`; it does not reject.
 */
export async function renderReport(report: Report, element: HTMLElement, options: RenderOptions = {}): Promise<void> {
  const started = performance.now();
  const view = buildReportView(report, options.theme ?? readTheme());
  try {
    await drawView(view, element, { ...(options.post ? { post: options.post } : {}) }, options.toolbar ?? []);
    options.post?.({ type: "rendered", kind: view.kind, ms: Math.round(performance.now() - started) });
  } catch (error) {
    const message = `Cannot draw the ${view.kind} report: ${error instanceof Error ? error.message : String(error)}`;
    const banner = document.createElement("div");
    banner.className = "pi-banner pi-tone-bad";
    banner.setAttribute("role", "alert");
    banner.textContent = message;
    element.prepend(banner);
    options.post?.({ type: "error", message });
  }
}
