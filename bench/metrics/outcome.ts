/**
 * What each side of a report is reduced to for the comparison: the analysis' inputs as named
 * counts (compared within increase()'s extrapolation), its verdicts as named strings (compared
 * exactly), and p-values and the like, printed side by side but not compared.
 */
import type { AbArmInput } from "../../src/core/ab/armStats";
import type { FeatureInput } from "../../src/core/drift/inputs";
import type { MetricSeries, ReleaseEvent } from "../../src/core/jumps/inputs";
import type { AbResult } from "../../src/core/results/ab";
import type { DriftResult } from "../../src/core/results/drift";
import type { JumpsResult } from "../../src/core/results/jumps";

export interface Outcome {
  readonly counts: ReadonlyMap<string, number>;
  readonly verdicts: ReadonlyMap<string, string>;
  readonly notes: ReadonlyMap<string, number>;
}

/** Counts agree within 0.5% relative, or within 1 (both sides round extrapolated counts). */
export const COUNT_TOLERANCE = 0.005;

const iso = (ms: number): string => new Date(ms).toISOString().replace(":00.000Z", "Z");

export function abOutcome(arms: readonly AbArmInput[], result: AbResult): Outcome {
  const counts = new Map<string, number>();
  for (const a of arms) {
    if ("trials" in a) {
      counts.set(`${a.name} units`, a.trials);
      counts.set(`${a.name} successes`, a.successes);
    } else {
      counts.set(`${a.name} n`, a.n);
      counts.set(`${a.name} sum`, a.sum);
      counts.set(`${a.name} sum of squares`, a.sumSquares);
    }
  }
  const verdicts = new Map<string, string>([
    ["verdict", result.verdict],
    ["winner", result.winner ?? "none"],
    ["srm", result.srm.status === "ok" ? (result.srm.flagged ? "flagged" : "ok") : result.srm.status],
  ]);
  const notes = new Map<string, number>();
  for (const c of result.comparisons) {
    verdicts.set(`${c.arm} vs ${c.baseline}`, c.verdict);
    if (c.verdict !== "insufficient-data") notes.set(`p ${c.arm} vs ${c.baseline}`, c.pValue);
  }
  return { counts, verdicts, notes };
}

export function driftOutcome(features: readonly FeatureInput[], result: DriftResult): Outcome {
  const counts = new Map<string, number>();
  const verdicts = new Map<string, string>([["verdict", result.verdict]]);
  for (const f of features) {
    const d = f.data;
    if (d.kind === "numeric") throw new Error(`drift: ${f.name} has raw samples; the bench expects histograms`);
    verdicts.set(`${f.name} bins`, d.kind === "binned" ? d.edges.join(" ") : d.categories.join(" "));
    d.baseline.forEach((c, i) => counts.set(`${f.name} baseline[${i}]`, c));
    d.current.forEach((c, i) => counts.set(`${f.name} current[${i}]`, c));
  }
  const notes = new Map<string, number>();
  for (const f of result.features) {
    verdicts.set(`${f.name} level`, f.status === "ok" ? f.level : f.status);
    if (f.status === "ok") notes.set(`${f.name} ${f.method}`, f.pValue ?? f.score);
  }
  return { counts, verdicts, notes };
}

export function jumpsOutcome(series: MetricSeries, releases: readonly ReleaseEvent[], result: JumpsResult): Outcome {
  const counts = new Map<string, number>();
  const verdicts = new Map<string, string>();
  for (const p of series.points) {
    const at = iso(p.t);
    counts.set(`${at} n`, p.n);
    if (p.successes !== undefined) counts.set(`${at} successes`, p.successes);
    if (p.histogram && p.n > 0) {
      verdicts.set("histogram edges", p.histogram.edges.join(" "));
      p.histogram.counts.forEach((c, i) => counts.set(`${at} bin ${i}`, c));
    }
  }
  for (const r of releases) verdicts.set(`release ${r.version}`, iso(r.t));
  const notes = new Map<string, number>();
  for (const j of result.jumps) {
    verdicts.set(`jump ${j.version}`, j.status === "ok" ? (j.significant ? `significant, ${j.direction}` : "not significant") : j.status);
    if (j.status === "ok") notes.set(`p ${j.version}`, j.adjustedPValue);
  }
  notes.set("change points", result.changePoints.status === "ok" ? result.changePoints.points.length : NaN);
  return { counts, verdicts, notes };
}

export interface Comparison {
  readonly problems: string[];
  /** What was compared, in a sentence. */
  readonly checked: string;
  /** Both sides' verdicts and notes, for the log. */
  readonly shown: string[];
}

export function compareOutcomes(ours: Outcome, naive: Outcome): Comparison {
  const problems: string[] = [];
  let maxRel = 0;
  let maxAbs = 0;
  for (const key of new Set([...ours.counts.keys(), ...naive.counts.keys()])) {
    const a = ours.counts.get(key);
    const b = naive.counts.get(key);
    if (a === undefined || b === undefined) {
      problems.push(`${key}: only on the ${a === undefined ? "naive" : "our"} side`);
      continue;
    }
    const diff = Math.abs(a - b);
    const rel = diff / Math.max(1, Math.abs(b));
    maxAbs = Math.max(maxAbs, diff);
    if (diff > 1) maxRel = Math.max(maxRel, rel);
    if (diff > 1 && rel > COUNT_TOLERANCE) problems.push(`${key}: ours ${a}, naive ${b} (${(rel * 100).toFixed(2)}%)`);
  }
  let sameVerdicts = 0;
  for (const key of new Set([...ours.verdicts.keys(), ...naive.verdicts.keys()])) {
    const a = ours.verdicts.get(key);
    const b = naive.verdicts.get(key);
    if (a !== b) problems.push(`${key}: ours ${a ?? "(none)"}, naive ${b ?? "(none)"}`);
    else sameVerdicts++;
  }
  const shown = [...ours.verdicts]
    .filter(([k]) => !/ bins$|^histogram edges$/.test(k))
    .map(([k, v]) => `${k}: ${v}${naive.verdicts.get(k) === v ? "" : ` / naive ${naive.verdicts.get(k) ?? "(none)"}`}`);
  const fmt = (x: number | undefined): string => (x === undefined ? "-" : Number.isInteger(x) ? String(x) : x.toPrecision(3));
  for (const [k, v] of ours.notes) shown.push(`${k}: ${fmt(v)} / naive ${fmt(naive.notes.get(k))}`);
  const checked =
    `${ours.counts.size} counts (largest difference ${maxAbs.toPrecision(3)}` +
    `${maxRel > 0 ? `, ${(maxRel * 100).toPrecision(2)}% relative` : ""}; tolerance ${COUNT_TOLERANCE * 100}% or 1) and ${sameVerdicts} verdicts`;
  return { problems, checked, shown };
}
