/**
 * One error type for every way a Prometheus-compatible call can fail. `kind` says where the failure
 * came from, so callers can tell "the server said no" from "the server is not there":
 * - `http`: a non-2xx status without a Prometheus error body (a proxy's 401, a gateway's 502);
 * - `api`: the server's own `{"status":"error","errorType",...}` answer (bad PromQL, a query timeout);
 * - `body`: a 2xx answer that is not the JSON the API promises (truncated, HTML, wrong shape);
 * - `network`: no answer at all (refused connection, reset, DNS);
 * - `timeout`: an attempt took longer than the client's timeout;
 * - `aborted`: the caller's AbortSignal fired.
 *
 * Messages name the server (origin only) and the API path, never credentials, header values or
 * query parameters.
 */
export type PrometheusErrorKind = "http" | "api" | "body" | "network" | "timeout" | "aborted";

export interface PrometheusErrorDetails {
  readonly kind: PrometheusErrorKind;
  /** `scheme://host:port` of the server, with any user info removed. */
  readonly origin: string;
  /** The API path, e.g. `/api/v1/query_range`, without the query string. */
  readonly path: string;
  readonly status?: number;
  /** Prometheus' `errorType` (`bad_data`, `execution`, `timeout`, `unavailable`, ...), for kind `api`. */
  readonly errorType?: string;
  /** How many attempts were made, retries included. */
  readonly attempts?: number;
  readonly cause?: unknown;
}

export class PrometheusError extends Error {
  readonly kind: PrometheusErrorKind;
  readonly origin: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly errorType: string | undefined;
  readonly attempts: number;

  constructor(message: string, details: PrometheusErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "PrometheusError";
    this.kind = details.kind;
    this.origin = details.origin;
    this.path = details.path;
    this.status = details.status;
    this.errorType = details.errorType;
    this.attempts = details.attempts ?? 1;
  }

  /** The same error, with the number of attempts that led to it. */
  withAttempts(attempts: number): PrometheusError {
    const where = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    return new PrometheusError(`${this.message}${where}`, { ...this, cause: this.cause, attempts });
  }
}

const HINTS: Partial<Record<number, string>> = {
  401: "check the credentials (token, user and password, or auth header)",
  403: "the credentials are not allowed to read from this server",
  404: "check the URL: is it the server's base URL, with any path prefix?",
  429: "the server is rate limiting",
};

/** A short text for an HTTP status, with a hint for the statuses users can fix. */
export function describeStatus(status: number, statusText: string): string {
  const hint = HINTS[status];
  const text = statusText ? `${status} ${statusText}` : String(status);
  return hint ? `HTTP ${text}: ${hint}` : `HTTP ${text}`;
}

/** Network failures from fetch hide the reason in `cause.code`; name the usual ones plainly. */
export function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused: is the server running, and is the URL's port right?";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "the connection was closed before the answer was complete (did the server stop?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name could not be resolved";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "the connection timed out";
    default: {
      const message = cause instanceof Error ? cause.message : String(cause);
      return code ? `${code}: ${message}` : message;
    }
  }
}
