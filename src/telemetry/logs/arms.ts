/**
 * Per-experiment, per-arm sufficient statistics for the A/B analysis. Rows are requests: a unit
 * that appears many times counts each time (deduplicating units would need memory in proportion to
 * the units, which the reader does not hold).
 *
 * Metrics per experiment (each only when some arm has data for it):
 * - `outcome_rate`: proportion; trials are rows with a 0/1 outcome, successes rows with outcome 1;
 * - `outcome_mean`: mean of numeric outcomes, when some outcome is not 0/1 (revenue, say);
 * - `error_rate`: proportion of rows with an error (lower is better);
 * - `latency_ms`: mean latency (lower is better);
 * - `prediction_mean`: mean of numeric predictions.
 */
import type { AbArmInput, MeanArmInput, ProportionArmInput } from "../../core/ab/armStats";
import type { PredictionRecord } from "./types";
import { armOrder } from "../../core/ab/armOrder";

interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
}
const moments = (): Moments => ({ n: 0, sum: 0, sumSquares: 0 });
function addMoment(m: Moments, v: number): void {
  m.n++;
  m.sum += v;
  m.sumSquares += v * v;
}

class ArmAcc {
  rows = 0;
  errors = 0;
  binaryTrials = 0;
  binarySuccesses = 0;
  nonBinary = 0;
  readonly outcome = moments();
  readonly latency = moments();
  readonly prediction = moments();
}

export interface ArmMetric {
  readonly name: "outcome_rate" | "outcome_mean" | "error_rate" | "latency_ms" | "prediction_mean";
  readonly kind: "proportion" | "mean";
  readonly direction: "higher" | "lower";
  /** The baseline arm first. */
  readonly arms: AbArmInput[];
}

export interface ExperimentArms {
  readonly experiment: string;
  /** Arm names, the baseline first: `baselineArm` if given, else "control" or "baseline", else the first by name. */
  readonly arms: readonly string[];
  /** Rows per arm (exposures), in the order of `arms`, for a sample-ratio check. */
  readonly exposures: readonly number[];
  readonly metrics: readonly ArmMetric[];
}

export interface ArmsOptions {
  readonly maxExperiments: number;
  readonly maxArms: number;
  readonly baselineArm?: string;
  readonly outcomeDirection: "higher" | "lower";
}

export class ArmsAggregator {
  private readonly experiments = new Map<string, Map<string, ArmAcc>>();
  /** Rows left out: of experiments or arms beyond the caps, or in an experiment without an arm. */
  droppedExperiments = 0;
  droppedArms = 0;
  withoutArm = 0;
  peakArms = 0;

  constructor(private readonly options: ArmsOptions) {}

  get experimentCount(): number {
    return this.experiments.size;
  }

  add(r: PredictionRecord): void {
    if (r.experiment === undefined) return;
    if (r.arm === undefined) {
      this.withoutArm++;
      return;
    }
    let arms = this.experiments.get(r.experiment);
    if (!arms) {
      if (this.experiments.size >= this.options.maxExperiments) {
        this.droppedExperiments++;
        return;
      }
      arms = new Map();
      this.experiments.set(r.experiment, arms);
    }
    let a = arms.get(r.arm);
    if (!a) {
      if (arms.size >= this.options.maxArms) {
        this.droppedArms++;
        return;
      }
      a = new ArmAcc();
      arms.set(r.arm, a);
      if (arms.size > this.peakArms) this.peakArms = arms.size;
    }
    a.rows++;
    if (r.error) a.errors++;
    if (r.outcome !== undefined) {
      addMoment(a.outcome, r.outcome);
      if (r.outcome === 0 || r.outcome === 1) {
        a.binaryTrials++;
        a.binarySuccesses += r.outcome;
      } else a.nonBinary++;
    }
    if (r.latencyMs !== undefined) addMoment(a.latency, r.latencyMs);
    if (typeof r.prediction === "number") addMoment(a.prediction, r.prediction);
  }

  finish(): ExperimentArms[] {
    const out: ExperimentArms[] = [];
    for (const name of [...this.experiments.keys()].sort()) {
      const arms = this.experiments.get(name)!;
      const order = armOrder([...arms.keys()], this.options.baselineArm);
      const accs = order.map((k) => arms.get(k)!);
      const proportion = (successes: (a: ArmAcc) => number, trials: (a: ArmAcc) => number): ProportionArmInput[] =>
        accs.map((a, i) => ({ name: order[i]!, successes: successes(a), trials: trials(a) }));
      const mean = (m: (a: ArmAcc) => Moments): MeanArmInput[] =>
        accs.map((a, i) => ({ name: order[i]!, n: m(a).n, sum: m(a).sum, sumSquares: m(a).sumSquares }));
      const metrics: ArmMetric[] = [];
      if (accs.some((a) => a.binaryTrials > 0)) {
        metrics.push({ name: "outcome_rate", kind: "proportion", direction: this.options.outcomeDirection, arms: proportion((a) => a.binarySuccesses, (a) => a.binaryTrials) });
      }
      if (accs.some((a) => a.nonBinary > 0)) {
        metrics.push({ name: "outcome_mean", kind: "mean", direction: this.options.outcomeDirection, arms: mean((a) => a.outcome) });
      }
      metrics.push({ name: "error_rate", kind: "proportion", direction: "lower", arms: proportion((a) => a.errors, (a) => a.rows) });
      if (accs.some((a) => a.latency.n > 0)) metrics.push({ name: "latency_ms", kind: "mean", direction: "lower", arms: mean((a) => a.latency) });
      if (accs.some((a) => a.prediction.n > 0)) metrics.push({ name: "prediction_mean", kind: "mean", direction: "higher", arms: mean((a) => a.prediction) });
      out.push({ experiment: name, arms: order, exposures: accs.map((a) => a.rows), metrics });
    }
    return out;
  }
}
