/**
 * The cells a new notebook starts with, named after what prodinsights.yaml holds: a PromQL query,
 * then the analyses of its first experiment and model, each spelt for the backend it reads. No
 * `vscode` here.
 */
import type { Config } from "../../config/types";
import { INSIGHTS_LANGUAGE, PROMQL_LANGUAGE } from "./cells";
import { type CellData, DEFAULT_RANGE, type NotebookFileData } from "./notebookFile";

const markdown = (source: string): CellData => ({ kind: "markdown", language: "markdown", source, outputs: [] });
const promql = (source: string): CellData => ({ kind: "code", language: PROMQL_LANGUAGE, source, outputs: [] });
const insights = (source: string): CellData => ({ kind: "code", language: INSIGHTS_LANGUAGE, source, outputs: [] });

/** A word as a shell (and an insights cell) reads it back. */
const quote = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

const INTRO =
  "# Production notebook\n\n" +
  "Each code cell asks production one question. **PromQL** cells query the notebook's backend over its time range; " +
  "**Insights** cells hold `prodinsights` commands without the `prodinsights`. " +
  "Set the range and the backend from the toolbar; every output is stamped with them, the config's hash and the git commit.";

export function starterNotebook(config: Config | undefined): NotebookFileData {
  const cells: CellData[] = [markdown(INTRO)];
  const backend = config?.backends.get(config.defaultBackend);
  if (!config || backend?.type === "prometheus") cells.push(promql("sum by (version) (rate(model_requests_total[5m]))"));
  const logs = backend?.type === "logs" ? backend.paths.map((p) => `--logs ${quote(p)}`).join(" ") : undefined;
  const experiment = config ? [...config.experiments.keys()][0] : undefined;
  if (experiment) cells.push(insights(logs ? `ab --experiment ${quote(experiment)} ${logs}` : `ab ${quote(experiment)}`));
  const model = config ? [...config.models.keys()][0] : undefined;
  if (model) {
    cells.push(insights(logs ? `drift --model ${quote(model)} ${logs} --baseline -14d..-7d --current -1d..now` : `drift ${quote(model)} --baseline -14d..-7d --current -1d..now`));
    cells.push(insights(logs ? `jumps --model ${quote(model)} --metric error_rate ${logs}` : `jumps error_rate --model ${quote(model)}`));
  }
  cells.push(insights("sample-size --baseline 0.1 --mde 0.01"));
  return { metadata: { range: DEFAULT_RANGE }, cells };
}
