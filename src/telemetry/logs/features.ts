/**
 * Per-feature distributions in the two drift windows, in one bounded pass.
 *
 * Each feature (and the prediction) keeps, per window: a log-bucket sketch of its numbers, its first
 * `rawSampleCap` raw numbers, and counts of at most `maxCategories` categories
 * (the rest as "(other)"). At the end a feature is numeric when at least as many of its values were
 * numbers as categories; values of the other kind are left out and counted in a warning.
 *
 * A numeric feature becomes `kind: "numeric"` (raw samples, for an exact KS test) when every value
 * of both windows was kept, and `kind: "binned"` otherwise, with edges at the baseline's
 * quantiles (see binsFromSketches).
 */
import type { FeatureData, FeatureInput } from "../../core/drift/inputs";
import { binsFromSketches, LogSketch, RawValues } from "./sketch";
import type { FeatureSource, FeatureValue, FeatureVisitor, LogLimits } from "./types";

/** Positions remembered by the per-slot cache; rows wider than this use the map for the rest. */
const MAX_SLOTS = 256;

export const OTHER_CATEGORY = "(other)";
export const PREDICTION = "prediction";

class WindowAcc {
  readonly sketch = new LogSketch();
  readonly raw: RawValues;
  numbers = 0;
  labels = 0;

  constructor(cap: number) {
    this.raw = new RawValues(cap);
  }
}

class FeatureAcc {
  readonly windows: [WindowAcc, WindowAcc];
  /** Counts per category for both windows, so that "(other)" holds the same categories in each. */
  readonly categories = new Map<string, [number, number]>();

  constructor(
    readonly name: string,
    limits: LogLimits,
  ) {
    this.windows = [new WindowAcc(limits.rawSampleCap), new WindowAcc(limits.rawSampleCap)];
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

export class FeatureAggregator implements FeatureVisitor {
  private readonly features = new Map<string, FeatureAcc>();
  /** The feature names of the last row by position, and their accumulators (see `accumulator`). */
  private readonly slotNames: string[] = [];
  private readonly slotAccs: FeatureAcc[] = [];
  private slot = 0;
  /** Rows seen per window. */
  readonly rows: [number, number] = [0, 0];
  /** Values of features beyond `maxFeatures`, ignored. */
  dropped = 0;
  peakCategories = 0;

  constructor(private readonly limits: LogLimits) {}

  /** The most raw values kept for one feature and window (they only grow, so the peak is now). */
  get peakRawSample(): number {
    let peak = 0;
    for (const acc of this.features.values()) for (const w of acc.windows) peak = Math.max(peak, w.raw.length);
    return peak;
  }

  get featureCount(): number {
    return this.features.size;
  }

  /** Adds a row's features and prediction to window 0 (baseline) or 1 (current). */
  addRow(window: 0 | 1, features: FeatureSource, prediction: FeatureValue | undefined): void {
    this.rows[window]++;
    this.slot = 0;
    this.window = window;
    if (prediction !== undefined) this.add(window, PREDICTION, prediction);
    features.visit(this);
  }

  /** The window of the row being added, for `feature`. */
  private window: 0 | 1 = 0;

  /** FeatureVisitor: one value of the row being added. A feature named like the prediction is left out. */
  feature(name: string, value: FeatureValue): void {
    if (name !== PREDICTION) this.add(this.window, name, value);
  }

  /**
   * The accumulator of the row's `slot`-th value. Rows of one log nearly always list their features
   * in one order, so the accumulator of the same slot in the last row is checked first, before the
   * map: one string comparison instead of a hash lookup per value.
   */
  private accumulator(name: string): FeatureAcc | undefined {
    const slot = this.slot++;
    if (this.slotNames[slot] === name) return this.slotAccs[slot];
    let acc = this.features.get(name);
    if (!acc) {
      if (this.features.size >= this.limits.maxFeatures) return undefined;
      acc = new FeatureAcc(name, this.limits);
      this.features.set(name, acc);
    }
    if (slot < MAX_SLOTS) {
      this.slotNames[slot] = name;
      this.slotAccs[slot] = acc;
    }
    return acc;
  }

  private add(window: 0 | 1, name: string, value: FeatureValue): void {
    const acc = this.accumulator(name);
    if (!acc) {
      this.dropped++;
      return;
    }
    const w = acc.windows[window];
    if (typeof value === "number") {
      w.numbers++;
      w.sketch.add(value);
      w.raw.add(value);
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
        if (b.raw.complete && c.raw.complete) {
          data = { kind: "numeric", baseline: b.raw.kept(), current: c.raw.kept() };
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
