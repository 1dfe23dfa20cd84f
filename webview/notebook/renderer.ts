// Notebook renderer entry, shell only: shows an output item's JSON until the per-kind result
// renderers land. VS Code loads it as an ES module and calls `activate` (STYLE §9).
// The minimal renderer API is declared here instead of adding the vscode-notebook-renderer types.

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

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, element) {
    let text: string;
    try {
      text = JSON.stringify(item.json(), null, 2);
    } catch (error) {
      text = `Cannot read ${item.mime} output: ${String(error)}\n\n${item.text()}`;
    }
    const pre = document.createElement("pre");
    pre.textContent = text; // never innerHTML: label values come from production traffic
    element.replaceChildren(pre);
  },
});
