/**
 * Sticky, deterministic assignment of units (users, sessions) to model versions and experiment
 * arms, as PlanOut does it (Bakshy, Eckles & Bernstein, WWW 2014): the SHA-1 of `salt.unit`, its
 * first 15 hex digits as an integer, modulo 10,000 buckets. The same unit always lands in the same
 * bucket of a salt, and different salts are independent of each other.
 *
 * Experiments live in layers (Tang et al., "Overlapping Experiment Infrastructure", KDD 2010): a
 * request is in at most one experiment per layer, chosen by the layer's own hash, and experiments
 * in different layers overlap independently.
 */
import { createHash } from "node:crypto";

export const BUCKETS = 10_000;

/** The unit's bucket in [0, 10,000) for `salt`. */
export function bucketOf(salt: string, unit: string): number {
  const hex = createHash("sha1").update(`${salt}.${unit}`).digest("hex").slice(0, 15);
  // 15 hex digits are 60 bits: above 2^53, so take the remainder in two exact parts.
  const high = parseInt(hex.slice(0, 7), 16);
  const low = parseInt(hex.slice(7), 16);
  return ((high % BUCKETS) * (2 ** 32 % BUCKETS) + low) % BUCKETS;
}

export interface Weighted {
  readonly name: string;
  /** A share of traffic in percent; the shares of a list sum to 100. */
  readonly weight: number;
}

/** Checks that `items` can split traffic: names unique, weights >= 0 summing to 100 (to 1e-9). */
export function checkWeights(what: string, items: readonly Weighted[]): void {
  if (items.length === 0) throw new Error(`${what}: needs at least one entry`);
  const names = new Set<string>();
  for (const { name, weight } of items) {
    if (names.has(name)) throw new Error(`${what}: '${name}' is listed twice`);
    names.add(name);
    if (!(Number.isFinite(weight) && weight >= 0)) throw new Error(`${what}: the weight of '${name}' must be a percentage >= 0, got ${weight}`);
  }
  const total = items.reduce((s, i) => s + i.weight, 0);
  if (Math.abs(total - 100) > 1e-9) throw new Error(`${what}: the weights sum to ${total}, not 100`);
}

/**
 * The entry whose share of the 10,000 buckets holds `bucket`, the shares laid out in list order
 * from bucket 0. So a canary listed after the stable version grows from the top: raising its
 * weight only moves units from the stable version to it, never back.
 */
export function pickByWeight<T extends Weighted>(bucket: number, items: readonly T[]): T {
  let upper = 0;
  for (const item of items) {
    upper += (item.weight / 100) * BUCKETS;
    if (bucket < Math.round(upper)) return item;
  }
  // Rounding left the last bucket(s) unclaimed: they belong to the last entry with weight.
  return [...items].reverse().find((i) => i.weight > 0) ?? items[items.length - 1]!;
}

/** The version a unit gets, from the model's versions and weights; the model's name salts the hash. */
export function assignVersion<T extends Weighted>(model: string, versions: readonly T[], unit: string): T {
  // All traffic on one version, the usual state between rollouts: no hash needed to say which.
  const sole = versions.find((v) => v.weight === 100);
  if (sole) return sole;
  return pickByWeight(bucketOf(`model:${model}`, unit), versions);
}

export interface LayerExperiment {
  readonly name: string;
  /** The experiment's share of the layer's traffic, in percent; the shares of a layer sum to at most 100. */
  readonly share: number;
  readonly arms: readonly Weighted[];
}

export interface Layer {
  readonly name: string;
  readonly experiments: readonly LayerExperiment[];
}

export interface Assignment {
  readonly layer: string;
  readonly experiment: string;
  readonly arm: string;
}

/**
 * The experiments a unit is in, at most one per layer: the layer's hash picks an experiment by
 * share (or none, in the layer's unused share), and the experiment's own hash picks the arm.
 */
export function assignExperiments(layers: readonly Layer[], unit: string): Assignment[] {
  const out: Assignment[] = [];
  for (const layer of layers) {
    const bucket = bucketOf(`layer:${layer.name}`, unit);
    let upper = 0;
    for (const experiment of layer.experiments) {
      upper += (experiment.share / 100) * BUCKETS;
      if (bucket < Math.round(upper)) {
        const arm = pickByWeight(bucketOf(`experiment:${experiment.name}`, unit), experiment.arms);
        out.push({ layer: layer.name, experiment: experiment.name, arm: arm.name });
        break;
      }
    }
  }
  return out;
}

/** Checks a layer list: names unique across layers and experiments, shares within 100, arms valid. */
export function checkLayers(layers: readonly Layer[]): void {
  const layerNames = new Set<string>();
  const experimentNames = new Set<string>();
  for (const layer of layers) {
    if (layerNames.has(layer.name)) throw new Error(`layers: '${layer.name}' is listed twice`);
    layerNames.add(layer.name);
    let share = 0;
    for (const e of layer.experiments) {
      if (experimentNames.has(e.name)) throw new Error(`layers: experiment '${e.name}' is in more than one place`);
      experimentNames.add(e.name);
      if (!(Number.isFinite(e.share) && e.share > 0)) throw new Error(`layer '${layer.name}': experiment '${e.name}' needs a share above 0 percent, got ${e.share}`);
      share += e.share;
      checkWeights(`experiment '${e.name}' arms`, e.arms);
    }
    if (share > 100 + 1e-9) throw new Error(`layer '${layer.name}': its experiments' shares sum to ${share}, above 100`);
  }
}
