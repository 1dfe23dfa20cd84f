/**
 * The demo's scenarios as data: what happens when (drift, releases by weight change, an A/B test,
 * a canary), the traffic that carries it, and the facts it plants, so that a test or
 * `prodinsights demo --check` can hold the reports to them. Times are offsets from the scenario's
 * start; a demo starts `days` before now, replays them fast (clock.ts), then goes on live.
 *
 * The facts are derived from the plan and the models' planted rates (models.ts), never written
 * twice, so the two cannot disagree.
 */
import type { Clock } from "./clock";
import { CHURN_VERSIONS, ERROR_RATES, type ChurnVersion } from "./models";
import { createPopulation, DRIFTING_FEATURES, STABLE_FEATURES } from "./population";
import type { TrafficOptions, TrafficStats } from "./traffic";

export const SCENARIO_NAMES = ["all", "drift", "release-jump", "ab-test", "canary-rollback", "canary-promote"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Percent of the model's traffic per version; they sum to 100. */
export type Weights = Readonly<Record<ChurnVersion, number>>;

/** A release step: the weights the demo sets through the gateway's admin API at `atMs`. */
export interface WeightChange {
  readonly atMs: number;
  readonly weights: Weights;
  readonly note: string;
}

export interface ScenarioExperiment {
  readonly name: string;
  /** The gateway layer it lives in, and its share of the layer's traffic in percent. */
  readonly layer: string;
  readonly share: number;
  /** Arm name and percent, the baseline (control) first. */
  readonly arms: readonly { readonly name: string; readonly weight: number }[];
  /** The control arm's true conversion rate per exposure, and the other arms' true relative lift. */
  readonly baselineConversion: number;
  readonly lift: number;
}

export interface ScenarioCanary {
  /** When the demo starts the canary (through the admin API). */
  readonly atMs: number;
  readonly stable: ChurnVersion;
  readonly candidate: ChurnVersion;
  /** The candidate's traffic percent at each step; the policy `canary` of prodinsights.yaml. */
  readonly steps: readonly number[];
  readonly intervalMs: number;
  /** Kayenta's 0.98 confidence. */
  readonly alpha: number;
  readonly expected: "promote" | "rollback";
  /** The decision is due by this offset: the first check for a rollback, the last for a promotion. */
  readonly decidedByMs: number;
}

export interface ScenarioTraffic {
  readonly requestsPerSimHour: number;
  readonly dailySwing: number;
  readonly outcomeDelayMs: number;
  readonly conversionDelayMs: number;
  /** Users before the drift, and newcomers with their share of requests after it (population.ts). */
  readonly population: number;
  readonly newcomers: number;
  readonly newcomerShare: number;
}

export interface ReleaseFact {
  readonly version: ChurnVersion;
  /** When its weight first rose above zero, which is when the reports see a release. */
  readonly atMs: number;
  /** The model's error rate (weights times planted rates) before and after. */
  readonly errorRate: { readonly before: number; readonly after: number };
  /** True when the error rate after is at least twice the one before; a jump the reports must find. */
  readonly errorJump: boolean;
  /** The median latency planted (ms) before and after, and whether it rose by half or more. */
  readonly latencyMs: { readonly before: number; readonly after: number };
  readonly latencyJump: boolean;
}

export interface ScenarioFacts {
  /** The planted error rate of each version. */
  readonly errorRates: Readonly<Record<ChurnVersion, number>>;
  /** Absent: no feature drifts in the scenario. */
  readonly drift?: {
    readonly atMs: number;
    readonly features: readonly string[];
    readonly stable: readonly string[];
    /** Not an input, but depends on the drifting ones. */
    readonly alsoDrifts: readonly string[];
  };
  /** Every version released by a weight change, in time order (the canary's candidate is not). */
  readonly releases: readonly ReleaseFact[];
  /** Weight changes that give traffic back to a version released before. */
  readonly rollbacks: readonly { readonly atMs: number; readonly to: ChurnVersion }[];
  readonly experiment?: {
    readonly name: string;
    readonly control: string;
    readonly treatment: string;
    readonly rates: { readonly control: number; readonly treatment: number };
    readonly relativeLift: number;
    readonly absoluteLift: number;
  };
  readonly canary?: {
    readonly stable: ChurnVersion;
    readonly candidate: ChurnVersion;
    readonly expected: "promote" | "rollback";
    readonly decidedByMs: number;
    readonly errorRates: { readonly stable: number; readonly candidate: number };
  };
}

export interface Scenario {
  readonly name: ScenarioName;
  readonly title: string;
  readonly description: string;
  readonly days: number;
  readonly spanMs: number;
  /** The default seed; the facts hold for any seed, the exact counts only for the same one. */
  readonly seed: number;
  /** The version a rollback returns to at the start (gateway.yaml's `stable`). */
  readonly stable: ChurnVersion;
  readonly initialWeights: Weights;
  readonly weightChanges: readonly WeightChange[];
  readonly driftAtMs?: number;
  readonly experiment?: ScenarioExperiment;
  readonly canary?: ScenarioCanary;
  readonly traffic: ScenarioTraffic;
  /** Median latency per version for the model server (modelServer.ts), in real ms. */
  readonly latencyMs: Readonly<Record<ChurnVersion, number>>;
  readonly facts: ScenarioFacts;
}

const only = (version: ChurnVersion): Weights => ({ v1: 0, v2: 0, v3: 0, [version]: 100 });

const TRAFFIC: ScenarioTraffic = {
  requestsPerSimHour: 250,
  dailySwing: 0.3,
  outcomeDelayMs: DAY,
  conversionDelayMs: 10 * 60_000,
  population: 5000,
  newcomers: 2500,
  newcomerShare: 0.4,
};
/** Canaries judge a few hours of traffic: more of it, so each step has a few hundred requests. */
const CANARY_TRAFFIC: ScenarioTraffic = { ...TRAFFIC, requestsPerSimHour: 900 };
/**
 * v2 is a little faster than v1, so a canary of v2 cannot fail on latency by chance; v3 is slow
 * (its latency jumps at release too).
 */
const LATENCY_MS: Readonly<Record<ChurnVersion, number>> = { v1: 10, v2: 8, v3: 20 };

const RETENTION_OFFER: ScenarioExperiment = {
  name: "retention_offer",
  layer: "offers",
  share: 100,
  arms: [
    { name: "control", weight: 50 },
    { name: "treatment", weight: 50 },
  ],
  baselineConversion: 0.1,
  lift: 0.15,
};

const canary = (stable: ChurnVersion, candidate: ChurnVersion, expected: "promote" | "rollback", atMs: number): ScenarioCanary => {
  const steps = [10, 25, 50, 100];
  const intervalMs = 2 * HOUR;
  return { atMs, stable, candidate, steps, intervalMs, alpha: 0.02, expected, decidedByMs: atMs + (expected === "rollback" ? 1 : steps.length) * intervalMs };
};

/** The model's planted error rate or latency under `weights`. */
const blended = (weights: Weights, per: Readonly<Record<ChurnVersion, number>>): number =>
  CHURN_VERSIONS.reduce((s, v) => s + (weights[v] / 100) * per[v], 0);

function releaseFacts(initial: Weights, changes: readonly WeightChange[], latency: Readonly<Record<ChurnVersion, number>>): Pick<ScenarioFacts, "releases" | "rollbacks"> {
  const seen = new Set(CHURN_VERSIONS.filter((v) => initial[v] > 0));
  const releases: ReleaseFact[] = [];
  const rollbacks: { atMs: number; to: ChurnVersion }[] = [];
  let before = initial;
  for (const change of [...changes].sort((a, b) => a.atMs - b.atMs)) {
    const rising = CHURN_VERSIONS.filter((v) => change.weights[v] > before[v]);
    for (const version of rising) {
      if (seen.has(version)) {
        rollbacks.push({ atMs: change.atMs, to: version });
        continue;
      }
      seen.add(version);
      const errorRate = { before: blended(before, ERROR_RATES), after: blended(change.weights, ERROR_RATES) };
      const latencyMs = { before: blended(before, latency), after: blended(change.weights, latency) };
      releases.push({
        version,
        atMs: change.atMs,
        errorRate,
        errorJump: errorRate.after >= 2 * errorRate.before,
        latencyMs,
        latencyJump: latencyMs.after >= 1.5 * latencyMs.before,
      });
    }
    before = change.weights;
  }
  return { releases, rollbacks };
}

type Plan = Omit<Scenario, "spanMs" | "facts" | "seed" | "latencyMs" | "traffic"> & { traffic?: ScenarioTraffic };

function scenario(plan: Plan): Scenario {
  const latencyMs = LATENCY_MS;
  const exp = plan.experiment;
  const control = exp?.arms[0]?.name;
  const treatment = exp?.arms[1]?.name;
  const facts: ScenarioFacts = {
    errorRates: ERROR_RATES,
    ...(plan.driftAtMs !== undefined
      ? { drift: { atMs: plan.driftAtMs, features: DRIFTING_FEATURES, stable: STABLE_FEATURES, alsoDrifts: ["prediction"] } }
      : {}),
    ...releaseFacts(plan.initialWeights, plan.weightChanges, latencyMs),
    ...(exp && control !== undefined && treatment !== undefined
      ? {
          experiment: {
            name: exp.name,
            control,
            treatment,
            rates: { control: exp.baselineConversion, treatment: exp.baselineConversion * (1 + exp.lift) },
            relativeLift: exp.lift,
            absoluteLift: exp.baselineConversion * exp.lift,
          },
        }
      : {}),
    ...(plan.canary
      ? {
          canary: {
            stable: plan.canary.stable,
            candidate: plan.canary.candidate,
            expected: plan.canary.expected,
            decidedByMs: plan.canary.decidedByMs,
            errorRates: { stable: ERROR_RATES[plan.canary.stable], candidate: ERROR_RATES[plan.canary.candidate] },
          },
        }
      : {}),
  };
  return { ...plan, traffic: plan.traffic ?? TRAFFIC, spanMs: plan.days * DAY, seed: 42, latencyMs, facts };
}

const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  all: scenario({
    name: "all",
    title: "Two weeks of a churn model in production",
    description:
      "New customers arrive from day 5 (tenure and contract drift), v2 replaces v1 on day 9 (no error jump), " +
      "v3 goes out on day 12 with ten times the errors and is rolled back to v2 six hours later; " +
      "the retention_offer A/B test runs throughout with a true lift of 15%.",
    days: 14,
    stable: "v1",
    initialWeights: only("v1"),
    weightChanges: [
      { atMs: 9 * DAY, weights: only("v2"), note: "release v2 (the better model)" },
      { atMs: 12 * DAY, weights: only("v3"), note: "release v3 (the buggy build)" },
      { atMs: 12 * DAY + 6 * HOUR, weights: only("v2"), note: "roll back to v2 by hand after the errors" },
    ],
    driftAtMs: 5 * DAY,
    experiment: RETENTION_OFFER,
  }),
  drift: scenario({
    name: "drift",
    title: "Feature drift",
    description: "v1 serves throughout; from day 7 a cohort of new customers shifts tenure_months down and contract towards month-to-month.",
    days: 14,
    stable: "v1",
    initialWeights: only("v1"),
    weightChanges: [],
    driftAtMs: 7 * DAY,
  }),
  "release-jump": scenario({
    name: "release-jump",
    title: "Jumps after releases",
    description: "v2 replaces v1 on day 5 with no error jump; v3 replaces v2 on day 10 and the error rate jumps tenfold (and latency rises). v3 stays: roll it back from the editor.",
    days: 14,
    stable: "v1",
    initialWeights: only("v1"),
    weightChanges: [
      { atMs: 5 * DAY, weights: only("v2"), note: "release v2" },
      { atMs: 10 * DAY, weights: only("v3"), note: "release v3 (the buggy build)" },
    ],
  }),
  "ab-test": scenario({
    name: "ab-test",
    title: "An A/B test with a known lift",
    description: "The retention_offer experiment splits users 50/50; the treatment converts at 11.5% against 10% (a true relative lift of 15%).",
    days: 14,
    stable: "v1",
    initialWeights: only("v1"),
    weightChanges: [],
    experiment: RETENTION_OFFER,
  }),
  "canary-rollback": scenario({
    name: "canary-rollback",
    title: "A canary that must roll back",
    description: "v1 serves for two days; then v3 goes out as a canary (10, 25, 50, 100% every 2 hours) and fails its first check on the error rate (5% against 0.5%).",
    days: 3,
    stable: "v1",
    initialWeights: only("v1"),
    weightChanges: [],
    canary: canary("v1", "v3", "rollback", 2 * DAY),
    traffic: CANARY_TRAFFIC,
  }),
  "canary-promote": scenario({
    name: "canary-promote",
    title: "A canary that must promote",
    description: "v1 serves for two days; then v2 goes out as a canary (10, 25, 50, 100% every 2 hours) with the same error rate and a little less latency, and is promoted after its last step.",
    days: 3,
    stable: "v1",
    initialWeights: only("v1"),
    weightChanges: [],
    canary: canary("v1", "v2", "promote", 2 * DAY),
    traffic: CANARY_TRAFFIC,
  }),
};

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** The scenario called `name`; throws naming the known ones otherwise. */
export function getScenario(name: string): Scenario {
  if (!isScenarioName(name)) throw new Error(`getScenario: no scenario named '${name}'; the scenarios are ${SCENARIO_NAMES.join(", ")}`);
  return SCENARIOS[name];
}

/** Where a demo that ends at `now` starts: `days` before it, on a whole minute. */
export function scenarioStart(scenario: Scenario, now: number): number {
  return Math.floor((now - scenario.spanMs) / 60_000) * 60_000;
}

export type TimelineEvent =
  | { readonly time: number; readonly kind: "drift"; readonly features: readonly string[] }
  | { readonly time: number; readonly kind: "weights"; readonly weights: Weights; readonly note: string }
  | { readonly time: number; readonly kind: "canary"; readonly canary: ScenarioCanary };

/**
 * What the demo must do, and when, for a scenario that starts at `start`: set the weights, start
 * the canary. The drift needs nothing (the traffic plants it) and is listed for the record.
 */
export function timeline(scenario: Scenario, start: number): TimelineEvent[] {
  const events: TimelineEvent[] = scenario.weightChanges.map((c) => ({ time: start + c.atMs, kind: "weights", weights: c.weights, note: c.note }));
  if (scenario.driftAtMs !== undefined) events.push({ time: start + scenario.driftAtMs, kind: "drift", features: DRIFTING_FEATURES });
  if (scenario.canary) events.push({ time: start + scenario.canary.atMs, kind: "canary", canary: scenario.canary });
  return events.sort((a, b) => a.time - b.time);
}

export interface ScenarioTrafficOptions {
  readonly gateway: string;
  readonly clock: Clock;
  /** The scenario's start (scenarioStart). */
  readonly start: number;
  /** Default the scenario's. */
  readonly seed?: number;
  /** Default: until aborted (the demo goes on live after the replay). */
  readonly until?: number;
  readonly concurrency?: number;
  /** Default runTraffic's, which holds the seed and the start. */
  readonly requestIdPrefix?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (stats: TrafficStats) => void;
}

/** The options of runTraffic (traffic.ts) that play `scenario`'s traffic. */
export function scenarioTraffic(scenario: Scenario, options: ScenarioTrafficOptions): TrafficOptions {
  const seed = options.seed ?? scenario.seed;
  const t = scenario.traffic;
  const exp = scenario.experiment;
  const control = exp?.arms[0]?.name;
  return {
    gateway: options.gateway,
    model: "churn",
    clock: options.clock,
    seed,
    population: createPopulation({
      seed,
      size: t.population,
      newcomers: t.newcomers,
      newcomerShare: t.newcomerShare,
      ...(scenario.driftAtMs !== undefined ? { driftAt: options.start + scenario.driftAtMs } : {}),
    }),
    requestsPerSimHour: t.requestsPerSimHour,
    dailySwing: t.dailySwing,
    from: options.start,
    outcomeDelayMs: t.outcomeDelayMs,
    conversionDelayMs: t.conversionDelayMs,
    ...(exp && control !== undefined ? { experiment: { name: exp.name, baselineConversion: exp.baselineConversion, lift: exp.lift, control } } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.requestIdPrefix !== undefined ? { requestIdPrefix: options.requestIdPrefix } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}
