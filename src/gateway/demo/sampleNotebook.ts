/**
 * The demo workspace's sample notebook, production.prodnb: the scenario's questions as notebook
 * cells (PromQL and `prodinsights` commands), spelt for the backend the demo has. Written in the
 * `.prodnb` format (src/extension/notebook/notebookFile.ts), which the tests read back with the
 * real reader and whose cells they parse with the CLI's grammar.
 */
import { driftWindows } from "./configFiles";
import type { Scenario } from "./scenarios";

interface SampleCell {
  readonly kind: "markdown" | "code";
  readonly language: string;
  readonly source: string;
}

const md = (source: string): SampleCell => ({ kind: "markdown", language: "markdown", source });
const promql = (source: string): SampleCell => ({ kind: "code", language: "promql", source });
const insights = (source: string): SampleCell => ({ kind: "code", language: "prodinsights", source });

export interface SampleNotebookOptions {
  /** The demo runs Prometheus: cells read it; else they read the prediction logs. */
  readonly prometheus: boolean;
  readonly logDir: string;
}

/** The versions a comparison is worth making on: the scenario's canary, or v3 against v2 in `all`. */
function comparison(scenario: Scenario): readonly [string, string] | undefined {
  if (scenario.canary) return [scenario.canary.candidate, scenario.canary.stable];
  return scenario.name === "all" ? ["v3", "v2"] : undefined;
}

export function sampleNotebook(scenario: Scenario, options: SampleNotebookOptions): string {
  const logs = `--logs '${options.logDir.replace(/\/+$/, "")}/predictions*.jsonl'`;
  const cells: SampleCell[] = [
    md(
      `# The demo's production: ${scenario.title}\n\n` +
        "Each code cell asks production one question. **PromQL** cells query the notebook's backend over its time range; " +
        "**Insights** cells hold `prodinsights` commands without the `prodinsights`. " +
        "Press **Run All**; the toolbar's **Set Time Range…** and **Set Backend…** change what the cells read. " +
        "Each output names its range, backend, config hash and git commit.",
    ),
  ];
  if (options.prometheus) cells.push(md("Requests a second, by model version: releases show as one version's traffic handing over to the next."), promql("sum by (version) (rate(model_requests_total[5m]))"));
  const drift = driftWindows(scenario);
  cells.push(
    md("Did the inputs drift between the first days and the last one?"),
    insights(options.prometheus ? `drift churn --baseline ${drift.baseline} --current ${drift.current}` : `drift ${logs} --model churn --baseline ${drift.baseline} --current ${drift.current}`),
    md("Did a release make the error rate jump?"),
    insights(options.prometheus ? "jumps error_rate --model churn" : `jumps ${logs} --model churn --metric error_rate`),
  );
  const pair = comparison(scenario);
  if (pair && options.prometheus) cells.push(md(`How does ${pair[0]} compare with ${pair[1]}?`), insights(`compare churn ${pair[0]} ${pair[1]}`));
  const exp = scenario.experiment;
  if (exp) {
    cells.push(
      md(`Did the ${exp.name} experiment win?`),
      insights(options.prometheus ? `ab ${exp.name}` : `ab --logs '${options.logDir.replace(/\/+$/, "")}/outcomes-conversion*.jsonl' --experiment ${exp.name}`),
      md("How many users would a test of half that lift need?"),
      insights(`sample-size --baseline ${exp.baselineConversion} --mde ${Number(((exp.baselineConversion * exp.lift) / 2).toPrecision(3))}`),
    );
  }
  const file = {
    prodinsights_notebook: 1,
    metadata: { range: `-${scenario.days}d..now` },
    cells: cells.map((c) => ({ kind: c.kind, language: c.language, source: c.source.split("\n"), ...(c.kind === "code" ? { outputs: [] } : {}) })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}
