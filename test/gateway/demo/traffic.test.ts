import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { twoProportionTest } from "../../../src/core/stats/twoProportionTest";
import { assignExperiments, type Layer } from "../../../src/gateway/assign";
import { SimClock, VirtualClock, type Clock } from "../../../src/gateway/demo/clock";
import { failsRequest } from "../../../src/gateway/demo/models";
import { startModelServer, type ModelServer } from "../../../src/gateway/demo/modelServer";
import { createPopulation } from "../../../src/gateway/demo/population";
import { armOf, runTraffic, type TrafficOptions } from "../../../src/gateway/demo/traffic";

const T0 = Date.UTC(2026, 10, 2);
const HOUR = 3_600_000;

let models: ModelServer;
before(async () => (models = await startModelServer()));
after(() => models.close());

const LAYERS: Layer[] = [
  {
    name: "offers",
    experiments: [{ name: "offer", share: 100, arms: [{ name: "control", weight: 50 }, { name: "treatment", weight: 50 }] }],
  },
];

interface Seen {
  readonly time: number;
  readonly unit: string;
  readonly id: string;
  readonly body: string;
}

/**
 * A stand-in for the gateway's routing, just enough for the traffic: /models/churn/* goes to one
 * version of the model server with x-request-id, x-model-version and x-experiments added, and
 * /outcomes answers 202, each recorded with the clock's time.
 */
async function startFakeGateway(clock: Clock, version: string, hooks: { onRequest?: (n: number) => void } = {}) {
  const requests: Seen[] = [];
  const outcomes: { time: number; items: Array<Record<string, unknown>> }[] = [];
  const read = async (req: IncomingMessage): Promise<string> => {
    let text = "";
    for await (const chunk of req) text += chunk;
    return text;
  };
  const server = createServer(async (req, res) => {
    const body = await read(req);
    if (req.method === "POST" && req.url === "/outcomes") {
      const items = JSON.parse(body) as Array<Record<string, unknown>>;
      outcomes.push({ time: clock.now(), items });
      res.writeHead(202, { "content-type": "application/json" });
      return res.end(JSON.stringify({ accepted: items.length }));
    }
    const m = /^\/models\/churn\/(.+)$/.exec(req.url ?? "");
    if (req.method !== "POST" || !m) {
      res.writeHead(404);
      return res.end();
    }
    const unit = String(req.headers["x-unit-id"]);
    const id = String(req.headers["x-request-id"] ?? `gw-${requests.length}`);
    requests.push({ time: clock.now(), unit, id, body });
    hooks.onRequest?.(requests.length);
    const upstream = await fetch(`${models.url}/${version}/${m[1]}`, { method: "POST", body, headers: { "content-type": "application/json", "x-request-id": id } });
    const experiments = assignExperiments(LAYERS, unit).map((a) => `${a.experiment}=${a.arm}`).join(";");
    res.writeHead(upstream.status, { "content-type": "application/json", "x-request-id": id, "x-model-version": version, ...(experiments ? { "x-experiments": experiments } : {}) });
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    outcomes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const flat = (outcomes: { items: Array<Record<string, unknown>> }[]) => outcomes.flatMap((o) => o.items);
const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);

async function run(version: string, options: Partial<TrafficOptions> & { seed: number }, hooks?: { onRequest?: (n: number) => void }) {
  const clock = new VirtualClock(T0);
  const gateway = await startFakeGateway(clock, version, hooks);
  try {
    const stats = await runTraffic({ gateway: gateway.url, clock, from: T0, until: T0 + 2 * HOUR, requestsPerSimHour: 400, ...options });
    return { stats, requests: gateway.requests, outcomes: gateway.outcomes, clock };
  } finally {
    await gateway.close();
  }
}

test("the same seed sends the same requests in the same order, with the same labels and conversions", async () => {
  const experiment = { name: "offer", baselineConversion: 0.2, lift: 0.5 };
  const options = { concurrency: 1, experiment, outcomeDelayMs: HOUR, drain: true, until: T0 + HOUR };
  const a = await run("v1", { seed: 7, ...options });
  const b = await run("v1", { seed: 7, ...options });
  const c = await run("v1", { seed: 8, ...options });
  // 400 an hour on average, fewer around midnight UTC (the daily swing).
  assert.ok(a.requests.length > 200 && a.requests.length < 400, `${a.requests.length} requests in a simulated hour`);
  assert.deepEqual(b.requests, a.requests, "same ids, units, bodies, at the same simulated times");
  assert.deepEqual(flat(b.outcomes), flat(a.outcomes));
  assert.deepEqual({ ...b.stats, lastError: undefined }, { ...a.stats, lastError: undefined });
  assert.notDeepEqual(c.requests.map((r) => r.unit), a.requests.map((r) => r.unit));
  assert.equal(a.requests[0]!.id, `sim-7-${T0.toString(36)}-0`);
  assert.ok(a.requests.every((r, i) => i === 0 || r.time >= a.requests[i - 1]!.time));
  assert.ok(a.requests.every((r) => r.time >= T0 && r.time < T0 + HOUR));

  // The counts add up, and agree with what the gateway saw.
  const s = a.stats;
  assert.equal(s.sent, a.requests.length);
  assert.equal(s.ok + total(s.errors), s.sent);
  assert.deepEqual(s.versions, { v1: s.sent });
  assert.equal(s.labelsPosted, s.ok);
  assert.equal(s.conversionsPosted, total(s.exposures), "every exposure's outcome, 0 or 1");
  assert.equal(flat(a.outcomes).length, s.labelsPosted + s.conversionsPosted);
  assert.equal(s.outcomesPending, 0);
  assert.equal(s.aborted, false);
  assert.ok(a.outcomes.every((o) => o.items.length <= 500));
});

test("each label is the user's churn label, posted for answered requests only, no sooner than the delay after the request", async () => {
  const delay = 2 * HOUR;
  // One request at a time, so that the fake gateway sees each at its own simulated time.
  const { stats, requests, outcomes } = await run("v3", { seed: 3, concurrency: 1, outcomeDelayMs: delay, drain: true });
  const users = new Map(createPopulation({ seed: 3 }).users.map((u) => [u.id, u]));
  const byId = new Map(requests.map((r) => [r.id, r]));
  const labels = outcomes.flatMap((o) => o.items.map((item) => ({ time: o.time, item })));
  assert.equal(labels.length, stats.ok);
  for (const { time, item } of labels) {
    const request = byId.get(String(item.request_id));
    assert.ok(request, `label for an unknown request ${String(item.request_id)}`);
    assert.equal(item.outcome, users.get(request.unit)!.churned ? 1 : 0);
    assert.ok(time >= request.time + delay, `label of ${request.id} at +${(time - request.time) / HOUR} h`);
    assert.equal(failsRequest("v3", request.id), false, "no label for a request the model failed");
  }
  // v3's errors, counted by status.
  const expectedErrors = requests.filter((r) => failsRequest("v3", r.id)).length;
  assert.deepEqual(stats.errors, { "500": expectedErrors });
  assert.ok(expectedErrors / stats.sent > 0.025, `v3 failed ${expectedErrors} of ${stats.sent}`);
});

test("without drain, outcomes due after `until` stay pending and are counted", async () => {
  const { stats, outcomes } = await run("v1", { seed: 3, concurrency: 4, outcomeDelayMs: HOUR });
  assert.ok(stats.labelsPosted > 0 && stats.outcomesPending > 0);
  assert.equal(stats.labelsPosted + stats.outcomesPending, stats.ok);
  assert.ok(outcomes.every((o) => o.time <= T0 + 2 * HOUR));
});

test("conversions come with the planted lift: the treatment converts at baseline x (1 + lift)", async () => {
  const experiment = { name: "offer", baselineConversion: 0.2, lift: 0.5 };
  const { stats, outcomes, requests } = await run("v2", { seed: 17, concurrency: 16, experiment, outcomeDelayMs: Infinity, until: T0 + 8 * HOUR, drain: true });
  const unitOf = new Map(requests.map((r) => [r.id, r.unit]));
  const conversions = { control: 0, treatment: 0 };
  const items = flat(outcomes);
  assert.equal(items.length, stats.sent, "an outcome, 0 or 1, for every exposure");
  for (const item of items) {
    assert.deepEqual(Object.keys(item).sort(), ["metric", "outcome", "request_id"]);
    const arm = assignExperiments(LAYERS, unitOf.get(String(item.request_id))!)[0]!.arm as "control" | "treatment";
    if (item.outcome === 1) conversions[arm]++;
  }
  assert.deepEqual(conversions, stats.conversions);
  const exposures = stats.exposures as { control: number; treatment: number };
  assert.equal(exposures.control + exposures.treatment, stats.sent, "every unit is in the experiment");
  const r = twoProportionTest([conversions.treatment, conversions.control], [exposures.treatment, exposures.control]);
  assert.ok(r.ci[0] < 0.1 && 0.1 < r.ci[1], `the true difference 0.1 is in [${r.ci[0]}, ${r.ci[1]}]`);
  assert.ok(r.pValue < 1e-6, `p ${r.pValue}`);
  assert.equal(stats.labelsPosted, 0, "outcomeDelayMs Infinity: no labels");
});

test("a gateway that goes away mid-run is counted as errors, never thrown", async () => {
  const clock = new VirtualClock(T0);
  const gateway = await startFakeGateway(clock, "v1", {
    onRequest: (n) => {
      if (n === 50) void gateway.close();
    },
  });
  const stats = await runTraffic({ gateway: gateway.url, clock, seed: 1, from: T0, until: T0 + 2 * HOUR, requestsPerSimHour: 300, concurrency: 2, outcomeDelayMs: 60_000 });
  assert.ok(stats.sent > 100);
  assert.ok((stats.errors.network ?? 0) > 0, JSON.stringify(stats.errors));
  assert.equal(stats.ok + total(stats.errors), stats.sent);
  assert.ok(gateway.requests.length <= 52);
  assert.ok(stats.outcomeFailures > 0 || stats.labelsPosted < stats.ok);
  assert.match(stats.lastError ?? "", /fetch failed|ECONNREFUSED|socket/);
});

test("an abort stops the run cleanly: no more requests, the counts so far", async () => {
  const controller = new AbortController();
  const clock = new VirtualClock(T0);
  const gateway = await startFakeGateway(clock, "v1", { onRequest: (n) => n === 100 && controller.abort() });
  try {
    const stats = await runTraffic({ gateway: gateway.url, clock, seed: 2, from: T0, requestsPerSimHour: 1000, concurrency: 4, signal: controller.signal });
    assert.equal(stats.aborted, true);
    assert.ok(stats.sent >= 100 && stats.sent <= 104, `${stats.sent} sent`);
    const seen = gateway.requests.length;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(gateway.requests.length, seen, "nothing sent after the run ended");
    assert.equal(stats.errors.network, undefined, "requests cut short by the abort are not errors");
    const answered = stats.ok + total(stats.errors);
    assert.ok(answered <= seen && answered >= seen - 4, "the answered ones count (as ok or the model's 500s), those cut short do not");
  } finally {
    await gateway.close();
  }
  const already = await runTraffic({ gateway: "http://127.0.0.1:9", clock, seed: 2, from: T0, requestsPerSimHour: 1000, signal: AbortSignal.abort() });
  assert.equal(already.sent, 0);
  assert.equal(already.aborted, true);
});

test("on a SimClock, the requests carry simulated times that rise and never pass real time", async () => {
  const start = Date.now() - HOUR;
  const clock = new SimClock({ start, speed: 200_000 });
  const gateway = await startFakeGateway(clock, "v1");
  try {
    const progress: number[] = [];
    const stats = await runTraffic({
      gateway: gateway.url, clock, seed: 4, from: start, until: start + HOUR, requestsPerSimHour: 500, outcomeDelayMs: 10 * 60_000,
      progressEveryMs: 15 * 60_000, onProgress: (s) => progress.push(s.sent),
    });
    assert.equal(stats.sent, gateway.requests.length);
    assert.ok(gateway.requests.every((r, i) => r.time >= start && r.time <= Date.now() && (i === 0 || r.time >= gateway.requests[i - 1]!.time)));
    assert.ok(progress.length >= 4 && progress.every((n, i) => i === 0 || n >= progress[i - 1]!), progress.join(","));
    assert.equal(progress.at(-1), stats.sent);
  } finally {
    await gateway.close();
  }
});

test("options that cannot work are errors that name them; x-experiments is read per experiment", async () => {
  const clock = new VirtualClock(T0);
  const base = { gateway: "http://127.0.0.1:9", clock, seed: 1, from: T0, requestsPerSimHour: 10 };
  await assert.rejects(runTraffic({ ...base, requestsPerSimHour: 0 }), /runTraffic: requestsPerSimHour must be above 0, got 0/);
  await assert.rejects(runTraffic({ ...base, until: T0 - 1 }), /runTraffic: until .* is before from/);
  await assert.rejects(runTraffic({ ...base, experiment: { name: "x", baselineConversion: 0.8, lift: 0.5 } }), /experiment 'x': the conversion rates 0.8 and 1.2.* must be in \[0, 1\]/);
  assert.equal(armOf("offer=treatment;copy=short", "copy"), "short");
  assert.equal(armOf("offer=treatment", "copy"), undefined);
  assert.equal(armOf(null, "offer"), undefined);
});
