/**
 * docs/schemas/<kind>.schema.json against real result documents: the CLI run in this process
 * (runInsights) over generated prediction logs and a fake Prometheus API, and the core analyses
 * and state machine where a host builds the document. They are checked with SchemaValidator, the
 * repo's own subset of draft-07, so the schemas may use nothing else; broken documents are refused.
 */
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SchemaValidator, type SchemaNode } from "../../src/config/schema";
import { analyzeAb } from "../../src/core/ab/analyzeAb";
import { advanceCanary, newCanary, type CanaryState } from "../../src/core/canary/canary";
import type { CanaryMeasurement, CanaryPolicy } from "../../src/core/canary/policy";
import { analyzeDrift } from "../../src/core/drift/analyzeDrift";
import { analyzeJumps } from "../../src/core/jumps/analyzeJumps";
import type { AbResult } from "../../src/core/results/ab";
import { resultMime } from "../../src/core/results/common";
import type { DriftResult } from "../../src/core/results/drift";
import type { JumpsResult } from "../../src/core/results/jumps";
import type { AbReportDocument, CompareResult, ReportKind, ResultStamp, RolloutReport, SampleSizeResult, TimeseriesResult } from "../../src/core/results/report";
import { runInsights } from "../../src/extension/production/insights";
import { liftSeries } from "../../src/extension/production/liftSeries";
import { generateLogs, type GeneratedLogs } from "../support/generateLogs";

const KINDS = ["ab", "drift", "jumps", "compare", "timeseries", "samplesize", "canary", "rollout"] as const satisfies readonly ReportKind[];
type Kind = (typeof KINDS)[number];

const schemaDir = path.resolve(__dirname, "../../docs/schemas");
const schemas = new Map<Kind, SchemaNode & Record<string, unknown>>(KINDS.map((k) => [k, JSON.parse(readFileSync(path.join(schemaDir, `${k}.schema.json`), "utf8"))]));
const schema = (kind: Kind) => schemas.get(kind)!;

/** The violations as "path: message" lines, for readable failures. */
function issues(kind: Kind, doc: unknown): string[] {
  return new SchemaValidator(schema(kind)).validate(doc).map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
}

function assertValid(kind: Kind, doc: unknown, what: string): void {
  assert.deepEqual(issues(kind, doc), [], `${kind} (${what}) does not match its schema`);
}

/** Refused, with a message that matches. */
function assertRefused(kind: Kind, doc: unknown, message: RegExp): void {
  const found = issues(kind, doc);
  assert.ok(
    found.some((m) => message.test(m)),
    `${kind}: expected an issue matching ${message}, got ${JSON.stringify(found)}`,
  );
}

/** A JSON copy of `doc` with the value at `at` replaced, or removed when `value` is omitted. */
function broken(doc: unknown, at: ReadonlyArray<string | number>, ...value: [unknown?]): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  let parent = copy as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at.at(-1)!;
  if (value.length === 0) delete parent[last];
  else parent[last] = value[0];
  return copy;
}

async function cliDocument<T>(argv: readonly string[], cwd: string): Promise<T> {
  const run = await runInsights([...argv, "--json"], { cwd });
  assert.equal(run.code, 0, `${argv.join(" ")}: ${run.stderr}`);
  return run.document as T;
}

describe("the schema files", () => {
  // What SchemaValidator reads (src/config/schema.ts), and the annotations it may skip.
  const KEYWORDS = new Set([
    ...["$schema", "$id", "title", "description", "definitions", "$ref"],
    ...["type", "properties", "required", "additionalProperties", "enum", "const", "items", "minItems", "minLength", "pattern"],
    ...["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "if", "then", "else", "allOf"],
  ]);

  /** Every schema node with its path: under properties and definitions, the keys are names. */
  function* nodes(node: SchemaNode, at: string): Generator<[string, SchemaNode]> {
    yield [at, node];
    for (const [key, value] of Object.entries(node)) {
      if (key === "properties" || key === "definitions") {
        for (const [name, sub] of Object.entries(value as Record<string, SchemaNode>)) yield* nodes(sub, `${at}/${key}/${name}`);
      } else if (key === "allOf") {
        for (const [i, sub] of (value as SchemaNode[]).entries()) yield* nodes(sub, `${at}/allOf/${i}`);
      } else if (["items", "if", "then", "else", "additionalProperties"].includes(key) && typeof value === "object") yield* nodes(value as SchemaNode, `${at}/${key}`);
    }
  }

  for (const kind of KINDS) {
    test(`${kind}: draft-07 with its $id, title and MIME type, only keywords SchemaValidator knows, every $ref resolved`, () => {
      const s = schema(kind);
      assert.equal(s["$schema"], "http://json-schema.org/draft-07/schema#");
      assert.equal(s["$id"], `https://prodinsights.dev/schemas/${kind}.schema.json`);
      assert.equal(typeof s["title"], "string");
      assert.ok(s.description?.includes(resultMime(kind)), `${kind}: the description names ${resultMime(kind)}`);
      assert.deepEqual(s.properties?.["kind"], { const: kind });
      // Fields are only ever added: other properties are allowed at the top.
      assert.notEqual(s.additionalProperties, false);
      const validator = new SchemaValidator(s);
      for (const [at, node] of nodes(s, "#")) {
        for (const key of Object.keys(node)) assert.ok(KEYWORDS.has(key), `${kind} ${at}: '${key}' is not a keyword SchemaValidator reads`);
        if (node.$ref !== undefined) assert.doesNotThrow(() => validator.resolve(node), `${kind} ${at}`);
      }
      // The notebook's stamp: an optional object of strings, with what every run has required.
      const stamp = validator.resolve(s.properties!["stamp"]!);
      assert.equal(s.required?.includes("stamp"), false);
      assert.deepEqual(Object.keys(stamp.properties ?? {}), ["range", "start", "end", "backend", "configHash", "commit", "ranAt", "command"]);
      assert.ok(Object.values(stamp.properties!).every((p) => p.type === "string"));
      assert.deepEqual(stamp.required, ["ranAt", "command"]);
    });
  }

  test("compare and rollout embed exact copies of the ab and canary schemas (each file stands alone)", () => {
    const body = (s: Record<string, unknown>) => {
      const { $schema, $id, title, description, definitions, ...rest } = s;
      void [$schema, $id, title, description, definitions];
      return rest;
    };
    for (const [outer, inner, name] of [
      ["compare", "ab", "abResult"],
      ["rollout", "canary", "canaryResult"],
    ] as const) {
      const o = schema(outer);
      const i = schema(inner);
      assert.deepEqual(body(o.definitions![name] as Record<string, unknown>), body(i), `${outer}.definitions.${name} = ${inner}`);
      for (const [def, value] of Object.entries(i.definitions ?? {})) assert.deepEqual(o.definitions?.[def], value, `${outer}.definitions.${def}`);
    }
  });
});

describe("documents from prediction logs", () => {
  let dir: string;
  let logs: GeneratedLogs;
  const day = (d: number) => new Date(logs.facts.start + d * 86400e3).toISOString().slice(0, 10);
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-schemas-"));
    logs = generateLogs({ dir, formats: ["jsonl"], days: 28, rowsPerDay: 300 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("ab --logs, with its source", async () => {
    const doc = await cliDocument<AbResult & { source: object }>(["ab", "--logs", "*.jsonl", "--experiment", "checkout"], dir);
    assert.equal(doc.kind, "ab");
    assert.ok(doc.source);
    assertValid("ab", doc, "ab --logs");
  });

  test("drift --logs over large windows (distances) and small ones (tests)", async () => {
    const large = await cliDocument<DriftResult>(["drift", "--logs", "*.jsonl", "--model", "churn", "--baseline", `${day(0)}..${day(7)}`, "--current", `${day(21)}..${day(28)}`], dir);
    const small = await cliDocument<DriftResult>(["drift", "--logs", "*.jsonl", "--model", "churn", "--baseline", `${day(0)}..${day(1)}`, "--current", `${day(27)}..${day(28)}`], dir);
    const methods = new Set([...large.features, ...small.features].map((f) => (f.status === "ok" ? f.method : f.status)));
    for (const m of ["wasserstein", "jensenshannon", "ks", "chisquare", "z"]) assert.ok(methods.has(m as never), `${m} in ${[...methods].join(", ")}`);
    assertValid("drift", large, "drift --logs, 7-day windows");
    assertValid("drift", small, "drift --logs, 1-day windows");
  });

  test("jumps --logs of a proportion, a mean and a quantile metric", async () => {
    for (const metric of ["error_rate", "prediction_mean", "latency_p95"]) {
      const doc = await cliDocument<JumpsResult>(["jumps", "--logs", "*.jsonl", "--model", "churn", "--metric", metric], dir);
      assert.equal(doc.kind, "jumps");
      assertValid("jumps", doc, `jumps --metric ${metric}`);
    }
  });
});

describe("documents without data files", () => {
  test("ab --counts: proportions with an empty arm and power, and the insufficient-data variants", async () => {
    const cwd = tmpdir();
    assertValid("ab", await cliDocument(["ab", "--counts", "A=100/1000,B=130/1000,C=0/0", "--mde", "0.02"], cwd), "three arms, one empty");
    assertValid("ab", await cliDocument(["ab", "--counts", "A=0/0,B=5/10"], cwd), "an empty baseline");
    assertValid("ab", await cliDocument(["ab", "--counts", "A=0/500,B=0/500", "--mde", "0.01", "--correction", "bh", "--direction", "lower"], cwd), "no conversions");
    const srm = await cliDocument<AbResult>(["ab", "--counts", "A=100/1000,B=300/3000"], cwd);
    assert.ok(srm.srm.status === "ok" && srm.srm.flagged);
    assertValid("ab", srm, "a flagged SRM");
  });

  test("ab --counts with hostile arm names", async () => {
    const names = ["<script>alert(1)</script>", '"quoted" \'name\'', "__proto__", "constructor", "line\nbreak", "ü 🙂 \u202e"];
    const counts = names.map((n, i) => `${n}=${100 + 10 * i}/1000`).join(",");
    const doc = await cliDocument<AbResult>(["ab", "--counts", counts], tmpdir());
    assert.deepEqual(
      doc.arms.map((a) => a.name),
      names.map((n) => n.trim()),
    );
    assertValid("ab", doc, "hostile arm names");
  });

  test("ab of means (the stats ab contract's arms) and a report's cumulative lift series", async () => {
    const means: AbResult = analyzeAb(
      [
        { name: "control", n: 400, sum: 4000, sumSquares: 4000 * 10 + 399 * 4 },
        { name: "treatment", n: 400, sum: 4200, sumSquares: 4200 * 10.5 + 399 * 4 },
        { name: "one", n: 1, sum: 3, sumSquares: 9 },
      ],
      { mde: 0.5 },
    );
    assert.equal(means.metricKind, "mean");
    assertValid("ab", means, "mean arms");
    const history = await Promise.all(
      [1, 2, 3].map(async (i) => ({ t: i * 3600e3, result: await cliDocument<AbResult>(["ab", "--counts", `A=${10 * i}/${100 * i},B=${14 * i}/${100 * i}`], tmpdir()) })),
    );
    const report: AbReportDocument = { ...history.at(-1)!.result, series: liftSeries(history) };
    assert.equal(report.series?.[0]?.points.length, 3);
    assertValid("ab", report, "with series");
  });

  test("sample-size --json as printed (no kind) and with the kind a host adds", async () => {
    const printed = await cliDocument<Omit<SampleSizeResult, "kind">>(["sample-size", "--baseline", "0.1", "--mde", "0.05", "--relative", "--power", "0.9"], tmpdir());
    assert.equal("kind" in printed, false);
    assertValid("samplesize", printed, "as printed");
    const doc: SampleSizeResult = { ...printed, kind: "samplesize" };
    assertValid("samplesize", doc, "with kind");
  });

  test("drift from the core: binned, categorical and raw features, missing values, insufficient data, hostile names", () => {
    const doc = analyzeDrift(
      [
        { name: "latency", data: { kind: "binned", edges: [-Infinity, 0.1, 0.25, 0.5, Infinity], baseline: [50, 30, 15, 5], current: [30, 30, 25, 15] } },
        { name: '<img src=x onerror="alert(1)">', data: { kind: "categorical", categories: ["a", "__proto__", "c"], baseline: [10, 20, 30], current: [30, 20, 10] } },
        { name: "few", data: { kind: "numeric", baseline: [1, 2, NaN, 3, Infinity], current: [2, 3, 4, 5, NaN] } },
        { name: "constant", data: { kind: "numeric", baseline: Array(2000).fill(1), current: Array.from({ length: 2000 }, (_, i) => i % 7) } },
        { name: "empty", data: { kind: "numeric", baseline: [], current: [1, 2] } },
        { name: "zero", data: { kind: "binned", edges: [0, 1, 2], baseline: [0, 0], current: [1, 1] } },
      ],
      { features: { latency: { method: "psi" } } },
    );
    const statuses = doc.features.map((f) => (f.status === "ok" ? `${f.method}/${f.methodSource}` : f.status));
    assert.ok(statuses.includes("insufficient-data") && statuses.includes("psi/feature") && statuses.some((s) => s.endsWith("/fallback")), statuses.join(", "));
    assert.ok(doc.features.some((f) => f.missing !== undefined));
    assertValid("drift", doc, "core features");
    const none = analyzeDrift([{ name: "empty", data: { kind: "numeric", baseline: [], current: [] } }]);
    assert.equal(none.verdict, "insufficient-data");
    assertValid("drift", none, "nothing tested");
  });

  test("jumps from the core: too little data for any measure", () => {
    const doc = analyzeJumps(
      {
        name: "error_rate",
        kind: "proportion",
        direction: "lower",
        points: [
          { t: 0, n: 0 },
          { t: 3600e3, n: 10, successes: 1 },
          { t: 7200e3, n: 10, successes: 0 },
        ],
      },
      [
        { t: 0, version: "v1" },
        { t: 10800e3, version: "v2", model: "churn" },
      ],
      { changePoints: { penalty: 1 } },
    );
    assert.equal(doc.changePoints.status, "insufficient-data");
    assert.ok(doc.jumps.every((j) => j.status === "insufficient-data"));
    assertValid("jumps", doc, "insufficient data");
  });
});

describe("documents over a Prometheus API", () => {
  // A fake Prometheus: per-version counters and latency buckets for instant queries, and two
  // series (one with a NaN, which is no data) for range queries.
  let server: Server;
  let dir: string;
  const RANGE = "2026-11-01T00:00:00Z..2026-11-02T00:00:00Z";
  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        const params = new URLSearchParams(body);
        const query = url.searchParams.get("query") ?? params.get("query") ?? "";
        const time = Number(url.searchParams.get("time") ?? params.get("time") ?? 1793491200);
        const byVersion = (values: Record<string, number>, labels: Record<string, string> = {}) =>
          Object.entries(values).map(([version, v]) => ({ metric: { ...labels, version }, value: [time, String(v)] }));
        let data: unknown;
        if (url.pathname.endsWith("/query_range")) {
          const start = Number(url.searchParams.get("start") ?? params.get("start"));
          const values = (f: (i: number) => string) => Array.from({ length: 5 }, (_, i) => [start + i * 60, f(i)]);
          data = {
            resultType: "matrix",
            result: [
              { metric: { __name__: "up", job: "gateway", version: "v2" }, values: values((i) => String(0.01 * i)) },
              { metric: { job: '<b>"x"</b>' }, values: values((i) => (i === 2 ? "NaN" : String(i))) },
            ],
          };
        } else if (query.includes("model_errors_total")) data = { resultType: "vector", result: byVersion({ v2: 20, v3: 45 }) };
        else if (query.includes("model_requests_total")) data = { resultType: "vector", result: byVersion({ v2: 2000, v3: 2000 }) };
        else if (query.includes("model_latency_seconds_bucket")) {
          const buckets: Record<string, [number, number]> = { "0.1": [500, 300], "0.25": [1500, 1200], "0.5": [1900, 1800], "+Inf": [2000, 2000] };
          data = { resultType: "vector", result: Object.entries(buckets).flatMap(([le, [v2, v3]]) => byVersion({ v2, v3 }, { le })) };
        } else data = { resultType: "vector", result: byVersion({ v2: 1 }, { __name__: "up" }) };
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ status: "success", data }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-schemas-prom-"));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    writeFileSync(path.join(dir, "prodinsights.yaml"), `backends:\n  local: {url: '${url}'}\nmodels:\n  churn: {metrics: [error_rate, latency_p95, request_rate]}\n`);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test("query --json: a timeseries document over a range and at an instant, and one with a host's release markers", async () => {
    const range = await cliDocument<TimeseriesResult>(["query", "up", "--range", RANGE, "--step", "1m"], dir);
    assert.equal(range.series.length, 2);
    assert.equal(range.series[1]!.points.length, 4, "the NaN point is left out");
    assertValid("timeseries", range, "range query");
    assertValid("timeseries", await cliDocument(["query", "up", "--at", "2026-11-01T12:00:00Z"], dir), "instant query");
    const withReleases: TimeseriesResult = { ...range, releases: [{ t: range.series[0]!.points[1]!.t, label: "churn v3" }] };
    assertValid("timeseries", withReleases, "with releases");
  });

  test("compare --json: a proportion metric, a quantile metric and a skipped rate metric", async () => {
    const doc = await cliDocument<CompareResult>(["compare", "churn", "v3", "v2", "--range", RANGE], dir);
    assert.deepEqual(
      [doc.metrics.map((m) => m.metric), doc.distributions?.map((d) => d.metric), doc.skipped?.map((s) => s.metric)],
      [["error_rate"], ["latency_p95"], ["request_rate"]],
    );
    assert.equal(doc.metrics[0]!.result.srm.status, "insufficient-data");
    assertValid("compare", doc, "compare");
  });
});

describe("canary and rollout documents", () => {
  const MIN = 60_000;
  const policy: CanaryPolicy = {
    steps: [
      { weight: 10, pauseMs: 10 * MIN },
      { weight: 50, pauseMs: 10 * MIN },
      { weight: 100, pauseMs: 10 * MIN },
    ],
    metrics: [
      { name: "error_rate", kind: "proportion", direction: "lower", tolerance: 0.005 },
      { name: "latency", kind: "distribution", direction: "lower" },
    ],
  };
  const errors = (candidate: number): CanaryMeasurement => ({ metric: "error_rate", kind: "proportion", baseline: { successes: 100, trials: 10_000 }, candidate: { successes: Math.round(candidate * 10_000), trials: 10_000 } });
  const latency: CanaryMeasurement = { metric: "latency", kind: "distribution", baseline: [400, 300, 200, 80, 20], candidate: [400, 300, 200, 80, 20] };

  /** The state machine run to its end (or `limit` advances), as the gateway and `canary run` host it. */
  function canary(measure: () => CanaryMeasurement[], limit = 50): CanaryState[] {
    const states = [newCanary()];
    let now = Date.UTC(2026, 10, 27, 12);
    for (let i = 0; i < limit; i++) {
      const state = states.at(-1)!;
      if (state.status === "promoted" || state.status === "rolled-back") break;
      const r = advanceCanary(state, policy, now, measure());
      states.push(r.state);
      now = r.action.type === "wait" ? r.action.until : now + 10 * MIN;
    }
    return states;
  }

  test("every state of a promoted, a failed and an inconclusive canary", () => {
    const runs = { promoted: canary(() => [errors(0.01), latency]), failed: canary(() => [errors(0.03), latency]), inconclusive: canary(() => []) };
    assert.equal(runs.promoted.at(-1)!.status, "promoted");
    assert.equal(runs.failed.at(-1)!.status, "rolled-back");
    assert.ok(runs.inconclusive.at(-1)!.checks.every((c) => c.outcome === "inconclusive"));
    for (const [name, states] of Object.entries(runs)) states.forEach((s, i) => assertValid("canary", s, `${name}, state ${i}`));
    // What `canary run --json` prints: the model, the candidate and the policy's name before the state.
    assertValid("canary", { model: "churn", candidate: "v3", policy: "canary", ...runs.failed.at(-1)!, aborted: false }, "canary run --json");
  });

  test("a rollout with a shadow and a canary, and one with neither", () => {
    const result = canary(() => [errors(0.01), latency], 2).at(-1)!;
    assert.equal(result.status, "running");
    const doc: RolloutReport = {
      kind: "rollout",
      model: "churn",
      provider: "gateway",
      stable: "v2",
      weights: [
        { version: "v2", weight: 90 },
        { version: "v3", weight: 10 },
      ],
      shadow: { version: "v4", share: 5 },
      canary: { version: "v3", baseline: "v2", steps: [10, 50, 100], active: true, result },
    };
    assertValid("rollout", doc, "with a canary");
    const plain: RolloutReport = { kind: "rollout", model: "fraud", provider: "argo", stable: "", weights: [{ version: "f1", weight: 100 }] };
    assertValid("rollout", plain, "without a canary");
  });
});

describe("broken documents are refused", () => {
  const ab = analyzeAb(
    [
      { name: "A", successes: 100, trials: 1000 },
      { name: "B", successes: 140, trials: 1000 },
    ],
    { mde: 0.02 },
  );

  test("ab: a missing field, a wrong enum, a variant without its fields, a winner without a name, NaN as null", () => {
    assertValid("ab", ab, "the original");
    assertRefused("ab", broken(ab, ["verdict"]), /^\(top\): 'verdict' is missing/);
    assertRefused("ab", broken(ab, ["correction"], "bonferroni"), /^correction: must be one of holm, bh, none/);
    assertRefused("ab", broken(ab, ["comparisons", 0, "pValue"]), /^comparisons\.0: 'pValue' is missing/);
    assertRefused("ab", broken(ab, ["comparisons", 0, "verdict"], "insufficient-data"), /^comparisons\.0\.verdict: must be one of winner, loser, inconclusive/);
    assertRefused("ab", broken(ab, ["arms", 1], { name: "B", n: 1000, status: "insufficient-data" }), /^arms\.1: 'reason' is missing/);
    assertRefused("ab", broken(ab, ["winner"]), /^\(top\): 'winner' is missing/);
    // JSON.stringify writes NaN as null: a document never holds either.
    assertRefused("ab", broken(ab, ["comparisons", 0, "pValue"], null), /^comparisons\.0\.pValue: must be a number, not nothing/);
    assertRefused("ab", broken(ab, ["arms", 0, "n"], 10.5), /^arms\.0\.n: must be a whole number/);
    assertRefused("ab", broken(ab, ["arms"], [ab.arms[0]]), /^arms: must list at least 2 items/);
  });

  test("the optional stamp: strings, with ranAt and command; any other extra field passes", () => {
    const stamp: ResultStamp = {
      range: "-1d..now",
      start: "2026-11-26T00:00:00Z",
      end: "2026-11-27T00:00:00Z",
      backend: "local",
      configHash: "0123456789ab",
      commit: "df96ba1c0ffe-dirty",
      ranAt: "2026-11-27T00:00:01Z",
      command: "prodinsights ab checkout --range -1d..now",
    };
    for (const kind of ["ab", "samplesize"] as const) {
      const doc = kind === "ab" ? ab : { kind, n: 10.5, perArm: 11, total: 22, p1: 0.1, p2: 0.2, alpha: 0.05, power: 0.8 };
      assertValid(kind, { ...doc, stamp, addedLater: { anything: [1, "two"] } }, "with a stamp");
      assertValid(kind, { ...doc, stamp: { ranAt: "2026-11-27T10:00:00.000Z", command: "prodinsights sample-size --baseline 0.1 --mde 0.01 --json" } }, "with the fields every run has");
      assertRefused(kind, { ...doc, stamp: { range: "-1d..now" } }, /stamp/);
      assertRefused(kind, { ...doc, stamp: { ...stamp, start: 1700000000000 } }, /^stamp\.start: must be text/);
      assertRefused(kind, { ...doc, stamp: "yesterday" }, /^stamp: must be a mapping/);
    }
  });

  test("each other kind refuses a wrong kind, a missing field and a wrong enum", () => {
    const cases: Array<[Kind, unknown, RegExp]> = [
      ["drift", { kind: "drift", verdict: "maybe", driftShare: 0.5, tested: 0, counts: { none: 0, possible: 0, drift: 0, insufficientData: 0 }, features: [], warnings: [] }, /^verdict: must be one of/],
      ["drift", { kind: "drift", verdict: "none", driftShare: 0.5, tested: 1, counts: { none: 1, possible: 0, drift: 0, insufficientData: 0 }, features: [], warnings: [] }, /'shareDrifted' is missing/],
      ["jumps", { kind: "jumps" }, /^\(top\): 'settings' is missing/],
      ["compare", { kind: "compare", model: "churn", baseline: "v2", candidate: "v3" }, /'metrics' is missing/],
      ["compare", { kind: "compare", model: "churn", baseline: "v2", candidate: "v3", metrics: [{ metric: "error_rate", arms: [], result: { kind: "ab" }, warnings: [] }] }, /^metrics\.0\.result: 'arms' is missing/],
      ["timeseries", { kind: "timeseries", query: "up", series: [{ labels: {}, points: [{ t: 1, v: "NaN" }] }] }, /^series\.0\.points\.0\.v: must be a number/],
      ["timeseries", { kind: "query", query: "up", series: [] }, /^kind: must be "timeseries"/],
      ["samplesize", { n: 10, perArm: 10, total: 20, p1: 1.5, p2: 0.2, alpha: 0.05, power: 0.8 }, /^p1: must be below 1/],
      ["canary", { kind: "canary", status: "paused", step: 0, weight: 10, checks: [], decisions: [] }, /^status: must be one of pending, running, promoted, rolled-back/],
      ["canary", { kind: "canary", status: "running", step: 0, weight: 10, checks: [], decisions: [{ t: 1, action: { type: "set-weight" }, reasons: [] }] }, /^decisions\.0\.action: 'weight' is missing/],
      ["rollout", { kind: "rollout", model: "churn", provider: "k8s", stable: "v2", weights: [] }, /^provider: must be one of gateway, unleash, argo/],
    ];
    for (const [kind, doc, message] of cases) assertRefused(kind, doc, message);
  });
});
