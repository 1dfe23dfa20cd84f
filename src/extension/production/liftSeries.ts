/**
 * The cumulative lift of an experiment over time, for the experiment report: the same `ab`
 * analysis over growing windows (from the report's start to each of a few evenly spaced ends), the
 * relative lift of each arm with its interval at each end. Prometheus answers each window with a
 * couple of queries over counters, so the history costs a few reads, not a scan.
 * No `vscode` here.
 */
import type { AbResult } from "../../core/results/ab";
import type { AbLiftSeries } from "../../core/results/report";
import type { InsightsRun } from "./insights";

/** How many points the chart gets. */
export const LIFT_POINTS = 8;

/** `points` windows that all start at `start` and end evenly spaced up to `end`. */
export function cumulativeWindows(start: number, end: number, points = LIFT_POINTS): Array<{ readonly end: number; readonly range: string }> {
  const step = (end - start) / points;
  return Array.from({ length: points }, (_, i) => {
    const to = i === points - 1 ? end : Math.round(start + step * (i + 1));
    return { end: to, range: `${new Date(start).toISOString()}..${new Date(to).toISOString()}` };
  });
}

/** Each arm's relative lift at each window's end; a window with too little data adds no point. */
export function liftSeries(results: ReadonlyArray<{ readonly t: number; readonly result: AbResult }>): AbLiftSeries[] {
  const byArm = new Map<string, Array<AbLiftSeries["points"][number]>>();
  for (const { t, result } of results) {
    for (const c of result.comparisons) {
      if (c.verdict === "insufficient-data" || c.relative.status !== "ok") continue;
      const points = byArm.get(c.arm) ?? [];
      points.push({ t, estimate: c.relative.estimate, ci: c.relative.ci });
      byArm.set(c.arm, points);
    }
  }
  return [...byArm].map(([arm, points]) => ({ arm, points: points.sort((a, b) => a.t - b.t) }));
}

/** The window an `ab --json` document was read over (its source stamp's `range`), or undefined. */
export function documentRange(document: unknown): { start: number; end: number } | undefined {
  const range = (document as { source?: { range?: unknown } })?.source?.range;
  if (typeof range !== "string") return undefined;
  const [from, to] = range.split("..").map((s) => Date.parse(s));
  return from !== undefined && to !== undefined && Number.isFinite(from) && Number.isFinite(to) && to > from ? { start: from, end: to } : undefined;
}

/**
 * The lift series of the `ab` run `argv` (with `--config`, over a metrics backend): the analysis
 * again over each cumulative window of the document's range. Runs that fail add no point.
 */
export async function abLiftSeries(argv: readonly string[], document: unknown, run: (argv: string[]) => Promise<InsightsRun>): Promise<AbLiftSeries[]> {
  const range = documentRange(document);
  if (!range) return [];
  const without = stripFlag(argv, "--range");
  const windows = cumulativeWindows(range.start, range.end);
  const runs = await Promise.all(windows.map(async (w) => ({ t: w.end, run: await run([...without, "--range", w.range, "--json"]) })));
  return liftSeries(runs.filter((r) => r.run.code === 0 && r.run.document !== undefined).map((r) => ({ t: r.t, result: r.run.document as AbResult })));
}

/** `argv` without `flag` and its value. */
function stripFlag(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) i++;
    else if (argv[i] !== "--json") out.push(argv[i]!);
  }
  return out;
}
