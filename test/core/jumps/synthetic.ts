// Deterministic synthetic metric series for the ground-truth tests: a seeded PRNG, exact binomial
// and normal draws, and builders for proportion, mean and histogram buckets.
import { seededOpenUniform } from "../../../src/core/stats/random";

import type { MetricPoint, MetricSeries } from "../../../src/core/jumps/inputs";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2024-01-01T00:00:00Z, so that times print readably. */
export const T0 = Date.UTC(2024, 0, 1);

/** Uniforms in (0, 1) from a seed (mulberry32). */
export const rng = seededOpenUniform;

/** Standard normal by Box-Muller. */
export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Exact Binomial(n, p) by geometric waiting times between successes, O(n min(p, 1-p)). */
export function binomial(u: () => number, n: number, p: number): number {
  if (p > 0.5) return n - binomial(u, n, 1 - p);
  if (p <= 0) return 0;
  const logq = Math.log1p(-p);
  let x = 0;
  let position = 0;
  for (;;) {
    position += Math.floor(Math.log(u()) / logq) + 1;
    if (position > n) return x;
    x++;
  }
}

/** Hourly proportion buckets: `rate(i)` is the true rate of bucket i, `n(i)` its units. */
export function proportionSeries(
  seed: number,
  buckets: number,
  rate: (i: number) => number,
  n: (i: number) => number = () => 5000,
  direction: "higher" | "lower" = "lower",
): MetricSeries {
  const u = rng(seed);
  const points: MetricPoint[] = [];
  for (let i = 0; i < buckets; i++) {
    const units = n(i);
    points.push({ t: T0 + i * HOUR, n: units, successes: binomial(u, units, rate(i)) });
  }
  return { name: "error rate", kind: "proportion", direction, points };
}

/** Hourly mean buckets of normal values with mean `mean(i)` and sd `sd`, from raw draws. */
export function meanSeries(seed: number, buckets: number, mean: (i: number) => number, sd = 1, units = 200): MetricSeries {
  const u = rng(seed);
  const points: MetricPoint[] = [];
  for (let i = 0; i < buckets; i++) {
    let sum = 0;
    let sumSquares = 0;
    for (let k = 0; k < units; k++) {
      const x = mean(i) + sd * normal(u);
      sum += x;
      sumSquares += x * x;
    }
    points.push({ t: T0 + i * HOUR, n: units, sum, sumSquares });
  }
  return { name: "score", kind: "mean", direction: "higher", points };
}

/** Prometheus-like latency buckets, in seconds. */
export const LATENCY_EDGES = [0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, Infinity];

/** Hourly latency histograms of log-normal draws with median `median(i)` seconds. */
export function latencySeries(seed: number, buckets: number, median: (i: number) => number, units = 500, sigma = 0.6): MetricSeries {
  const u = rng(seed);
  const points: MetricPoint[] = [];
  for (let i = 0; i < buckets; i++) {
    const counts = new Array<number>(LATENCY_EDGES.length - 1).fill(0);
    for (let k = 0; k < units; k++) {
      const x = median(i) * Math.exp(sigma * normal(u));
      const bin = LATENCY_EDGES.findIndex((e, b) => b > 0 && x <= e) - 1;
      counts[bin]! += 1;
    }
    points.push({ t: T0 + i * HOUR, n: units, histogram: { edges: LATENCY_EDGES, counts } });
  }
  return { name: "latency", kind: "quantile", direction: "lower", quantile: 0.95, points };
}
