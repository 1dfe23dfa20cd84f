/**
 * Bounded summaries of a stream of numbers.
 *
 * `LogSketch` counts values in fixed log-spaced buckets whose bounds grow by γ = 1.0202 (1%
 * relative accuracy, as DDSketch's; Masson, Rim & Lee 2019), mirrored for negative values, with a
 * zero bucket. Magnitudes are clamped to [1e-9, 1e15], so a sketch never has more than
 * `SKETCH_BUCKETS` (5,533) buckets whatever it is fed. Every bucket is (lower, upper] like a
 * Prometheus `le` bucket, so bins made by joining adjacent buckets count exactly what the drift
 * input type says they count.
 *
 * `Reservoir` keeps a uniform sample of at most `cap` values (Vitter's algorithm R) with a seeded
 * generator, so the same input gives the same sample.
 */

import { seededUniform } from "../../core/stats/random";

const ALPHA = 0.01;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LN_GAMMA = Math.log(GAMMA);
const KMIN = Math.floor(Math.log(1e-9) / LN_GAMMA);
const KMAX = Math.ceil(Math.log(1e15) / LN_GAMMA);
/** Buckets per sign. */
const R = KMAX - KMIN + 1;
export const SKETCH_BUCKETS = 2 * R + 1;
/** γ^k for k in [KMIN - 2, KMAX + 2], so bucket bounds are exact table values. */
const POW = Float64Array.from({ length: R + 4 }, (_, i) => Math.pow(GAMMA, KMIN - 2 + i));
const pow = (k: number): number => POW[k - KMIN + 2]!;

/**
 * The bucket ordinal of a finite value, ascending with the value: negative buckets first (the most
 * negative at 0), the zero bucket at R, positive buckets after it.
 */
export function bucketOf(v: number): number {
  if (v > 0) {
    let k = Math.ceil(Math.log(v) / LN_GAMMA);
    if (k < KMIN - 1) return R + 1;
    if (k > KMAX + 1) return 2 * R;
    // Correct a rounding of the logarithm so that γ^(k-1) < v <= γ^k holds exactly.
    if (v > pow(k)) k++;
    else if (v <= pow(k - 1)) k--;
    return R + 1 + (Math.min(KMAX, Math.max(KMIN, k)) - KMIN);
  }
  const a = -v;
  if (a < pow(KMIN)) return R; // zero bucket: (-γ^KMIN, 0]
  let k = Math.floor(Math.log(a) / LN_GAMMA);
  if (k > KMAX + 1) return 0;
  // γ^k <= a < γ^(k+1), i.e. v in (-γ^(k+1), -γ^k]
  if (a < pow(k)) k--;
  else if (a >= pow(k + 1)) k++;
  return KMAX - Math.min(KMAX, Math.max(KMIN, k));
}

/** The upper bound of a bucket (the lower bound of the next); +Infinity for the last. */
export function upperBound(ordinal: number): number {
  if (ordinal < R) return -pow(KMAX - ordinal);
  if (ordinal === R) return 0;
  if (ordinal === 2 * R) return Infinity;
  return pow(ordinal - R - 1 + KMIN);
}

/** The lower bound of a bucket; -Infinity for the first. */
export function lowerBound(ordinal: number): number {
  return ordinal === 0 ? -Infinity : upperBound(ordinal - 1);
}

export class LogSketch {
  private counts: Float64Array | undefined;
  n = 0;
  /** Lowest and highest occupied ordinals. */
  lo = SKETCH_BUCKETS;
  hi = -1;

  add(v: number): void {
    const o = bucketOf(v);
    (this.counts ??= new Float64Array(SKETCH_BUCKETS))[o]! += 1;
    this.n++;
    if (o < this.lo) this.lo = o;
    if (o > this.hi) this.hi = o;
  }

  count(ordinal: number): number {
    return this.counts ? this.counts[ordinal]! : 0;
  }
}

export interface Bins {
  readonly edges: number[];
  readonly baseline: number[];
  readonly current: number[];
}

/**
 * Shared bins for two windows with edges at the baseline's quantiles 1/bins, …, (bins-1)/bins
 * (within the sketch's 1%), each edge a bucket bound, so both windows' counts are exact. Ties fold
 * bins together: a feature with three values gets at most three bins. The outer edges are the
 * bounds of the outermost occupied buckets of either window (infinite only for clamped values).
 */
export function binsFromSketches(baseline: LogSketch, current: LogSketch, bins: number): Bins {
  const lo = Math.min(baseline.lo, current.lo);
  const hi = Math.max(baseline.hi, current.hi);
  if (hi < lo) return { edges: [], baseline: [], current: [] };
  const cuts: number[] = [];
  const n = baseline.n;
  let cum = 0;
  let q = 1;
  for (let o = lo; o <= hi && q < bins && n > 0; o++) {
    cum += baseline.count(o);
    while (q < bins && cum * bins >= q * n) {
      // No cut at the baseline's top bucket: a bin with no baseline values would break PSI.
      if (o < baseline.hi && cuts[cuts.length - 1] !== o) cuts.push(o);
      q++;
    }
  }
  const edges = [lowerBound(lo), ...cuts.map(upperBound), upperBound(hi)];
  const base = new Array<number>(cuts.length + 1).fill(0);
  const cur = new Array<number>(cuts.length + 1).fill(0);
  let bin = 0;
  for (let o = lo; o <= hi; o++) {
    base[bin]! += baseline.count(o);
    cur[bin]! += current.count(o);
    if (bin < cuts.length && o === cuts[bin]) bin++;
  }
  return { edges, baseline: base, current: cur };
}


/** FNV-1a of a string, to derive per-feature seeds. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class Reservoir {
  private values = new Float64Array(16);
  private size = 0;
  /** Values offered so far. */
  seen = 0;
  private readonly random: () => number;

  constructor(
    readonly cap: number,
    seed: number,
  ) {
    this.random = seededUniform(seed);
  }

  add(v: number): void {
    this.seen++;
    if (this.size < this.cap) {
      if (this.size === this.values.length) {
        const grown = new Float64Array(Math.min(this.cap, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.size++] = v;
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.cap) this.values[j] = v;
  }

  get length(): number {
    return this.size;
  }

  /** Whether every value offered is in the sample. */
  get complete(): boolean {
    return this.seen === this.size;
  }

  sample(): Float64Array {
    return this.values.slice(0, this.size);
  }
}
