/**
 * What the analyses need of a Prometheus-compatible backend: instant and range queries, with
 * no-data points (NaN, ±Inf) already left out. The HTTP client implements it; the recorder keeps
 * every query made, so that a result can say exactly how it was computed.
 */

export interface InstantSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RangeSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Time in ms since the epoch, ascending. */
  readonly points: ReadonlyArray<{ readonly t: number; readonly v: number }>;
}

export interface MetricsApi {
  instant(query: string, timeMs: number, signal?: AbortSignal): Promise<InstantSample[]>;
  range(query: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<RangeSeries[]>;
}

/** A query as a result document records it: PromQL and the times it was evaluated at, in ISO form. */
export type QueryRecord =
  | { readonly query: string; readonly time: string }
  | { readonly query: string; readonly start: string; readonly end: string; readonly step: string };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Passes queries through to `api`, keeping each one in `queries`. */
export class RecordingApi implements MetricsApi {
  readonly queries: QueryRecord[] = [];

  constructor(private readonly api: MetricsApi) {}

  instant(query: string, timeMs: number, signal?: AbortSignal): Promise<InstantSample[]> {
    this.queries.push({ query, time: iso(timeMs) });
    return this.api.instant(query, timeMs, signal);
  }

  range(query: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<RangeSeries[]> {
    this.queries.push({ query, start: iso(startMs), end: iso(endMs), step: `${stepMs / 1000}s` });
    return this.api.range(query, startMs, endMs, stepMs, signal);
  }
}
