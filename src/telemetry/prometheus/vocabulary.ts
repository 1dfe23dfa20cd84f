/**
 * The names a PromQL editor offers (metric names, label names, label values), read from a
 * Prometheus-compatible server and kept for a while, so that completion answers while the user
 * types without asking the server on every key:
 * - each list is cached per key for `ttlMs` (failures are not cached);
 * - identical requests in flight share one fetch;
 * - a caller's AbortSignal rejects that caller at once with an AbortError; the shared fetch goes on
 *   for the others and is aborted only when every caller has gone;
 * - lists are cut at `maxNames`, and only series seen in the last `windowMs` count, so that a large
 *   server answers quickly (label APIs scan the index of every block in the time range).
 */
import type { MetadataOptions, PrometheusClient } from "./client";

export interface PromVocabularyOptions {
  /** How long an answer is reused. Default 60 s. */
  readonly ttlMs?: number;
  /** The series looked at: those with samples in the last `windowMs` before `now()`. Default 6 h. */
  readonly windowMs?: number;
  /** Longest list returned. Default 2,000. */
  readonly maxNames?: number;
  /** Most lists kept; the oldest goes first. Default 500. */
  readonly maxEntries?: number;
  /** The clock, in ms since the epoch: for the window and the TTL. Default Date.now. */
  readonly now?: () => number;
}

/** The client calls the vocabulary uses. */
export type VocabularyClient = Pick<PrometheusClient, "labels" | "labelValues">;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

interface Flight {
  readonly promise: Promise<readonly string[]>;
  readonly controller: AbortController;
  waiters: number;
}

function abortError(): DOMException {
  return new DOMException("the request for names was cancelled", "AbortError");
}

export class PromVocabulary {
  private readonly ttlMs: number;
  private readonly windowMs: number;
  private readonly maxNames: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { readonly names: readonly string[]; readonly expires: number }>();
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly client: VocabularyClient,
    options: PromVocabularyOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.windowMs = options.windowMs ?? 6 * 3_600_000;
    this.maxNames = options.maxNames ?? 2_000;
    this.maxEntries = options.maxEntries ?? 500;
    this.now = options.now ?? Date.now;
    for (const [name, value] of Object.entries({ ttlMs: this.ttlMs, windowMs: this.windowMs, maxNames: this.maxNames, maxEntries: this.maxEntries })) {
      if (!(value >= 0 && Number.isFinite(value))) throw new Error(`PromVocabulary: ${name} must be a finite number >= 0, got ${value}`);
    }
  }

  /** Metric names (values of `__name__`), sorted. */
  metricNames(signal?: AbortSignal): Promise<readonly string[]> {
    return this.get("metrics", signal, (options) => this.client.labelValues("__name__", options));
  }

  /** Label names; of the series of `metric` when it is given (then without `__name__`). */
  async labelNames(metric: string | undefined, signal?: AbortSignal): Promise<readonly string[]> {
    const match = this.match(metric);
    return this.get(`labels\0${metric ?? ""}`, signal, async (options) => {
      const names = await this.client.labels({ ...options, ...match });
      return metric === undefined ? names : names.filter((n) => n !== "__name__");
    });
  }

  /** Values of `label`; of the series of `metric` when it is given. */
  async labelValues(label: string, metric: string | undefined, signal?: AbortSignal): Promise<readonly string[]> {
    const match = this.match(metric);
    return this.get(`values\0${label}\0${metric ?? ""}`, signal, (options) => this.client.labelValues(label, { ...options, ...match }));
  }

  /** Forgets every cached list (after the backend changed, for example). Fetches in flight go on. */
  clear(): void {
    this.cache.clear();
  }

  private match(metric: string | undefined): { match?: string[] } {
    if (metric === undefined) return {};
    if (!METRIC_NAME.test(metric)) throw new Error(`PromVocabulary: ${JSON.stringify(metric)} is not a metric name`);
    return { match: [metric] };
  }

  private get(key: string, signal: AbortSignal | undefined, load: (options: MetadataOptions) => Promise<string[]>): Promise<readonly string[]> {
    const cached = this.cache.get(key);
    if (cached && this.now() < cached.expires) return Promise.resolve(cached.names);
    if (cached) this.cache.delete(key);
    if (signal?.aborted) return Promise.reject(abortError());
    const flight = this.flights.get(key) ?? this.start(key, load);
    flight.waiters++;
    return new Promise<readonly string[]>((resolve, reject) => {
      const onAbort = (): void => {
        reject(abortError());
        if (--flight.waiters === 0 && this.flights.get(key) === flight) {
          // The last caller has gone: stop the request, and let the next caller start afresh.
          this.flights.delete(key);
          flight.controller.abort(abortError());
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      flight.promise.then(
        (names) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(names);
        },
        (error: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }

  private start(key: string, load: (options: MetadataOptions) => Promise<string[]>): Flight {
    const controller = new AbortController();
    const endMs = this.now();
    const promise = load({ startMs: endMs - this.windowMs, endMs, signal: controller.signal }).then(
      (names) => {
        const bounded = Object.freeze([...names].sort().slice(0, this.maxNames));
        if (this.flights.get(key) === flight) {
          this.flights.delete(key);
          this.store(key, bounded);
        }
        return bounded;
      },
      (error: unknown) => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
        throw error;
      },
    );
    const flight: Flight = { promise, controller, waiters: 0 };
    this.flights.set(key, flight);
    return flight;
  }

  private store(key: string, names: readonly string[]): void {
    if (this.maxEntries === 0 || this.ttlMs === 0) return;
    while (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { names, expires: this.now() + this.ttlMs });
  }
}
