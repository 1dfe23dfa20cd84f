/**
 * prodinsights.yaml as the rest of the product sees it: validated, defaults filled in, names
 * cross-checked, durations in milliseconds. Secrets stay references (`${env:NAME}`) until a
 * request needs them (see secrets.ts).
 */

/** A secret by name: `${env:NAME}` or `${secret:NAME}`, never the value. */
export type SecretRef = string;

export type Auth =
  | { readonly kind: "bearer"; readonly token: SecretRef }
  | { readonly kind: "basic"; readonly username: string; readonly password: SecretRef };

export interface PrometheusBackend {
  readonly name: string;
  readonly type: "prometheus";
  /** The API's base URL, without a trailing slash. */
  readonly url: string;
  readonly auth?: Auth;
  /** Extra headers; a value may be a secret reference. */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly retries: number;
}

export interface LogsBackend {
  readonly name: string;
  readonly type: "logs";
  /** Files, directories and globs, relative to the config file's folder. */
  readonly paths: readonly string[];
  readonly format?: "jsonl" | "csv" | "parquet";
}

export type Backend = PrometheusBackend | LogsBackend;

export interface ModelConfig {
  readonly name: string;
  readonly backend: string;
  /** Regular expressions whose first group is a version, for code lenses. */
  readonly patterns: readonly string[];
  /** The key metric first. */
  readonly metrics: readonly string[];
  readonly rollout: "gateway" | "unleash" | "argo";
  /** With `rollout: unleash`: the model's feature flag (default its name). */
  readonly flag: string;
  /** With `rollout: unleash`: the context field that keeps a unit on its version. */
  readonly stickiness: string;
  /** With `rollout: argo`: the model's Rollout (default its name). */
  readonly argoRollout: string;
  /** With `rollout: argo`: the pod template label that names a version. */
  readonly versionLabel: string;
  readonly policy?: string;
  /** PromQL over $model whose series have a `version` label; a release is a version's value rising above zero. */
  readonly releases: string;
}

export type MetricKind = "proportion" | "mean" | "quantile" | "rate";

/**
 * A metric as PromQL templates over `$model`, `$version`, `$experiment`, `$arm` and `$window` (a
 * range such as 5m or 7d). Which templates it has depends on its kind.
 */
export interface MetricConfig {
  readonly name: string;
  readonly kind: MetricKind;
  readonly direction: "higher" | "lower";
  readonly numerator?: string;
  readonly denominator?: string;
  readonly sum?: string;
  readonly sumSquares?: string;
  readonly count?: string;
  readonly query?: string;
  readonly unit?: string;
  /** Whether it comes with the product rather than the file. */
  readonly builtIn: boolean;
}

export interface ExperimentConfig {
  readonly name: string;
  readonly backend: string;
  readonly unit: string;
  /** The baseline first; absent when the telemetry is to tell. */
  readonly arms?: readonly string[];
  readonly weights?: readonly number[];
  readonly metrics: readonly string[];
  readonly guardrails: readonly string[];
  readonly alpha: number;
  readonly mde?: number;
}

export interface MonitorConfig {
  readonly name: string;
  readonly kind: "drift" | "jump" | "threshold";
  readonly model: string;
  readonly metric?: string;
  /** Time ranges as written (`-14d..-7d`); they are read against the time of each check. */
  readonly baseline: string;
  readonly current: string;
  readonly above?: number;
  readonly below?: number;
  readonly everyMs: number;
}

export interface PolicyConfig {
  readonly name: string;
  readonly steps: readonly number[];
  readonly intervalMs: number;
  readonly metrics: readonly string[];
  readonly alpha: number;
  readonly rollbackOn: "worse" | "inconclusive";
}

export interface Config {
  readonly version: 1;
  /** In the file's order; the first is the default unless `default_backend` says otherwise. */
  readonly backends: ReadonlyMap<string, Backend>;
  readonly defaultBackend: string;
  /** The gateway's admin API, for models with `rollout: gateway`; the token stays a reference. */
  readonly gateway: { readonly url: string; readonly token: SecretRef };
  /** Unleash's admin API, for models with `rollout: unleash`. */
  readonly unleash: { readonly url: string; readonly token: SecretRef; readonly project: string; readonly environment: string };
  /** The cluster of models with `rollout: argo`; unset parts take kubectl's defaults. */
  readonly argo: { readonly kubeconfig?: string; readonly context?: string; readonly namespace?: string };
  readonly models: ReadonlyMap<string, ModelConfig>;
  /** The built-in metrics, then the file's (a file's metric replaces a built-in one of its name). */
  readonly metrics: ReadonlyMap<string, MetricConfig>;
  readonly experiments: ReadonlyMap<string, ExperimentConfig>;
  readonly monitors: ReadonlyMap<string, MonitorConfig>;
  readonly policies: ReadonlyMap<string, PolicyConfig>;
  /** The first 12 hex digits of the SHA-256 of the file's text, to stamp results with. */
  readonly hash: string;
}
