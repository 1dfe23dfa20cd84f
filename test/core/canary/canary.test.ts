import assert from "node:assert/strict";
import { test } from "node:test";
import { advanceCanary, newCanary, type CanaryState } from "../../../src/core/canary/canary";
import { judgeMetric } from "../../../src/core/canary/judge";
import { resolvePolicy, type CanaryMeasurement, type CanaryPolicy } from "../../../src/core/canary/policy";
import { mannWhitneyBinned } from "../../../src/core/jumps/mannWhitneyBinned";
import { twoProportionTest } from "../../../src/core/stats/twoProportionTest";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 27, 12);

const policy: CanaryPolicy = {
  steps: [
    { weight: 10, pauseMs: 10 * MIN },
    { weight: 50, pauseMs: 10 * MIN },
    { weight: 100, pauseMs: 10 * MIN },
  ],
  metrics: [
    { name: "error_rate", kind: "proportion", direction: "lower" },
    { name: "latency", kind: "distribution", direction: "lower" },
  ],
};

const errors = (baseline: number, candidate: number, n = 10_000): CanaryMeasurement => ({
  metric: "error_rate",
  kind: "proportion",
  baseline: { successes: Math.round(baseline * n), trials: n },
  candidate: { successes: Math.round(candidate * n), trials: n },
});
const SAME_LATENCY = [400, 300, 200, 80, 20];
const latency = (candidate: readonly number[] = SAME_LATENCY): CanaryMeasurement => ({ metric: "latency", kind: "distribution", baseline: SAME_LATENCY, candidate });
const healthy = (): CanaryMeasurement[] => [errors(0.01, 0.01), latency()];

/** Runs the canary, measuring with `measure` at each check, until it ends; returns every action. */
function run(measure: (step: number) => CanaryMeasurement[] | undefined, p: CanaryPolicy = policy, limit = 50): { state: CanaryState; actions: string[] } {
  let state = newCanary();
  const actions: string[] = [];
  let now = T0;
  for (let i = 0; i < limit && (state.status === "pending" || state.status === "running"); i++) {
    const r = advanceCanary(state, p, now, measure(state.step));
    state = r.state;
    actions.push(r.action.type === "set-weight" ? `set ${r.action.weight}` : r.action.type);
    now = r.action.type === "wait" ? r.action.until : now + (p.steps[Math.max(0, state.step)]?.pauseMs ?? 0);
  }
  return { state, actions };
}

test("a healthy canary walks its steps and promotes itself on reaching the step of 100%, which has no baseline to judge", () => {
  const { state, actions } = run(() => healthy());
  assert.deepEqual(actions, ["set 10", "set 50", "promote"]);
  assert.equal(state.status, "promoted");
  assert.equal(state.weight, 100);
  assert.equal(state.step, 2);
  assert.equal(state.checks.length, 2);
  assert.ok(state.checks.every((c) => c.outcome === "pass"));
  assert.deepEqual(state.decisions.map((d) => d.action.type), ["set-weight", "set-weight", "promote"]);
  assert.equal(state.decisions.at(-1)!.reasons[0]!, "step 2 passed; step 3 sends all traffic to the candidate: promoted");
  const last = run(() => healthy(), { ...policy, steps: policy.steps.slice(0, 2) });
  assert.deepEqual(last.actions, ["set 10", "set 50", "promote"]);
  assert.match(last.state.decisions.at(-1)!.reasons[0]!, /all 2 steps passed/);
  const whole = run(() => healthy(), { ...policy, steps: [{ weight: 100, pauseMs: MIN }] });
  assert.deepEqual(whole.actions, ["promote"]);
});

test("before a step's pause is over the action is to wait, and nothing is recorded", () => {
  const started = advanceCanary(newCanary(), policy, T0).state;
  const early = advanceCanary(started, policy, T0 + 5 * MIN, healthy());
  assert.deepEqual(early.action, { type: "wait", until: T0 + 10 * MIN });
  assert.equal(early.state, started, "the same state: a poll changes nothing");
});

test("a candidate with three times the errors rolls back at the first check, saying why", () => {
  const { state, actions } = run(() => [errors(0.01, 0.03), latency()]);
  assert.deepEqual(actions, ["set 10", "rollback"]);
  assert.equal(state.status, "rolled-back");
  assert.equal(state.weight, 0);
  const reasons = state.decisions.at(-1)!.reasons;
  assert.match(reasons[0]!, /1 failed check at step 1 \(limit 1\)/);
  assert.match(reasons[1]!, /^error_rate 3\.00% vs 1\.00% \(\+2\.00 pp\), p < 1e-16: worse beyond the 0\.00 pp allowed$/);
});

test("slower latency fails by Mann-Whitney; faster passes", () => {
  const slower = run(() => [errors(0.01, 0.01), latency([300, 250, 250, 150, 50])]);
  assert.deepEqual(slower.actions, ["set 10", "rollback"]);
  assert.match(slower.state.decisions.at(-1)!.reasons[1]!, /^latency: a candidate value exceeds a baseline one with probability 0\.5[5-9]\d, p = .*: worse beyond the tolerance$/);
  const faster = run(() => [errors(0.01, 0.01), latency([500, 300, 150, 40, 10])]);
  assert.equal(faster.state.status, "promoted");
});

test("no data, or too little, is inconclusive and never promotes: it rolls back after the limit", () => {
  const none = run(() => undefined);
  assert.deepEqual(none.actions, ["set 10", "wait", "wait", "rollback"]);
  assert.match(none.state.decisions.at(-1)!.reasons[0]!, /3 inconclusive checks in a row at step 1: too little evidence/);
  assert.ok(none.state.checks.every((c) => c.metrics.every((m) => m.verdict === "inconclusive" && /no measurement/.test(m.reason))));
  const few = run(() => [errors(0.0, 0.0, 50), latency()]);
  assert.equal(few.state.status, "rolled-back");
  assert.equal(few.state.checks[0]!.metrics[0]!.reason, "error_rate: 50 units on each side, fewer than the 100 needed");
});

test("one inconclusive check is waited out, and the count starts again when data comes", () => {
  let checksAtFirstStep = 0;
  const { state, actions } = run((step) => (step === 0 && checksAtFirstStep++ === 0 ? undefined : healthy()));
  assert.deepEqual(actions, ["set 10", "wait", "set 50", "promote"]);
  assert.equal(state.status, "promoted");
  assert.deepEqual(state.checks.map((c) => c.outcome), ["inconclusive", "pass", "pass"]);
});

test("with a failure limit of 2, the first failure waits another pause and the second rolls back", () => {
  const { actions } = run(() => [errors(0.01, 0.03), latency()], { ...policy, failureLimit: 2 });
  assert.deepEqual(actions, ["set 10", "wait", "rollback"]);
});

test("a tolerance lets a small, significant worsening pass", () => {
  const measure = () => [errors(0.01, 0.013, 100_000), latency()];
  assert.equal(run(measure).state.status, "rolled-back");
  const tolerant: CanaryPolicy = { ...policy, metrics: [{ name: "error_rate", kind: "proportion", direction: "lower", tolerance: 0.005 }, policy.metrics[1]!] };
  assert.equal(run(measure, tolerant).state.status, "promoted");
});

test("when higher is better, a drop fails", () => {
  const conv: CanaryPolicy = { ...policy, metrics: [{ name: "conversion", kind: "proportion", direction: "higher" }] };
  const m = (c: number): CanaryMeasurement[] => [{ metric: "conversion", kind: "proportion", baseline: { successes: 1000, trials: 10_000 }, candidate: { successes: c, trials: 10_000 } }];
  assert.equal(run(() => m(800), conv).state.status, "rolled-back");
  assert.equal(run(() => m(1200), conv).state.status, "promoted");
});

test("the state survives JSON, so a host resumes a canary after a restart exactly", () => {
  let state = advanceCanary(newCanary(), policy, T0).state;
  state = advanceCanary(state, policy, T0 + 10 * MIN, healthy()).state;
  const resumed = JSON.parse(JSON.stringify(state)) as CanaryState;
  const a = advanceCanary(state, policy, T0 + 20 * MIN, healthy());
  const b = advanceCanary(resumed, policy, T0 + 20 * MIN, healthy());
  assert.deepEqual(b, JSON.parse(JSON.stringify(a)));
  // An ended canary stays ended.
  const ended = run(() => [errors(0.01, 0.03), latency()]).state;
  const again = advanceCanary(ended, policy, T0 + 999 * MIN, healthy());
  assert.equal(again.state, ended);
  assert.equal(again.action.type, "rollback");
});

test("the judge's numbers are those of the R-checked tests it uses", () => {
  const p = resolvePolicy(policy);
  const e = judgeMetric(policy.metrics[0]!, errors(0.01, 0.014), p);
  if (!("pValue" in e)) return assert.fail("expected a tested check");
  assert.equal(e.pValue, twoProportionTest([140, 100], [10_000, 10_000]).pValue);
  assert.ok(Math.abs(e.difference - 0.004) < 1e-15);
  const slow = [300, 250, 250, 150, 50];
  const l = judgeMetric(policy.metrics[1]!, latency(slow), p);
  if (!("pValue" in l)) return assert.fail("expected a tested check");
  const mw = mannWhitneyBinned(slow, SAME_LATENCY);
  assert.equal(l.pValue, mw.pValue);
  assert.equal(l.difference, mw.statistic / (1000 * 1000) - 0.5);
});

test("a policy that cannot work is refused, naming the field", () => {
  assert.throws(() => resolvePolicy({ ...policy, steps: [] }), /'steps' needs at least one step/);
  assert.throws(() => resolvePolicy({ ...policy, steps: [{ weight: 50, pauseMs: 1 }, { weight: 20, pauseMs: 1 }] }), /'steps\[1\]\.weight' must be above the step before it \(50\)/);
  assert.throws(() => resolvePolicy({ ...policy, steps: [{ weight: 150, pauseMs: 1 }] }), /percentage in \(0, 100\]/);
  assert.throws(() => resolvePolicy({ ...policy, metrics: [] }), /'metrics' needs at least one metric/);
  assert.throws(() => resolvePolicy({ ...policy, confidence: 1 }), /'confidence' must be in \(0\.5, 1\)/);
  assert.throws(() => resolvePolicy({ ...policy, failureLimit: 0 }), /'failureLimit' must be a whole number >= 1/);
  assert.throws(() => advanceCanary(advanceCanary(newCanary(), policy, T0).state, policy, T0 + 10 * MIN, [{ ...latency(), metric: "error_rate" }]), /'error_rate' is a proportion metric but its measurement is a distribution/);
});
