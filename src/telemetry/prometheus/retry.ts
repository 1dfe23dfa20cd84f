/**
 * Retry policy for reads: capped exponential backoff with jitter ("equal jitter": half fixed, half
 * random), and the server's Retry-After when it sends one. Tests pass `random` to make delays exact.
 */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  readonly retries: number;
  /** Delay before the first retry, before jitter. */
  readonly baseDelayMs: number;
  /** Cap on any one backoff delay. */
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is raised instead. */
  readonly maxRetryAfterMs: number;
  /** Uniform [0, 1) source for jitter. */
  readonly random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  random: Math.random,
};

/** Delay before retry number `retry` (1 for the first retry). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential / 2 + (exponential / 2) * policy.random());
}

/**
 * Retry-After in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
