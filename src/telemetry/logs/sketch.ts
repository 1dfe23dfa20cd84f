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

/** The upper bound of each bucket, by ordinal (the last is +Infinity): a value's bucket is the first whose bound it does not exceed. */
const UPPER = Float64Array.from({ length: SKETCH_BUCKETS }, (_, o) => {
  if (o < R) return -pow(KMAX - o);
  if (o === R) return 0;
  if (o === 2 * R) return Infinity;
  return pow(o - R - 1 + KMIN);
});

/** The first ordinal whose upper bound is at least v, by binary search: exact, and used to build the tables below. */
function searchBucket(v: number): number {
  let lo = 0;
  let hi = 2 * R;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= UPPER[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * bucketOf by table rather than by logarithm. A positive double's binary exponent and the top
 * SLICE_BITS bits of its mantissa (the high bits of its high word) name a slice of the number line
 * 1/64 wide in relative terms, narrower than a bucket (2%), so the slice holds at most one bucket
 * bound: the bucket of the slice's lowest value, then one comparison with that bucket's bound.
 * Exponents from E_MIN to E_MAX cover the unclamped range 1e-9 to 1e15 and some more; magnitudes
 * outside it are clamped anyway. Twice as fast as the logarithm it replaces, and exact by
 * construction, so the buckets are the same.
 */
const SLICE_BITS = 6;
const E_MIN = -31; // 2^-31 < γ^(KMIN-1)
const E_MAX = 51; // 2^52 > γ^(KMAX+1)
const SLICES = (E_MAX - E_MIN + 1) << SLICE_BITS;
/** The high word's bits above the slice, for the lowest slice. */
const FIRST_SLICE = (E_MIN + 1023) << SLICE_BITS;
/** The lowest magnitude outside the zero bucket. */
const MIN_MAGNITUDE = pow(KMIN);
/** The bucket of each slice's lowest value, for positive values (POSITIVE) and negative ones (NEGATIVE, at the slice's lowest magnitude at or above MIN_MAGNITUDE). */
const POSITIVE = new Int16Array(SLICES);
const NEGATIVE = new Int16Array(SLICES);
for (let e = E_MIN; e <= E_MAX; e++) {
  for (let j = 0; j < 1 << SLICE_BITS; j++) {
    const lowest = 2 ** e * (1 + j / (1 << SLICE_BITS));
    const slice = ((e - E_MIN) << SLICE_BITS) + j;
    POSITIVE[slice] = searchBucket(lowest);
    NEGATIVE[slice] = searchBucket(-Math.max(lowest, MIN_MAGNITUDE));
  }
}
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
/** The word holding the sign, the exponent and the mantissa's top 20 bits: the second on little-endian machines. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The slice of a positive finite magnitude: below 0 under 2^E_MIN, SLICES or more from 2^(E_MAX+1). */
function sliceOf(magnitude: number): number {
  float[0] = magnitude;
  return (words[HI]! >>> (20 - SLICE_BITS)) - FIRST_SLICE;
}

/**
 * The bucket ordinal of a finite value, ascending with the value: negative buckets first (the most
 * negative at 0), the zero bucket at R, positive buckets after it. The value lies in
 * (UPPER[o - 1], UPPER[o]].
 */
export function bucketOf(v: number): number {
  if (v > 0) {
    const slice = sliceOf(v);
    if (slice < 0) return R + 1; // clamped into the lowest positive bucket
    if (slice >= SLICES) return 2 * R;
    const o = POSITIVE[slice]!;
    return v > UPPER[o]! ? o + 1 : o;
  }
  if (v > -MIN_MAGNITUDE) return R; // zero bucket: (-γ^KMIN, 0]
  const slice = sliceOf(-v);
  if (slice >= SLICES) return 0;
  const o = NEGATIVE[slice]!;
  return o > 0 && v <= UPPER[o - 1]! ? o - 1 : o;
}

/** The upper bound of a bucket (the lower bound of the next); +Infinity for the last. */
export function upperBound(ordinal: number): number {
  return UPPER[ordinal]!;
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
