/** Shared by the Prometheus client's tests: the error a call rejects with, and retries that do not wait. */
import assert from "node:assert/strict";
import { PrometheusError } from "../../src/telemetry/prometheus/errors";

/** Retry delays of a few ms, with the jitter fixed, so that retry tests are quick and exact. */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 4, random: () => 0.5 };

/** The PrometheusError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<PrometheusError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PrometheusError, `expected a PrometheusError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a rejection");
}
