// Notebook renderer entry: draws an output item of MIME type application/vnd.prodinsights.<kind>+json
// with the same renderer module as the report panels. VS Code loads it as an ES module and calls
// `activate` (STYLE §9). The minimal renderer API is declared here instead of adding the
// vscode-notebook-renderer types.
import { clearPlots } from "../render/draw";
import { renderReport } from "../render/index";
import { reportOf } from "./output";

interface OutputItem {
  readonly id: string;
  readonly mime: string;
  json(): unknown;
  text(): string;
}

interface RendererContext {
  readonly workspace: { readonly isTrusted: boolean };
}

interface RendererApi {
  renderOutputItem(item: OutputItem, element: HTMLElement, signal: AbortSignal): void | Promise<void>;
  disposeOutputItem?(id?: string): void;
}

type ActivationFunction = (context: RendererContext) => RendererApi | undefined | Promise<RendererApi | undefined>;

function fallback(item: OutputItem, element: HTMLElement, error: unknown): void {
  const pre = document.createElement("pre");
  pre.textContent = `Cannot read ${item.mime} output: ${String(error)}\n\n${item.text()}`; // never innerHTML: labels come from production traffic
  element.replaceChildren(pre);
}

const elements = new Map<string, HTMLElement>();

export const activate: ActivationFunction = () => ({
  async renderOutputItem(item, element, signal) {
    let json: unknown;
    try {
      json = item.json();
    } catch (error) {
      fallback(item, element, error);
      return;
    }
    if (signal.aborted) return;
    elements.set(item.id, element);
    await renderReport(reportOf(item.mime, json), element);
  },
  disposeOutputItem(id) {
    const ids = id === undefined ? [...elements.keys()] : [id];
    for (const key of ids) {
      const element = elements.get(key);
      elements.delete(key);
      if (element) void clearPlots(element);
    }
  },
});
