/**
 * The Argo Rollouts provider against a fake Kubernetes API server (test/support/fakeKube.ts) that
 * serves recorded responses (test/fixtures/argo, hand-recorded from the CRD types: see its README)
 * and records each request. The server speaks TLS with a throwaway CA, server and client
 * certificate made by the openssl CLI, so both bearer-token and client-certificate authentication
 * are exercised for real. It runs no controller: the tests check the requests sent, not their effect.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createPlainServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { ArgoProvider } from "../../src/rollout/argo";
import { KubeClient, type KubeTarget, loadKubeconfig } from "../../src/rollout/kube";
import { ProviderError, requireCapability } from "../../src/rollout/provider";
import { type Answer, argoFixture as fixture, argoRoutes as defaultRoutes, type FakeKube, type Recorded, ROLLOUT, RS_LIST, RUNS, startFakeKube, VS } from "../support/fakeKube";

let kube: FakeKube;
let port: number;
let pem: FakeKube["pem"];
const requests: Recorded[] = [];
/** `METHOD path` → answer; PATCHes answer 200 with `{}` unless set. */
let routes = new Map<string, Answer>();

before(async () => {
  kube = await startFakeKube({ requests, answer: (key) => routes.get(key) });
  ({ port, pem } = kube);
});

after(() => kube.close());

beforeEach(() => {
  requests.length = 0;
  routes = defaultRoutes();
});

const bearer = (): KubeTarget => ({ context: "test", server: `https://127.0.0.1:${port}`, namespace: "ml", ca: pem.ca, insecureSkipTlsVerify: false, token: "s3cret" });
const certs = (): KubeTarget => ({ context: "test", server: `https://127.0.0.1:${port}`, namespace: "ml", ca: pem.ca, insecureSkipTlsVerify: false, clientCert: pem.clientCert, clientKey: pem.clientKey });
const provider = (target = bearer(), timeoutMs?: number, versionLabel = "version"): ArgoProvider =>
  new ArgoProvider({ client: new KubeClient(target, timeoutMs ? { timeoutMs } : {}), namespace: "ml", rollouts: (model) => ({ name: model, versionLabel }) });
const patches = (): Recorded[] => requests.filter((r) => r.method === "PATCH");
const isError = (kind: ProviderError["kind"], pattern: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof ProviderError, `not a ProviderError: ${String(e)}`);
  assert.equal(e.kind, kind, e.message);
  assert.match(e.message, pattern);
  return true;
};

describe("loadKubeconfig", () => {
  const b64 = (s: string): string => Buffer.from(s).toString("base64");
  const config = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: kind
    cluster: { server: "https://127.0.0.1:6443", certificate-authority-data: ${b64("CA-PEM")} }
  - name: prod
    cluster: { server: "https://k8s.example.com", certificate-authority: certs/ca.crt }
  - name: lab
    cluster: { server: "https://10.0.0.5:6443", insecure-skip-tls-verify: true }
users:
  - name: bot
    user: { token: abc123 }
  - name: admin
    user: { client-certificate-data: ${b64("CERT-PEM")}, client-key-data: ${b64("KEY-PEM")} }
  - name: files
    user: { client-certificate: certs/client.crt, client-key: /abs/client.key }
  - name: sso
    user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token] } }
contexts:
  - name: dev
    context: { cluster: kind, user: admin }
  - name: prod
    context: { cluster: prod, user: bot, namespace: models }
  - name: lab
    context: { cluster: lab, user: files }
  - name: eks
    context: { cluster: kind, user: sso }
`;

  test("the current context, with data forms, and the namespace defaulting to 'default'", () => {
    const t = loadKubeconfig(config, { baseDir: "/nowhere" });
    assert.equal(t.context, "dev");
    assert.equal(t.server, "https://127.0.0.1:6443");
    assert.equal(t.namespace, "default");
    assert.equal(t.ca?.toString(), "CA-PEM");
    assert.equal(t.clientCert?.toString(), "CERT-PEM");
    assert.equal(t.clientKey?.toString(), "KEY-PEM");
    assert.equal(t.token, undefined);
    assert.equal(t.insecureSkipTlsVerify, false);
  });

  test("a named context: its namespace and token, file forms read relative to baseDir; the option's namespace wins", () => {
    const base = mkdtempSync(path.join(tmpdir(), "kubeconfig-"));
    try {
      execFileSync("mkdir", ["-p", path.join(base, "certs")]);
      writeFileSync(path.join(base, "certs", "ca.crt"), "CA-FROM-FILE");
      writeFileSync(path.join(base, "certs", "client.crt"), "CERT-FROM-FILE");
      const prod = loadKubeconfig(config, { context: "prod", baseDir: base });
      assert.equal(prod.namespace, "models");
      assert.equal(prod.token, "abc123");
      assert.equal(prod.ca?.toString(), "CA-FROM-FILE");
      assert.equal(loadKubeconfig(config, { context: "prod", namespace: "ml", baseDir: base }).namespace, "ml");
      // The client key's absolute path does not exist: the error names it.
      assert.throws(() => loadKubeconfig(config, { context: "lab", baseDir: base }), /cannot read the client key of user 'files' \/abs\/client\.key \(ENOENT\)/);
      writeFileSync(path.join(base, "client.key"), "KEY-FROM-FILE");
      const lab = loadKubeconfig(config.replace("/abs/client.key", "client.key"), { context: "lab", baseDir: base });
      assert.equal(lab.clientCert?.toString(), "CERT-FROM-FILE");
      assert.equal(lab.clientKey?.toString(), "KEY-FROM-FILE");
      assert.equal(lab.insecureSkipTlsVerify, true);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test("an unknown context, cluster or user is named with the ones that exist", () => {
    assert.throws(() => loadKubeconfig(config, { context: "staging", baseDir: "/" }), /kubeconfig: no context 'staging'; the contexts are: dev, prod, lab, eks/);
    assert.throws(() => loadKubeconfig(config.replace("cluster: kind, user: admin", "cluster: gone, user: admin"), { baseDir: "/" }), /no cluster 'gone'; the clusters are: kind, prod, lab/);
    assert.throws(() => loadKubeconfig(config.replace("cluster: kind, user: admin", "cluster: kind, user: nobody"), { baseDir: "/" }), /no user 'nobody'; the users are: bot, admin, files, sso/);
  });

  test("an exec user: not supported, said as such", () => {
    assert.throws(() => loadKubeconfig(config, { context: "eks", baseDir: "/" }), /user 'sso' authenticates with an exec plugin \(aws\), which is not supported; use a token/);
  });
});

describe("authentication reaches the server", () => {
  test("a bearer token", async () => {
    await provider(bearer()).status("churn");
    assert.ok(requests.length > 0);
    for (const r of requests) {
      assert.equal(r.auth, "Bearer s3cret");
      assert.equal(r.clientCN, undefined);
    }
  });

  test("a client certificate, and no authorization header", async () => {
    await provider(certs()).status("churn");
    for (const r of requests) {
      assert.equal(r.clientCN, "rollout-bot");
      assert.equal(r.auth, undefined);
    }
  });

  test("a server certificate from another CA is refused unless insecure-skip-tls-verify", async () => {
    const noCa = { ...bearer(), ca: pem.clientCert };
    await assert.rejects(provider(noCa).status("churn"), isError("unreachable", /reading Rollout 'churn' in namespace 'ml': the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ is unreachable \(\w+/));
    await provider({ ...noCa, insecureSkipTlsVerify: true }).status("churn");
  });
});

describe("status", () => {
  test("paused at setWeight 20: versions from the version label, weight from status.canary.weights, notes", async () => {
    const s = await provider().status("churn");
    assert.equal(s.provider, "argo");
    assert.equal(s.stable, "v1");
    assert.deepEqual(s.canary, { version: "v2", weight: 20 });
    // The other Rollout's ReplicaSet (v9-other-rollout) is not among the versions.
    assert.deepEqual(s.weights, { v1: 80, v2: 20 });
    assert.equal(s.shadow, undefined);
    assert.deepEqual(s.notes, ["Paused: CanaryPauseStep", "step 2 of 5", "paused: CanaryPauseStep", "analysis run churn-6c9d8f7b5-2 (Background): Running"]);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [`GET ${ROLLOUT}`, `GET ${RS_LIST}`, `GET ${RUNS}`, `GET ${VS}`]);
  });

  test("without a version label: the first container's image tag names the version", async () => {
    const s = await provider(bearer(), undefined, "model-version").status("churn");
    assert.equal(s.stable, "v1");
    assert.deepEqual(s.canary, { version: "v2", weight: 20 });
  });

  test("without traffic routing weights: the last setWeight step passed", async () => {
    const rollout = fixture("rollout-paused") as { status: { canary: Record<string, unknown>; currentStepIndex: number } };
    delete rollout.status.canary["weights"];
    routes.set(`GET ${ROLLOUT}`, { status: 200, body: rollout });
    assert.equal((await provider().status("churn")).canary?.weight, 20);
    rollout.status.currentStepIndex = 0;
    assert.equal((await provider().status("churn")).canary?.weight, 0);
    rollout.status.currentStepIndex = 4;
    assert.deepEqual((await provider().status("churn")).weights, { v1: 50, v2: 50 });
  });

  test("after promotion: v2 stable with all the traffic, no canary, no AnalysisRun lookup", async () => {
    routes = defaultRoutes("rollout-healthy");
    const s = await provider().status("churn");
    assert.equal(s.stable, "v2");
    assert.equal(s.canary, undefined);
    assert.deepEqual(s.weights, { v1: 0, v2: 100 });
    assert.deepEqual(s.notes, ["Healthy"]);
    assert.ok(!requests.some((r) => r.path.includes("analysisruns")));
  });

  test("a mirror on the route to the canary Service is the shadow", async () => {
    const vs = fixture("virtualservice") as { spec: { http: Record<string, unknown>[] } };
    vs.spec.http[0]!["mirror"] = { host: "churn-canary" };
    vs.spec.http[0]!["mirrorPercentage"] = { value: 5 };
    routes.set(`GET ${VS}`, { status: 200, body: vs });
    assert.deepEqual((await provider().status("churn")).shadow, { version: "v2", share: 5 });
  });
});

describe("operations send the plugin's patches", () => {
  test("promote the running canary: promoteFull on the status subresource", async () => {
    await provider().promote("churn", "v2");
    assert.deepEqual(patches(), [{ method: "PATCH", path: `${ROLLOUT}/status`, contentType: "application/merge-patch+json", body: { status: { promoteFull: true } }, auth: "Bearer s3cret" }]);
  });

  test("promote the stable version with no canary: nothing to do; another version: refused with the reason", async () => {
    routes = defaultRoutes("rollout-healthy");
    assert.equal((await provider().promote("churn", "v2")).stable, "v2");
    await assert.rejects(provider().promote("churn", "v3"), isError("refused", /cannot promote v3 on Rollout 'churn': no canary is running \(stable: v2\); Argo promotes the version in the Rollout's spec\.template, so to release v3, change the spec/));
    routes = defaultRoutes();
    await assert.rejects(provider().promote("churn", "v1"), isError("refused", /the running canary is v2/));
    assert.deepEqual(patches(), []);
  });

  test("abort: abort on the status subresource", async () => {
    await provider().abort("churn");
    assert.deepEqual(patches().map(({ path: p, contentType, body }) => ({ p, contentType, body })), [{ p: `${ROLLOUT}/status`, contentType: "application/merge-patch+json", body: { status: { abort: true } } }]);
  });

  test("rollback: the stable ReplicaSet's template, without the hash label, replaces spec.template", async () => {
    await provider().rollback("churn");
    const [p] = patches();
    assert.equal(p?.path, ROLLOUT);
    assert.equal(p?.contentType, "application/json-patch+json");
    const stableTemplate = (fixture("replicasets") as { items: { spec: { template: { metadata: { labels: Record<string, string> } } } }[] }).items[0]!.spec.template;
    delete stableTemplate.metadata.labels["rollouts-pod-template-hash"];
    assert.deepEqual(p?.body, [{ op: "replace", path: "/spec/template", value: stableTemplate }]);
    assert.deepEqual((p?.body as { value: { metadata: { labels: unknown } } }[])[0]!.value.metadata.labels, { app: "churn", version: "v1" });
  });

  test("rollback and abort with no canary: nothing sent", async () => {
    routes = defaultRoutes("rollout-healthy");
    await provider().rollback("churn");
    await provider().abort("churn");
    assert.deepEqual(patches(), []);
  });

  test("setShadow: the route gets a mirror to the canary Service, behind a test of its previous content; 0 clears it", async () => {
    await provider().setShadow("churn", "v2", 10);
    const route = (fixture("virtualservice") as { spec: { http: Record<string, unknown>[] } }).spec.http[0]!;
    assert.deepEqual(patches(), [{
      method: "PATCH",
      path: VS,
      contentType: "application/json-patch+json",
      body: [
        { op: "test", path: "/spec/http/0", value: route },
        { op: "replace", path: "/spec/http/0", value: { ...route, mirror: { host: "churn-canary" }, mirrorPercentage: { value: 10 } } },
      ],
      auth: "Bearer s3cret",
    }]);

    requests.length = 0;
    const mirrored = { ...route, mirror: { host: "churn-canary" }, mirrorPercentage: { value: 10 } };
    const vs = fixture("virtualservice") as { spec: { http: unknown[] } };
    vs.spec.http[0] = mirrored;
    routes.set(`GET ${VS}`, { status: 200, body: vs });
    await provider().setShadow("churn", "v2", 0);
    assert.deepEqual(patches()[0]?.body, [{ op: "test", path: "/spec/http/0", value: mirrored }, { op: "replace", path: "/spec/http/0", value: route }]);
  });

  test("setShadow of a version that is not the canary: refused, nothing sent", async () => {
    await assert.rejects(provider().setShadow("churn", "v3", 10), isError("refused", /the canary Service 'churn-canary' serves the running canary, v2/));
    assert.deepEqual(patches(), []);
  });

  test("setWeight to a step of the Rollout: the plugin's status patch with that step's index; weights among the capabilities", async () => {
    const p = provider();
    assert.deepEqual([...p.capabilities].sort(), ["abort", "history", "promote", "rollback", "shadow", "weights"]);
    requireCapability(p, "weights");
    const s = await p.setWeight("churn", "v2", 50);
    assert.deepEqual(patches(), [{ method: "PATCH", path: `${ROLLOUT}/status`, contentType: "application/merge-patch+json", body: { status: { pauseConditions: null, currentStepIndex: 3 } }, auth: "Bearer s3cret" }]);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [`GET ${ROLLOUT}`, `GET ${RS_LIST}`, `PATCH ${ROLLOUT}/status`, `GET ${ROLLOUT}`, `GET ${RS_LIST}`, `GET ${RUNS}`, `GET ${VS}`]);
    // No controller runs here: the status read after the patch still has the old weight, and says why.
    assert.deepEqual(s.canary, { version: "v2", weight: 20 });
    assert.equal(s.notes?.at(-1), "asked for step 4 (setWeight: 50): the weights shown are the traffic router's until Argo's controller carries it out");
  });

  test("setWeight picks the first step that sets the weight at or after the current step, else the first; nothing is sent when the canary is held there already", async () => {
    const rollout = fixture("rollout-paused") as { spec: { strategy: { canary: { steps: unknown[] } } }; status: { currentStepIndex: number; canary: { weights: { canary: { weight: number } } } } };
    routes.set(`GET ${ROLLOUT}`, { status: 200, body: rollout });
    // At step 3 (the analysis after setWeight 20), with 20 again at step 6: that one, not step 1.
    rollout.spec.strategy.canary.steps.push({ setWeight: 20 }, { pause: {} });
    rollout.status.currentStepIndex = 2;
    await provider().setWeight("churn", "v2", 50);
    await provider().setWeight("churn", "v2", 20);
    assert.deepEqual(patches().map((r) => r.body), [{ status: { pauseConditions: null, currentStepIndex: 3 } }, { status: { pauseConditions: null, currentStepIndex: 5 } }]);

    // At step 5 (the timed pause after setWeight 50): back to 20 is the first step that sets it.
    requests.length = 0;
    rollout.spec.strategy.canary.steps.splice(5);
    rollout.status.currentStepIndex = 4;
    rollout.status.canary.weights.canary.weight = 50;
    await provider().setWeight("churn", "v2", 20);
    assert.deepEqual(patches().map((r) => r.body), [{ status: { pauseConditions: null, currentStepIndex: 0 } }]);

    // Held at 50 already (the traffic router has it, a pause follows): asking again sends nothing.
    requests.length = 0;
    const s = await provider().setWeight("churn", "v2", 50);
    assert.deepEqual(patches(), []);
    assert.equal(s.canary?.weight, 50);
    routes = defaultRoutes();
    await provider().setWeight("churn", "v2", 20);
    assert.deepEqual(patches(), []);
  });

  test("setWeight on a Rollout paused by hand (spec.paused): the status patch, then spec.paused false, as the plugin's promote", async () => {
    const rollout = fixture("rollout-paused") as { spec: Record<string, unknown> };
    rollout.spec["paused"] = true;
    routes.set(`GET ${ROLLOUT}`, { status: 200, body: rollout });
    await provider().setWeight("churn", "v2", 50);
    assert.deepEqual(patches().map(({ path: p, contentType, body }) => ({ p, contentType, body })), [
      { p: `${ROLLOUT}/status`, contentType: "application/merge-patch+json", body: { status: { pauseConditions: null, currentStepIndex: 3 } } },
      { p: ROLLOUT, contentType: "application/merge-patch+json", body: { spec: { paused: false } } },
    ]);
  });

  test("setWeight refusals, each with the reason, and nothing sent: 0, 100, not the canary, a weight no step sets, an aborted canary", async () => {
    const p = provider();
    await assert.rejects(p.setWeight("churn", "v2", 0), isError("refused", /argo sets no weight of 0: abort the canary .* or roll it back/));
    await assert.rejects(p.setWeight("churn", "v2", 100), isError("refused", /argo sets no weight of 100: promote the canary instead/));
    await assert.rejects(p.setWeight("churn", "v2", 12.5), isError("refused", /a weight is a whole percent from 0 to 100, got 12\.5/));
    assert.equal(requests.length, 0, "refused before any request");
    await assert.rejects(p.setWeight("churn", "v1", 50), isError("refused", /^cannot set v1's weight on Rollout 'churn': the running canary is v2; Argo canaries the version in the Rollout's spec\.template, so to canary v1, change the spec$/));
    await assert.rejects(p.setWeight("churn", "v2", 30), isError("refused", /^Rollout 'churn' steps set 20, 50; Argo moves a canary only between its steps: choose one of those, or add a setWeight: 30 step to spec\.strategy\.canary\.steps$/));
    const aborted = fixture("rollout-paused") as { status: Record<string, unknown> };
    aborted.status["abort"] = true;
    routes.set(`GET ${ROLLOUT}`, { status: 200, body: aborted });
    await assert.rejects(p.setWeight("churn", "v2", 50), isError("refused", /its canary was aborted; roll back, or re-apply the Rollout/));
    routes = defaultRoutes("rollout-healthy");
    await assert.rejects(p.setWeight("churn", "v3", 50), isError("refused", /no canary is running \(stable: v2\); Argo canaries the version in the Rollout's spec\.template/));
    assert.deepEqual(patches(), []);
  });

  test("canarySteps: the setWeight steps, held when a pause without duration follows", async () => {
    assert.deepEqual(await provider().canarySteps("churn"), [{ weight: 20, held: true }, { weight: 50, held: false }]);
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path}`), [`GET ${ROLLOUT}`]);
  });

  test("history: one event per revision of this Rollout, with its version, oldest first, since the given time", async () => {
    assert.deepEqual(await provider().history("churn", 0), [
      { t: Date.parse("2025-05-02T09:12:41Z"), kind: "other", version: "v1", source: "revision 1: v1" },
      { t: Date.parse("2025-06-10T14:02:58Z"), kind: "other", version: "v2", source: "revision 2: v2" },
    ]);
    assert.deepEqual((await provider().history("churn", Date.parse("2025-06-01T00:00:00Z"))).map((e) => e.source), ["revision 2: v2"]);
  });
});

describe("failures", () => {
  test("401, 404 and 409 from the API server: their kinds, with Kubernetes' message", async () => {
    routes.set(`GET ${ROLLOUT}`, { status: 401, body: fixture("status-401") });
    await assert.rejects(provider().status("churn"), isError("unauthorized", /reading Rollout 'churn' in namespace 'ml': Kubernetes refused the credentials of context 'test' \(401: Unauthorized\)/));
    routes = new Map();
    await assert.rejects(provider().status("churn"), isError("not-found", /reading Rollout 'churn' in namespace 'ml': not found \(rollouts\.argoproj\.io "churn" not found\)/));
    routes = defaultRoutes();
    routes.set(`PATCH ${ROLLOUT}/status`, { status: 409, body: fixture("status-409") });
    await assert.rejects(provider().promote("churn", "v2"), isError("conflict", /promoting v2 on Rollout 'churn': conflict \(Operation cannot be fulfilled on rollouts\.argoproj\.io "churn": the object has been modified/));
  });

  test("a dead server: unreachable", async () => {
    const dead = createPlainServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    await assert.rejects(provider({ ...bearer(), server: `https://127.0.0.1:${deadPort}` }).status("churn"), isError("unreachable", /is unreachable \(ECONNREFUSED\)/));
  });

  test("a server that never answers: a timeout; the caller's cancel wins over it", async () => {
    routes.set(`GET ${ROLLOUT}`, "hang");
    await assert.rejects(provider(bearer(), 300).status("churn"), isError("unreachable", /reading Rollout 'churn' in namespace 'ml': the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ did not answer in 0\.3 s/));
    const abort = new AbortController();
    const pending = provider().status("churn", abort.signal);
    setTimeout(() => abort.abort(new Error("cancelled by the user")), 50);
    await assert.rejects(pending, /cancelled by the user/);
  });
});
