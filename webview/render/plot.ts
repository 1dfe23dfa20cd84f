/**
 * Plotly, loaded on first use (a separate chunk, so the panel paints before it arrives), and the
 * theme's colors read from VS Code's CSS variables so that charts follow light, dark and
 * high-contrast themes.
 */
import { DEFAULT_THEME, withAlpha, type PlotObject, type Theme } from "./model";

/** The part of plotly used here. */
export interface Plotly {
  newPlot(element: HTMLElement, data: readonly PlotObject[], layout: PlotObject, config: PlotObject): Promise<unknown>;
  purge(element: HTMLElement): void;
}

/** Interactive (hover, zoom) but without plotly's logo and cloud links. */
export const PLOT_CONFIG: PlotObject = {
  staticPlot: false,
  displaylogo: false,
  responsive: true,
  displayModeBar: "hover",
  modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud"],
};

let loading: Promise<Plotly> | undefined;

/**
 * Plotly adds its CSS rules (modebar, hover labels) to a <style id="plotly.js-style-global"> it
 * creates without a nonce, which a CSP without 'unsafe-inline' blocks. Created here first, with the
 * nonce of the page's own script, plotly finds it and inserts its rules through the CSSOM.
 */
function preparePlotlyStyles(): void {
  const id = "plotly.js-style-global";
  if (document.getElementById(id)) return;
  const nonce = document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce;
  const style = document.createElement("style");
  style.id = id;
  if (nonce) style.nonce = nonce;
  style.append(document.createTextNode(""));
  document.head.append(style);
}

export function loadPlotly(): Promise<Plotly> {
  if (!loading) preparePlotlyStyles();
  loading ??= import("plotly.js-dist-min").then((module) => {
    const m = module as unknown as Partial<Plotly> & { default?: Plotly };
    const plotly = m.default ?? (m as Plotly);
    if (typeof plotly.newPlot !== "function") throw new Error("plotly did not load");
    return plotly;
  });
  loading.catch(() => (loading = undefined)); // a failed load may be retried
  return loading;
}

export function isHighContrast(body: HTMLElement = document.body): boolean {
  return body.classList.contains("vscode-high-contrast") || body.classList.contains("vscode-high-contrast-light");
}

/** The theme now, from the CSS variables VS Code sets on the webview's body. */
export function readTheme(from: HTMLElement = document.body): Theme {
  const css = getComputedStyle(from);
  const v = (fallback: string, ...names: string[]): string => {
    for (const name of names) {
      const value = css.getPropertyValue(name).trim();
      if (value) return value;
    }
    return fallback;
  };
  const light = document.body.classList.contains("vscode-light") || document.body.classList.contains("vscode-high-contrast-light");
  const highContrast = isHighContrast();
  const foreground = v(light ? "#333333" : DEFAULT_THEME.foreground, "--vscode-editor-foreground", "--vscode-foreground");
  const muted = v(light ? "#717171" : DEFAULT_THEME.muted, "--vscode-descriptionForeground");
  const blue = v(DEFAULT_THEME.info, "--vscode-charts-blue");
  const red = v(DEFAULT_THEME.bad, "--vscode-charts-red");
  const green = v(DEFAULT_THEME.good, "--vscode-charts-green");
  const yellow = v(DEFAULT_THEME.warning, "--vscode-charts-yellow");
  const orange = v("#d18616", "--vscode-charts-orange");
  const purple = v("#b180d7", "--vscode-charts-purple");
  const size = parseFloat(v(String(DEFAULT_THEME.fontSize), "--vscode-font-size"));
  return {
    foreground,
    muted,
    grid: highContrast ? v(muted, "--vscode-contrastBorder") : withAlpha(muted, 0.25),
    good: green,
    bad: red,
    warning: yellow,
    info: blue,
    series: [blue, orange, purple, green, yellow, red],
    fontFamily: v(DEFAULT_THEME.fontFamily, "--vscode-font-family"),
    fontSize: Number.isFinite(size) && size > 0 ? size : DEFAULT_THEME.fontSize,
    highContrast,
  };
}

/** Calls `onChange` when VS Code switches the theme (it swaps the body's classes); returns a stop function. */
export function watchTheme(onChange: () => void): () => void {
  let last = document.body.className;
  const observer = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    onChange();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}
