/**
 * Element builders that set text only through textContent: labels come from production traffic
 * (arm names, feature names, versions) and are never parsed as HTML. Also the report stylesheet,
 * adopted as a constructed stylesheet, which a strict CSP allows without a nonce or a <style> tag.
 */

/** An element with classes and text; children are appended in order. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string, children: readonly Node[] = []): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  node.append(...children);
  return node;
}

/** A custom element (the vscode-* components) with classes, text and children. */
export function custom(tag: string, className?: string, text?: string, children: readonly Node[] = []): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  node.append(...children);
  return node;
}

const CSS = `
.pi-report { color: var(--vscode-editor-foreground, var(--vscode-foreground)); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); line-height: 1.45; max-width: 1200px; }
.pi-header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; margin: 4px 0 12px; }
.pi-header h2 { font-size: 1.35em; font-weight: 600; margin: 0; }
.pi-subtitle { flex-basis: 100%; color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family, monospace); font-size: 0.9em; overflow-wrap: anywhere; }
.pi-toolbar { margin-left: auto; display: flex; gap: 6px; }
.pi-report h3 { font-size: 1.1em; font-weight: 600; margin: 20px 0 8px; }
.pi-block { margin: 10px 0; }
.pi-text { margin: 8px 0; }
.pi-caption { color: var(--vscode-descriptionForeground); margin: 4px 0; font-size: 0.92em; }
.pi-banner { border: 1px solid var(--pi-tone-border, var(--vscode-contrastBorder, transparent)); border-left-width: 4px; background: var(--pi-tone-bg, transparent); padding: 8px 12px; margin: 10px 0; border-radius: 2px; }
.pi-banner strong { display: block; margin-bottom: 2px; }
.pi-list { margin: 8px 0; padding-left: 20px; }
.pi-list li { margin: 2px 0; }
.pi-pre { white-space: pre-wrap; overflow-wrap: anywhere; font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 12px); background: var(--vscode-textCodeBlock-background, transparent); padding: 8px; border-radius: 2px; max-height: 70vh; overflow: auto; }
.pi-plot { width: 100%; min-width: 0; }
.pi-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
.pi-table vscode-table-cell, .pi-table vscode-table-header-cell { overflow-wrap: anywhere; }
.pi-right { text-align: right; justify-content: flex-end; font-variant-numeric: tabular-nums; }
.pi-row-highlight { font-weight: 600; }
.pi-progress { display: grid; grid-template-columns: auto 1fr; align-items: center; gap: 4px 12px; }
.pi-progress vscode-progress-bar { min-width: 120px; background: var(--vscode-editorWidget-border, rgba(128, 128, 128, 0.3)); }
.pi-progress .pi-caption { grid-column: 1 / -1; }
.pi-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.pi-loading { display: flex; align-items: center; gap: 8px; margin: 12px 0; }
.pi-status { --vscode-badge-background: var(--pi-tone-bg-strong, var(--vscode-badge-background)); --vscode-badge-foreground: var(--pi-tone-fg-strong, var(--vscode-badge-foreground)); }
.pi-tone-good { --pi-tone: var(--vscode-charts-green, #388a34); --pi-tone-border: var(--vscode-charts-green, #388a34); --pi-tone-bg-strong: var(--vscode-charts-green, #388a34); --pi-tone-fg-strong: var(--vscode-editor-background, #fff); }
.pi-tone-bad { --pi-tone: var(--vscode-errorForeground, #f14c4c); --pi-tone-border: var(--vscode-inputValidation-errorBorder, #be1100); --pi-tone-bg: var(--vscode-inputValidation-errorBackground, transparent); --pi-tone-bg-strong: var(--vscode-charts-red, #f14c4c); --pi-tone-fg-strong: var(--vscode-editor-background, #fff); }
.pi-tone-warning { --pi-tone: var(--vscode-editorWarning-foreground, #cca700); --pi-tone-border: var(--vscode-inputValidation-warningBorder, #b89500); --pi-tone-bg: var(--vscode-inputValidation-warningBackground, transparent); --pi-tone-bg-strong: var(--vscode-charts-yellow, #cca700); --pi-tone-fg-strong: var(--vscode-editor-background, #000); }
.pi-tone-info { --pi-tone: var(--vscode-charts-blue, #3794ff); --pi-tone-border: var(--vscode-inputValidation-infoBorder, #007acc); --pi-tone-bg: var(--vscode-inputValidation-infoBackground, transparent); --pi-tone-bg-strong: var(--vscode-charts-blue, #3794ff); --pi-tone-fg-strong: var(--vscode-editor-background, #fff); }
.pi-tone-neutral { --pi-tone: var(--vscode-descriptionForeground); --pi-tone-border: var(--vscode-widget-border, var(--vscode-contrastBorder, #8884)); }
.pi-toned { color: var(--pi-tone); }
.pi-text.pi-tone-neutral { color: var(--vscode-descriptionForeground); }
.pi-text.pi-tone-bad, .pi-list.pi-tone-bad { color: var(--pi-tone); }
body.vscode-high-contrast .pi-banner, body.vscode-high-contrast-light .pi-banner { border-color: var(--vscode-contrastBorder); border-left-color: var(--pi-tone-border); }
`;

let sheet: CSSStyleSheet | undefined;

/** Adopts the report stylesheet into the document or shadow root that holds `node`, once. */
export function ensureStyles(node: Node): void {
  const root = node.getRootNode();
  const target = root instanceof ShadowRoot || root instanceof Document ? root : document;
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  if (!target.adoptedStyleSheets.includes(sheet)) target.adoptedStyleSheets = [...target.adoptedStyleSheets, sheet];
}
