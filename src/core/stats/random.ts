/**
 * Seeded uniform random numbers for sampling (reservoirs) and for reproducible simulations:
 * mulberry32 (Tommy Ettinger), a small 32-bit generator whose streams are the same on every
 * machine. Not for anything that must be unpredictable.
 */

/** The raw 32-bit outputs of mulberry32 for `seed`. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Uniforms in [0, 1).
 *
 * @example seededUniform(1)() // 0.6270739405881613
 */
export function seededUniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/**
 * Uniforms in (0, 1), never 0 or 1, so that log(u) and log(1 - u) are finite (Box-Muller,
 * geometric waiting times).
 *
 * @example seededOpenUniform(1)() // 0.6270739407045767
 */
export function seededOpenUniform(seed: number): () => number {
  const next = mulberry32(seed);
  return () => (next() + 0.5) / 4294967296;
}
