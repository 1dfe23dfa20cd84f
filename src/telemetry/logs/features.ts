/**
 * Per-feature distributions in the two drift windows, in one bounded pass.
 *
 * Each feature (and the prediction) keeps, per window: a log-bucket sketch of its numbers, a seeded
 * reservoir of at most `rawSampleCap` raw numbers, and counts of at most `maxCategories` categories
 * (the rest as "(other)"). At the end a feature is numeric when at least as many of its values were
 * numbers as categories; values of the other kind are left out and counted in a warning.
 *
 * A numeric feature becomes `kind: "numeric"` (raw samples, for an exact KS test) when every value
 * of both windows fits in its reservoir, and `kind: "binned"` otherwise, with edges at the baseline's
 * quantiles (see binsFromSketches).
 */
import type { FeatureData, FeatureInput } from "../../core/drift/inputs";
import { binsFromSketches, hashString, LogSketch, Reservoir } from "./sketch";
import type { FeatureValue, LogLimits } from "./types";

export const OTHER_CATEGORY = "(other)";
export const PREDICTION = "prediction";

class WindowAcc {
  readonly sketch = new LogSketch();
  readonly reservoir: Reservoir;
  numbers = 0;
  labels = 0;

  constructor(cap: number, seed: number) {
    this.reservoir = new Reservoir(cap, seed);
  }
}

class FeatureAcc {
  readonly windows: [WindowAcc, WindowAcc];
  /** Counts per category for both windows, so that "(other)" holds the same categories in each. */
  readonly categories = new Map<string, [number, number]>();

  constructor(
    readonly name: string,
    limits: LogLimits,
    seed: number,
  ) {
    const base = hashString(name, seed);
    this.windows = [new WindowAcc(limits.rawSampleCap, base), new WindowAcc(limits.rawSampleCap, base ^ 0x9e3779b9)];
  }
}

/** What the drift input does not say: counts per window, the kind chosen, and what was left out. */
export interface FeatureSummary {
  readonly name: string;
  readonly kind: "numeric" | "categorical";
  readonly data: FeatureData["kind"];
  /** Values used, per window. */
  readonly baseline: number;
  readonly current: number;
  /** Rows of the window without a usable value of this feature. */
  readonly baselineMissing: number;
  readonly currentMissing: number;
  /** Values of the other kind (text in a numeric feature, numbers in a categorical one), left out. */
  readonly mixed: number;
}

export class FeatureAggregator {
  private readonly features = new Map<string, FeatureAcc>();
  /** Rows seen per window. */
  readonly rows: [number, number] = [0, 0];
  /** Values of features beyond `maxFeatures`, ignored. */
  dropped = 0;
  peakRawSample = 0;
  peakCategories = 0;

  constructor(
    private readonly limits: LogLimits,
    private readonly seed: number,
  ) {}

  get featureCount(): number {
    return this.features.size;
  }

  /** Adds a row's features and prediction to window 0 (baseline) or 1 (current). */
  addRow(window: 0 | 1, features: ReadonlyArray<readonly [string, FeatureValue]>, prediction: FeatureValue | undefined): void {
    this.rows[window]++;
    if (prediction !== undefined) this.add(window, PREDICTION, prediction);
    for (const [name, value] of features) {
      if (name !== PREDICTION) this.add(window, name, value);
    }
  }

  private add(window: 0 | 1, name: string, value: FeatureValue): void {
    let acc = this.features.get(name);
    if (!acc) {
      if (this.features.size >= this.limits.maxFeatures) {
        this.dropped++;
        return;
      }
      acc = new FeatureAcc(name, this.limits, this.seed);
      this.features.set(name, acc);
    }
    const w = acc.windows[window];
    if (typeof value === "number") {
      w.numbers++;
      w.sketch.add(value);
      w.reservoir.add(value);
      if (w.reservoir.length > this.peakRawSample) this.peakRawSample = w.reservoir.length;
    } else {
      w.labels++;
      const cats = acc.categories;
      let counts = cats.get(value);
      if (!counts) {
        const key = cats.size < this.limits.maxCategories ? value : OTHER_CATEGORY;
        counts = cats.get(key) ?? [0, 0];
        cats.set(key, counts);
        if (cats.size > this.peakCategories) this.peakCategories = cats.size;
      }
      counts[window]++;
    }
  }

  /** The drift inputs, the prediction first, then features by name. */
  finish(): { inputs: FeatureInput[]; summaries: FeatureSummary[] } {
    const names = [...this.features.keys()].sort((a, b) => (a === PREDICTION ? -1 : b === PREDICTION ? 1 : a < b ? -1 : a > b ? 1 : 0));
    const inputs: FeatureInput[] = [];
    const summaries: FeatureSummary[] = [];
    for (const name of names) {
      const acc = this.features.get(name)!;
      const [b, c] = acc.windows;
      const numeric = b.numbers + c.numbers >= b.labels + c.labels;
      let data: FeatureData;
      if (numeric) {
        if (b.reservoir.complete && c.reservoir.complete) {
          data = { kind: "numeric", baseline: b.reservoir.sample(), current: c.reservoir.sample() };
        } else {
          const bins = binsFromSketches(b.sketch, c.sketch, this.limits.bins);
          data = { kind: "binned", edges: bins.edges, baseline: bins.baseline, current: bins.current };
        }
      } else {
        data = categorical(acc.categories);
      }
      inputs.push({ name, data });
      const used: [number, number] = numeric ? [b.numbers, c.numbers] : [b.labels, c.labels];
      summaries.push({
        name,
        kind: numeric ? "numeric" : "categorical",
        data: data.kind,
        baseline: used[0],
        current: used[1],
        baselineMissing: this.rows[0] - used[0],
        currentMissing: this.rows[1] - used[1],
        mixed: numeric ? b.labels + c.labels : b.numbers + c.numbers,
      });
    }
    return { inputs, summaries };
  }
}

/** Category counts in one order for both windows: by total count, then by name; "(other)" last. */
function categorical(counts: ReadonlyMap<string, readonly [number, number]>): FeatureData {
  const total = (k: string): number => counts.get(k)![0] + counts.get(k)![1];
  const categories = [...counts.keys()].sort((a, b) => {
    if (a === OTHER_CATEGORY || b === OTHER_CATEGORY) return a === OTHER_CATEGORY ? 1 : -1;
    return total(b) - total(a) || (a < b ? -1 : a > b ? 1 : 0);
  });
  return {
    kind: "categorical",
    categories,
    baseline: categories.map((k) => counts.get(k)![0]),
    current: categories.map((k) => counts.get(k)![1]),
  };
}
