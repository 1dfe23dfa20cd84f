/** Shared by the drift tests: a seeded PRNG, normal draws, and the no-NaN check for documents. */
import assert from "node:assert/strict";
import { seededUniform } from "../../../src/core/stats/random";

/** Uniforms in [0, 1) from a seed (mulberry32). */
export const mulberry32 = seededUniform;

/** n standard normal draws (Box-Muller) from a seeded stream, scaled and shifted. */
export function normals(seed: number, n: number, mean = 0, sd = 1): Float64Array {
  const u = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const theta = 2 * Math.PI * u();
    out[i] = mean + sd * r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = mean + sd * r * Math.sin(theta);
  }
  return out;
}

/** A document holds no NaN, no Infinity (JSON would turn them into null), no null and no undefined. */
export function assertNoNonFinite(doc: unknown, at = "doc"): void {
  if (typeof doc === "number") {
    assert.ok(Number.isFinite(doc), `${at} is ${doc}`);
  } else if (Array.isArray(doc)) {
    doc.forEach((v, i) => assertNoNonFinite(v, `${at}[${i}]`));
  } else if (typeof doc === "object") {
    assert.ok(doc !== null, `${at} is null`);
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) assertNoNonFinite(v, `${at}.${k}`);
  } else {
    assert.ok(doc !== undefined, `${at} is undefined`);
  }
}
