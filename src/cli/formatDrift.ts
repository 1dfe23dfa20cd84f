import type { DriftResult } from "../core/results/drift";
import { count, decimal, percent, pValue, table } from "./format";

/** The readable drift summary: one row per feature, then the dataset verdict. */
export function formatDrift(result: DriftResult, heading: string): string {
  const rows: string[][] = [["feature", "method", "score", "p", "threshold", "level", "n baseline", "n current"]];
  for (const f of result.features) {
    if (f.status !== "ok") {
      rows.push([f.name, "", "", "", "", "insufficient data", count(f.n.baseline), count(f.n.current)]);
      continue;
    }
    rows.push([
      f.name,
      f.method,
      decimal(f.score, 3),
      f.pValue === undefined ? "" : pValue(f.pValue),
      `${f.comparedWith === "pValue" ? "p < " : "≥ "}${f.threshold}`,
      f.level === "drift" ? "DRIFT" : f.level,
      count(f.n.baseline),
      count(f.n.current),
    ]);
  }
  const lines = [heading, "", table(rows), ""];
  for (const f of result.features) if (f.status !== "ok") lines.push(`${f.name}: insufficient data (${f.reason}).`);
  lines.push(...result.warnings.map((w) => `Warning: ${w}`));
  const { drift, possible } = result.counts;
  lines.push(
    result.verdict === "insufficient-data"
      ? "Verdict: insufficient data: no feature could be tested."
      : `Verdict: ${result.verdict === "drift" ? "DATASET DRIFT" : result.verdict === "possible" ? "possible dataset drift" : "no dataset drift"}: ` +
          `${drift} of ${result.tested} features drifted (${percent(result.shareDrifted ?? 0, 0)}), ${possible} possibly; ` +
          `the dataset counts as drifted at ${percent(result.driftShare, 0)}.`,
  );
  return `${lines.join("\n")}\n`;
}
