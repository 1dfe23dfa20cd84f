/**
 * The extension in real VS Code: code-server (scripts/editor.mjs) on a workspace with a
 * prodinsights.yaml, driven by playwright-core with Debian's chromium. The extension must load,
 * activate, and run a command end to end. Missing parts skip the suite with how to install them,
 * except under CI, where they fail it.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";

const root = path.resolve(__dirname, "../..");
const CHROMIUM = "/usr/bin/chromium";

interface Editor {
  editorInstalled(): boolean;
  startEditor(o: { port: number; folder: string; extensionRoot: string; runDir: string }): Promise<{ url: string; child: ChildProcess }>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Runs a command from the palette; retried, since commands appear only once the extension host has scanned extensions. */
async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator(".quick-input-widget input");
  const row = page.locator(".quick-input-list .monaco-list-row.focused", { hasText: title });
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press("F1");
    await input.waitFor({ state: "visible", timeout: 15_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 2000 });
      await page.keyboard.press("Enter");
      return;
    } catch (err) {
      if (attempt >= 60) throw err;
      await page.keyboard.press("Escape");
      await page.waitForTimeout(1000);
    }
  }
}

describe("the extension in real VS Code (code-server)", async () => {
  const editor = (await import(path.join(root, "scripts", "editor.mjs"))) as Editor;
  const missing = [!editor.editorInstalled() && "code-server (node scripts/editor.mjs install)", !existsSync(CHROMIUM) && "chromium (apt-get install chromium)"].filter(Boolean).join(" and ");
  if (missing && process.env["CI"]) {
    test("the editor and the browser are installed", () => assert.fail(`CI is set and ${missing} is missing`));
    return;
  }
  let dir: string;
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    if (missing) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-vscode-"));
    const ws = path.join(dir, "ws");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(ws);
    writeFileSync(path.join(ws, "prodinsights.yaml"), "backends:\n  local: {type: logs, paths: [logs/]}\nmodels:\n  churn: {}\n");
    writeFileSync(path.join(ws, "model.py"), 'MODEL_VERSION = "v2"\n');
    const started = await editor.startEditor({ port: await freePort(), folder: ws, extensionRoot: root, runDir: path.join(dir, "run") });
    server = started.child;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(started.url);
    await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
  });

  after(async () => {
    await browser?.close();
    server?.kill("SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the extension activates on prodinsights.yaml and its command computes a sample size", { skip: missing || false, timeout: 180_000 }, async () => {
    await runCommand(page, "Production Insights: Compute Sample Size");
    try {
      // Each input box by its title, so that Enter goes to it and not to the palette closing.
      await page.locator(".quick-input-title", { hasText: "Compute Sample Size (1/2)" }).waitFor({ timeout: 30_000 });
      await page.keyboard.press("Enter"); // baseline 0.10
      await page.locator(".quick-input-title", { hasText: "Compute Sample Size (2/2)" }).waitFor({ timeout: 30_000 });
      await page.keyboard.press("Enter"); // effect 0.01
      // R: power.prop.test(p1 = 0.10, p2 = 0.11, power = 0.8) gives n = 14750.79 per group.
      const toast = page.locator(".notification-list-item-message", { hasText: "per arm" });
      await toast.waitFor({ timeout: 30_000 });
      assert.match(await toast.innerText(), /^n = 14,751 per arm \(baseline 10%, MDE \+1\.0 pp, α 0\.05, power 0\.8\)$/);
    } catch (err) {
      await page.screenshot({ path: path.join(tmpdir(), "prodinsights-vscode-failure.png") });
      throw err;
    }
  });
});
