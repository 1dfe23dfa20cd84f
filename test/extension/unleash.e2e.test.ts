/**
 * A model that rolls out through Unleash, in real VS Code: a real Unleash on PostgreSQL
 * (scripts/unleash.mjs), its admin token given with Connect Backend… as the `${secret:UNLEASH}` of
 * prodinsights.yaml. The Models view shows the flag's versions; Start Canary runs in the window,
 * moving the flag's rollout, and cancelling it rolls back; Promote goes through Unleash; the
 * gateway-only actions are refused with the reason. The model's metrics backend is a real (empty)
 * Prometheus: the canary is cancelled before its first measurement, which the CLI's suite covers
 * (test/cli/canaryUnleash.integration.test.ts). Missing parts skip the suite locally and fail it
 * under CI.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { UnleashProvider } from "../../src/rollout/unleash";
import {
  clickDialogButton,
  EditorSession,
  editorPartsOrSkip,
  notification,
  openViewContainer,
  outputText,
  pickQuickItem,
  quickPickItems,
  readDialog,
  runCommand,
  waitForNotification,
  waitForTree,
} from "../support/vscodeDriver";
import { startPrometheus, type DemoPrometheus } from "../../src/gateway/demo/prometheus";
import { missingBinaries } from "../support/servers";
import { type RunningUnleash, type UnleashSdk, unleashOrSkip } from "../support/unleash";
import { startApplication, type UnleashApplication } from "../support/unleashApp";

describe("a model on Unleash in real VS Code", async () => {
  const { skip: noEditor, failed } = await editorPartsOrSkip();
  if (failed) return;
  const parts = await unleashOrSkip(missingBinaries("prometheus") ?? "");
  if (parts.failed) return;
  const skip = noEditor || parts.skip;
  let dir: string;
  let unleash: RunningUnleash | undefined;
  let prometheus: DemoPrometheus | undefined;
  let sdk: UnleashSdk | undefined;
  let app: UnleashApplication | undefined;
  let provider: UnleashProvider;
  let editor: EditorSession | undefined;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-e2e-unleash-"));
    unleash = await parts.start();
    provider = new UnleashProvider({ url: unleash.url, token: unleash.adminToken, project: "default", environment: "production", flags: () => ({ flag: "fraud-model", stickiness: "userId" }) });
    await provider.init("fraud", "v1");
    await provider.setWeight("fraud", "v2", 5);
    // The application: Unleash's SDK routes each unit; v4 fails 15% of its requests, the others none.
    const client = parts.sdk();
    sdk = await client.startUnleash({
      url: `${unleash.url}/api/`,
      appName: "fraud-service",
      environment: "production",
      customHeaders: { Authorization: unleash.clientToken },
      refreshInterval: 250,
      disableMetrics: true,
      storageProvider: new client.InMemStorageProvider(),
    });
    app = await startApplication(sdk, { flag: "fraud-model", model: "fraud", errorRates: { v4: 0.15 } });
    prometheus = await startPrometheus({ dir: path.join(dir, "prometheus"), port: 0, target: app.target, lookbackMs: 3_600_000 });
    if (!prometheus) throw new Error("Prometheus is not installed");
    const ws = path.join(dir, "ws");
    mkdirSync(ws);
    writeFileSync(
      path.join(ws, "prodinsights.yaml"),
      [
        "version: 1",
        "backends:",
        '  logs: {type: logs, paths: ["logs/*.jsonl"]}',
        `  prom: {url: "${prometheus.url}"}`,
        "unleash:",
        `  url: "${unleash.url}"`,
        "  token: ${secret:UNLEASH}",
        "models:",
        "  fraud: {rollout: unleash, flag: fraud-model, backend: prom, policy: quick}",
        "policies:",
        "  quick: {steps: [25, 50], interval: 8s, metrics: [error_rate]}",
        "",
      ].join("\n"),
    );
    editor = await EditorSession.start({ folder: ws, runDir: path.join(dir, "run"), suite: "unleash" });
  });

  after(async () => {
    await editor?.close();
    app?.stop();
    sdk?.destroy();
    await Promise.all([unleash?.stop(), prometheus?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("Connect Backend… stores Unleash's token, and the Models view shows the flag's versions", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("connect unleash", async () => {
      await openViewContainer(page, "Production Insights");
      await waitForTree(page, "Models", (rows) => rows.some((r) => /no admin token for Unleash/.test(`${r.label} ${r.description}`)));
      await runCommand(page, "Production Insights: Connect Backend…");
      await pickQuickItem(page, "Secret UNLEASH");
      const input = page.locator(".quick-input-widget input").first();
      await page.locator(".quick-input-title", { hasText: "Connect Backend: Secret UNLEASH" }).waitFor({ timeout: 30_000 });
      assert.equal(await input.getAttribute("type"), "password");
      await input.fill(unleash!.adminToken);
      await page.keyboard.press("Enter");
      await waitForNotification(page, "Secret UNLEASH stored; the views are refreshed.");
      const rows = await waitForTree(page, "Models", (r) => r.some((x) => x.label === "v2"));
      assert.match(rows.find((r) => r.label === "fraud")!.description, /stable v1/);
      assert.match(rows.find((r) => r.label === "v1")!.description, /^stable · 95%/);
      assert.match(rows.find((r) => r.label === "v2")!.description, /^canary · 5%/);
      await editor!.screenshot("unleash-models");
    });
  });

  test("Start Canary Rollout… runs in the window: the flag's rollout moves to the first step, and cancelling rolls back", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    try {
      await canaryCancelled(page);
    } finally {
      // As the next tests expect it.
      await provider.setWeight("fraud", "v2", 25);
    }
  });

  async function canaryCancelled(page: EditorSession["page"]): Promise<void> {
    await editor!.step("canary on unleash", async () => {
      await runCommand(page, "Production Insights: Start Canary Rollout…");
      await pickQuickItem(page, "v2");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Start a canary of fraud v2?");
      assert.match(dialog.detail, /On unleash, against v1, with policy 'quick': steps 25% → 50%, 8 s each/);
      assert.match(dialog.detail, /Each step is judged on prom\./);
      assert.match(dialog.detail, /this window does, until the last step\. Cancelling the progress notification, or closing the window, rolls back\./);
      await clickDialogButton(page, "Start Canary");
      await waitForNotification(page, /Start a canary of fraud v2.*25% of traffic to v2/);
      assert.deepEqual((await provider.status("fraud")).canary, { version: "v2", weight: 25 });
      await notification(page, /Start a canary of fraud v2/).getByRole("button", { name: "Cancel" }).click();
      await waitForNotification(page, "The canary of fraud v2 was stopped: v1 takes all traffic.");
      const after = await provider.status("fraud");
      assert.equal(after.canary, undefined);
      assert.equal(after.weights["v1"], 100);
      assert.match(await outputText(page, "Production Insights"), /canary of fraud v2: 25% of traffic to v2/);
    });
  }

  test("Start Shadow Rollout… is refused for it: Unleash cannot mirror traffic", { skip, timeout: 60_000 }, async () => {
    const { page } = editor!;
    await editor!.step("shadow refused", async () => {
      await runCommand(page, "Production Insights: Start Shadow Rollout…");
      await waitForNotification(page, /fraud rolls out through unleash, which cannot mirror traffic/);
    });
  });

  test("Promote Version… goes through Unleash: v2 becomes the flag's stable variant", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("promote on unleash", async () => {
      await runCommand(page, "Production Insights: Promote Version…");
      const choices = await quickPickItems(page, "Promote a version of fraud");
      assert.deepEqual(choices.map((c) => c.label), ["v2"]);
      await pickQuickItem(page, "v2");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Promote fraud v2?");
      assert.match(dialog.detail, /v1: 75% → 0% of traffic/);
      assert.match(dialog.detail, /v2: 25% → 100% of traffic/);
      await clickDialogButton(page, "Promote");
      await waitForNotification(page, "fraud v2 promoted: it takes all traffic and is the stable version.");
      assert.deepEqual(await provider.status("fraud"), { model: "fraud", provider: "unleash", stable: "v2", weights: { v2: 100 } });
      await waitForTree(page, "Models", (r) => /^stable · 100%/.test(r.find((x) => x.label === "v2")?.description ?? ""), 60_000);
    });
  });

  /** Starts a canary of `version` from the palette, confirmed, and returns the notification that ends it. */
  async function canaryFromEditor(page: EditorSession["page"], version: string, ending: RegExp): Promise<string> {
    await runCommand(page, "Production Insights: Start Canary Rollout…");
    await pickQuickItem(page, version);
    await readDialog(page);
    await clickDialogButton(page, "Start Canary");
    // Two steps of 8 s, each measured from Prometheus before the next.
    return waitForNotification(page, ending, 90_000);
  }

  test("a healthy candidate's canary, run by the window, is promoted on Unleash", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await provider.setWeight("fraud", "v3", 5);
    await editor!.step("canary promoted", async () => {
      await canaryFromEditor(page, "v3", /^fraud v3 promoted: every step of the canary passed\.$/);
      assert.deepEqual(await provider.status("fraud"), { model: "fraud", provider: "unleash", stable: "v3", weights: { v3: 100 } });
      assert.ok((app!.served["v3"] ?? 0) > 100, JSON.stringify(app!.served));
      await waitForTree(page, "Models", (r) => /^stable · 100%/.test(r.find((x) => x.label === "v3")?.description ?? ""), 60_000);
    });
  });

  test("a candidate that fails 15% of its requests is rolled back by the window's canary, with the reason", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await provider.setWeight("fraud", "v4", 5);
    await editor!.step("canary rolled back", async () => {
      const message = await canaryFromEditor(page, "v4", /^The canary of fraud v4 was rolled back: /);
      assert.match(message, /error_rate/);
      const after = await provider.status("fraud");
      assert.equal(after.stable, "v3");
      assert.equal(after.canary, undefined);
    });
  });
});
