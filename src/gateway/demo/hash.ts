/**
 * Small integer hashes for the demo's simulated randomness. Each decision (a user's features, a
 * request's arrival gap, whether a model errs on a request) takes its own seed from a hash of the
 * run's seed and the thing decided about, so a decision never depends on how many others came
 * before it or on the timing of responses: same seed, same facts.
 */

/** The murmur3 finaliser: a bijection of 32-bit integers that spreads every input bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed from a run's seed and up to two more integers (a salt, an index). */
export function mix(seed: number, a: number, b = 0): number {
  const h = fmix32((seed ^ fmix32((a + 0x9e3779b9) >>> 0)) >>> 0);
  return fmix32((h ^ fmix32((b + 0x7f4a7c15) >>> 0)) >>> 0);
}

/** FNV-1a of a string's UTF-16 code units, finalised; no allocation. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** A hash as a uniform in [0, 1). */
export const toUniform = (h: number): number => h / 4294967296;
