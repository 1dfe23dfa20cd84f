// PromVocabulary (the names a PromQL cell completes) against a real Prometheus and a real
// VictoriaMetrics holding the deterministic history of test/support/promHistory.ts. The clock is
// the history's end, so "the last 6 hours" is a fixed window: only v3 of churn served in it.
// Requests are counted by a wrapping fetch, which can also hold them back to test sharing and
// cancellation while a request is in flight.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PrometheusClient } from "../../../src/telemetry/prometheus/client";
import { PrometheusError } from "../../../src/telemetry/prometheus/errors";
import { PromVocabulary, type PromVocabularyOptions } from "../../../src/telemetry/prometheus/vocabulary";
import { END_MS } from "../../support/promHistory";
import { freePort, missingServerPolicy, SERVER_KINDS, startServer, type RunningServer } from "../../support/servers";

const DAY = 86_400_000;

/** A fetch that records each request and its signal, and waits at `hold()` until `release()`. */
function recordingFetch() {
  const requests: { url: URL; signal: AbortSignal | undefined }[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let failures = 0;
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const signal = init?.signal ?? undefined;
    requests.push({ url, signal });
    if (failures > 0) {
      failures--;
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNRESET"), { code: "ECONNRESET" }) });
    }
    if (gate) {
      const held = gate;
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        void held.then(resolve);
      });
    }
    return fetch(input, init);
  };
  return {
    fetch: wrapped,
    requests,
    /** Requests to one endpoint, e.g. "labels" or "label/version/values". */
    to: (endpoint: string) => requests.filter((r) => r.url.pathname.endsWith(`/api/v1/${endpoint}`)),
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open?.();
    },
    failNext(n = 1) {
      failures = n;
    },
  };
}

const isAbortError = (error: unknown): boolean => error instanceof DOMException && error.name === "AbortError";

/** Resolves when `promise` settles: "pending" when it has not within a few event-loop turns. */
async function state(promise: Promise<unknown>): Promise<"resolved" | "rejected" | "pending"> {
  const pending = Symbol("pending");
  const result = await Promise.race([promise.then(() => "resolved" as const, () => "rejected" as const), new Promise((r) => setTimeout(() => r(pending), 20))]);
  return result === pending ? "pending" : (result as "resolved" | "rejected");
}

for (const kind of SERVER_KINDS) {
  const policy = missingServerPolicy(kind);
  if (policy.fail) {
    test(`${kind}: the server binaries are installed`, () => assert.fail(policy.fail));
    continue;
  }
  describe(`PromVocabulary against ${kind}`, { skip: policy.skip ?? false }, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server?.stop());

    /** A vocabulary over a fresh client with a recording fetch, its clock at the history's end. */
    function setup(options: PromVocabularyOptions = {}) {
      const recorder = recordingFetch();
      const clock = { now: END_MS };
      const client = new PrometheusClient({ url: server.url, fetch: recorder.fetch, retry: { retries: 0 } });
      const vocabulary = new PromVocabulary(client, { now: () => clock.now, ...options });
      return { recorder, clock, vocabulary };
    }

    test("metric names, label names and label values of the last 6 hours come back, sorted", async () => {
      const { vocabulary, recorder } = setup();
      const metrics = await vocabulary.metricNames();
      for (const name of ["model_requests_total", "model_errors_total", "model_latency_seconds_bucket", "experiment_exposures_total", "model_traffic_weight", "prodinsights_probe"]) {
        assert.ok(metrics.includes(name), `${name} in ${metrics.join(", ")}`);
      }
      assert.deepEqual([...metrics].sort(), metrics);
      assert.deepEqual(await vocabulary.labelNames("model_requests_total"), ["model", "version"]);
      assert.deepEqual(await vocabulary.labelNames("experiment_conversions_total"), ["arm", "experiment", "metric"]);
      const all = await vocabulary.labelNames(undefined);
      for (const name of ["__name__", "arm", "category", "experiment", "feature", "le", "model", "version"]) assert.ok(all.includes(name), name);
      assert.deepEqual(await vocabulary.labelValues("experiment", undefined), ["checkout", "onboarding"]);
      assert.deepEqual(await vocabulary.labelValues("arm", "experiment_exposures_total"), ["control", "treatment"]);
      assert.deepEqual(await vocabulary.labelValues("feature", "model_feature_bucket"), ["monthly_charges", "tenure"]);
      // Only v3 served in the last 6 hours; v1 and v2 stopped days before.
      assert.deepEqual(await vocabulary.labelValues("version", "model_requests_total"), ["v3"]);
      // Every request carried the window and, for a metric, the match[] selector.
      const values = recorder.to("label/version/values")[0]!.url.searchParams;
      assert.equal(Number(values.get("start")) * 1000, END_MS - 6 * 3_600_000);
      assert.equal(Number(values.get("end")) * 1000, END_MS);
      assert.deepEqual(values.getAll("match[]"), ["model_requests_total"]);
      assert.deepEqual(recorder.to("labels")[0]!.url.searchParams.getAll("match[]"), ["model_requests_total"]);
    });

    test("a longer window sees the older versions; lists are cut at maxNames", async () => {
      const { vocabulary } = setup({ windowMs: 15 * DAY, maxNames: 2 });
      assert.deepEqual(await vocabulary.labelValues("version", "model_requests_total"), ["v1", "v2"]);
      assert.equal((await vocabulary.metricNames()).length, 2);
      const wide = setup({ windowMs: 15 * DAY }).vocabulary;
      assert.deepEqual(await wide.labelValues("version", "model_requests_total"), ["v1", "v2", "v3"]);
      // Nothing served in the window: an empty list, not an error.
      const { vocabulary: later, clock } = setup();
      clock.now = END_MS + 30 * DAY;
      assert.deepEqual(await later.labelValues("version", "model_requests_total"), []);
    });

    test("answers are cached per key for the TTL; identical concurrent requests share one fetch", async () => {
      const { vocabulary, recorder, clock } = setup({ ttlMs: 60_000 });
      const first = await vocabulary.labelValues("version", "model_requests_total");
      assert.equal(recorder.requests.length, 1);
      assert.equal(await vocabulary.labelValues("version", "model_requests_total"), first, "the same list from the cache");
      assert.equal(recorder.requests.length, 1);
      // Another metric or label is another key.
      await vocabulary.labelValues("version", "model_errors_total");
      await vocabulary.labelValues("model", "model_requests_total");
      await vocabulary.labelNames("model_requests_total");
      assert.equal(recorder.requests.length, 4);
      // Just before the TTL the cache answers; after it, the server again.
      clock.now += 59_999;
      await vocabulary.labelValues("version", "model_requests_total");
      assert.equal(recorder.requests.length, 4);
      clock.now += 2;
      await vocabulary.labelValues("version", "model_requests_total");
      assert.equal(recorder.requests.length, 5);
      // Three callers at once: one request.
      const names = await Promise.all([vocabulary.metricNames(), vocabulary.metricNames(), vocabulary.metricNames()]);
      assert.equal(recorder.to("label/__name__/values").length, 1);
      assert.ok(names[0]!.length > 0 && names.every((n) => n === names[0]));
      // clear() forgets.
      vocabulary.clear();
      await vocabulary.metricNames();
      assert.equal(recorder.to("label/__name__/values").length, 2);
    });

    test("a failed fetch is not cached: the next call asks again", async () => {
      const { vocabulary, recorder } = setup();
      recorder.failNext();
      await assert.rejects(vocabulary.labelNames("model_requests_total"), (error: unknown) => error instanceof PrometheusError && error.kind === "network");
      assert.deepEqual(await vocabulary.labelNames("model_requests_total"), ["model", "version"]);
      assert.equal(recorder.requests.length, 2);
    });

    test("an aborted caller is rejected at once with an AbortError; the shared fetch goes on for the others", async () => {
      const { vocabulary, recorder } = setup();
      // Already aborted: rejected without a request.
      await assert.rejects(vocabulary.metricNames(AbortSignal.abort()), isAbortError);
      assert.equal(recorder.requests.length, 0);

      recorder.hold();
      const leaving = new AbortController();
      const a = vocabulary.labelValues("arm", "experiment_exposures_total", leaving.signal);
      const b = vocabulary.labelValues("arm", "experiment_exposures_total");
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(recorder.requests.length, 1, "one request for both");
      leaving.abort();
      assert.equal(await state(a), "rejected", "the aborted caller does not wait for the server");
      await assert.rejects(a, isAbortError);
      assert.equal(await state(b), "pending");
      recorder.release();
      assert.deepEqual(await b, ["control", "treatment"]);
      assert.equal(recorder.requests[0]!.signal?.aborted, false, "the request itself was not aborted");
      assert.equal(recorder.requests.length, 1);
      // And its answer is cached for everyone.
      assert.deepEqual(await vocabulary.labelValues("arm", "experiment_exposures_total"), ["control", "treatment"]);
      assert.equal(recorder.requests.length, 1);
    });

    test("when every caller has gone the request is aborted, and the next caller starts afresh", async () => {
      const { vocabulary, recorder } = setup();
      recorder.hold();
      const [one, two] = [new AbortController(), new AbortController()];
      const calls = [vocabulary.labelNames("model_traffic_weight", one.signal), vocabulary.labelNames("model_traffic_weight", two.signal)];
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(recorder.requests.length, 1);
      one.abort();
      await assert.rejects(calls[0]!, isAbortError);
      assert.equal(recorder.requests[0]!.signal?.aborted, false, "one caller is still waiting");
      two.abort();
      await assert.rejects(calls[1]!, isAbortError);
      assert.equal(recorder.requests[0]!.signal?.aborted, true, "no one is waiting: the request is cancelled");
      recorder.release();
      assert.deepEqual(await vocabulary.labelNames("model_traffic_weight"), ["model", "version"]);
      assert.equal(recorder.requests.length, 2);
    });

    test("bad input is rejected, not thrown", async () => {
      const { vocabulary, recorder } = setup();
      await assert.rejects(vocabulary.labelNames('x"}) or vector(1'), /PromVocabulary: .* is not a metric name/);
      await assert.rejects(vocabulary.labelValues("not a label", undefined), /is not a label name/);
      assert.equal(recorder.requests.length, 0);
    });
  });
}

test("a server that is not there gives a clear error, and nothing is cached", async () => {
  const port = await freePort();
  const vocabulary = new PromVocabulary(new PrometheusClient({ url: `http://127.0.0.1:${port}`, retry: { retries: 0 } }));
  for (let attempt = 0; attempt < 2; attempt++) {
    await assert.rejects(vocabulary.metricNames(), (error: unknown) => {
      assert.ok(error instanceof PrometheusError, String(error));
      assert.equal(error.kind, "network");
      assert.equal(error.message, `Prometheus API http://127.0.0.1:${port}/api/v1/label/__name__/values: connection refused: is the server running, and is the URL's port right?`);
      return true;
    });
  }
});
