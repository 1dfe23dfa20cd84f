/**
 * Child process of bench/drift.bench.ts: our side. Reads one JSONL log with `readPredictionLogs`
 * (baseline = first 7 days, current = last 7) and runs `analyzeDrift` on its features, timing the
 * whole job; then writes the histograms, counts, wall time and peak RSS as JSON.
 *
 * Usage: node ours.js <log.jsonl> <out.json>   (the bench bundles this file with esbuild first)
 */
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { analyzeDrift } from "../../src/core/drift/analyzeDrift";
import { readPredictionLogs } from "../../src/telemetry/logs/scan";
import { BASELINE, CURRENT, edgeOut, type CategoricalResult, type NumericResult, type Pair, type SideResult } from "./spec";

async function main(): Promise<void> {
  const [file, out] = process.argv.slice(2);
  if (!file || !out) throw new Error("usage: ours <log.jsonl> <out.json>");

  const t0 = performance.now();
  // As `prodinsights drift` reads logs: the features only, no series, experiments or releases.
  const logs = await readPredictionLogs({ paths: [file], baseline: { ...BASELINE }, current: { ...CURRENT }, summaries: [] });
  const t1 = performance.now();
  const drift = analyzeDrift(logs.features);
  const t2 = performance.now();
  const maxRssKb = process.resourceUsage().maxRSS;

  const numeric: Record<string, NumericResult> = {};
  const categorical: Record<string, CategoricalResult> = {};
  const notes: string[] = [];
  let rows: Pair = [0, 0];
  for (const s of logs.featureSummaries) {
    const r: Pair = [s.baseline + s.baselineMissing, s.current + s.currentMissing];
    if (rows[0] === 0 && rows[1] === 0) rows = r;
    else if (r[0] !== rows[0] || r[1] !== rows[1]) notes.push(`rows per window differ between features: ${s.name} has ${r.join("/")}, others ${rows.join("/")}`);
  }
  for (const f of logs.features) {
    const s = logs.featureSummaries.find((x) => x.name === f.name)!;
    const d = f.data;
    if (d.kind === "binned") {
      numeric[f.name] = { n: [s.baseline, s.current], edges: d.edges.map(edgeOut), baseline: [...d.baseline], current: [...d.current] };
    } else if (d.kind === "categorical") {
      const counts: Record<string, Pair> = {};
      d.categories.forEach((c, i) => (counts[c] = [d.baseline[i]!, d.current[i]!]));
      categorical[f.name] = { counts };
    } else {
      numeric[f.name] = { n: [s.baseline, s.current], edges: [], baseline: [], current: [] };
      notes.push(`${f.name}: raw samples (the windows fit in the reservoirs), no bins`);
    }
  }
  const drifted = drift.features.filter((f) => f.status === "ok" && f.level === "drift").map((f) => f.name);
  notes.push(`read ${logs.report.rowsRead.toLocaleString("en-US")} records, ${logs.report.rowsSkipped} skipped`);
  notes.push(`analyzeDrift: verdict ${drift.verdict}; drifted: ${drifted.join(", ") || "none"}`);
  const result: SideResult = {
    side: "ours",
    wallMs: t2 - t0,
    maxRssKb,
    phasesMs: { readPredictionLogs: t1 - t0, analyzeDrift: t2 - t1 },
    rows,
    numeric,
    categorical,
    notes,
  };
  writeFileSync(out, JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
