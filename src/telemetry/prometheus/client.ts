/**
 * A client of the Prometheus HTTP API (`/api/v1/...`), for Prometheus 2.x and VictoriaMetrics:
 * instant and range queries, series, label names and label values. All calls are reads, so every
 * call is retried on 5xx, 429 and network errors (capped exponential backoff with jitter, or the
 * server's Retry-After), each attempt has a timeout, and the caller's AbortSignal cancels at once.
 * See docs/prometheus.md.
 */
import { authHeaders, type PrometheusAuth } from "./auth";
import { describeNetworkError, describeStatus, PrometheusError, type PrometheusErrorKind } from "./errors";
import { parseEnvelope, parseQueryData, parseSeriesList, parseStringList, ShapeError } from "./parse";
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter, sleep, type RetryPolicy } from "./retry";
import { chooseStep, MAX_POINTS_PER_SERIES } from "./step";
import type { InstantResult, InstantSample, Labels, QueryResponse, RangeResult, RangeSeries } from "./types";

export interface PrometheusClientOptions {
  /** Base URL of the server, with any path prefix: `http://127.0.0.1:9090`, `https://vm.example/select/0/prometheus`. */
  readonly url: string;
  /** Credentials. User info in `url` (`http://user:pass@host`) is taken as basic auth when this is absent. */
  readonly auth?: PrometheusAuth;
  /** Limit on each attempt, from sending the request to the last byte of the answer. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Called before each retry's wait; for logs and tests. The error carries no secrets. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Queries whose encoded parameters are longer than this are sent as a POST form. Default 4000. */
  readonly postAboveChars?: number;
  /** For tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export interface RetryEvent {
  /** The attempt that failed, 1 for the first. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: PrometheusError;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** Metadata calls always send a time range: VictoriaMetrics otherwise looks at the last day only. */
export interface MetadataOptions extends CallOptions {
  readonly startMs: number;
  readonly endMs: number;
  /** Series selectors (`match[]`) that restrict the answer. */
  readonly match?: readonly string[];
}

export interface RangeOptions extends CallOptions {
  readonly startMs: number;
  readonly endMs: number;
  /** Wanted step; raised when needed to keep each series under `maxPoints`. Default: the finest that fits. */
  readonly stepMs?: number;
  readonly maxPoints?: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Seconds since the epoch, as the API wants them, from ms. */
const seconds = (ms: number): string => {
  if (!Number.isFinite(ms)) throw new Error(`Prometheus client: a time must be a finite number of ms, got ${ms}`);
  return String(ms / 1000);
};

export class PrometheusClient {
  private readonly base: URL;
  /** The URL's path prefix without a trailing slash: "" or "/select/0/prometheus". */
  private readonly prefix: string;
  private readonly origin: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly postAboveChars: number;
  private readonly fetch: typeof fetch;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(options: PrometheusClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new Error("Prometheus client: the URL is not valid (it should look like http://host:9090)");
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error(`Prometheus client: the URL must be http or https, not ${base.protocol}`);
    let auth = options.auth;
    if (base.username || base.password) {
      auth ??= { type: "basic", username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) };
      base.username = "";
      base.password = "";
    }
    base.search = "";
    base.hash = "";
    this.prefix = base.pathname.replace(/\/+$/, "");
    this.base = base;
    this.origin = base.origin;
    this.headers = { accept: "application/json", ...authHeaders(auth) };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (!(this.timeoutMs > 0)) throw new Error(`Prometheus client: timeoutMs must be positive, got ${options.timeoutMs}`);
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.postAboveChars = options.postAboveChars ?? 4000;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.onRetry = options.onRetry;
  }

  /** `GET /api/v1/query`: an instant query at `timeMs` (default: the server's now). */
  async query(query: string, options: CallOptions & { readonly timeMs?: number } = {}): Promise<QueryResponse> {
    const params = new URLSearchParams({ query });
    if (options.timeMs !== undefined) params.set("time", seconds(options.timeMs));
    const { data, warnings } = await this.call("query", params, options.signal, true, parseQueryData);
    return { result: data, warnings };
  }

  /** `GET /api/v1/query_range`, with a step that keeps each series under the point cap. */
  async queryRange(query: string, options: RangeOptions): Promise<RangeResult> {
    const stepMs = chooseStep(options.startMs, options.endMs, options.stepMs, options.maxPoints ?? MAX_POINTS_PER_SERIES);
    const params = new URLSearchParams({ query, start: seconds(options.startMs), end: seconds(options.endMs), step: seconds(stepMs) });
    const { data, warnings } = await this.call("query_range", params, options.signal, true, parseQueryData);
    if (data.resultType !== "matrix") throw this.bodyError("query_range", `expected a matrix, got a ${data.resultType}`);
    return { series: data.series, stepMs, warnings };
  }

  /** `GET /api/v1/series`: the label sets of series matching any of `match`. */
  async series(match: readonly string[], options: Omit<MetadataOptions, "match"> & { readonly limit?: number }): Promise<Labels[]> {
    if (match.length === 0) throw new Error("Prometheus series: give at least one series selector");
    const params = this.metadataParams({ ...options, match });
    if (options.limit !== undefined) params.set("limit", String(options.limit));
    return (await this.call("series", params, options.signal, true, parseSeriesList)).data;
  }

  /** `GET /api/v1/labels`: label names. */
  async labels(options: MetadataOptions): Promise<string[]> {
    return (await this.call("labels", this.metadataParams(options), options.signal, true, parseStringList)).data;
  }

  /** `GET /api/v1/label/<name>/values`. */
  async labelValues(name: string, options: MetadataOptions): Promise<string[]> {
    if (!LABEL_NAME.test(name)) throw new Error(`Prometheus label values: ${JSON.stringify(name)} is not a label name`);
    return (await this.call(`label/${name}/values`, this.metadataParams(options), options.signal, false, parseStringList)).data;
  }

  /** Instant vector samples, for analyses (a scalar becomes one unlabelled sample). */
  async instant(query: string, timeMs: number, signal?: AbortSignal): Promise<InstantSample[]> {
    return samplesOf((await this.query(query, signal ? { timeMs, signal } : { timeMs })).result, this, query);
  }

  /** Range series, for analyses. The step may be raised to respect the point cap. */
  async range(query: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<RangeSeries[]> {
    return [...(await this.queryRange(query, signal ? { startMs, endMs, stepMs, signal } : { startMs, endMs, stepMs })).series];
  }

  /** @internal used by samplesOf */
  bodyError(endpoint: string, what: string): PrometheusError {
    const path = this.path(endpoint);
    return new PrometheusError(`Prometheus API ${this.origin}${path}: unexpected answer: ${what}`, { kind: "body", origin: this.origin, path });
  }

  private metadataParams(options: MetadataOptions): URLSearchParams {
    const params = new URLSearchParams({ start: seconds(options.startMs), end: seconds(options.endMs) });
    for (const m of options.match ?? []) params.append("match[]", m);
    return params;
  }

  private path(endpoint: string): string {
    return `${this.prefix}/api/v1/${endpoint}`;
  }

  /** One API call with retries. `parse` maps `data` to the typed result and throws ShapeError on a bad shape. */
  private async call<T>(
    endpoint: string,
    params: URLSearchParams,
    signal: AbortSignal | undefined,
    postAllowed: boolean,
    parse: (data: unknown) => T,
  ): Promise<{ data: T; warnings: string[] }> {
    for (let attempt = 1; ; attempt++) {
      let failure: Failure;
      try {
        if (signal?.aborted) throw this.failure("aborted", endpoint, "the request was cancelled", undefined, signal.reason);
        const { data, warnings } = await this.attempt(endpoint, params, signal, postAllowed);
        try {
          return { data: parse(data), warnings };
        } catch (error) {
          if (error instanceof ShapeError) throw this.failure("body", endpoint, `unexpected answer: ${error.message}`);
          throw error;
        }
      } catch (error) {
        if (!(error instanceof Failure)) throw error;
        failure = error;
      }
      const { error, retryable, retryAfterMs } = failure;
      if (!retryable || attempt > this.policy.retries) throw error.withAttempts(attempt);
      if (retryAfterMs !== undefined && retryAfterMs > this.policy.maxRetryAfterMs) throw error.withAttempts(attempt);
      const delayMs = retryAfterMs ?? backoffDelay(this.policy, attempt);
      this.onRetry?.({ attempt, delayMs, error });
      try {
        await sleep(delayMs, signal);
      } catch (reason) {
        throw this.failure("aborted", endpoint, "the request was cancelled", undefined, reason).error.withAttempts(attempt);
      }
    }
  }

  /** One HTTP exchange. Resolves with the envelope's data, or throws a Failure. */
  private async attempt(endpoint: string, params: URLSearchParams, signal: AbortSignal | undefined, postAllowed: boolean): Promise<{ data: unknown; warnings: string[] }> {
    const url = new URL(this.base);
    url.pathname = this.path(endpoint);
    const encoded = params.toString();
    const post = postAllowed && encoded.length > this.postAboveChars;
    if (!post) url.search = encoded;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error("timeout")), this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
    const fail = (cause: unknown): Failure => {
      if (signal?.aborted) return this.failure("aborted", endpoint, "the request was cancelled", undefined, signal.reason);
      if (timeout.signal.aborted) return this.failure("timeout", endpoint, `no complete answer within ${this.timeoutMs} ms`);
      return this.failure("network", endpoint, describeNetworkError(cause), undefined, cause);
    };
    try {
      let response: Response;
      try {
        response = await this.fetch(url, {
          method: post ? "POST" : "GET",
          headers: post ? { ...this.headers, "content-type": "application/x-www-form-urlencoded" } : this.headers,
          ...(post ? { body: encoded } : {}),
          signal: combined,
        });
      } catch (error) {
        throw fail(error);
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw fail(error);
      }
      return this.interpret(endpoint, response, text);
    } finally {
      clearTimeout(timer);
    }
  }

  private interpret(endpoint: string, response: Response, text: string): { data: unknown; warnings: string[] } {
    const status = response.status;
    const retryable = status >= 500 || status === 429;
    const retryAfterMs = retryable ? parseRetryAfter(response.headers.get("retry-after"), Date.now()) : undefined;
    let json: unknown;
    let jsonOk = true;
    try {
      json = JSON.parse(text);
    } catch {
      jsonOk = false;
    }
    let envelope: ReturnType<typeof parseEnvelope> | undefined;
    if (jsonOk) {
      try {
        envelope = parseEnvelope(json);
      } catch {
        envelope = undefined;
      }
    }
    if (envelope && !envelope.ok) {
      const error = new PrometheusError(`Prometheus API ${this.origin}${this.path(endpoint)}: HTTP ${status}, ${envelope.errorType}: ${envelope.error}`, {
        kind: "api",
        origin: this.origin,
        path: this.path(endpoint),
        status,
        errorType: envelope.errorType,
      });
      throw new Failure(error, retryable, retryAfterMs);
    }
    if (status < 200 || status > 299) {
      const error = new PrometheusError(`Prometheus API ${this.origin}${this.path(endpoint)}: ${describeStatus(status, response.statusText)}`, {
        kind: "http",
        origin: this.origin,
        path: this.path(endpoint),
        status,
      });
      throw new Failure(error, retryable, retryAfterMs);
    }
    if (!envelope) {
      const type = response.headers.get("content-type") ?? "no content type";
      const what = jsonOk ? "JSON without a 'status' of success or error" : `not JSON (${type}, ${text.length} characters${text.length === 0 ? "" : ", maybe cut short"})`;
      throw this.failure("body", endpoint, `unexpected answer: ${what}`, status);
    }
    return { data: envelope.data, warnings: envelope.warnings };
  }

  private failure(kind: PrometheusErrorKind, endpoint: string, reason: string, status?: number, cause?: unknown): Failure {
    const path = this.path(endpoint);
    const error = new PrometheusError(`Prometheus API ${this.origin}${path}: ${reason}`, {
      kind,
      origin: this.origin,
      path,
      ...(status === undefined ? {} : { status }),
      ...(cause === undefined ? {} : { cause }),
    });
    // A body cut short by a dropped connection is a network error (retryable); a complete but bad body is not.
    return new Failure(error, kind === "network", undefined);
  }
}

/** An attempt's failure, with whether it is worth retrying. */
class Failure {
  constructor(
    readonly error: PrometheusError,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {}
}

function samplesOf(result: InstantResult, client: PrometheusClient, query: string): InstantSample[] {
  switch (result.resultType) {
    case "vector":
      return [...result.samples];
    case "scalar":
      return result.sample ? [result.sample] : [];
    default:
      throw client.bodyError("query", `expected an instant vector or scalar for ${JSON.stringify(query.slice(0, 200))}, got a ${result.resultType}`);
  }
}
