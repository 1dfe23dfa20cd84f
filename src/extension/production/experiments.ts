/**
 * The experiments of prodinsights.yaml: the `ab` document of each one's first metric, as
 * `prodinsights ab` computes it from the experiment's backend, and its arms' exposures.
 * No `vscode` here.
 */
import type { ExperimentConfig } from "../../config/types";
import type { AbResult } from "../../core/results/ab";
import { abArgv, json, problemOf, type GatherContext } from "./context";
import { failureOf } from "./insights";
import type { ExperimentSnapshot } from "./types";

/** Units and share of each arm, in the document's order (the baseline first). */
export function armsOf(result: AbResult): ExperimentSnapshot["arms"] {
  const total = result.arms.reduce((s, a) => s + a.n, 0);
  return result.arms.map((a) => ({ name: a.name, units: a.n, share: total > 0 ? a.n / total : 0 }));
}

export async function gatherExperiment(ctx: GatherContext, experiment: ExperimentConfig): Promise<ExperimentSnapshot> {
  // The primary metric; a file that lists none falls back to the default, as the schema says.
  const metric = experiment.metrics[0] ?? "conversion";
  const base = { name: experiment.name, metric };
  const spelt = abArgv(ctx, experiment.name, metric);
  if ("error" in spelt) return { ...base, arms: [], problems: [{ message: spelt.error }] };
  const command = spelt.argv;
  try {
    const run = await ctx.insights(json(spelt.argv));
    if (run.code !== 0) return { ...base, command, arms: [], problems: [{ message: failureOf(run).replace(/^prodinsights ab: /, "") }] };
    const result = run.document as AbResult;
    const warnings = ((result as { source?: { warnings?: unknown } }).source?.warnings ?? []) as string[];
    return { ...base, command, arms: armsOf(result), result, problems: warnings.map((w) => ({ message: w })) };
  } catch (err) {
    return { ...base, command, arms: [], problems: [problemOf(err, "ab")] };
  }
}
