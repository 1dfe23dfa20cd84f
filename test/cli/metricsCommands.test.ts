/**
 * `ab`, `drift` and `jumps` with `--config`, as people run them: the built CLI against a real
 * Prometheus holding the known history (test/support/promHistory.ts).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promHistory } from "../support/promHistory";
import { freePort, missingServerPolicy, startServer, type RunningServer } from "../support/servers";

const cli = path.resolve(__dirname, "../../dist/cli.js");
const facts = promHistory().facts;
const iso = (ms: number): string => new Date(ms).toISOString();
const RANGE = `${iso(facts.startMs)}..${iso(facts.endMs)}`;
const v3Ms = facts.releases.find((r) => r.version === "v3")!.atMs;

/** Async, so that the server started in this process keeps answering while the CLI runs. */
function run(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const policy = missingServerPolicy("prometheus");
if (policy.fail) test("prometheus: the server binaries are installed", () => assert.fail(policy.fail));
else {
  describe("the CLI over Prometheus with --config", { skip: policy.skip ?? false }, () => {
    let server: RunningServer;
    let dir: string;
    before(async () => {
      server = await startServer("prometheus");
      dir = mkdtempSync(path.join(tmpdir(), "prodinsights-metrics-cli-"));
      // tenure_p50: a quantile metric over a histogram that shifts up while v2 serves (the planted drift).
      const tenure = 'histogram_quantile(0.5, sum by (le) (rate(model_feature_bucket{model="$model",version="$version",feature="tenure"}[$window])))';
      const config = [
        "backends:",
        `  local: {url: '${server.url}'}`,
        "models:",
        "  churn:",
        "metrics:",
        `  tenure_p50: {kind: quantile, direction: lower, query: '${tenure}'}`,
        "experiments:",
        "  onboarding: {arms: [control, treatment], weights: [1, 1]}",
        "",
      ].join("\n");
      writeFileSync(path.join(dir, "prodinsights.yaml"), config);
    });
    after(async () => {
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test("ab EXPERIMENT finds the known winner in two queries, and --json records how", async () => {
      const r = await run(["ab", "checkout", "--range", RANGE], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Experiment checkout, conversion, .* from local \(2 queries\)/);
      assert.match(r.stdout, /Verdict: treatment wins\./);
      const j = await run(["ab", "checkout", "--range", RANGE, "--json"], dir);
      const doc = JSON.parse(j.stdout);
      assert.equal(doc.winner, "treatment");
      assert.equal(doc.source.kind, "prometheus");
      assert.equal(doc.source.backend, "local");
      assert.match(doc.source.configHash, /^[0-9a-f]{12}$/);
      assert.deepEqual(
        doc.source.queries.map((q: { query: string }) => q.query),
        [
          'sum by (arm) (increase(experiment_conversions_total{experiment="checkout",metric="conversion"}[14d]))',
          'sum by (arm) (increase(experiment_exposures_total{experiment="checkout"}[14d]))',
        ],
      );
    });

    test("ab: the configured split exposes onboarding's sample ratio mismatch", async () => {
      const r = await run(["ab", "onboarding", "--range", RANGE], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Sample ratio check: p (= [0-9.e-]+|< 1e-16) against the expected split \(MISMATCH\)/);
      assert.doesNotMatch(r.stdout, /wins/);
    });

    test("drift MODEL: tenure drifted, from six queries", async () => {
      const r = await run(["drift", "churn", "--baseline", `${iso(facts.startMs)}..${iso(facts.driftMs)}`, "--current", `${iso(facts.driftMs + 3_600_000)}..${iso(facts.endMs)}`, "--json"], dir);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      const level = Object.fromEntries(doc.features.map((f: { name: string; level?: string }) => [f.name, f.level]));
      assert.deepEqual(level, { prediction: "none", monthly_charges: "none", plan: "none", tenure: "drift" });
      assert.equal(doc.source.queries.length, 6);
    });

    test("jumps MODEL: the v2 release made errors jump, v3 did not", async () => {
      const r = await run(["jumps", "churn", "--range", RANGE, "--now", iso(facts.endMs), "--json"], dir);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      const jumps = Object.fromEntries(doc.jumps.map((j: { version: string; significant?: boolean; direction?: string }) => [j.version, [j.significant, j.direction]]));
      assert.deepEqual(jumps, { v2: [true, "worse"], v3: [false, "none"] });
      assert.ok(doc.source.queries.length <= 6, `${doc.source.queries.length} queries`);
    });

    test("mistakes are one clear line: a misspelt metric, an unset secret, a backend that is down", async () => {
      const metric = await run(["ab", "checkout", "--metric", "convresion", "--range", RANGE], dir);
      assert.equal(metric.code, 2);
      assert.equal(metric.stderr, "prodinsights ab: no metric named 'convresion'. Did you mean 'conversion'?\n");

      const secretDir = mkdtempSync(path.join(tmpdir(), "prodinsights-secret-"));
      const down = await freePort();
      writeFileSync(path.join(secretDir, "prodinsights.yaml"), `backends:\n  a: {url: '${server.url}', auth: {bearer: '\${env:PI_TEST_TOKEN}'}}\n  down: {url: 'http://127.0.0.1:${down}', retries: 0}\n`);
      try {
        const secret = await run(["ab", "checkout", "--range", RANGE], secretDir, { PI_TEST_TOKEN: "" });
        assert.equal(secret.code, 2);
        assert.equal(secret.stderr, "prodinsights ab: backend 'a' (auth.bearer) names the environment variable PI_TEST_TOKEN, which is not set\n");
        const refused = await run(["ab", "checkout", "--backend", "down", "--range", RANGE], secretDir);
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(refused.stderr, /^prodinsights ab: .*127\.0\.0\.1:\d+.*(refused|ECONNREFUSED)/i);
        assert.equal(refused.stderr.trim().split("\n").length, 1);
        const typo = await run(["ab", "checkout", "--backend", "dwn"], secretDir);
        assert.equal(typo.stderr, "prodinsights ab: no backend named 'dwn'. Did you mean 'down'?\n");
      } finally {
        rmSync(secretDir, { recursive: true, force: true });
      }
    });

    test("check tries every backend: ok for a live one and for log files, FAIL and exit 2 for one that is down", async () => {
      const ok = await run(["check"], dir);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^prodinsights\.yaml: ok \(1 backend, 1 model, 1 experiment; config hash [0-9a-f]{12}\)\n/);
      // The history ended long ago, so right now no model has series: said, not failed.
      assert.match(ok.stdout, /\nok {3}local \(prometheus http:\/\/127\.0\.0\.1:\d+\): reachable in \d+ ms; model_requests_total has no series of churn right now\n$/);

      const other = mkdtempSync(path.join(tmpdir(), "prodinsights-check-"));
      const down = await freePort();
      writeFileSync(path.join(other, "a.jsonl"), "{}\n");
      writeFileSync(
        path.join(other, "prodinsights.yaml"),
        `backends:\n  local: {url: '${server.url}'}\n  files: {type: logs, paths: ['*.jsonl']}\n  down: {url: 'http://127.0.0.1:${down}', retries: 0, timeout: 5s}\n`,
      );
      try {
        const mixed = await run(["check"], other);
        assert.equal(mixed.code, 2);
        assert.match(mixed.stdout, /\nok {3}local \(prometheus [^)]+\): reachable in \d+ ms\n/);
        assert.match(mixed.stdout, /\nok {3}files \(logs \*\.jsonl\): 1 file, 0\.0 MB\n/);
        assert.match(mixed.stdout, /\nFAIL down \(prometheus http:\/\/127\.0\.0\.1:\d+\): .*(refused|ECONNREFUSED)/i);
        assert.equal(mixed.stderr, "prodinsights check: 1 backend failed\n");
        const offline = await run(["check", "--offline"], other);
        assert.equal(offline.code, 0);
        assert.equal(offline.stdout.split("\n").length, 2, "the file's line only");
        assert.equal((await run(["check", "--backend", "local"], other)).code, 0);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    test("compare MODEL CANDIDATE BASELINE tests each counting metric and says which it skipped", async () => {
      const r = await run(["compare", "churn", "v2", "v1", "--range", RANGE], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Model churn: v2 against v1, .* from local \(3 queries\)\n/);
      assert.match(r.stdout, /== error_rate ==\n2 versions, error_rate \(rate\), 95% confidence, Holm correction\n[\s\S]*Verdict: loser\./);
      // The history's latency never changes: the same distribution for every version.
      assert.match(r.stdout, /== latency_p95 ==\np95: v2 [\d.]+ s vs v1 [\d.]+ s; a v2 value exceeds a v1 value with probability 0\.50\d, p = [\d.]+ \(Mann-Whitney\): no significant difference\./);
      assert.match(r.stdout, /request_rate: skipped \(a rate metric has no per-request values to test\)/);
      assert.doesNotMatch(r.stdout, /Sample ratio/, "versions get their traffic by design: no SRM check");
      const same = JSON.parse((await run(["compare", "churn", "v3", "v2", "--metric", "error_rate", "--range", `${iso(v3Ms - 5 * 86400e3)}..${iso(facts.endMs)}`, "--json"], dir)).stdout);
      assert.equal(same.kind, "compare");
      assert.equal(same.metrics[0].result.verdict, "inconclusive");
      assert.deepEqual(same.distributions, [], "only the metric asked for");
      const shifted = JSON.parse((await run(["compare", "churn", "v2", "v1", "--metric", "tenure_p50", "--range", RANGE, "--json"], dir)).stdout);
      const d = shifted.distributions[0];
      assert.equal(d.verdict, "worse");
      assert.ok(d.candidate.value > d.baseline.value && d.probabilityHigher > 0.55 && d.pValue < 1e-6, JSON.stringify(d));
      assert.deepEqual(same.metrics[0].arms.map((a: { name: string }) => a.name), ["v2", "v3"]);
      const bad = await run(["compare", "churn", "v2"], dir);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /give the model, the candidate version and the baseline version/);
    });

    test("query runs PromQL as an instant or a range query; NaN and Inf are no data", async () => {
      const instant = await run(["query", "sum by (version) (model_traffic_weight)", "--at", iso(facts.endMs)], dir);
      assert.equal(instant.code, 0, instant.stderr);
      assert.match(instant.stdout, /\{version="v3"\}\s+1\n/);
      const range = JSON.parse((await run(["query", 'prodinsights_probe{case="mixed"}', "--range", `${iso(facts.endMs - 3_600_000)}..${iso(facts.endMs)}`, "--step", "1m", "--json"], dir)).stdout);
      assert.equal(range.kind, "timeseries");
      assert.ok(range.series[0].points.length > 0);
      assert.ok(range.series[0].points.every((p: { v: number }) => Number.isFinite(p.v)));
      const nan = await run(["query", 'prodinsights_probe{case="all_nan"}', "--range", `${iso(facts.endMs - 3_600_000)}..${iso(facts.endMs)}`], dir);
      assert.equal(nan.code, 0, nan.stderr);
      assert.match(nan.stdout, /No data: the query matched no series with finite values in the range\./);
      const syntax = await run(["query", "sum(", "--at", "now"], dir);
      assert.equal(syntax.code, 2);
      assert.match(syntax.stderr, /^prodinsights query: .*(bad_data|parse error)/);
    });

    test("a broken workspace file lists every problem at its line and column", async () => {
      const bad = mkdtempSync(path.join(tmpdir(), "prodinsights-bad-"));
      writeFileSync(path.join(bad, "prodinsights.yaml"), "backends:\n  a: {url: 'http://x', timeout: 30}\nmodles: {}\n");
      try {
        const r = await run(["drift", "churn"], bad);
        assert.equal(r.code, 2);
        assert.equal(
          r.stderr,
          "prodinsights drift: prodinsights.yaml has 2 problems:\n" +
            "prodinsights.yaml:2:33: backends.a.timeout: number 30: must be a duration such as 30s, 5m, 1h or 7d\n" +
            "prodinsights.yaml:3:1: modles: unknown key 'modles'. Did you mean 'models'?\n",
        );
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });
  });
}
