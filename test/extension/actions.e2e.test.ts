/**
 * The extension's connection, actions and panels in real VS Code, over a gateway on this machine
 * (the test harness, not the demo: nothing here needs history, so it starts in seconds).
 * Connect Backend… keeps the token in SecretStorage and the views connect; Start Canary Rollout…
 * starts a canary the gateway hosts and follows it; Abort Rollout ends it; Start Shadow Rollout…
 * mirrors traffic; a report panel is restored after the window reloads; the status bar follows.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startHarness, TOKEN, type Harness } from "../support/gatewayHarness";
import {
  clickDialogButton,
  EditorSession,
  eventually,
  editorPartsOrSkip,
  openFile,
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

interface ModelState {
  weights: Record<string, number>;
  stable: string;
  canary?: { version: string; result: { step: number; weight: number } };
  lastCanary?: { version: string; result: { status: string } };
  shadow?: { version: string; share: number };
  chaos?: { kind: string; version: string; share: number; until: number }[];
}

describe("connecting, rollout actions and restored panels in real VS Code", async () => {
  const { skip, failed } = await editorPartsOrSkip();
  if (failed) return;
  let dir: string;
  let gateway: Harness | undefined;
  let editor: EditorSession | undefined;

  const churn = async (): Promise<ModelState> => {
    const { status, json } = await gateway!.admin("GET", "/state");
    assert.equal(status, 200);
    return (json as { models: Record<string, ModelState> }).models["churn"]!;
  };
  const statusBar = (): Promise<string> => editor!.page.locator(".statusbar-item", { hasText: "Production:" }).first().innerText();

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-e2e-actions-"));
    gateway = await startHarness({ v1: 100, v2: 0 });
    const ws = path.join(dir, "ws");
    mkdirSync(ws);
    // No token file and an environment variable nobody sets: the editor must be given the token.
    writeFileSync(
      path.join(ws, "prodinsights.yaml"),
      [
        "version: 1",
        "backends:",
        '  logs: {type: logs, paths: ["logs/*.jsonl"]}',
        "gateway:",
        `  url: "${gateway.gw.adminUrl}"`,
        "  token: ${env:PI_E2E_TOKEN_NOBODY_SETS}",
        "models:",
        "  churn: {rollout: gateway, policy: slow}",
        "policies:",
        "  slow: {steps: [50, 100], interval: 1h, metrics: [error_rate], alpha: 0.02, rollback_on: worse}",
        "",
      ].join("\n"),
    );
    editor = await EditorSession.start({ folder: ws, runDir: path.join(dir, "run"), suite: "actions" });
  });

  after(async () => {
    await editor?.close();
    await gateway?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("without a token the views say how to connect, and Connect Backend… connects them", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("connect backend", async () => {
      await openViewContainer(page, "Production Insights");
      await waitForTree(page, "Models", (rows) => rows.some((r) => /no admin token for the gateway/.test(r.label)));
      await eventually("the status bar saying not connected", async () => ((await statusBar()).includes("not connected") ? true : undefined));
      await runCommand(page, "Production Insights: Connect Backend…");
      await pickQuickItem(page, "Gateway admin token");
      const input = page.locator(".quick-input-widget input").first();
      await page.locator(".quick-input-title", { hasText: "Connect Backend: Gateway admin token" }).waitFor({ timeout: 30_000 });
      assert.equal(await input.getAttribute("type"), "password", "the token is typed into a password box");
      await input.fill(TOKEN);
      await page.keyboard.press("Enter");
      await waitForNotification(page, /^Connected to the gateway at /);
      const rows = await waitForTree(page, "Models", (r) => r.some((x) => x.label === "v2"));
      assert.match(rows.find((r) => r.label === "v1")!.description, /^stable · 100%/);
      await eventually("the status bar saying ok", async () => (/Production: (ok|\d+ alerts?)/.test(await statusBar()) ? true : undefined));
    });
  });

  test("Start Canary Rollout… previews the policy, starts a canary the gateway hosts, and follows it", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("start canary", async () => {
      await runCommand(page, "Production Insights: Start Canary Rollout…");
      await pickQuickItem(page, "v2");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Start a canary of churn v2?");
      assert.match(dialog.detail, /Against v1, with policy 'slow': steps 50% → 100%, 3600 s each, judged on error_rate at 98% confidence/);
      assert.match(dialog.detail, /Cancelling the progress notification aborts the canary\./);
      await clickDialogButton(page, "Start Canary");
      const state = await eventually("the gateway's canary", async () => {
        const s = await churn();
        return s.canary ? s : undefined;
      });
      assert.equal(state.canary!.version, "v2");
      assert.deepEqual(state.weights, { v1: 50, v2: 50 });
      await waitForNotification(page, /Start a canary of churn v2/);
      await waitForTree(page, "Models", (rows) => rows.some((r) => /^canary v2: step 1\/2, 50%$/.test(r.label)));
    });
  });

  test("Abort Rollout ends the canary and returns the traffic; the canary's progress ends with it", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("abort rollout", async () => {
      await runCommand(page, "Production Insights: Abort Rollout");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Abort the canary of churn v2?");
      assert.match(dialog.detail, /v1: 50% → 100% of traffic/);
      await clickDialogButton(page, "Abort");
      await waitForNotification(page, "The canary of churn v2 was aborted: v1 takes all traffic.");
      const state = await churn();
      assert.equal(state.canary, undefined);
      assert.deepEqual(state.weights, { v1: 100, v2: 0 });
      assert.equal(state.lastCanary?.result.status, "rolled-back");
      // The Start Canary progress saw the canary end by hand, and says so (in its log line: the
      // toast may sit under the others).
      await eventually("Start Canary's outcome in the log", async () => (/Start a canary of churn v2: The canary of churn v2 was aborted before its last step; v1 takes the traffic back\./.test(editor!.extensionLog()) ? true : undefined));
    });
  });

  test("Start Shadow Rollout… mirrors the share asked for", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("start shadow", async () => {
      await runCommand(page, "Production Insights: Start Shadow Rollout…");
      await pickQuickItem(page, "v2");
      const input = page.locator(".quick-input-widget input").first();
      await page.locator(".quick-input-title", { hasText: "Shadow churn v2" }).waitFor({ timeout: 30_000 });
      await input.fill("40");
      await page.keyboard.press("Enter");
      const dialog = await readDialog(page);
      assert.match(dialog.detail, /^40% of churn's requests are also sent to v2; users keep getting the current answers\./);
      await clickDialogButton(page, "Start Shadow");
      await waitForNotification(page, "churn v2 is shadowing 40% of requests.");
      assert.deepEqual((await churn()).shadow, { version: "v2", share: 40 });
    });
  });

  test("Start Chaos Experiment… asks for the version, the fault and the share, and starts it for 5 minutes", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("start chaos", async () => {
      await runCommand(page, "Production Insights: Start Chaos Experiment…");
      await pickQuickItem(page, "v2");
      await pickQuickItem(page, "error");
      await page.locator(".quick-input-title", { hasText: "Chaos on churn v2" }).waitFor({ timeout: 30_000 });
      await page.locator(".quick-input-widget input").first().fill("20");
      await page.keyboard.press("Enter");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Chaos on churn v2?");
      assert.match(dialog.detail, /^For 5 minutes, 20% of v2's requests fail with a 500\./);
      await clickDialogButton(page, "Start Chaos");
      await waitForNotification(page, "Chaos started on churn v2 for 5 minutes.");
      const chaos = (await churn()).chaos ?? [];
      assert.equal(chaos.length, 1);
      assert.deepEqual({ kind: chaos[0]!.kind, version: chaos[0]!.version, share: chaos[0]!.share }, { kind: "error", version: "v2", share: 20 });
      assert.ok(chaos[0]!.until - Date.now() > 4 * 60_000 && chaos[0]!.until - Date.now() <= 5 * 60_000);
    });
  });

  test("a report panel comes back with its report after the window reloads", { skip, timeout: 240_000 }, async () => {
    const { page } = editor!;
    await editor!.step("restored panel", async () => {
      await runCommand(page, "Production Insights: Show Rollout…");
      await waitForEditorTab(page, "Rollout of churn");
      await webviewChart(page).waitFor({ timeout: 60_000 });
      assert.match(await webviewText(page), /Shadow: v2 receives a copy of 40% of requests/);
      await runCommand(page, "Developer: Reload Window");
      await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
      await waitForEditorTab(page, "Rollout of churn", 90_000);
      await webviewChart(page).waitFor({ timeout: 90_000 });
      assert.match(await webviewText(page), /Rollout of churn/);
      await editor!.screenshot("restored-rollout");
      // Hidden behind another editor, its page is dropped; shown again, it draws the report again.
      await openFile(page, "prodinsights.yaml");
      await page.locator(".editor-group-container .tab", { hasText: "Rollout of churn" }).first().click();
      await waitForEditorTab(page, "Rollout of churn");
      await webviewChart(page).waitFor({ timeout: 60_000 });
      assert.match(await webviewText(page), /Shadow: v2 receives a copy of 40% of requests/);
    });
  });
});
