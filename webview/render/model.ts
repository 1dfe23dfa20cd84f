/**
 * The view model every report kind builds: plain data (text, tables, plotly traces and layouts),
 * no DOM. The kind modules build it from a result document; draw.ts turns it into elements. Keeping
 * this side DOM-free lets the tests check it in Node, including that every label is escaped.
 */
import type { ReportKind, RolloutAction } from "../../src/core/results/report";

/** How a piece of the report should read: mapped to VS Code theme colors by the drawing side. */
export type Tone = "neutral" | "good" | "bad" | "warning" | "info";

/** The colors and font a plot is drawn with, read from VS Code's CSS variables (plot.ts). */
export interface Theme {
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly good: string;
  readonly bad: string;
  readonly warning: string;
  readonly info: string;
  /** Colors for series that carry no meaning of their own, in order. */
  readonly series: readonly string[];
  readonly fontFamily: string;
  readonly fontSize: number;
  /** High-contrast themes: thicker lines and solid bands. */
  readonly highContrast: boolean;
}

/** VS Code's dark-theme chart colors; used where the CSS variables are missing (and in tests). */
export const DEFAULT_THEME: Theme = {
  foreground: "#cccccc",
  muted: "#9d9d9d",
  grid: "rgba(128, 128, 128, 0.25)",
  good: "#89d185",
  bad: "#f14c4c",
  warning: "#cca700",
  info: "#3794ff",
  series: ["#3794ff", "#d18616", "#b180d7", "#89d185", "#cca700", "#f14c4c"],
  fontFamily: "system-ui, sans-serif",
  fontSize: 13,
  highContrast: false,
};

/** The color of a tone in a theme. */
export function toneColor(theme: Theme, tone: Tone): string {
  switch (tone) {
    case "good":
      return theme.good;
    case "bad":
      return theme.bad;
    case "warning":
      return theme.warning;
    case "info":
      return theme.info;
    default:
      return theme.muted;
  }
}

/**
 * Text for plotly. Plotly reads a subset of HTML in every text it draws (names, tick labels,
 * hover text, annotations) and decodes entities, so `<`, `>` and `&` from data are escaped here:
 * the label then shows literally. Quotes need nothing: plotly never puts text in attributes.
 */
export function plotText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A plotly trace or layout as plain data; plot.ts hands it to plotly unchanged. */
export type PlotObject = { readonly [key: string]: unknown };

export interface PlotSpec {
  /** Stable within a report (tests and theme refreshes find plots by it). */
  readonly id: string;
  readonly traces: readonly PlotObject[];
  readonly layout: PlotObject;
  /** CSS pixels. */
  readonly height: number;
}

export interface TableColumn {
  readonly label: string;
  readonly align?: "left" | "right";
}

export interface TableRow {
  readonly cells: readonly string[];
  readonly tone?: Tone;
  /** Marks the row (the current step of a rollout, say). */
  readonly highlight?: boolean;
}

export interface ActionButton {
  readonly action: RolloutAction;
  readonly label: string;
  /** Secondary style for the less drastic actions. */
  readonly secondary: boolean;
}

/** One piece of a report, top to bottom. Every string is data-safe only through textContent. */
export type Block =
  | { readonly type: "heading"; readonly text: string }
  | { readonly type: "text"; readonly text: string; readonly tone?: Tone }
  | { readonly type: "banner"; readonly tone: Tone; readonly title: string; readonly text: string; readonly id?: string }
  | { readonly type: "badges"; readonly items: readonly { readonly label: string; readonly tone: Tone }[] }
  | {
      readonly type: "table";
      readonly id: string;
      readonly caption?: string;
      readonly columns: readonly TableColumn[];
      readonly rows: readonly TableRow[];
      /** The cell a row's tone colors (its verdict or level); the last one unless given. */
      readonly toneColumn?: number;
    }
  | { readonly type: "plot"; readonly plot: PlotSpec; readonly caption?: string }
  | { readonly type: "grid"; readonly blocks: readonly Block[] }
  | { readonly type: "progress"; readonly label: string; readonly value: number; readonly text: string }
  | { readonly type: "actions"; readonly buttons: readonly ActionButton[]; readonly note?: string }
  | { readonly type: "list"; readonly items: readonly string[]; readonly tone?: Tone }
  | { readonly type: "pre"; readonly text: string };

export interface ReportView {
  /** The document's kind, or "unknown". */
  readonly kind: ReportKind | "unknown";
  readonly title: string;
  /** The CLI command that gives the same document, and when the host made it. */
  readonly subtitle?: string;
  /** The headline: a verdict or a status, next to the title. */
  readonly status?: { readonly label: string; readonly tone: Tone };
  readonly blocks: readonly Block[];
}

/** Every plot of a view, in drawing order (grids flattened). */
export function plotsOf(blocks: readonly Block[]): PlotSpec[] {
  return blocks.flatMap((b) => (b.type === "plot" ? [b.plot] : b.type === "grid" ? plotsOf(b.blocks) : []));
}

/** A layout with the theme's font, grid and transparent background, merged with `extra`. */
export function themedLayout(theme: Theme, extra: PlotObject & { xaxis?: PlotObject; yaxis?: PlotObject }): PlotObject {
  const axis = (more: PlotObject | undefined): PlotObject => ({
    gridcolor: theme.grid,
    zerolinecolor: theme.muted,
    linecolor: theme.muted,
    automargin: true,
    ...(more ?? {}),
  });
  return {
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
    margin: { l: 8, r: 8, t: 32, b: 8 },
    legend: { orientation: "h", y: -0.2 },
    hoverlabel: { namelength: -1 },
    ...extra,
    xaxis: axis(extra.xaxis),
    yaxis: axis(extra.yaxis),
  };
}

/** A title object for a plot's layout, escaped. */
export function plotTitle(text: string): PlotObject {
  return { text: plotText(text), x: 0, xanchor: "left", font: { size: 13 } };
}

/** Line width for the theme: high contrast draws thicker. */
export function lineWidth(theme: Theme, base = 2): number {
  return theme.highContrast ? base + 1 : base;
}

/** A color with opacity, for interval bands: hex (#rgb, #rrggbb) or rgb() in, rgba() out. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(color.trim());
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join("") : hex[1]!;
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(color.trim());
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  return color;
}
