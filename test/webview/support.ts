// Shared by the webview tests: fixtures (documents the CLI printed, see fixtures/README.md) and a
// walk over every string a view model hands to plotly.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Report, ReportDocument } from "../../src/core/results/report";
import { plotsOf, type ReportView } from "../../webview/render/model";

export const HOSTILE = `<img src=x onerror=alert(1)>&"'`;

export function fixture<T = ReportDocument>(name: string): T {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", `${name}.json`), "utf8")) as T;
}

export function report(document: unknown, more: Partial<Report> = {}): Report {
  return { title: "test", document: document as ReportDocument, at: Date.UTC(2026, 10, 27), ...more };
}

/** Every string in a value, depth first. */
export function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

/** Every string of every plot (traces and layouts) of a view. */
export function plotStrings(view: ReportView): string[] {
  return plotsOf(view.blocks).flatMap((p) => [...strings(p.traces), ...strings(p.layout)]);
}

/** A string plotly may render: no tag opener, no bare `&` (only the entities plotText writes). */
export function isPlotSafe(s: string): boolean {
  return !/[<>]/.test(s.replace(/<extra><\/extra>/g, "")) && !/&(?!amp;|lt;|gt;)/.test(s);
}

/** Every table cell text of a view, grids included. */
export function cells(view: ReportView, id?: string): string[][] {
  const tables = view.blocks.flatMap((b) => (b.type === "table" && (id === undefined || b.id === id) ? [b] : []));
  return tables.flatMap((t) => t.rows.map((r) => [...r.cells]));
}
