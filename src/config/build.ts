/**
 * From the file's data (already valid against the schema, defaults filled) to `Config`: names
 * that refer to other entries are checked, with a suggestion for a typo, and metric templates may
 * use only the known variables.
 */
import { BUILT_IN_METRICS, DEFAULT_POLICY_NAME, DEFAULT_RELEASES_QUERY, TEMPLATE_VARIABLES } from "./builtins";
import type { Path, SchemaIssue } from "./schema";
import { didYouMean, noSuch } from "./suggest";
import type {
  Auth,
  Backend,
  Config,
  ExperimentConfig,
  MetricConfig,
  ModelConfig,
  MonitorConfig,
  PolicyConfig,
} from "./types";

/* The file's shape after validation; the schema guarantees these types. */
interface RawFile {
  version: 1;
  backends: Record<string, RawBackend>;
  default_backend?: string;
  gateway: { url: string; token: string };
  unleash: { url: string; token: string; project: string; environment: string };
  argo: { kubeconfig?: string; context?: string; namespace?: string };
  models: Record<string, RawModel>;
  metrics: Record<string, RawMetric>;
  experiments: Record<string, RawExperiment>;
  monitors: Record<string, RawMonitor>;
  policies: Record<string, RawPolicy>;
}
interface RawBackend {
  type: "prometheus" | "logs";
  url?: string;
  auth?: { bearer?: string; basic?: { username: string; password: string } };
  headers: Record<string, string>;
  timeout: string;
  retries: number;
  paths?: string[];
  format?: "jsonl" | "csv" | "parquet";
}
interface RawModel {
  backend?: string;
  patterns: string[];
  metrics: string[];
  releases?: string;
  rollout: ModelConfig["rollout"];
  flag?: string;
  stickiness: string;
  argo_rollout?: string;
  version_label: string;
  policy?: string;
}
interface RawMetric {
  kind: MetricConfig["kind"];
  direction: MetricConfig["direction"];
  numerator?: string;
  denominator?: string;
  sum?: string;
  sum_squares?: string;
  count?: string;
  query?: string;
  unit?: string;
}
interface RawExperiment {
  backend?: string;
  unit: string;
  arms?: string[];
  weights?: number[];
  metrics: string[];
  guardrails: string[];
  alpha: number;
  mde?: number;
}
interface RawMonitor {
  kind: MonitorConfig["kind"];
  model: string;
  metric?: string;
  baseline: string;
  current: string;
  above?: number;
  below?: number;
  every: string;
}
interface RawPolicy {
  steps: number[];
  interval: string;
  metrics: string[];
  alpha: number;
  rollback_on: PolicyConfig["rollbackOn"];
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** "30s" → 30000; the schema has checked the spelling. */
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!m) throw new Error(`not a duration: '${text}'`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** The cross-reference problems of a schema-valid file, each at the path of the offending value. */
export function checkReferences(file: RawFile): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const backends = Object.keys(file.backends);
  const metrics = new Set([...BUILT_IN_METRICS.map((m) => m.name), ...Object.keys(file.metrics)]);
  const models = Object.keys(file.models);
  const policies = [DEFAULT_POLICY_NAME, ...Object.keys(file.policies)];
  const refer = (path: Path, name: string | undefined, what: string, names: Iterable<string>): void => {
    const all = [...names];
    if (name !== undefined && !all.includes(name)) issues.push({ path, at: "value", message: noSuch(what, name, all) });
  };
  const referAll = (path: Path, names: readonly string[], what: string, known: Iterable<string>): void =>
    names.forEach((n, i) => refer([...path, i], n, what, known));

  refer(["default_backend"], file.default_backend, "backend", backends);
  for (const [name, m] of Object.entries(file.models)) {
    refer(["models", name, "backend"], m.backend, "backend", backends);
    referAll(["models", name, "metrics"], m.metrics, "metric", metrics);
    refer(["models", name, "policy"], m.policy, "policy", policies);
    for (const match of (m.releases ?? "").matchAll(/\$([A-Za-z_]\w*)/g)) {
      if (match[1] !== "model") issues.push({ path: ["models", name, "releases"], at: "value", message: `unknown variable '$${match[1]}': a releases query may use $model only` });
    }
    m.patterns.forEach((p, i) => {
      const problem = patternProblem(p);
      if (problem) issues.push({ path: ["models", name, "patterns", i], at: "value", message: problem });
    });
  }
  for (const [name, e] of Object.entries(file.experiments)) {
    refer(["experiments", name, "backend"], e.backend, "backend", backends);
    referAll(["experiments", name, "metrics"], e.metrics, "metric", metrics);
    referAll(["experiments", name, "guardrails"], e.guardrails, "metric", metrics);
    if (e.weights && e.arms && e.weights.length !== e.arms.length) {
      issues.push({ path: ["experiments", name, "weights"], at: "value", message: `lists ${e.weights.length} weight${e.weights.length === 1 ? "" : "s"} for ${e.arms.length} arms` });
    }
    if (e.weights && !e.arms) issues.push({ path: ["experiments", name, "weights"], at: "value", message: "weights need the arms they belong to: add 'arms'" });
  }
  for (const [name, mon] of Object.entries(file.monitors)) {
    refer(["monitors", name, "model"], mon.model, "model", models);
    refer(["monitors", name, "metric"], mon.metric, "metric", metrics);
    if (mon.kind !== "drift" && mon.metric === undefined) issues.push({ path: ["monitors", name], at: "value", message: `a ${mon.kind} monitor needs a 'metric'` });
    if (mon.kind === "threshold" && mon.above === undefined && mon.below === undefined) {
      issues.push({ path: ["monitors", name], at: "value", message: "a threshold monitor needs 'above' or 'below'" });
    }
  }
  for (const [name, p] of Object.entries(file.policies)) {
    referAll(["policies", name, "metrics"], p.metrics, "metric", metrics);
    p.steps.forEach((step, i) => {
      if (i > 0 && step <= p.steps[i - 1]!) issues.push({ path: ["policies", name, "steps", i], at: "value", message: "steps must rise" });
    });
  }
  for (const [name, m] of Object.entries(file.metrics)) {
    for (const field of ["numerator", "denominator", "sum", "sum_squares", "count", "query"] as const) {
      const text = m[field];
      if (text === undefined) continue;
      for (const match of text.matchAll(/\$([A-Za-z_]\w*)/g)) {
        const variable = match[1]!;
        if (!(TEMPLATE_VARIABLES as readonly string[]).includes(variable)) {
          issues.push({
            path: ["metrics", name, field],
            at: "value",
            message: `unknown variable '$${variable}'.${didYouMean(variable, TEMPLATE_VARIABLES) || ` Templates may use ${TEMPLATE_VARIABLES.map((v) => `$${v}`).join(", ")}.`}`,
          });
        }
      }
    }
  }
  return issues;
}

/** Why a code-lens pattern is unusable, or undefined. */
function patternProblem(pattern: string): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    return `not a regular expression: ${err instanceof Error ? err.message : String(err)}`;
  }
  // A capturing group shows up as an extra slot in a match against an alternation with the empty string.
  const groups = new RegExp(`${re.source}|`).exec("")!.length - 1;
  return groups >= 1 ? undefined : "needs a group around the version, e.g. models:/churn/(\\d+)";
}

function auth(raw: RawBackend["auth"]): Auth | undefined {
  if (raw?.bearer !== undefined) return { kind: "bearer", token: raw.bearer };
  if (raw?.basic !== undefined) return { kind: "basic", username: raw.basic.username, password: raw.basic.password };
  return undefined;
}

function backend(name: string, b: RawBackend): Backend {
  if (b.type === "logs") return { name, type: "logs", paths: b.paths!, ...(b.format ? { format: b.format } : {}) };
  const a = auth(b.auth);
  return {
    name,
    type: "prometheus",
    url: b.url!.replace(/\/+$/, ""),
    ...(a ? { auth: a } : {}),
    headers: b.headers,
    timeoutMs: durationMs(b.timeout),
    retries: b.retries,
  };
}

function policy(name: string, p: RawPolicy): PolicyConfig {
  return { name, steps: p.steps, intervalMs: durationMs(p.interval), metrics: p.metrics, alpha: p.alpha, rollbackOn: p.rollback_on };
}

/** An experiment entry (defaults filled) as ExperimentConfig. */
export function experiment(name: string, e: RawExperiment, defaultBackend: string): ExperimentConfig {
  return {
    name,
    backend: e.backend ?? defaultBackend,
    unit: e.unit,
    metrics: e.metrics,
    guardrails: e.guardrails,
    alpha: e.alpha,
    ...optional("arms", e.arms),
    ...optional("weights", e.weights),
    ...optional("mde", e.mde),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** The Config of a file that passed the schema and `checkReferences`. */
export function toConfig(file: RawFile, policyDefaults: RawPolicy, hash: string): Config {
  const backends = new Map(Object.entries(file.backends).map(([n, b]) => [n, backend(n, b)] as const));
  const defaultBackend = file.default_backend ?? backends.keys().next().value!;
  const models = new Map<string, ModelConfig>(
    Object.entries(file.models).map(([name, m]) => [
      name,
      {
        name,
        backend: m.backend ?? defaultBackend,
        patterns: m.patterns,
        metrics: m.metrics,
        rollout: m.rollout,
        flag: m.flag ?? name,
        stickiness: m.stickiness,
        argoRollout: m.argo_rollout ?? name,
        versionLabel: m.version_label,
        releases: m.releases ?? DEFAULT_RELEASES_QUERY,
        ...optional("policy", m.policy),
      },
    ]),
  );
  const metrics = new Map<string, MetricConfig>(BUILT_IN_METRICS.map((m) => [m.name, m]));
  for (const [name, m] of Object.entries(file.metrics)) {
    metrics.set(name, {
      name,
      kind: m.kind,
      direction: m.direction,
      builtIn: false,
      ...optional("numerator", m.numerator),
      ...optional("denominator", m.denominator),
      ...optional("sum", m.sum),
      ...optional("sumSquares", m.sum_squares),
      ...optional("count", m.count),
      ...optional("query", m.query),
      ...optional("unit", m.unit),
    });
  }
  const experiments = new Map<string, ExperimentConfig>(Object.entries(file.experiments).map(([name, e]) => [name, experiment(name, e, defaultBackend)]));
  const monitors = new Map<string, MonitorConfig>(
    Object.entries(file.monitors).map(([name, m]) => [
      name,
      {
        name,
        kind: m.kind,
        model: m.model,
        baseline: m.baseline,
        current: m.current,
        everyMs: durationMs(m.every),
        ...optional("metric", m.metric),
        ...optional("above", m.above),
        ...optional("below", m.below),
      },
    ]),
  );
  const policies = new Map<string, PolicyConfig>([[DEFAULT_POLICY_NAME, policy(DEFAULT_POLICY_NAME, policyDefaults)]]);
  for (const [name, p] of Object.entries(file.policies)) policies.set(name, policy(name, p));
  const gateway = { url: file.gateway.url.replace(/\/+$/, ""), token: file.gateway.token };
  const unleash = { ...file.unleash, url: file.unleash.url.replace(/\/+$/, "") };
  const argo = { ...optional("kubeconfig", file.argo.kubeconfig), ...optional("context", file.argo.context), ...optional("namespace", file.argo.namespace) };
  return { version: 1, backends, defaultBackend, gateway, unleash, argo, models, metrics, experiments, monitors, policies, hash };
}

export type { RawExperiment, RawFile, RawPolicy };
