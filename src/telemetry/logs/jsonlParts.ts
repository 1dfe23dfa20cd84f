/**
 * The parts of the JSONL fast path (jsonlScan.ts) that hold state between lines: the keys of the
 * last line by place, matched four bytes at a time; the cache of short strings; and the arenas rows'
 * feature values are written to. Each exists because a profile of the drift scan said so.
 */

export function asBuffer(bytes: Uint8Array): Buffer {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b;
}

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));

/** Whether b[at, at + bytes.length) holds `bytes`. Typed arrays on both sides: charCodeAt is slower. */
export function matches(b: Uint8Array, at: number, bytes: Uint8Array): boolean {
  const len = bytes.length;
  if (at + len > b.length) return false;
  for (let k = 0; k < len; k++) if (b[at + k] !== bytes[k]) return false;
  return true;
}

/** More keys in one `features` object than this go the JSON.parse way (the scratch arrays stay small). */
export const MAX_FEATURE_KEYS = 4096;

/**
 * Values per FeatureArena: rows' feature values are written one after another into an arena, and
 * a full arena is left to the rows that point into it, never written again. Numbers stay unboxed
 * (a boxed double per value was a tenth of the features' cost), and no array is made per row; the
 * other values (strings, booleans, null) go in order into a plain array beside them. A row that
 * does not fit moves to the next arena.
 */
export const ARENA_VALUES = 4 * MAX_FEATURE_KEYS;

export class FeatureArena {
  readonly numbers = new Float64Array(ARENA_VALUES);
  readonly others: unknown[] = [];
  /** Values in `numbers` and in `others` that rows hold. */
  used = 0;
  usedOthers = 0;

  /** A new arena holding what this one has from `base` and `otherBase` on: a row that ran out of room. */
  static moved(from: FeatureArena, base: number, count: number, otherBase: number, otherCount: number): FeatureArena {
    const to = new FeatureArena();
    to.numbers.set(from.numbers.subarray(base, base + count));
    for (let k = 0; k < otherCount; k++) to.others.push(from.others[otherBase + k]);
    return to;
  }
}

/**
 * Strings of at most MAX_CACHED bytes by their bytes, in a table of pairs of slots: a string is
 * looked for in its pair, and a new one takes the pair's first slot, the older moving to the
 * second. Bounded whatever the input; a miss only costs a new string. (A direct-mapped table of
 * the same size had "churn" and "ES" of the bench logs in one slot, missing on every other line.)
 */
const CACHE_SLOTS = 4096;
const MAX_CACHED = 64;

export class StringCache {
  private readonly strings: Array<string | undefined> = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);
  private readonly bytes: Uint8Array[] = new Array<Uint8Array>(CACHE_SLOTS).fill(new Uint8Array(0));

  /** The string of b[start, end), ASCII without escapes; `hash` is hashStep over those bytes. */
  get(b: Buffer, start: number, end: number, hash: number): string {
    const len = end - start;
    if (len > MAX_CACHED) return b.toString("latin1", start, end);
    const slot = (Math.imul(hash, 0x9e3779b1) >>> 20) & (CACHE_SLOTS - 2); // the top bits of a multiplicative hash, made even
    const { strings, bytes } = this;
    let cached = strings[slot];
    if (cached !== undefined && cached.length === len && matches(b, start, bytes[slot]!)) return cached;
    cached = strings[slot + 1];
    if (cached !== undefined && cached.length === len && matches(b, start, bytes[slot + 1]!)) return cached;
    const s = b.toString("latin1", start, end);
    strings[slot + 1] = strings[slot];
    bytes[slot + 1] = bytes[slot]!;
    strings[slot] = s;
    bytes[slot] = new Uint8Array(b.subarray(start, end)); // a plain Uint8Array, as every pattern `matches` meets
    return s;
  }
}

export const hashStep = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;

/**
 * A key seen at a place of the last line, as the bytes `"name":`: the next line's key there is most
 * likely the same. The bytes are also kept as little-endian 32-bit words, so that checking a line
 * against them reads four bytes at a time (JsonlLineScanner.matchKey): key bytes were an eighth of a
 * drift scan.
 */
export class Key {
  readonly pattern: Uint8Array;
  readonly words: Int32Array;
  /** The pattern's last four bytes as a word (0 when it is shorter). */
  readonly last: number;
  constructor(
    readonly name: string,
    /** Its index in FIELDS, or OTHER; for a feature, unused. */
    readonly field: number,
  ) {
    this.pattern = ascii(`"${name}":`);
    const whole = this.pattern.length >> 2;
    this.words = new Int32Array(whole);
    const view = new DataView(this.pattern.buffer);
    for (let w = 0; w < whole; w++) this.words[w] = view.getInt32(4 * w, true);
    this.last = this.pattern.length >= 4 ? view.getInt32(this.pattern.length - 4, true) : 0;
  }
}
