/**
 * View model → DOM. Text goes in through textContent only; the vscode-* components give tables,
 * buttons, badges and the progress bar the editor's look. Plots are drawn last, after the rest of
 * the report is on screen.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-bar/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import "@vscode-elements/elements/dist/vscode-table/index.js";
import "@vscode-elements/elements/dist/vscode-table-body/index.js";
import "@vscode-elements/elements/dist/vscode-table-cell/index.js";
import "@vscode-elements/elements/dist/vscode-table-header/index.js";
import "@vscode-elements/elements/dist/vscode-table-header-cell/index.js";
import "@vscode-elements/elements/dist/vscode-table-row/index.js";
import type { PanelMessage } from "../../src/core/results/report";
import { custom, el, ensureStyles } from "./dom";
import type { Block, ReportView, Tone } from "./model";
import { loadPlotly, PLOT_CONFIG } from "./plot";

export interface DrawContext {
  readonly post?: (message: PanelMessage) => void;
}

const toneClass = (tone: Tone | undefined): string => (tone ? `pi-tone-${tone}` : "");

/** Plot elements drawn into each report element, so that a redraw frees them first. */
const drawn = new WeakMap<HTMLElement, HTMLElement[]>();

function table(b: Extract<Block, { type: "table" }>): HTMLElement {
  const t = custom("vscode-table");
  t.setAttribute("zebra", "");
  t.setAttribute("bordered-rows", "");
  t.setAttribute("resizable", "");
  t.dataset["table"] = b.id;
  // Column widths in proportion to their longest text (capped), so that short columns stay
  // narrow and the reasons get the room; a cell cut short shows in full in its tooltip.
  const widths = b.columns.map((c, i) => Math.min(48, Math.max(4, c.label.length, ...b.rows.map((r) => (r.cells[i] ?? "").length))));
  const total = widths.reduce((a, w) => a + w, 0);
  (t as HTMLElement & { columns: string[] }).columns = widths.map((w) => `${((100 * w) / total).toFixed(2)}%`);
  const header = custom("vscode-table-header");
  header.setAttribute("slot", "header");
  for (const c of b.columns) header.append(custom("vscode-table-header-cell", c.align === "right" ? "pi-right" : "", c.label));
  const body = custom("vscode-table-body");
  body.setAttribute("slot", "body");
  const toneAt = b.toneColumn ?? b.columns.length - 1;
  for (const r of b.rows) {
    const row = custom("vscode-table-row", r.highlight ? "pi-row-highlight" : "");
    r.cells.forEach((text, i) => {
      const classes = [b.columns[i]?.align === "right" ? "pi-right" : "", i === toneAt && r.tone ? `pi-toned ${toneClass(r.tone)}` : ""].filter((c) => c).join(" ");
      const cell = custom("vscode-table-cell", classes, text);
      if (text.length > 12) cell.title = text;
      row.append(cell);
    });
    body.append(row);
  }
  t.append(header, body);
  return el("div", "pi-block pi-table", undefined, [...(b.caption ? [el("div", "pi-caption", b.caption)] : []), t]);
}

function block(b: Block, plots: { element: HTMLElement; plot: Extract<Block, { type: "plot" }>["plot"] }[], ctx: DrawContext): HTMLElement {
  switch (b.type) {
    case "heading":
      return el("h3", "", b.text);
    case "text":
      return el("p", `pi-text ${toneClass(b.tone)}`, b.text);
    case "banner": {
      const banner = el("div", `pi-banner ${toneClass(b.tone)}`, undefined, [el("strong", "", b.title), el("span", "", b.text)]);
      banner.setAttribute("role", b.tone === "bad" ? "alert" : "status");
      if (b.id) banner.dataset["banner"] = b.id;
      return banner;
    }
    case "badges":
      return el("div", "pi-block", undefined, b.items.map((i) => custom("vscode-badge", `pi-status ${toneClass(i.tone)}`, i.label)));
    case "table":
      return table(b);
    case "plot": {
      const element = el("div", "pi-plot");
      element.style.height = `${b.plot.height}px`; // CSSOM, which a CSP without 'unsafe-inline' allows
      element.dataset["plot"] = b.plot.id;
      plots.push({ element, plot: b.plot });
      return el("div", "pi-block", undefined, [element, ...(b.caption ? [el("p", "pi-caption", b.caption)] : [])]);
    }
    case "grid":
      return el("div", "pi-block pi-grid", undefined, b.blocks.map((x) => block(x, plots, ctx)));
    case "progress": {
      const bar = custom("vscode-progress-bar");
      (bar as HTMLElement & { value: number; max: number }).max = 1;
      (bar as HTMLElement & { value: number; max: number }).value = b.value;
      bar.setAttribute("aria-label", b.label);
      return el("div", "pi-block pi-progress", undefined, [el("span", "", b.label), bar, el("span", "pi-caption", b.text)]);
    }
    case "actions": {
      const buttons = b.buttons.map((btn) => {
        const button = custom("vscode-button", "", btn.label);
        if (btn.secondary) button.setAttribute("secondary", "");
        button.dataset["action"] = btn.action;
        button.addEventListener("click", () => ctx.post?.({ type: "action", action: btn.action }));
        return button;
      });
      return el("div", "pi-block pi-actions", undefined, [...buttons, ...(b.note ? [el("span", "pi-caption", b.note)] : [])]);
    }
    case "list":
      return el("ul", `pi-list ${toneClass(b.tone)}`, undefined, b.items.map((i) => el("li", "", i)));
    case "pre":
      return el("pre", "pi-pre", b.text);
  }
}

/** The report's header: title, status badge, the reproducing command; `toolbar` goes on the right. */
function header(view: ReportView, toolbar: readonly HTMLElement[]): HTMLElement {
  const parts: HTMLElement[] = [el("h2", "", view.title)];
  if (view.status) {
    const badge = custom("vscode-badge", `pi-status ${toneClass(view.status.tone)}`, view.status.label);
    badge.dataset["status"] = view.status.tone;
    parts.push(badge);
  }
  if (toolbar.length > 0) parts.push(el("div", "pi-toolbar", undefined, [...toolbar]));
  if (view.subtitle) parts.push(el("div", "pi-subtitle", view.subtitle));
  return el("header", "pi-header", undefined, parts);
}

/** Frees the plots an earlier draw left in `element`. */
export async function clearPlots(element: HTMLElement): Promise<void> {
  const old = drawn.get(element);
  if (!old || old.length === 0) return;
  drawn.delete(element);
  const plotly = await loadPlotly().catch(() => undefined);
  for (const p of old) plotly?.purge(p);
}

/**
 * Draws `view` into `element` (replacing what was there) and resolves once every plot is drawn.
 * `toolbar` elements (the panel's Refresh button) go into the header.
 */
export async function drawView(view: ReportView, element: HTMLElement, ctx: DrawContext, toolbar: readonly HTMLElement[] = []): Promise<void> {
  ensureStyles(element);
  await clearPlots(element);
  const plots: { element: HTMLElement; plot: Extract<Block, { type: "plot" }>["plot"] }[] = [];
  const body = view.blocks.map((b) => block(b, plots, ctx));
  const root = el("div", `pi-report pi-kind-${view.kind}`, undefined, [header(view, toolbar), ...body]);
  element.replaceChildren(root);
  if (plots.length === 0) return;
  drawn.set(element, plots.map((p) => p.element));
  const plotly = await loadPlotly();
  await Promise.all(plots.map((p) => plotly.newPlot(p.element, p.plot.traces, p.plot.layout, PLOT_CONFIG)));
}

/** A progress ring with text, while the host computes a report. */
export function drawLoading(element: HTMLElement, text: string): void {
  ensureStyles(element);
  const ring = custom("vscode-progress-ring");
  ring.setAttribute("aria-label", text);
  element.replaceChildren(el("div", "pi-report", undefined, [el("div", "pi-loading", undefined, [ring, el("span", "", text)])]));
}

/** An error banner; `keep` (the last report) stays below it. */
export function drawError(element: HTMLElement, message: string, keep?: Node): void {
  ensureStyles(element);
  const banner = el("div", "pi-banner pi-tone-bad", undefined, [el("strong", "", "The report could not be made"), el("span", "", message)]);
  banner.setAttribute("role", "alert");
  banner.dataset["banner"] = "error";
  element.replaceChildren(el("div", "pi-report", undefined, [banner, ...(keep ? [keep] : [])]));
}
