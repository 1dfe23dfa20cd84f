/**
 * The extension in real VS Code on the smallest workspace it activates on: code-server
 * (scripts/editor.mjs) on a folder with a prodinsights.yaml and no backend running, driven by
 * playwright-core with Debian's chromium. It must load, activate, and run a command end to end.
 * Missing parts skip the suite with how to install them, except under CI, where they fail it.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { EditorSession, editorPartsOrSkip, runCommand, waitForNotification } from "../support/vscodeDriver";

describe("the extension in real VS Code (code-server)", async () => {
  const { skip, failed } = await editorPartsOrSkip();
  if (failed) return;
  let dir: string;
  let editor: EditorSession | undefined;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-vscode-"));
    const ws = path.join(dir, "ws");
    mkdirSync(ws);
    writeFileSync(path.join(ws, "prodinsights.yaml"), "backends:\n  local: {type: logs, paths: [logs/]}\nmodels:\n  churn: {}\n");
    writeFileSync(path.join(ws, "model.py"), 'MODEL_VERSION = "v2"\n');
    editor = await EditorSession.start({ folder: ws, runDir: path.join(dir, "run"), suite: "smallest" });
  });

  after(async () => {
    await editor?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the extension activates on prodinsights.yaml and its command computes a sample size", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("compute sample size", async () => {
      await runCommand(page, "Production Insights: Compute Sample Size…");
      // Each input box by its title, so that Enter goes to it and not to the palette closing.
      await page.locator(".quick-input-title", { hasText: "Compute Sample Size (1/2)" }).waitFor({ timeout: 30_000 });
      await page.keyboard.press("Enter"); // baseline 0.10
      await page.locator(".quick-input-title", { hasText: "Compute Sample Size (2/2)" }).waitFor({ timeout: 30_000 });
      await page.keyboard.press("Enter"); // effect 0.01
      // R: power.prop.test(p1 = 0.10, p2 = 0.11, power = 0.8) gives n = 14750.79 per group.
      assert.match(await waitForNotification(page, "per arm"), /^n = 14,751 per arm \(baseline 10%, MDE \+1\.0 pp, α 0\.05, power 0\.8\)$/);
    });
  });
});
