/**
 * `prodinsights demo`: a simulated production on this machine. The churn model server, the real
 * gateway in front of it on a simulated clock, Prometheus scraping the gateway when it is
 * installed, and traffic that replays the scenario's days in minutes and then goes on live, with
 * the scenario's weight changes and canaries carried out through the gateway as an operator would.
 *
 * Everything is written into one workspace folder: gateway.yaml, prodinsights.yaml, the logs, the
 * gateway's state and audit log, the admin token (mode 0600, never printed) and Prometheus's data.
 * A new demo clears what an earlier one left there (only those files), so each run starts at its
 * scenario's beginning.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseGatewayConfig } from "../config";
import { Gateway } from "../server";
import { promote, setWeights, startCanary } from "../routing";
import { newCanary } from "../../core/canary/canary";
import type { CanaryPolicy } from "../../core/canary/policy";
import { SimClock } from "./clock";
import { gatewayYaml, workspaceYaml } from "./configFiles";
import { sampleNotebook } from "./sampleNotebook";
import { startModelServer, type ModelServer } from "./modelServer";
import { startPrometheus, type DemoPrometheus } from "./prometheus";
import { getScenario, scenarioStart, scenarioTraffic, timeline, type Scenario, type ScenarioName } from "./scenarios";
import { runTraffic, type TrafficStats } from "./traffic";

export const TOKEN_ENV = "PRODINSIGHTS_GATEWAY_TOKEN";
/** Requests a second once the replay has caught up with the present: enough for a live canary's steps. */
export const LIVE_RATE = 20;

export interface DemoOptions {
  readonly scenario: ScenarioName;
  /** Simulated seconds per real second during the replay. */
  readonly speed: number;
  readonly seed?: number;
  /** The workspace folder. */
  readonly dir: string;
  /** Model traffic port; the admin API is the next one (0: free ports for both). Prometheus is on `prometheusPort`. */
  readonly port: number;
  readonly prometheusPort: number;
  /** "auto": when `prometheus` is on the PATH. */
  readonly prometheus: "auto" | "off";
  readonly log: (line: string) => void;
}

export interface Demo {
  readonly scenario: Scenario;
  readonly dir: string;
  readonly gateway: Gateway;
  readonly prometheus?: DemoPrometheus;
  readonly tokenFile: string;
  readonly start: number;
  readonly clock: SimClock;
  /** Resolves when the replay has reached the present, with its counts. */
  readonly replayed: Promise<TrafficStats>;
  close(): Promise<void>;
}

/** The demo's files from an earlier run, and only those. */
const GENERATED = ["gateway.yaml", "prodinsights.yaml", "churn_model.py", "logs", ".prodinsights", ".prometheus"];

/** The sample notebook, kept across runs (it is not in GENERATED). */
export const SAMPLE_NOTEBOOK = "production.prodnb";

/** Model code that names versions, as a data scientist's would: the editor shows each one's production facts. */
const MODEL_CODE = `# The demo's model code. Production Insights shows, next to each version named here, what that
# version does in production (the demo gateway serves churn v1, v2 and v3).
MODEL_NAME = "churn"
MODEL_VERSION = "v2"            # the stable version
CANDIDATE_MODEL_VERSION = "v3"  # the buggy build: a canary of it rolls back
BASELINE_URI = "models:/churn/1"  # an MLflow registry reference: version 1


def predict(features):
    ...
`;

/** The scenario's canary as a gateway policy: its steps each `intervalMs` of simulated time. */
function canaryPolicy(c: NonNullable<Scenario["canary"]>): CanaryPolicy {
  return {
    steps: c.steps.map((weight) => ({ weight, pauseMs: c.intervalMs })),
    metrics: [
      { name: "error_rate", kind: "proportion", direction: "lower", tolerance: 0.005 },
      { name: "latency", kind: "distribution", direction: "lower", tolerance: 0.1 },
    ],
    confidence: 1 - c.alpha,
  };
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const scenario = getScenario(options.scenario);
  const seed = options.seed ?? scenario.seed;
  const dir = path.resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  for (const name of GENERATED) rmSync(path.join(dir, name), { recursive: true, force: true });
  mkdirSync(path.join(dir, ".prodinsights"), { recursive: true });
  const token = randomBytes(24).toString("hex");
  const tokenFile = path.join(dir, ".prodinsights", "gateway-token");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);

  const closers: Array<() => Promise<void> | void> = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const models: ModelServer = await startModelServer({ latencyMs: scenario.latencyMs });
    closers.push(() => models.close());
    const start = scenarioStart(scenario, Date.now());
    const clock = new SimClock({ start, speed: options.speed });
    const yaml = gatewayYaml(scenario, { modelServerUrl: models.url, listen: { port: options.port }, admin: { port: options.port === 0 ? 0 : options.port + 1 }, tokenEnv: TOKEN_ENV, logDir: "logs" });
    writeFileSync(path.join(dir, "gateway.yaml"), yaml);
    const parsed = parseGatewayConfig(yaml);
    if (!parsed.config) throw new Error(`the demo's gateway.yaml is invalid: ${parsed.issues.map((i) => i.message).join("; ")}`);
    const gateway = await Gateway.start(parsed.config, { baseDir: dir, env: { [TOKEN_ENV]: token }, clock: () => clock.now(), log: options.log });
    closers.push(() => gateway.close());

    let prometheus: DemoPrometheus | undefined;
    if (options.prometheus === "auto") {
      prometheus = await startPrometheus({ dir: path.join(dir, ".prometheus"), port: options.prometheusPort, target: new URL(gateway.url).host, lookbackMs: scenario.spanMs });
      if (prometheus) {
        closers.push(() => prometheus!.stop());
        // A scrape a second is an hour of replayed time: snapshots keep a sample every simulated minute.
        closers.push(gateway.metrics.snapshotEvery(60_000));
      }
    }
    writeFileSync(path.join(dir, "churn_model.py"), MODEL_CODE);
    writeFileSync(path.join(dir, "prodinsights.yaml"), workspaceYaml(scenario, { logDir: "logs", adminUrl: gateway.adminUrl, ...(prometheus ? { prometheusUrl: prometheus.url } : {}) }));
    // The notebook is the user's once written: a second demo in the same folder keeps their edits and outputs.
    const notebook = path.join(dir, SAMPLE_NOTEBOOK);
    if (!existsSync(notebook)) writeFileSync(notebook, sampleNotebook(scenario, { prometheus: prometheus !== undefined, logDir: "logs" }));

    const stop = new AbortController();
    // The replay's last request is at the moment simulated time meets real time.
    const t0 = Date.now();
    const caughtUp = Math.ceil((options.speed * t0 - start) / (options.speed - 1));
    const base = scenarioTraffic(scenario, { gateway: gateway.url, clock, start, seed, signal: stop.signal });
    const replayed = runTraffic({ ...base, until: caughtUp, progressEveryMs: 24 * 3_600_000, onProgress: (s) => options.log(`replay: ${new Date(s.simTime).toISOString().slice(0, 16)}Z, ${s.sent} requests, ${s.ok} answered`) });
    const live = replayed.then((stats) => {
      if (stop.signal.aborted) return stats;
      options.log(`replay done: ${stats.sent} requests over ${scenario.days} simulated days; live traffic from now on, ${LIVE_RATE} requests a second`);
      return runTraffic({ ...base, from: caughtUp, requestsPerSimHour: LIVE_RATE * 3600, requestIdPrefix: `live-${seed}-`, dailySwing: 0 });
    });
    // Closed in reverse: the traffic stops first, then Prometheus, the gateway, the models.
    closers.push(async () => {
      stop.abort(new Error("the demo stopped"));
      await live.catch(() => undefined);
    });

    void (async () => {
      for (const event of timeline(scenario, start)) {
        await clock.sleepUntil(event.time, stop.signal);
        if (event.kind === "weights") {
          // All traffic to one version is a release: promote it, so that the gateway's stable
          // version (where a rollback goes, what the editor compares against) follows.
          const full = Object.entries(event.weights).find(([, w]) => w === 100)?.[0];
          if (full !== undefined) gateway.change("demo", "promote", "churn", { version: full, note: event.note }, (s) => promote(s, "churn", full));
          else gateway.change("demo", "set weights", "churn", { weights: event.weights, note: event.note }, (s) => setWeights(s, "churn", event.weights));
          options.log(`${new Date(event.time).toISOString().slice(0, 16)}Z ${event.note}`);
        } else if (event.kind === "canary") {
          const policy = canaryPolicy(event.canary);
          gateway.change("demo", "start canary", "churn", { version: event.canary.candidate, policy }, (s) => startCanary(s, "churn", event.canary.candidate, policy, newCanary()));
          gateway.canaries.tick();
          options.log(`${new Date(event.time).toISOString().slice(0, 16)}Z canary of ${event.canary.candidate} started (expected: ${event.canary.expected})`);
        }
      }
    })().catch((err: Error) => {
      if (!stop.signal.aborted) options.log(`demo timeline: ${err.message}`);
    });

    return { scenario, dir, gateway, ...(prometheus ? { prometheus } : {}), tokenFile, start, clock, replayed, close };
  } catch (err) {
    await close();
    throw err;
  }
}
