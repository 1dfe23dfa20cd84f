/**
 * The naive client the bench measures us against: it downloads the raw per-minute samples of
 * every series a report needs, with plain range queries of the raw counters, gauges and buckets
 * (no PromQL functions, no aggregation), and aggregates in Node.
 *
 * Prometheus refuses a range query of more than 11,000 points per series, so a window longer than
 * that at a 60 s step (about 7.6 days) is fetched in consecutive chunks, as any client must. All of
 * a report's requests are sent at once, as ours are.
 */
import type { TimeWindow } from "../../src/telemetry/metrics/abInputs";
import type { PrometheusClient } from "../../src/telemetry/prometheus/client";
import type { Labels } from "../../src/telemetry/prometheus/types";

export const STEP_MS = 60_000;
/** The client keeps a query's points per series below 11,000 (both ends counted): 10,998 steps. */
const MAX_STEPS = 10_998;

/** One series' raw samples, ascending, over every window downloaded. */
export interface RawSeries {
  readonly labels: Labels;
  readonly t: number[];
  readonly v: number[];
}

/** Consecutive [start, end] pieces of the window, each under the point cap at STEP_MS. */
export function chunks(window: TimeWindow): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = window.start; s <= window.end; ) {
    const e = Math.min(window.end, s + MAX_STEPS * STEP_MS);
    out.push([s, e]);
    s = e + STEP_MS;
  }
  return out;
}

const keyOf = (labels: Labels): string =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );

/** Every series matching `selector` in each window, at STEP_MS, chunks merged per series. */
export async function download(client: PrometheusClient, selector: string, windows: readonly TimeWindow[]): Promise<RawSeries[]> {
  const pieces = windows.flatMap(chunks);
  const answers = await Promise.all(
    pieces.map(async ([startMs, endMs]) => {
      const r = await client.queryRange(selector, { startMs, endMs, stepMs: STEP_MS });
      if (r.stepMs !== STEP_MS) throw new Error(`naive: the client raised the step to ${r.stepMs} ms for ${selector}`);
      return r.series;
    }),
  );
  const byKey = new Map<string, RawSeries>();
  for (const series of answers) {
    for (const s of series) {
      const key = keyOf(s.labels);
      let raw = byKey.get(key);
      if (!raw) byKey.set(key, (raw = { labels: s.labels, t: [], v: [] }));
      for (const p of s.points) {
        raw.t.push(p.t);
        raw.v.push(p.v);
      }
    }
  }
  for (const raw of byKey.values()) sortDedupe(raw);
  return [...byKey.values()];
}

function sortDedupe(raw: RawSeries): void {
  if (raw.t.every((t, i) => i === 0 || t > raw.t[i - 1]!)) return; // chunks come in order: the usual case
  const order = raw.t.map((_, i) => i).sort((a, b) => raw.t[a]! - raw.t[b]!);
  const t: number[] = [];
  const v: number[] = [];
  for (const i of order) {
    if (t.length > 0 && t[t.length - 1] === raw.t[i]) continue;
    t.push(raw.t[i]!);
    v.push(raw.v[i]!);
  }
  raw.t.length = 0;
  raw.v.length = 0;
  for (let i = 0; i < t.length; i++) {
    raw.t.push(t[i]!);
    raw.v.push(v[i]!);
  }
}

/** A counter's growth from one sample to the next: a drop is a reset, after which it grew by its value. */
const delta = (prev: number, cur: number): number => (cur >= prev ? cur - prev : cur);

/** A counter's increase over [from, to]: the growth between consecutive samples both inside it. */
export function increase(s: RawSeries, from: number, to: number): number {
  let sum = 0;
  for (let i = 1; i < s.t.length; i++) {
    const t = s.t[i]!;
    if (t > to) break;
    if (s.t[i - 1]! >= from) sum += delta(s.v[i - 1]!, s.v[i]!);
  }
  return sum;
}

/**
 * A counter's increase per bucket [start + k·bucketMs, start + (k+1)·bucketMs], k < count: the
 * growth between consecutive samples inside the bucket, as `increase(x[bucket])` at its end sees it.
 */
export function bucketIncreases(s: RawSeries, start: number, bucketMs: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 1; i < s.t.length; i++) {
    const k = Math.ceil((s.t[i]! - start) / bucketMs) - 1;
    if (k < 0 || k >= count || s.t[i - 1]! < start + k * bucketMs) continue;
    out[k]! += delta(s.v[i - 1]!, s.v[i]!);
  }
  return out;
}

/** Sums `value(series)` per value of the labels in `by` (joined with "\u0000"). */
export function sumBy<T extends number | Float64Array>(series: readonly RawSeries[], by: readonly string[], value: (s: RawSeries) => T): Map<string, T> {
  const out = new Map<string, T>();
  for (const s of series) {
    const parts = by.map((l) => s.labels[l]);
    if (parts.some((p) => p === undefined)) continue;
    const key = parts.join("\u0000");
    const x = value(s);
    const prev = out.get(key);
    if (prev === undefined) out.set(key, typeof x === "number" ? x : (Float64Array.from(x) as T));
    else if (typeof prev === "number") out.set(key, (prev + (x as number)) as T);
    else (x as Float64Array).forEach((y, i) => ((prev as Float64Array)[i]! += y));
  }
  return out;
}
