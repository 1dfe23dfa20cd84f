/**
 * The windows a release is judged on: one before it and one after it, each a whole number of
 * buckets, never crossing another release and never using the bucket the release falls inside.
 */

/** One side of a release: the span [start, end) in ms and the buckets lying wholly inside it. */
export interface WindowSpan {
  readonly start: number;
  readonly end: number;
  /** Indices into the series' points, in time order. */
  readonly indices: readonly number[];
  /**
   * Why the span is shorter than asked: "release" when a neighbouring release cuts it, "series"
   * when the series does not cover all of it. Absent when it is the full length with data.
   */
  readonly limitedBy?: "release" | "series";
}

export interface EventWindows {
  readonly before: WindowSpan;
  readonly after: WindowSpan;
}

/**
 * The bucket width in ms: the given one, or the smallest gap between consecutive points. Throws
 * unless the times are finite, strictly increasing and whole multiples of the width apart.
 * Returns undefined when there are fewer than 2 points and no width was given.
 */
export function bucketWidth(fn: string, times: readonly number[], given: number | undefined): number | undefined {
  times.forEach((t, i) => {
    if (!Number.isFinite(t)) throw new Error(`${fn}: 'series.points[${i}].t' must be a finite time in ms, got ${t}`);
    if (i > 0 && !(t > times[i - 1]!)) {
      throw new Error(`${fn}: 'series.points' must be sorted by t without repeats; points[${i}].t = ${t} follows ${times[i - 1]}`);
    }
  });
  if (given !== undefined && !(Number.isFinite(given) && given > 0)) {
    throw new Error(`${fn}: 'bucketMs' must be a positive number of ms, got ${given}`);
  }
  let width = given;
  if (width === undefined) {
    if (times.length < 2) return undefined;
    width = Infinity;
    for (let i = 1; i < times.length; i++) width = Math.min(width, times[i]! - times[i - 1]!);
  }
  for (let i = 1; i < times.length; i++) {
    const steps = (times[i]! - times[0]!) / width;
    if (Math.abs(steps - Math.round(steps)) > 1e-9 * Math.max(1, steps)) {
      throw new Error(`${fn}: 'series.points' must be evenly spaced every ${width} ms; points[${i}].t = ${times[i]} is off the grid`);
    }
  }
  return width;
}

/**
 * Before and after windows for each event, given in time order. Each side holds up to
 * floor(windowMs / bucketMs) whole buckets on the series' grid: the before side ends where the
 * bucket holding the release starts, the after side starts where the next bucket starts, so a
 * bucket that straddles a release belongs to neither side. A side is cut at the nearest other
 * release (events at the same instant do not cut each other).
 */
export function eventWindows(
  times: readonly number[],
  bucketMs: number,
  eventTimes: readonly number[],
  windowMs: number,
): EventWindows[] {
  const distinct = [...new Set(eventTimes)].sort((a, b) => a - b);
  const anchor = times.length > 0 ? times[0]! : 0;
  const first = times.length > 0 ? times[0]! : Infinity;
  const last = times.length > 0 ? times[times.length - 1]! + bucketMs : -Infinity;
  const span = Math.floor(windowMs / bucketMs + 1e-9) * bucketMs;
  // Grid boundaries at or below / at or above a time, tolerant of rounding in the division.
  const gridFloor = (t: number) => anchor + Math.floor((t - anchor) / bucketMs + 1e-9) * bucketMs;
  const gridCeil = (t: number) => anchor + Math.ceil((t - anchor) / bucketMs - 1e-9) * bucketMs;
  return eventTimes.map((at) => {
    const k = distinct.indexOf(at);
    const previous = k > 0 ? distinct[k - 1]! : -Infinity;
    const next = k < distinct.length - 1 ? distinct[k + 1]! : Infinity;
    const side = (start: number, end: number, cutByRelease: boolean): WindowSpan => {
      const indices: number[] = [];
      times.forEach((t, i) => {
        if (t >= start && t + bucketMs <= end) indices.push(i);
      });
      const limitedBy = cutByRelease ? "release" : start < first || end > last ? "series" : undefined;
      return { start, end, indices, ...(limitedBy ? { limitedBy } : {}) };
    };
    const beforeEnd = gridFloor(at);
    const afterStart = gridCeil(at);
    return {
      before: side(Math.max(beforeEnd - span, previous), beforeEnd, previous > beforeEnd - span),
      after: side(afterStart, Math.min(afterStart + span, next), next < afterStart + span),
    };
  });
}
