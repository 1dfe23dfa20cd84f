import path from "node:path";
import { startDemo, TOKEN_ENV, type Demo } from "../../gateway/demo/run";
import { SCENARIO_NAMES, type Scenario, type ScenarioName } from "../../gateway/demo/scenarios";
import type { Command } from "../command";
import { UsageError } from "../errors";
import { choiceFlag, numberFlag, stringFlag } from "../parse";

const DAY = 86_400_000;
/** A relative time for a CLI range: whole days back when it is one, else hours. */
const ago = (ms: number): string => (ms <= 0 ? "now" : ms % DAY === 0 ? `-${ms / DAY}d` : `-${Math.ceil(ms / 3_600_000)}h`);

/** The commands that show the scenario's answers, as a user would type them in the workspace. */
export function scenarioCommands(scenario: Scenario, prometheus: boolean): string[] {
  const span = scenario.spanMs;
  const logs = "--logs 'logs/predictions*.jsonl' --model churn";
  const out: string[] = [];
  const drift = scenario.facts.drift;
  if (drift) {
    const range = `--baseline ${ago(span)}..${ago(span - drift.atMs)} --current -2d..now`;
    out.push(prometheus ? `prodinsights drift churn ${range}` : `prodinsights drift ${logs} ${range}`, `   # ${drift.features.join(" and ")} drift; the other features do not`);
  }
  if (scenario.facts.releases.length > 0) {
    out.push(prometheus ? `prodinsights jumps churn --metric error_rate --range ${ago(span)}..now` : `prodinsights jumps ${logs} --metric error_rate`);
    const jumps = scenario.facts.releases.map((r) => `${r.version} ${r.errorJump ? "jumps" : "does not"}`);
    out.push(`   # ${jumps.join("; ")}`);
  }
  const exp = scenario.facts.experiment;
  if (exp) {
    out.push(prometheus ? `prodinsights ab ${exp.name}` : `prodinsights ab --logs 'logs/outcomes-conversion*.jsonl' --experiment ${exp.name} --metric conversion`);
    out.push(`   # ${exp.treatment} converts ${(exp.rates.treatment * 100).toFixed(1)}% vs ${(exp.rates.control * 100).toFixed(1)}%: it wins`);
  }
  const canary = scenario.facts.canary;
  if (canary) {
    out.push(`prodinsights canary run --model churn --version ${canary.candidate}`, `   # ${canary.expected === "promote" ? "promotes (exit 0)" : "rolls back (exit 1)"}; the gateway's own canary of it already ${canary.expected === "promote" ? "promoted" : "rolled back"} in the replay`);
  }
  return out;
}

/** `cli`: the script that runs this CLI, for an alias line, when it is not on the PATH as `prodinsights`. */
function summary(demo: Demo, workspace: string, cli: string | undefined): string {
  const s = demo.scenario;
  return [
    `Production Insights demo, scenario '${s.name}': ${s.title}`,
    `  gateway      ${demo.gateway.url}/models/churn/predict   (/metrics, /outcomes)`,
    `  admin API    ${demo.gateway.adminUrl}   (token in ${path.relative(process.cwd(), demo.tokenFile)})`,
    `  telemetry    ${demo.prometheus ? `Prometheus ${demo.prometheus.url}, scraping the gateway` : "the prediction logs (no prometheus on the PATH)"}`,
    `  workspace    ${workspace}   (prodinsights.yaml, production.prodnb, gateway.yaml, logs/)`,
    `  replay       ${s.days} simulated days from ${new Date(demo.start).toISOString().slice(0, 16)}Z at up to ${demo.clock.speed}x (as fast as this machine sends the traffic); then live`,
    "",
    "The answers, once the replay is done (in another terminal):",
    ...(cli ? [`  alias prodinsights='node ${cli}'`] : []),
    `  cd ${workspace} && export ${TOKEN_ENV}=$(cat .prodinsights/gateway-token)`,
    ...scenarioCommands(s, demo.prometheus !== undefined).map((l) => `  ${l}`),
    "Or in VS Code: open production.prodnb and press Run All (docs/notebooks.md).",
    "",
    "Ctrl-C stops the demo.",
    "",
  ].join("\n");
}

export const demoCommand: Command = {
  name: "demo",
  summary: "Runs a simulated production: model servers, the gateway, traffic with known facts, Prometheus.",
  usage: "demo [--scenario NAME] [--speed N] [--seed N] [--dir DIR] [--port N] [--no-prometheus]",
  flags: {
    scenario: { type: "string", description: `one of ${SCENARIO_NAMES.join(", ")}`, default: "all" },
    speed: { type: "string", description: "simulated seconds per real second while the past is replayed", default: "2880 (a day in 30 s)" },
    seed: { type: "string", description: "the seed of the population and the traffic", default: "the scenario's" },
    dir: { type: "string", description: "the workspace folder the demo writes", default: "demo" },
    port: { type: "string", description: "the gateway's port; the admin API takes the next one", default: "8080" },
    "prometheus-port": { type: "string", description: "Prometheus's port, when it is installed", default: "9090" },
    "no-prometheus": { type: "boolean", description: "use the prediction logs even when Prometheus is installed" },
  },
  details: [
    "The scenario's days are replayed through the real gateway in minutes, then traffic goes on live at",
    "20 requests a second. With a fixed seed the planted facts (which feature drifts and when, which",
    "release jumps, the A/B lift, each canary's fate) are the same in every run. See docs/demo.md.",
  ].join("\n"),
  examples: ["prodinsights demo", "prodinsights demo --scenario canary-rollback --speed 5000"],
  async run(args, io) {
    const scenario = choiceFlag(args, "scenario", SCENARIO_NAMES, "all") as ScenarioName;
    const speed = numberFlag(args, "speed", 2880)!;
    if (!(speed > 1 && speed <= 100_000)) throw new UsageError(`--speed must be above 1 and at most 100000, got ${speed}`);
    const seed = numberFlag(args, "seed");
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, got ${seed}`);
    const port = numberFlag(args, "port", 8080)!;
    const prometheusPort = numberFlag(args, "prometheus-port", 9090)!;
    for (const [flag, p] of [["port", port], ["prometheus-port", prometheusPort]] as const) {
      if (!(Number.isInteger(p) && p > 0 && p < 65535)) throw new UsageError(`--${flag} must be a port number, got ${p}`);
    }
    const dir = stringFlag(args, "dir") ?? "demo";
    let demo: Demo;
    try {
      demo = await startDemo({ scenario, speed, ...(seed !== undefined ? { seed } : {}), dir, port, prometheusPort, prometheus: args.values["no-prometheus"] ? "off" : "auto", log: (line) => io.stderr(`${line}\n`) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { port?: number };
      if (e.code === "EADDRINUSE") throw new UsageError(`port ${e.port ?? "?"} is in use: pick others with --port (and --prometheus-port), or stop what runs there`);
      throw err;
    }
    const script = process.argv[1] !== undefined ? path.resolve(process.argv[1]) : undefined;
    io.stdout(summary(demo, dir, script !== undefined && path.basename(script) === "cli.js" ? script : undefined));
    const signal = await (io.untilStopped ?? (() => new Promise<string>(() => {})))();
    io.stderr(`Stopping the demo (${signal}).\n`);
    await demo.close();
    return 0;
  },
};
