// The client against local fakes: the faults a real server cannot be made to produce on demand
// (hang, truncated body, 503 then success, 429 with Retry-After), parsing, and secrets hygiene.
// The same client against real Prometheus and VictoriaMetrics: integration.test.ts, faults.test.ts.
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, test } from "node:test";
import { PrometheusClient, type RetryEvent } from "../../../src/telemetry/prometheus/client";
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from "../../../src/telemetry/prometheus/retry";
import { freePort } from "../../support/servers";
import { startLocal, type LocalServer } from "../../support/httpProxy";
import { FAST_RETRY, rejection } from "../../support/promAssert";

const open: LocalServer[] = [];
after(() => Promise.all(open.map((s) => s.close())));

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};
const vector = (result: unknown[]) => ({ status: "success", data: { resultType: "vector", result } });

/** A fake whose nth request (0-based) is answered by answers[min(n, last)]. */
async function fake(...answers: ((res: ServerResponse) => void)[]): Promise<LocalServer> {
  let n = 0;
  const server = await startLocal((req, res) => {
    req.resume();
    answers[Math.min(n++, answers.length - 1)]!(res);
  });
  open.push(server);
  return server;
}

const fast = FAST_RETRY;

test("NaN, +Inf and -Inf samples are no data; a series left without points is dropped", async () => {
  const server = await fake((res) =>
    json(res, 200, {
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          { metric: { a: "1" }, values: [[1, "1"], [2, "NaN"], [3, "+Inf"], [4, "-Inf"], [5, "2.5"]] },
          { metric: { a: "2" }, values: [[1, "NaN"], [2, "NaN"]] },
        ],
      },
    }),
  );
  const client = new PrometheusClient({ url: server.url });
  const result = await client.queryRange("x", { startMs: 1000, endMs: 5000, stepMs: 1000 });
  assert.deepEqual(result.series, [{ labels: { a: "1" }, points: [{ t: 1000, v: 1 }, { t: 5000, v: 2.5 }] }]);
  assert.equal(result.stepMs, 1000);
});

test("instant vectors and scalars: non-finite values are no data, an empty result is an empty list", async () => {
  const server = await fake(
    (res) => json(res, 200, vector([{ metric: { v: "a" }, value: [10.5, "3"] }, { metric: { v: "b" }, value: [10.5, "NaN"] }])),
    (res) => json(res, 200, { status: "success", data: { resultType: "scalar", result: [10, "+Inf"] } }),
    (res) => json(res, 200, { status: "success", data: { resultType: "scalar", result: [10, "7"] } }),
    (res) => json(res, 200, vector([])),
  );
  const client = new PrometheusClient({ url: server.url });
  assert.deepEqual(await client.instant("x", 10_500), [{ labels: { v: "a" }, value: 3, timeMs: 10_500 }]);
  assert.deepEqual(await client.instant("1/0", 10_000), []);
  assert.deepEqual(await client.instant("7", 10_000), [{ labels: {}, value: 7, timeMs: 10_000 }]);
  assert.deepEqual(await client.instant("absent_metric", 10_000), []);
  assert.deepEqual(server.requests.map((r) => new URL(r.url, "http://x").searchParams.get("time")), ["10.5", "10", "10", "10"]);
});

test("a 503 that clears is retried with capped, jittered exponential backoff", async () => {
  const unavailable = (res: ServerResponse) => json(res, 503, { status: "error", errorType: "unavailable", error: "starting" });
  const server = await fake(unavailable, unavailable, unavailable, (res) => json(res, 200, vector([])));
  const retries: RetryEvent[] = [];
  const client = new PrometheusClient({ url: server.url, retry: { ...fast, retries: 3 }, onRetry: (e) => retries.push(e) });
  assert.deepEqual(await client.instant("up", 0), []);
  assert.deepEqual(retries.map((r) => [r.attempt, r.delayMs, r.error.kind, r.error.status, r.error.errorType]), [
    [1, 1, "api", 503, "unavailable"],
    [2, 2, "api", 503, "unavailable"],
    [3, 3, "api", 503, "unavailable"],
  ]);
  assert.equal(server.requests.length, 4);
});

test("backoff doubles up to the cap, with half of it jittered; Retry-After is seconds or a date", () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((r) => backoffDelay({ ...policy, random: () => 0 }, r)), [50, 100, 200, 400, 500, 500]);
  assert.deepEqual([1, 2, 5].map((r) => backoffDelay({ ...policy, random: () => 0.999999 }, r)), [100, 200, 1000]);
  assert.equal(parseRetryAfter("2", 0), 2000);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.UTC(2015, 9, 21, 7, 28, 0)), 5000);
  assert.equal(parseRetryAfter("soon", 0), undefined);
  assert.equal(parseRetryAfter(null, 0), undefined);
});

test("a 429 is retried after the server's Retry-After; one too long is not waited for", async () => {
  const server = await fake((res) => json(res, 429, { status: "error", errorType: "too_many", error: "slow down" }, { "retry-after": "1" }), (res) => json(res, 200, vector([])));
  const retries: RetryEvent[] = [];
  const client = new PrometheusClient({ url: server.url, retry: fast, onRetry: (e) => retries.push(e) });
  assert.deepEqual(await client.instant("up", 0), []);
  assert.deepEqual(retries.map((r) => r.delayMs), [1000]);

  const busy = await fake((res) => json(res, 429, "", { "retry-after": "3600" }));
  const error = await rejection(new PrometheusClient({ url: busy.url, retry: fast }).instant("up", 0));
  assert.equal(error.kind, "http");
  assert.equal(error.status, 429);
  assert.match(error.message, /HTTP 429 Too Many Requests: the server is rate limiting/);
  assert.equal(busy.requests.length, 1);
});

test("retries give up after the limit and say how many attempts were made", async () => {
  const server = await fake((res) => {
    res.writeHead(502, { "content-type": "text/html" });
    res.end("<html>bad gateway</html>");
  });
  const error = await rejection(new PrometheusClient({ url: server.url, retry: { ...fast, retries: 2 } }).instant("up", 0));
  assert.equal(error.kind, "http");
  assert.equal(error.status, 502);
  assert.equal(error.attempts, 3);
  assert.match(error.message, /\/api\/v1\/query: HTTP 502 Bad Gateway \(after 3 attempts\)$/);
});

test("client errors (400, 422) are not retried and carry Prometheus' errorType and error", async () => {
  const server = await fake((res) => json(res, 400, { status: "error", errorType: "bad_data", error: 'invalid parameter "query": parse error' }));
  const error = await rejection(new PrometheusClient({ url: server.url, retry: fast }).instant("sum(", 0));
  assert.deepEqual([error.kind, error.status, error.errorType, error.attempts], ["api", 400, "bad_data", 1]);
  assert.match(error.message, /HTTP 400, bad_data: invalid parameter "query": parse error/);
  assert.equal(server.requests.length, 1);
});

test("a hanging server times out per attempt; the timeout is not retried", async () => {
  const server = await fake(() => {
    // never answers
  });
  const client = new PrometheusClient({ url: server.url, timeoutMs: 200, retry: fast });
  const error = await rejection(client.instant("up", 0));
  assert.equal(error.kind, "timeout");
  assert.match(error.message, /no complete answer within 200 ms/);
  assert.equal(server.requests.length, 1);
});

test("the caller's AbortSignal cancels a request in flight, and a retry's wait", async () => {
  const hang = await fake(() => {});
  const controller = new AbortController();
  const pending = new PrometheusClient({ url: hang.url, timeoutMs: 60_000 }).instant("up", 0, controller.signal);
  setTimeout(() => controller.abort(), 50);
  const error = await rejection(pending);
  assert.equal(error.kind, "aborted");

  const failing = await fake((res) => json(res, 503, { status: "error", errorType: "unavailable", error: "x" }));
  const second = new AbortController();
  const waiting = new PrometheusClient({ url: failing.url, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, onRetry: () => second.abort() }).instant("up", 0, second.signal);
  const aborted = await rejection(waiting);
  assert.equal(aborted.kind, "aborted");
  assert.equal(failing.requests.length, 1);

  const already = await rejection(new PrometheusClient({ url: failing.url }).instant("up", 0, AbortSignal.abort()));
  assert.equal(already.kind, "aborted");
});

test("a body cut short, HTML and JSON of the wrong shape are body errors", async () => {
  const server = await fake(
    (res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"success","data":{"resultType":"vec');
    },
    (res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>login</html>");
    },
    (res) => json(res, 200, { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: ["x", 1] }] } }),
    (res) => json(res, 200, { hello: "world" }),
  );
  const client = new PrometheusClient({ url: server.url, retry: fast });
  for (const pattern of [/not JSON \(application\/json, 45 characters, maybe cut short\)/, /not JSON \(text\/html/, /a sample should be \[<unix time>/, /JSON without a 'status'/]) {
    const error = await rejection(client.instant("up", 0));
    assert.equal(error.kind, "body");
    assert.match(error.message, pattern);
  }
  assert.equal(server.requests.length, 4, "body errors are not retried");
});

test("a connection dropped mid-body is a network error, retried", async () => {
  const server = await fake(
    (res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"status":"succ');
      setTimeout(() => res.destroy(), 10);
    },
    (res) => json(res, 200, vector([])),
  );
  const retries: RetryEvent[] = [];
  assert.deepEqual(await new PrometheusClient({ url: server.url, retry: fast, onRetry: (e) => retries.push(e) }).instant("up", 0), []);
  assert.equal(retries[0]?.error.kind, "network");
});

test("a refused connection is a network error that says so", async () => {
  const port = await freePort();
  const error = await rejection(new PrometheusClient({ url: `http://127.0.0.1:${port}`, retry: { ...fast, retries: 1 } }).instant("up", 0));
  assert.equal(error.kind, "network");
  assert.equal(error.attempts, 2);
  assert.match(error.message, new RegExp(`^Prometheus API http://127\\.0\\.0\\.1:${port}/api/v1/query: connection refused`));
});

test("secrets go into headers only, never into errors; URL user info becomes basic auth", async () => {
  const deny = await fake((res) => json(res, 401, { status: "error", errorType: "unauthorized", error: "no" }));
  const secrets = ["s3cr3t-token", "hunter2", "xyzzy-header"];
  const clients = [
    new PrometheusClient({ url: `${deny.url}/prefix/`, auth: { type: "bearer", token: secrets[0]! } }),
    new PrometheusClient({ url: deny.url.replace("://", `://alice:${secrets[1]}@`) }),
    new PrometheusClient({ url: deny.url, auth: { type: "headers", headers: { "X-Api-Key": secrets[2]! } } }),
  ];
  for (const client of clients) {
    const error = await rejection(client.labels({ startMs: 0, endMs: 1000 }));
    const text = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.equal(error.status, 401);
  }
  const [bearer, basic, header] = deny.requests;
  assert.equal(bearer?.headers.authorization, "Bearer s3cr3t-token");
  assert.equal(bearer?.url, "/prefix/api/v1/labels?start=0&end=1");
  assert.equal(basic?.headers.authorization, `Basic ${Buffer.from("alice:hunter2").toString("base64")}`);
  assert.equal(header?.headers["x-api-key"], "xyzzy-header");
  assert.throws(() => new PrometheusClient({ url: deny.url, auth: { type: "bearer", token: "bad\nvalue-s3cr3t" } }), (e: Error) => !e.message.includes("s3cr3t") && /value not shown/.test(e.message));
});

test("long queries go as a POST form; metadata always sends start and end", async () => {
  const server = await fake((res) => json(res, 200, vector([])), (res) => json(res, 200, { status: "success", data: ["v1"] }));
  const client = new PrometheusClient({ url: server.url, postAboveChars: 100 });
  await client.query(`sum(x{a="${"y".repeat(200)}"})`, { timeMs: 0 });
  assert.equal(server.requests[0]?.method, "POST");
  assert.equal(server.requests[0]?.headers["content-type"], "application/x-www-form-urlencoded");
  assert.deepEqual(await client.labelValues("version", { startMs: 1_000, endMs: 2_000, match: ["up"] }), ["v1"]);
  assert.equal(server.requests[1]?.url, "/api/v1/label/version/values?start=1&end=2&match%5B%5D=up");
  await assert.rejects(client.labelValues("bad/../name", { startMs: 0, endMs: 1 }), /not a label name/);
});
