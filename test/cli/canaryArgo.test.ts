/**
 * `prodinsights canary run` on a model that rolls out through Argo Rollouts, in-process with
 * captured output, against the fake Kubernetes API server (test/support/fakeKube.ts) serving Rollout
 * `churn` paused after its `setWeight: 20` step (steps: setWeight 20, pause {}, analysis,
 * setWeight 50, pause 10m). That server runs no controller, so these tests check what is refused
 * and which requests are sent, not a canary carried through to promotion.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { runInProcess, type InProcessRun } from "../support/inProcessCli";
import { argoFixture, argoRoutes, type Answer, type FakeKube, kubeconfigOf, type Recorded, ROLLOUT, startFakeKube } from "../support/fakeKube";

let dir: string;
let kube: FakeKube;
const requests: Recorded[] = [];
let routes = new Map<string, Answer>();

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-canary-argo-"));
  kube = await startFakeKube({ requests, answer: (key) => routes.get(key) });
  writeFileSync(path.join(dir, "kubeconfig"), kubeconfigOf(kube, { token: "s3cret" }));
  writeFileSync(
    path.join(dir, "prodinsights.yaml"),
    [
      "backends:",
      // Never asked: every run here ends before a step's window is measured.
      "  prom: {url: 'http://127.0.0.1:9'}",
      "argo: {kubeconfig: kubeconfig}",
      "models:",
      "  churn: {rollout: argo, backend: prom}",
      "policies:",
      "  canary: {steps: [10, 50, 100], interval: 1h, metrics: [error_rate]}",
      "  rollout-steps: {steps: [50, 100], interval: 1h, metrics: [error_rate]}",
      "",
    ].join("\n"),
  );
});

after(() => {
  kube.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests.length = 0;
  routes = argoRoutes();
});

/** `canary run` in this process; `stopWhen` sees each stderr line and, when it says so, stops the run as Ctrl-C does. */
const canary = (args: readonly string[], stopWhen?: (line: string) => boolean): Promise<InProcessRun> =>
  runInProcess(["canary", "run", "--config", "prodinsights.yaml", "--model", "churn", ...args], { cwd: dir, ...(stopWhen ? { stopWhen } : {}) });

const patches = (): Recorded[] => requests.filter((r) => r.method === "PATCH");

test("a policy step the Rollout has no setWeight step for: refused before any traffic moves, naming both", async () => {
  const r = await canary(["--version", "v2"]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "prodinsights canary: policy 'canary' steps 10, 50, 100% need a setWeight step each below 100, and the Rollout of 'churn' has none for 10% (its steps set 20, 50): Argo moves a canary only between its steps; add them to spec.strategy.canary.steps, each followed by pause: {}, or choose a policy of those weights\n",
  );
  assert.deepEqual(patches(), []);
});

test("no canary running (the Rollout's template is the stable version): refused, saying Argo canaries spec.template", async () => {
  routes = argoRoutes("rollout-healthy");
  const r = await canary(["--version", "v3", "--policy", "rollout-steps"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^prodinsights canary: no canary of v3 is running for 'churn' on argo: Argo canaries the version in the Rollout's spec\.template; set it to v3, then run this once the Rollout holds at its first pause\n$/);
  assert.deepEqual(patches(), []);
});

test("policy steps that are Rollout steps: the first moves the canary to its step; stopped, it is rolled back", async () => {
  const r = await canary(["--version", "v2", "--policy", "rollout-steps"], (line) => line.includes("50% to v2"));
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, "churn v2: rolled back\n");
  const lines = r.stderr.split("\n");
  // setWeight 50 is followed by a timed pause in this Rollout: said, since Argo would go on by itself.
  assert.equal(lines[0], "Warning: the Rollout's setWeight 50 is not followed by pause: {}; Argo goes on from there by itself, without waiting for this canary's checks.");
  assert.equal(lines[1], "Canary of churn v2 against v1 on argo, policy 'rollout-steps': steps 50, 100% every 3600 s, judged on error_rate from prom.");
  assert.match(lines[2]!, /^\S+Z {2}50% to v2: step 1 of 2: 50% of traffic to the candidate$/);
  assert.equal(lines[3], "Stopped: the traffic is back on the stable version.");
  const stableTemplate = (argoFixture("replicasets") as { items: { spec: { template: { metadata: { labels: Record<string, string> } } } }[] }).items[0]!.spec.template;
  delete stableTemplate.metadata.labels["rollouts-pod-template-hash"];
  assert.deepEqual(patches().map(({ path: p, contentType, body }) => ({ p, contentType, body })), [
    { p: `${ROLLOUT}/status`, contentType: "application/merge-patch+json", body: { status: { pauseConditions: null, currentStepIndex: 3 } } },
    { p: ROLLOUT, contentType: "application/json-patch+json", body: [{ op: "replace", path: "/spec/template", value: stableTemplate }] },
  ]);
});
