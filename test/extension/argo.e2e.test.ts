/**
 * A model that rolls out through Argo Rollouts, in real VS Code. No cluster runs here: the
 * Kubernetes API is the fake server of the provider's own tests (test/support/fakeKube.ts), over
 * TLS with a client certificate, serving the Rollout recorded from Argo's CRD types (paused at
 * setWeight 20, v1 stable, v2 the canary). It runs no controller, so each action is checked by
 * the request the editor sent, which must be the one the `kubectl argo rollouts` plugin sends.
 * The workspace's kubeconfig is read because the workspace is trusted. Missing editor parts skip
 * the suite locally and fail it under CI.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { argoFixture, argoRoutes, kubeconfigOf, startFakeKube, ROLLOUT, VS, type Answer, type FakeKube, type Recorded } from "../support/fakeKube";
import { missingServerPolicy, startServer, type RunningServer } from "../support/servers";
import {
  clickDialogButton,
  closeAllEditors,
  EditorSession,
  editorPartsOrSkip,
  eventually,
  notification,
  openViewContainer,
  pickQuickItem,
  readDialog,
  runCommand,
  waitForEditorTab,
  waitForNotification,
  waitForTree,
  webviewChart,
  webviewText,
} from "../support/vscodeDriver";

describe("a model on Argo Rollouts in real VS Code", async () => {
  const { skip: noEditor, failed } = await editorPartsOrSkip();
  if (failed) return;
  // The canary's metrics backend: a real, empty Prometheus (the canary is cancelled before its first measurement).
  const prom = missingServerPolicy("prometheus");
  if (prom.fail) {
    test("prometheus: the server binaries are installed", () => assert.fail(prom.fail));
    return;
  }
  const skip = noEditor || prom.skip || false;
  let dir: string;
  let ws: string;
  let prometheus: RunningServer | undefined;
  let kube: FakeKube | undefined;
  const requests: Recorded[] = [];
  const routes: Map<string, Answer> = argoRoutes("rollout-paused");
  let editor: EditorSession | undefined;
  const patches = (): Recorded[] => requests.filter((r) => r.method === "PATCH");

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-e2e-argo-"));
    [kube, prometheus] = await Promise.all([startFakeKube({ requests, answer: (key) => routes.get(key) }), startServer("prometheus", { history: false })]);
    ws = path.join(dir, "ws");
    mkdirSync(ws);
    writeFileSync(path.join(ws, "kubeconfig.yaml"), kubeconfigOf(kube, "client-certificate"));
    writeFileSync(
      path.join(ws, "prodinsights.yaml"),
      ["version: 1", "backends:", '  logs: {type: logs, paths: ["logs/*.jsonl"]}', "argo: {kubeconfig: kubeconfig.yaml}", "models:", "  churn: {rollout: argo}", ""].join("\n"),
    );
    editor = await EditorSession.start({ folder: ws, runDir: path.join(dir, "run"), suite: "argo" });
  });

  after(async () => {
    await editor?.close();
    kube?.close();
    await prometheus?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the Models view shows the Rollout's versions, weights, phase and step, read with the kubeconfig's client certificate", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("argo models", async () => {
      await openViewContainer(page, "Production Insights");
      const rows = await waitForTree(page, "Models", (r) => r.some((x) => x.label === "v2"));
      assert.match(rows.find((r) => r.label === "churn")!.description, /stable v1/);
      assert.match(rows.find((r) => r.label === "v1")!.description, /^stable · 80%/);
      assert.match(rows.find((r) => r.label === "v2")!.description, /^canary · 20%/);
      // What Argo says of the rollout: its phase and step.
      assert.ok(rows.some((r) => r.label === "argo: Paused: CanaryPauseStep · step 2 of 5"), JSON.stringify(rows.map((r) => r.label)));
      const reads = requests.filter((r) => r.method === "GET" && r.path === ROLLOUT);
      assert.ok(reads.length > 0 && reads.every((r) => r.clientCN === "rollout-bot" && r.auth === undefined), JSON.stringify(reads.slice(0, 2)));
      await editor!.screenshot("argo-models");
    });
  });

  test("Start Shadow Rollout… mirrors the Istio route to the canary Service", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("argo shadow", async () => {
      requests.length = 0;
      await runCommand(page, "Production Insights: Start Shadow Rollout…");
      await pickQuickItem(page, "v2");
      await page.locator(".quick-input-title", { hasText: "Shadow churn v2" }).waitFor({ timeout: 30_000 });
      await page.locator(".quick-input-widget input").first().fill("10");
      await page.keyboard.press("Enter");
      const dialog = await readDialog(page);
      assert.match(dialog.detail, /^10% of churn's requests are also sent to v2/);
      await clickDialogButton(page, "Start Shadow");
      await waitForNotification(page, "churn v2 is shadowing 10% of requests.");
      const route = (argoFixture("virtualservice") as { spec: { http: Record<string, unknown>[] } }).spec.http[0]!;
      assert.deepEqual(
        patches().map((p) => ({ path: p.path, contentType: p.contentType, body: p.body })),
        [{ path: VS, contentType: "application/json-patch+json", body: [{ op: "test", path: "/spec/http/0", value: route }, { op: "replace", path: "/spec/http/0", value: { ...route, mirror: { host: "churn-canary" }, mirrorPercentage: { value: 10 } } }] }],
      );
    });
  });

  test("Start Canary Rollout… over a logs backend is refused with the reason, before anything is sent", { skip, timeout: 60_000 }, async () => {
    const { page } = editor!;
    await editor!.step("argo canary refused", async () => {
      requests.length = 0;
      await runCommand(page, "Production Insights: Start Canary Rollout…");
      await pickQuickItem(page, "v2");
      await waitForNotification(page, /a canary of churn on argo is judged on the model's metrics, and its backend 'logs' reads prediction logs: give the model a Prometheus backend/);
      assert.deepEqual(patches(), []);
    });
  });

  test("Show Rollout… reports the Rollout's weights, with Abort for its running canary", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("argo rollout report", async () => {
      await runCommand(page, "Production Insights: Show Rollout…");
      await waitForEditorTab(page, "Rollout of churn");
      await webviewChart(page).waitFor({ timeout: 60_000 });
      const body = await webviewText(page);
      assert.match(body, /v1/);
      assert.match(body, /v2/);
      assert.match(body, /Abort canary/);
      await closeAllEditors(page);
    });
  });

  test("Promote Version… sends Argo's full promotion, as `kubectl argo rollouts promote --full`", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("argo promote", async () => {
      requests.length = 0;
      await runCommand(page, "Production Insights: Promote Version…");
      await pickQuickItem(page, "v2");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Promote churn v2?");
      assert.match(dialog.detail, /v1: 80% → 0% of traffic/);
      await clickDialogButton(page, "Promote");
      await waitForNotification(page, "churn v2 promoted: it takes all traffic and is the stable version.");
      assert.deepEqual(patches().map((p) => ({ path: p.path, contentType: p.contentType, body: p.body })), [{ path: `${ROLLOUT}/status`, contentType: "application/merge-patch+json", body: { status: { promoteFull: true } } }]);
    });
  });

  test("Start Canary Rollout… on Argo with the Rollout's steps: an unheld step is warned of, the held one sends nothing, cancelling undoes the template", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("argo canary", async () => {
      const loads = (): number => editor!.extensionLog().split("\n").filter((l) => /\] loaded .*prodinsights\.yaml/.test(l)).length;
      const before = loads();
      writeFileSync(
        path.join(ws, "prodinsights.yaml"),
        [
          "version: 1",
          "backends:",
          `  prom: {url: "${prometheus!.url}"}`,
          "argo: {kubeconfig: kubeconfig.yaml}",
          "models:",
          "  churn: {rollout: argo, backend: prom, policy: steps}",
          "policies:",
          // The Rollout's steps: setWeight 20, pause {}, analysis, setWeight 50, pause 10m.
          "  steps: {steps: [20, 50, 100], interval: 10m, metrics: [error_rate]}",
          "",
        ].join("\n"),
      );
      await eventually("the extension to read the new prodinsights.yaml", async () => (loads() > before ? true : undefined));
      requests.length = 0;
      await runCommand(page, "Production Insights: Start Canary Rollout…");
      await pickQuickItem(page, "v2");
      const dialog = await readDialog(page);
      assert.match(dialog.detail, /On argo, against v1, with policy 'steps': steps 20% → 50% → 100%, 600 s each/);
      await clickDialogButton(page, "Start Canary");
      await waitForNotification(page, "Canary of churn v2: the Rollout's setWeight 50 is not followed by pause: {}; Argo goes on from there by itself, without waiting for this canary's checks.");
      await waitForNotification(page, /Start a canary of churn v2.*20% of traffic to v2/);
      // Held at setWeight 20 already (status.currentStepIndex is the pause after it): nothing to send.
      assert.deepEqual(patches(), []);
      await notification(page, /Start a canary of churn v2/).getByRole("button", { name: "Cancel" }).click();
      await waitForNotification(page, "The canary of churn v2 was stopped: v1 takes all traffic.");
      const [undo, ...more] = patches();
      assert.deepEqual(more, []);
      assert.equal(undo?.path, ROLLOUT);
      assert.equal(undo?.contentType, "application/json-patch+json");
      assert.deepEqual((undo?.body as { op: string; path: string }[]).map((op) => [op.op, op.path]), [["replace", "/spec/template"]]);
    });
  });
});
