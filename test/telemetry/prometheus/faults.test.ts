// Faults against real servers: auth through a local proxy that requires credentials, a 503 that
// clears on retry, a frozen server (timeout), a server killed in the middle of a query.
// The servers are empty: these tests ask for `vector(1)`, which needs no data.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PrometheusClient, type PrometheusClientOptions, type RetryEvent } from "../../../src/telemetry/prometheus/client";
import { startAuthProxy, startLocal, type LocalServer } from "../../support/httpProxy";
import { freeze, missingServerPolicy, SERVER_KINDS, startServer, type RunningServer } from "../../support/servers";
import { FAST_RETRY, rejection } from "../../support/promAssert";

const fast = FAST_RETRY;
const NOW = Date.UTC(2025, 0, 15);

const one = async (options: PrometheusClientOptions) => (await new PrometheusClient(options).instant("vector(1)", NOW)).map((s) => s.value);

for (const kind of SERVER_KINDS) {
  const policy = missingServerPolicy(kind);
  if (policy.fail) {
    test(`${kind}: the server binaries are installed`, () => assert.fail(policy.fail));
    continue;
  }
  describe(`Prometheus API client faults against ${kind}`, { skip: policy.skip ?? false }, () => {
    let server: RunningServer;
    const proxies: LocalServer[] = [];
    before(async () => {
      server = await startServer(kind, { history: false });
    });
    after(async () => {
      await Promise.all(proxies.map((p) => p.close()));
      await server?.stop();
    });

    test("bearer, basic and custom-header auth pass a proxy that requires them; a wrong token is a clear 401", async () => {
      const bearer = await startAuthProxy(server.url, (h) => h.authorization === "Bearer right-token");
      const basic = await startAuthProxy(server.url, (h) => h.authorization === `Basic ${Buffer.from("reader:pa55").toString("base64")}`);
      const header = await startAuthProxy(server.url, (h) => h["x-api-key"] === "k-123");
      proxies.push(bearer, basic, header);
      assert.deepEqual(await one({ url: bearer.url, auth: { type: "bearer", token: "right-token" } }), [1]);
      assert.deepEqual(await one({ url: basic.url, auth: { type: "basic", username: "reader", password: "pa55" } }), [1]);
      assert.deepEqual(await one({ url: header.url, auth: { type: "headers", headers: { "X-Api-Key": "k-123" } } }), [1]);

      const error = await rejection(one({ url: bearer.url, auth: { type: "bearer", token: "wrong-token" }, retry: fast }));
      assert.deepEqual([error.kind, error.status, error.attempts], ["http", 401, 1]);
      assert.match(error.message, /^Prometheus API http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: HTTP 401 Unauthorized: check the credentials/);
      assert.ok(!error.message.includes("wrong-token"));
      assert.equal((await rejection(one({ url: basic.url, auth: { type: "basic", username: "reader", password: "nope" } }))).status, 401);
      assert.equal((await rejection(one({ url: header.url }))).status, 401);
    });

    test("a 503 in front of the real server clears on retry", async () => {
      let calls = 0;
      const flaky = await startLocal((req, res, forward) => {
        if (calls++ > 0) return forward();
        req.resume();
        res.writeHead(503, { "content-type": "text/plain" });
        res.end("warming up");
      }, server.url);
      proxies.push(flaky);
      const retries: RetryEvent[] = [];
      assert.deepEqual(await one({ url: flaky.url, retry: fast, onRetry: (e) => retries.push(e) }), [1]);
      assert.deepEqual(retries.map((r) => [r.attempt, r.error.kind, r.error.status]), [[1, "http", 503]]);
    });

    test("a frozen server times out; the same server killed mid-query is a network error", async () => {
      // A server of its own: this test kills it.
      const victim = await startServer(kind, { history: false });
      try {
        assert.deepEqual(await one({ url: victim.url }), [1]);
        await freeze(victim); // the kernel still accepts connections; nothing answers
        const frozen = await rejection(one({ url: victim.url, timeoutMs: 300, retry: fast }));
        assert.deepEqual([frozen.kind, frozen.attempts], ["timeout", 1], frozen.message);

        const retries: RetryEvent[] = [];
        const pending = rejection(one({ url: victim.url, timeoutMs: 60_000, retry: { ...fast, retries: 1 }, onRetry: (e) => retries.push(e) }));
        setTimeout(() => process.kill(victim.pid, "SIGKILL"), 100);
        const killed = await pending;
        assert.deepEqual([killed.kind, killed.attempts], ["network", 2], killed.message);
        assert.equal(retries[0]?.error.kind, "network", `the first failure is the dropped connection, and is retried: ${retries[0]?.error.message}`);
        // The retry finds nobody listening, or (while the kernel tears the dead process down) a reset.
        assert.match(killed.message, /connection refused|closed before the answer was complete/);
      } finally {
        await victim.stop();
      }
    });
  });
}
