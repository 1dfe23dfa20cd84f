/**
 * Bounded summaries of a stream of numbers.
 *
 * `LogSketch` counts values in fixed log-spaced buckets whose bounds grow by γ = 1.0202 (1%
 * relative accuracy, as DDSketch's; Masson, Rim & Lee 2019), mirrored for negative values, with a
 * zero bucket. Magnitudes are clamped to [1e-9, 1e15], so a sketch never has more than
 * `SKETCH_BUCKETS` (5,533) buckets whatever it is fed. Every bucket is (lower, upper] like a
 * Prometheus `le` bucket, so bins made by joining adjacent buckets count exactly what the drift
 * input type says they count.
 */

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
 * ln v for a positive finite v, to within 5e-4 (a fortieth of a bucket): the float's binary
 * exponent times ln 2, plus ln of its mantissa from a table over the mantissa's top 10 bits, taken
 * at each slice's midpoint. About three times as fast as Math.log, and a scan takes one per value;
 * bucketOf corrects the last step exactly, so the approximation never moves a value's bucket.
 */
const MANTISSA_BITS = 10;
const LN_MANTISSA = Float64Array.from({ length: 1 << MANTISSA_BITS }, (_, j) => Math.log1p((j + 0.5) / (1 << MANTISSA_BITS)));
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
/** The word holding the sign, the exponent and the mantissa's top 20 bits: the second on little-endian machines. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
function lnApprox(v: number): number {
  float[0] = v;
  const hi = words[HI]!;
  return ((hi >>> 20) - 1023) * Math.LN2 + LN_MANTISSA[(hi >>> (20 - MANTISSA_BITS)) & ((1 << MANTISSA_BITS) - 1)]!;
}

/**
 * The bucket ordinal of a finite value, ascending with the value: negative buckets first (the most
 * negative at 0), the zero bucket at R, positive buckets after it.
 */
export function bucketOf(v: number): number {
  if (v > 0) {
    let k = Math.ceil(lnApprox(v) / LN_GAMMA);
    if (k < KMIN - 1) return R + 1;
    if (k > KMAX + 1) return 2 * R;
    // Correct a rounding of the logarithm so that γ^(k-1) < v <= γ^k holds exactly.
    if (v > pow(k)) k++;
    else if (v <= pow(k - 1)) k--;
    return R + 1 + (Math.min(KMAX, Math.max(KMIN, k)) - KMIN);
  }
  const a = -v;
  if (a < pow(KMIN)) return R; // zero bucket: (-γ^KMIN, 0]
  let k = Math.floor(lnApprox(a) / LN_GAMMA);
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


/**
 * The raw values of one feature and window while they are few enough to keep: up to `cap`, after
 * which it only counts. A window that overflows is summarised by its sketch instead, so a sample of
 * it would never be used.
 */
export class RawValues {
  private values = new Float64Array(16);
  private size = 0;
  /** Values offered so far. */
  seen = 0;

  constructor(readonly cap: number) {}

  add(v: number): void {
    if (this.seen++ >= this.cap) return;
    if (this.size === this.values.length) {
      const grown = new Float64Array(Math.min(this.cap, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = v;
  }

  get length(): number {
    return this.size;
  }

  /** Whether every value offered is kept. */
  get complete(): boolean {
    return this.seen === this.size;
  }

  /** The values kept, in the order they came. */
  kept(): Float64Array {
    return this.values.slice(0, this.size);
  }
}
