import assert from "node:assert/strict";
import { test } from "node:test";
import { formatIssues, parseConfig, type ConfigIssue } from "../../src/config/load";
import { starterConfig } from "../../src/config/starter";
import type { PrometheusBackend } from "../../src/config/types";

/** The issues as `line:column path: message`, for compact assertions. */
function issues(text: string): string[] {
  const r = parseConfig(text);
  assert.equal(r.config, undefined, "a file with issues gives no config");
  return r.issues.map((i: ConfigIssue) => `${i.line}:${i.column} ${i.path ? `${i.path}: ` : ""}${i.message}`);
}

function config(text: string) {
  const r = parseConfig(text);
  assert.deepEqual(r.issues, []);
  return r.config!;
}

test("a backend URL and a model are enough: the rest comes from the conventions", () => {
  const c = config("backends:\n  prod:\n    url: http://prom:9090/\nmodels:\n  churn:\n");
  const prod = c.backends.get("prod") as PrometheusBackend;
  assert.deepEqual(prod, { name: "prod", type: "prometheus", url: "http://prom:9090", headers: {}, timeoutMs: 30_000, retries: 2 });
  assert.equal(c.defaultBackend, "prod");
  assert.deepEqual(c.models.get("churn"), {
    name: "churn",
    backend: "prod",
    patterns: [],
    metrics: ["error_rate", "latency_p95", "request_rate"],
    rollout: "gateway",
    flag: "churn",
    stickiness: "userId",
    argoRollout: "churn",
    versionLabel: "version",
    releases: 'max by (version) (model_traffic_weight{model="$model"})',
  });
  assert.deepEqual([...c.metrics.keys()], ["error_rate", "latency_p95", "request_rate", "conversion"]);
  assert.match(c.metrics.get("error_rate")!.numerator!, /model_errors_total\{model="\$model",version="\$version"\}\[\$window\]/);
  assert.deepEqual(c.policies.get("canary"), { name: "canary", steps: [5, 25, 50, 100], intervalMs: 600_000, metrics: ["error_rate", "latency_p95"], alpha: 0.02, rollbackOn: "worse" });
  assert.equal(c.version, 1);
  assert.match(c.hash, /^[0-9a-f]{12}$/);
});

test("the starter file that init writes is valid as it stands, and with every block uncommented", () => {
  const text = starterConfig();
  const c = config(text);
  assert.deepEqual([...c.backends.keys()], ["prod"]);
  assert.deepEqual([...c.models.keys()], ["churn"]);
  // Uncomment the example blocks (lines starting "# " at the top level or "    # " under a key).
  const uncommented = text
    .split("\n")
    .filter((l) => !/^# (Production|The schema|Check this|Built in|experiment_|\$experiment|Add or)/.test(l) && !/^\s*# (Any|Secrets|\\?\$\{secret|Prediction|Code lenses|MODEL_VERSION)/.test(l))
    .map((l) => l.replace(/^(\s*)# ?(?=[a-z_ ]|- |\[|\$)/, "$1"))
    .join("\n");
  const full = parseConfig(uncommented);
  assert.deepEqual(full.issues, [], `${formatIssues("starter", full.issues)}\n---\n${uncommented}`);
  const f = full.config!;
  assert.deepEqual([...f.backends.keys()], ["prod", "logs"]);
  assert.equal((f.backends.get("prod") as PrometheusBackend).auth?.kind, "bearer");
  assert.ok(f.metrics.get("refund_rate"));
  assert.deepEqual(f.experiments.get("checkout")?.arms, ["control", "treatment"]);
  assert.equal(f.monitors.get("churn-drift")?.kind, "drift");
  assert.equal(f.models.get("churn")?.patterns.length, 1);
});

test("every problem is reported at once, at its line and column, with a suggestion for a typo", () => {
  const text = [
    "backends:", //                              1
    "  prod:", //                                2
    "    url: localhost:9090", //                3
    "    timeout: 30", //                        4
    "    auth:", //                              5
    "      bearer: s3cr3t-t0ken", //             6
    "  files:", //                               7
    "    type: logs", //                         8
    "modles:", //                                9
    "  churn: {}", //                            10
    "metrics:", //                               11
    "  quality:", //                             12
    "    kind: ratio", //                        13
    "experiments:", //                           14
    "  checkout:", //                            15
    "    arms: [control, treatment, control]", // 16
    "    metrics: [convresion]", //              17
    "    alpha: 0.7", //                         18
  ].join("\n");
  assert.deepEqual(issues(text), [
    "3:10 backends.prod.url: 'localhost:9090': must be an http:// or https:// URL, e.g. http://localhost:9090",
    "4:14 backends.prod.timeout: number 30: must be a duration such as 30s, 5m, 1h or 7d",
    "6:15 backends.prod.auth.bearer: must name a secret, not hold it: write ${env:NAME} (an environment variable) or ${secret:NAME} (the editor's secret storage)",
    "8:5 backends.files: 'paths' is missing",
    "9:1 modles: unknown key 'modles'. Did you mean 'models'?",
    "13:11 metrics.quality.kind: must be one of proportion, mean, quantile, rate, not 'ratio'.",
    "16:32 experiments.checkout.arms[2]: 'control' is listed twice",
    "17:15 experiments.checkout.metrics[0]: no metric named 'convresion'. Did you mean 'conversion'?",
    "18:12 experiments.checkout.alpha: must be below 0.5, not 0.7",
  ]);
});

test("a secret's value never appears in a message, whatever is wrong with it", () => {
  const r = parseConfig("backends:\n  p:\n    url: http://x\n    auth:\n      basic: {username: u, password: hunter2}\n");
  assert.equal(r.issues.length, 1);
  assert.doesNotMatch(formatIssues("f", r.issues), /hunter2/);
  const wrongType = parseConfig("backends:\n  p:\n    url: http://x\n    auth:\n      bearer: 123456789\n");
  assert.doesNotMatch(formatIssues("f", wrongType.issues), /123456789/);
});

test("names that point elsewhere must exist: backends, metrics, models, policies", () => {
  const text = [
    "backends:",
    "  prod: {url: 'http://p'}",
    "default_backend: prd",
    "models:",
    "  churn: {backend: staging, policy: fast, metrics: [latency_p59]}",
    "monitors:",
    "  m1: {kind: jump, model: chrun}",
    "  m2: {kind: threshold, model: churn, metric: error_rate}",
    "policies:",
    "  slow: {steps: [10, 5], metrics: [error_rate]}",
  ].join("\n");
  assert.deepEqual(issues(text), [
    "3:18 default_backend: no backend named 'prd'. Did you mean 'prod'?",
    "5:20 models.churn.backend: no backend named 'staging'. Known: prod.",
    "5:37 models.churn.policy: no policy named 'fast'. Known: canary, slow.",
    "5:53 models.churn.metrics[0]: no metric named 'latency_p59'. Did you mean 'latency_p95'?",
    "7:7 monitors.m1: a jump monitor needs a 'metric'",
    "7:27 monitors.m1.model: no model named 'chrun'. Did you mean 'churn'?",
    "8:7 monitors.m2: a threshold monitor needs 'above' or 'below'",
    "10:22 policies.slow.steps[1]: steps must rise",
  ]);
});

test("metric templates: the kind decides the queries needed, and only known $variables are allowed", () => {
  assert.deepEqual(issues("backends: {p: {url: 'http://p'}}\nmetrics:\n  m: {kind: mean, sum: x}\n"), ["3:6 metrics.m: 'sum_squares' is missing", "3:6 metrics.m: 'count' is missing"]);
  assert.deepEqual(issues("backends: {p: {url: 'http://p'}}\nmetrics:\n  m:\n    kind: rate\n    query: sum(rate(x{model=\"$modle\"}[$window]))\n"), [
    "5:12 metrics.m.query: unknown variable '$modle'. Did you mean 'model'?",
  ]);
  const c = config("backends: {p: {url: 'http://p'}}\nmetrics:\n  error_rate: {kind: rate, direction: lower, query: 'sum(rate(e[$window]))'}\n");
  assert.equal(c.metrics.get("error_rate")!.builtIn, false, "a file's metric replaces the built-in one of its name");
  assert.equal(c.metrics.get("error_rate")!.query, "sum(rate(e[$window]))");
});

test("a model's releases query may use $model only", () => {
  assert.deepEqual(issues("backends: {p: {url: 'http://p'}}\nmodels:\n  churn: {releases: 'max by (version) (deploys{svc=\"$service\"})'}\n"), [
    "3:21 models.churn.releases: unknown variable '$service': a releases query may use $model only",
  ]);
  const c = config("backends: {p: {url: 'http://p'}}\nmodels:\n  churn: {releases: 'sum by (version) (deploy_info{app=\"$model\"})'}\n");
  assert.equal(c.models.get("churn")!.releases, 'sum by (version) (deploy_info{app="$model"})');
});

test("code-lens patterns must be regular expressions with a group for the version", () => {
  assert.deepEqual(issues("backends: {p: {url: 'http://p'}}\nmodels:\n  churn:\n    patterns: ['churn_v\\d+', 'churn_(v\\d+', 'churn_(v\\d+)']\n"), [
    "4:16 models.churn.patterns[0]: needs a group around the version, e.g. models:/churn/(\\d+)",
    "4:30 models.churn.patterns[1]: not a regular expression: Invalid regular expression: /churn_(v\\d+/: Unterminated group",
  ]);
});

test("YAML syntax errors, duplicate keys and an empty file are reported with their position", () => {
  assert.deepEqual(issues("backends:\n  prod:\n    url: [http://x\n"), issues("backends:\n  prod:\n    url: [http://x\n"));
  const syntax = issues("backends:\n  prod:\n    url: [http://x\n");
  assert.ok(syntax.length >= 1);
  assert.match(syntax[0]!, /^\d+:\d+ /);
  const dup = issues("backends:\n  a: {url: 'http://a'}\n  a: {url: 'http://b'}\n");
  assert.deepEqual(dup, ["3:3 Map keys must be unique"]);
  assert.deepEqual(issues(""), ["1:1 the file is empty: it needs at least 'backends:'; 'prodinsights init' writes a starter file"]);
  assert.deepEqual(issues("# only a comment\n"), ["1:1 the file is empty: it needs at least 'backends:'; 'prodinsights init' writes a starter file"]);
  assert.deepEqual(issues("- a\n- b\n"), ["1:1 must be a mapping, not a list"]);
  assert.deepEqual(issues("backends: {}\n"), ["1:11 backends: must not be empty"]);
  assert.deepEqual(issues("backends:\n  'bad name!': {url: 'http://x'}\n"), ["2:3 backends.bad name!: 'bad name!': names take letters, digits, _ . and -, and start with a letter or _"]);
});

test("logs backends, auth kinds, headers and an explicit default backend", () => {
  const c = config(
    [
      "backends:",
      "  logs: {type: logs, paths: ['logs/*.jsonl'], format: jsonl}",
      "  mimir:",
      "    url: https://mimir.example/prometheus",
      "    auth: {basic: {username: bot, password: '${env:MIMIR_PASSWORD}'}}",
      "    headers: {X-Scope-OrgID: team-a}",
      "    timeout: 2m",
      "    retries: 0",
      "default_backend: mimir",
      "experiments:",
      "  checkout: {arms: [control, b], weights: [0.5, 0.5]}",
    ].join("\n"),
  );
  assert.deepEqual(c.backends.get("logs"), { name: "logs", type: "logs", paths: ["logs/*.jsonl"], format: "jsonl" });
  assert.deepEqual(c.backends.get("mimir"), {
    name: "mimir",
    type: "prometheus",
    url: "https://mimir.example/prometheus",
    auth: { kind: "basic", username: "bot", password: "${env:MIMIR_PASSWORD}" },
    headers: { "X-Scope-OrgID": "team-a" },
    timeoutMs: 120_000,
    retries: 0,
  });
  assert.equal(c.defaultBackend, "mimir");
  assert.equal(c.experiments.get("checkout")!.backend, "mimir");
  assert.deepEqual(c.experiments.get("checkout")!.metrics, ["conversion"]);
  assert.deepEqual(issues("backends: {p: {url: 'http://p', auth: {bearer: '${env:T}', basic: {username: u, password: '${env:P}'}}}}\n"), [
    "1:39 backends.p.auth: must have just one of bearer, basic",
  ]);
});

test("the hash follows the file's text, so results can name the exact config they came from", () => {
  const a = config("backends: {p: {url: 'http://p'}}\n").hash;
  assert.equal(config("backends: {p: {url: 'http://p'}}\n").hash, a);
  assert.notEqual(config("backends: {p: {url: 'http://q'}}\n").hash, a);
});
