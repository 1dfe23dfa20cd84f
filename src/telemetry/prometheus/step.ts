/**
 * Step selection for `query_range`. Prometheus refuses a range query whose series would have more
 * than 11,000 points (VictoriaMetrics allows 30,000); the client picks the smallest "round" step at
 * or above the requested one that keeps each series under that cap.
 */

/** Prometheus' cap on points per series in a range query (`end - start) / step > 11000` is refused). */
export const MAX_POINTS_PER_SERIES = 11_000;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Steps people read easily on a time axis. Beyond the last, whole days. */
const NICE_STEPS_MS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY,
];

/** Points a range query returns per series: both ends included. */
export function pointsPerSeries(startMs: number, endMs: number, stepMs: number): number {
  return Math.floor((endMs - startMs) / stepMs) + 1;
}

/**
 * The step for a range query over [startMs, endMs]: `requestedMs` when it already keeps each series
 * under `maxPoints`, else the smallest round step that does.
 *
 * @example chooseStep(0, 14 * 86_400_000, 60_000) // 120_000: 14 days at 1 min would be 20,161 points
 */
export function chooseStep(startMs: number, endMs: number, requestedMs?: number, maxPoints = MAX_POINTS_PER_SERIES): number {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs < startMs) {
    throw new Error(`chooseStep: need finite start <= end, got start=${startMs} end=${endMs}`);
  }
  if (requestedMs !== undefined && !(requestedMs > 0 && Number.isFinite(requestedMs))) {
    throw new Error(`chooseStep: the step must be a positive number of ms, got ${requestedMs}`);
  }
  if (!(maxPoints >= 2)) throw new Error(`chooseStep: maxPoints must be at least 2, got ${maxPoints}`);
  const fits = (step: number) => pointsPerSeries(startMs, endMs, step) < maxPoints;
  if (requestedMs !== undefined && fits(requestedMs)) return requestedMs;
  const floor = requestedMs ?? 0;
  for (const step of NICE_STEPS_MS) if (step >= floor && fits(step)) return step;
  let days = Math.max(2, Math.ceil(floor / DAY), Math.ceil((endMs - startMs) / DAY / (maxPoints - 1)));
  while (!fits(days * DAY)) days += 1;
  return days * DAY;
}
