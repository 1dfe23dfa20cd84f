/**
 * The two files a demo writes for a scenario: the gateway's gateway.yaml (the model server's
 * versions with the scenario's starting weights, the experiment's layer, assertions on the churn
 * features, the prediction log) and the demo workspace's prodinsights.yaml (a `logs` backend on
 * that log, optionally Prometheus, and the experiment, monitors and canary policy that fit the
 * scenario). Both are written as commented text, since people read them in the editor; the tests
 * check them with the real parsers.
 */
import { CHURN_VERSIONS, CONTRACTS, PLANS, REGIONS } from "./models";
import { DAY, HOUR, type Scenario } from "./scenarios";

/** A YAML double-quoted scalar: JSON's string syntax is valid YAML. */
const q = (s: string): string => JSON.stringify(s);
const list = (items: readonly string[]): string => `[${items.map(q).join(", ")}]`;

/** `text` as comment lines of at most about 100 characters. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = "#";
  for (const word of text.split(/\s+/)) {
    if (line.length > 1 && line.length + word.length > 99) {
      lines.push(line);
      line = "#";
    }
    line += ` ${word}`;
  }
  return [...lines, line];
}

export interface GatewayYamlOptions {
  /** The model server's base URL (modelServer.ts); version v1 is served at `${url}/v1`. */
  readonly modelServerUrl: string;
  readonly listen?: { readonly host?: string; readonly port?: number };
  readonly admin?: { readonly host?: string; readonly port?: number };
  /** The environment variable that holds the admin token. */
  readonly tokenEnv: string;
  /** Where the prediction log goes. */
  readonly logDir: string;
  /** The gateway's state file. Default the gateway's own default. */
  readonly state?: string;
}

/** gateway.yaml for `scenario`: at its start, before any weight change or canary. */
export function gatewayYaml(scenario: Scenario, options: GatewayYamlOptions): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.tokenEnv)) throw new Error(`gatewayYaml: '${options.tokenEnv}' is not an environment variable name`);
  const server = options.modelServerUrl.replace(/\/+$/, "");
  const listen = options.listen ?? {};
  const admin = options.admin ?? {};
  const lines = [
    `# The demo's model gateway, scenario '${scenario.name}': ${scenario.title}.`,
    "# Written by `prodinsights demo`; the demo changes weights and runs canaries through the admin API.",
    "listen:",
    `  host: ${q(listen.host ?? "127.0.0.1")}`,
    `  port: ${listen.port ?? 8080}`,
    "admin:",
    `  host: ${q(admin.host ?? "127.0.0.1")}`,
    `  port: ${admin.port ?? 8081}`,
    `  token: ${q(`\${env:${options.tokenEnv}}`)}`,
    ...(options.state !== undefined ? [`state: ${q(options.state)}`] : []),
    "models:",
    "  churn:",
    "    unit: {header: x-unit-id}",
    `    stable: ${scenario.stable}`,
    "    versions:",
    "      # Listed in release order: a canary listed after the stable version takes traffic from the top.",
    ...CHURN_VERSIONS.map((v) => `      ${v}: {url: ${q(`${server}/${v}`)}, weight: ${scenario.initialWeights[v]}}`),
    "    timeout: 5s",
    "    assertions:",
    "      prediction: {min: 0, max: 1}",
    "      features:",
    "        tenure_months: {type: number, required: true, min: 0, max: 120}",
    "        monthly_charges: {type: number, required: true, min: 0, max: 500}",
    "        support_calls: {type: number, required: true, min: 0, max: 50}",
    `        contract: {type: string, required: true, values: ${list(CONTRACTS)}}`,
    `        region: {type: string, required: true, values: ${list(REGIONS)}}`,
    `        plan: {type: string, required: true, values: ${list(PLANS)}}`,
  ];
  const exp = scenario.experiment;
  if (exp) {
    lines.push(
      "layers:",
      `  ${exp.layer}:`,
      "    experiments:",
      `      ${exp.name}:`,
      `        share: ${exp.share}`,
      `        arms: {${exp.arms.map((a) => `${a.name}: ${a.weight}`).join(", ")}}`,
    );
  }
  lines.push("logs:", `  dir: ${q(options.logDir)}`, "  sample_rate: 1", "");
  return lines.join("\n");
}

export interface WorkspaceYamlOptions {
  /** The prediction log's folder, relative to the workspace (where prodinsights.yaml is). */
  readonly logDir: string;
  /** A Prometheus-compatible API that scrapes the gateway; when given, it is the default backend. */
  readonly prometheusUrl?: string;
  /** The gateway's admin API, when not at its default address. */
  readonly adminUrl?: string;
}

/** A relative window boundary in whole days when it is one, else whole hours. */
const ago = (ms: number): string => (ms <= 0 ? "now" : ms % DAY === 0 ? `-${ms / DAY}d` : `-${Math.ceil(ms / HOUR)}h`);

/** The drift monitor's windows: the time before the drift (the first half when there is none), and the last day. */
export function driftWindows(scenario: Scenario): { readonly baseline: string; readonly current: string } {
  const span = scenario.spanMs;
  const driftAt = scenario.driftAtMs ?? Math.floor(scenario.days / 2) * DAY;
  return { baseline: `${ago(span)}..${ago(span - driftAt)}`, current: "-1d..now" };
}

/** prodinsights.yaml for the demo workspace of `scenario`. */
export function workspaceYaml(scenario: Scenario, options: WorkspaceYamlOptions): string {
  const logDir = options.logDir.replace(/\/+$/, "");
  const drift = driftWindows(scenario);
  const lines = [
    `# The demo workspace, scenario '${scenario.name}': ${scenario.title}.`,
    ...comment(scenario.description),
    "version: 1",
    "",
    "backends:",
    ...(options.prometheusUrl !== undefined ? ["  # Prometheus scrapes the gateway's /metrics.", "  prometheus:", `    url: ${q(options.prometheusUrl)}`] : []),
    "  # The gateway's prediction log; outcomes (labels, conversions) have logs of their own.",
    "  logs:",
    "    type: logs",
    `    paths: [${q(`${logDir}/predictions*.jsonl`)}]`,
    "  conversions:",
    "    type: logs",
    `    paths: [${q(`${logDir}/outcomes-conversion*.jsonl`)}]`,
    `default_backend: ${options.prometheusUrl !== undefined ? "prometheus" : "logs"}`,
    "",
    "gateway:",
    `  url: ${q(options.adminUrl ?? "http://127.0.0.1:8081")}`,
    "  token: ${env:PRODINSIGHTS_GATEWAY_TOKEN}",
    "",
    "models:",
    "  churn:",
    "    metrics: [error_rate, latency_p95, request_rate]",
    "    rollout: gateway",
    "    policy: canary",
  ];
  const exp = scenario.experiment;
  if (exp) {
    lines.push(
      "",
      "experiments:",
      `  ${exp.name}:`,
      `    arms: ${list(exp.arms.map((a) => a.name))}`,
      `    weights: [${exp.arms.map((a) => a.weight).join(", ")}]`,
      `    backend: ${options.prometheusUrl !== undefined ? "prometheus" : "conversions"}`,
      "    metrics: [conversion]",
      "    alpha: 0.05",
      `    mde: ${Number((exp.baselineConversion * exp.lift).toPrecision(3))}`,
    );
  }
  lines.push(
    "",
    "monitors:",
    "  churn-drift:",
    "    kind: drift",
    "    model: churn",
    `    baseline: ${drift.baseline}`,
    `    current: ${drift.current}`,
    "  churn-errors:",
    "    kind: jump",
    "    model: churn",
    "    metric: error_rate",
  );
  // For `prodinsights canary run` against the live demo (20 requests a second after the replay):
  // steps short enough to watch, each with a few hundred requests to judge. The gateway's own
  // canary in the replay runs the scenario's policy instead (hours of simulated time).
  lines.push(
    "",
    "policies:",
    "  canary:",
    "    steps: [25, 50, 100]",
    "    interval: 30s",
    "    metrics: [error_rate, latency_p95]",
    `    alpha: ${scenario.canary?.alpha ?? 0.02}`,
    "    rollback_on: worse",
    "",
  );
  return lines.join("\n");
}
