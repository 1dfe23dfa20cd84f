/**
 * Drives VS Code in the browser (code-server from scripts/editor.mjs) with playwright-core and
 * Debian's chromium, for the end-to-end tests in test/extension. Selectors are VS Code's own DOM
 * (no test ids in product code): the palette, notifications, the modal dialog, tree rows by view
 * title, code lenses, and the report webviews, which are an `iframe.webview` holding the page in
 * a nested `#active-frame`.
 *
 * Every screenshot goes to test-results/e2e/<suite>/ (gitignored); a failed step leaves
 * `failure-<step>.png` there and gets the tail of the extension's log in its error message. With
 * PRODINSIGHTS_SCREENSHOTS=docs/images, the screenshots marked for the docs are copied there, and
 * only when every step of the suite passed.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from "playwright-core";

export const ROOT = path.resolve(__dirname, "../..");
export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = path.join(ROOT, "test-results", "e2e");
/** Where to copy the screenshots marked for the docs (relative to the repo), when set. */
export const DOCS_SCREENSHOTS_ENV = "PRODINSIGHTS_SCREENSHOTS";
export const VIEWPORT = { width: 1400, height: 900 } as const;

interface EditorModule {
  editorInstalled(): boolean;
  startEditor(o: { port: number; folder: string; extensionRoot: string; runDir: string; trust?: boolean }): Promise<{ url: string; child: ChildProcess }>;
}

export const loadEditorModule = async (): Promise<EditorModule> => (await import(path.join(ROOT, "scripts", "editor.mjs"))) as EditorModule;

/**
 * What is missing to run the editor, as install hints ("" when nothing is). Under CI a suite fails
 * on it; elsewhere it skips.
 */
export async function missingEditorParts(): Promise<string> {
  const editor = await loadEditorModule();
  return [!editor.editorInstalled() && "code-server (node scripts/editor.mjs install)", !existsSync(CHROMIUM) && "chromium (apt-get install chromium)"].filter(Boolean).join(" and ");
}

/**
 * For a suite, inside its `describe`: whether the editor and the browser are there. Under CI a
 * missing one is a failing test of its own (`failed`: the suite adds nothing else); elsewhere the
 * suite's tests skip with `skip`, the install hint.
 */
export async function editorPartsOrSkip(): Promise<{ readonly skip: string | false; readonly failed: boolean }> {
  const missing = await missingEditorParts();
  if (missing && process.env["CI"]) {
    test("the editor and the browser are installed", () => assert.fail(`CI is set and ${missing} is missing`));
    return { skip: missing, failed: true };
  }
  return { skip: missing || false, failed: false };
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** User settings for a quiet, reproducible workbench: no chat pane, tips, git or telemetry. */
const QUIET_SETTINGS = {
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": "off",
  "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "update.mode": "none",
  "git.enabled": false,
  "workbench.tips.enabled": false,
  "security.workspace.trust.enabled": false,
  "editor.minimap.enabled": false,
  "window.commandCenter": false,
};

export interface EditorOptions {
  /** The workspace folder to open. */
  readonly folder: string;
  /** code-server's state (home, settings, extensions, logs). */
  readonly runDir: string;
  /** The artifacts' subfolder under test-results/e2e. */
  readonly suite: string;
  /** false: workspace trust stays on, and the folder opens in Restricted Mode. */
  readonly trust?: boolean;
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** One code-server and one browser page on it, for a whole suite. */
export class EditorSession {
  private failures = 0;
  private readonly forDocs = new Set<string>();
  readonly artifacts: string;

  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: ChildProcess,
    readonly runDir: string,
    suite: string,
  ) {
    this.artifacts = path.join(ARTIFACTS, suite);
  }

  static async start(options: EditorOptions): Promise<EditorSession> {
    const editor = await loadEditorModule();
    mkdirSync(path.join(options.runDir, "user-data", "User"), { recursive: true });
    // startEditor keeps a settings file that exists (and sets the trust keys when trust is off).
    writeFileSync(path.join(options.runDir, "user-data", "User", "settings.json"), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
    const started = await editor.startEditor({ port: await freePort(), folder: options.folder, extensionRoot: ROOT, runDir: options.runDir, ...(options.trust === false ? { trust: false } : {}) });
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
      const page = await browser.newPage({ viewport: VIEWPORT });
      const session = new EditorSession(page, browser, started.child, options.runDir, options.suite);
      mkdirSync(session.artifacts, { recursive: true });
      await page.goto(started.url);
      await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
      return session;
    } catch (err) {
      await browser?.close();
      started.child.kill("SIGTERM");
      throw err;
    }
  }

  /** Closes the browser and stops code-server (and its extension host); copies the docs' screenshots when every step passed. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    if (this.server.exitCode === null) {
      const exited = new Promise((resolve) => this.server.once("exit", resolve));
      this.server.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    this.publishScreenshots();
  }

  /**
   * Runs one step of a test: on failure, a screenshot `failure-<name>.png` and the tail of the
   * extension's log go with the error.
   */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.failures++;
      const file = path.join(this.artifacts, `failure-${slug(name)}.png`);
      await this.page.screenshot({ path: file }).catch(() => undefined);
      const log = this.extensionLog().trim().split("\n").slice(-15).join("\n");
      if (err instanceof Error) err.message += `\n  screenshot: ${path.relative(ROOT, file)}\n  Production Insights log (last lines):\n${log.replace(/^/gm, "    ")}`;
      throw err;
    }
  }

  /** Saves the page as test-results/e2e/<suite>/<name>.png; `docs` marks it for the docs. */
  async screenshot(name: string, options: { docs?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}): Promise<string> {
    const file = path.join(this.artifacts, `${name}.png`);
    // Let the palette close and toasts slide in; CSS animations are finished for the shot.
    await this.page.waitForTimeout(400);
    await this.page.screenshot({ path: file, animations: "disabled", ...(options.clip ? { clip: options.clip } : {}) });
    if (options.docs) this.forDocs.add(name);
    return file;
  }

  private publishScreenshots(): void {
    const target = process.env[DOCS_SCREENSHOTS_ENV];
    if (!target || this.failures > 0 || this.forDocs.size === 0) return;
    const dir = path.resolve(ROOT, target);
    mkdirSync(dir, { recursive: true });
    for (const name of this.forDocs) {
      const file = path.join(this.artifacts, `${name}.png`);
      if (existsSync(file)) copyFileSync(file, path.join(dir, `${name}.png`));
    }
  }

  /** Marks the suite failed (for a failure outside `step`): the docs keep their screenshots. */
  failed(): void {
    this.failures++;
  }

  /** The extension's output channel as written to the extension host's log folder ("" before it exists). */
  extensionLog(): string {
    const logs = path.join(this.runDir, "user-data", "logs");
    if (!existsSync(logs)) return "";
    const sessions = readdirSync(logs).sort();
    for (const s of sessions.reverse()) {
      for (const host of readdirSync(path.join(logs, s)).filter((d) => d.startsWith("exthost"))) {
        const file = path.join(logs, s, host, "prodinsights.production-insights", "Production Insights.log");
        if (existsSync(file)) return readFileSync(file, "utf8");
      }
    }
    return "";
  }
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);

/** Polls `probe` until it returns something other than undefined, or throws `what` after `timeout` ms. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeout = 60_000, everyMs = 500): Promise<T> {
  const end = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}${last instanceof Error ? ` (last error: ${last.message.split("\n")[0]})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const quickInput = (page: Page): Locator => page.locator(".quick-input-widget");

/**
 * Runs a command from the palette by its full title ("Production Insights: Refresh"). Retried:
 * contributed commands appear only once the extension host has scanned the extensions.
 */
export async function runCommand(page: Page, title: string, timeout = 60_000): Promise<void> {
  const widget = quickInput(page);
  const input = widget.locator("input").first();
  const end = Date.now() + timeout;
  for (;;) {
    try {
      // Escape only when a quick input is open: with the focus in a webview, keys reach the
      // workbench late, and a stray Escape would close the palette this opens.
      if (await widget.isVisible()) await page.keyboard.press("Escape");
      await page.keyboard.press("F1");
      await input.waitFor({ state: "visible", timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      // The focused row must be the command itself, not a longer title that contains it.
      await widget.locator(".quick-input-list .monaco-list-row.focused", { has: page.locator(".label-name", { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) }).waitFor({ timeout: 2000 });
      await page.keyboard.press("Enter");
      return;
    } catch (err) {
      if (Date.now() > end) throw new Error(`could not run '${title}' from the palette`, { cause: err });
      await page.waitForTimeout(1000);
    }
  }
}

/** The open quick pick's rows, as label and description. */
export async function quickPickItems(page: Page, title?: string | RegExp, timeout = 30_000): Promise<{ label: string; description: string }[]> {
  if (title !== undefined) await quickInput(page).locator(".quick-input-title", { hasText: title }).waitFor({ timeout });
  const rows = quickInput(page).locator(".quick-input-list .monaco-list-row");
  await rows.first().waitFor({ timeout });
  return rows.evaluateAll((els) =>
    els.map((el) => ({
      label: el.querySelector(".monaco-icon-label .label-name")?.textContent?.trim() ?? "",
      description: el.querySelector(".monaco-icon-label .label-description")?.textContent?.trim() ?? "",
    })),
  );
}

/** Picks the row labelled exactly `label` in the open quick pick (whose title contains `title`, when given). */
export async function pickQuickItem(page: Page, label: string, title?: string | RegExp, timeout = 30_000): Promise<void> {
  if (title !== undefined) await quickInput(page).locator(".quick-input-title", { hasText: title }).waitFor({ timeout });
  const row = quickInput(page)
    .locator(".quick-input-list .monaco-list-row")
    .filter({ has: page.locator(".label-name", { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) });
  await row.first().waitFor({ timeout });
  await row.first().click();
}

/** A notification toast (or one in the notification centre) whose message matches. */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator(".notification-list-item", { has: page.locator(".notification-list-item-message", { hasText: text }) });
}

/** Waits for a notification whose message matches; returns its message text. */
export async function waitForNotification(page: Page, text: string | RegExp, timeout = 60_000): Promise<string> {
  // Read in one go: a toast may hide between a wait for it and a second read of its text.
  return eventually(`a notification matching ${text}`, async () => (await notification(page, text).locator(".notification-list-item-message").allInnerTexts())[0]?.trim(), timeout);
}

/** Dismisses every notification toast. */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, "Notifications: Clear All Notifications").catch(() => undefined);
}

/** The modal dialog: its message, its detail lines, and its buttons. */
export async function readDialog(page: Page, timeout = 30_000): Promise<{ message: string; detail: string; buttons: string[] }> {
  const box = page.locator(".monaco-dialog-box");
  await box.waitFor({ timeout });
  return {
    message: (await box.locator(".dialog-message-text").innerText()).trim(),
    detail: (await box.locator(".dialog-message-detail").innerText().catch(() => "")).trim(),
    buttons: (await box.locator(".dialog-buttons .monaco-button").allInnerTexts()).map((t) => t.trim()),
  };
}

/** Clicks the modal dialog's button labelled exactly `label`. */
export async function clickDialogButton(page: Page, label: string, timeout = 30_000): Promise<void> {
  const button = page.locator(".monaco-dialog-box .dialog-buttons .monaco-button", { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
  await button.first().waitFor({ timeout });
  await button.first().click();
  await page.locator(".monaco-dialog-box").waitFor({ state: "detached", timeout });
}

/** Opens the activity-bar view container titled `title` (does nothing when it is open). */
export async function openViewContainer(page: Page, title: string, timeout = 60_000): Promise<void> {
  const item = page.locator(".activitybar .action-item", { has: page.locator(`a[aria-label^="${title}"]`) });
  await item.first().waitFor({ timeout });
  if ((await item.first().getAttribute("class"))?.includes("checked")) return;
  await item.first().locator("a").click();
  await page.locator(".sidebar .composite.title", { hasText: title }).waitFor({ timeout });
}

/** The pane of the side bar whose header reads `title` ("Models"). */
export function viewPane(page: Page, title: string): Locator {
  return page.locator(".sidebar .pane", { has: page.locator(".pane-header", { has: page.locator("h3.title", { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, "i") }) }) });
}

export interface TreeRow {
  readonly label: string;
  readonly description: string;
  /** 1 for top-level rows. */
  readonly level: number;
  readonly expanded?: boolean;
}

/** The rendered rows of a tree view, in order (VS Code renders the visible ones: keep the trees small or the pane tall). */
export async function treeRows(page: Page, title: string): Promise<TreeRow[]> {
  const pane = viewPane(page, title);
  await pane.waitFor({ timeout: 30_000 });
  // A collapsed pane renders no rows: expand it.
  const header = pane.locator(".pane-header");
  if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  return pane.locator(".pane-body .monaco-list-row").evaluateAll((els) =>
    els.map((el) => ({
      label: el.querySelector(".label-name")?.textContent?.trim() ?? el.getAttribute("aria-label") ?? "",
      description: el.querySelector(".label-description")?.textContent?.trim() ?? "",
      level: Number(el.getAttribute("aria-level") ?? "1"),
      ...(el.hasAttribute("aria-expanded") ? { expanded: el.getAttribute("aria-expanded") === "true" } : {}),
    })),
  );
}

/** Polls a tree until `accept` takes its rows; returns them. */
export async function waitForTree(page: Page, title: string, accept: (rows: TreeRow[]) => boolean, timeout = 90_000): Promise<TreeRow[]> {
  let last: TreeRow[] = [];
  try {
    return await eventually(
      `the ${title} view`,
      async () => {
        last = await treeRows(page, title);
        return accept(last) ? last : undefined;
      },
      timeout,
      1000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; its rows:\n${last.map((r) => `${"  ".repeat(r.level)}${r.label} | ${r.description}`).join("\n")}`);
  }
}

/** Clicks the tree row labelled `label` in the view titled `title`. */
export async function clickTreeRow(page: Page, title: string, label: string): Promise<void> {
  const row = viewPane(page, title).locator(".monaco-list-row").filter({ has: page.locator(".label-name", { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) });
  await row.first().click();
}

/** Opens a workspace file by name through Quick Open and waits for its editor (text or notebook). */
export async function openFile(page: Page, name: string, timeout = 30_000): Promise<void> {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+P");
  const input = quickInput(page).locator("input").first();
  await input.waitFor({ state: "visible", timeout });
  await input.fill(name);
  await quickInput(page).locator(".quick-input-list .monaco-list-row.focused", { hasText: name }).waitFor({ timeout });
  await page.keyboard.press("Enter");
  await page.locator(".editor-group-container .tab.active", { hasText: name }).waitFor({ timeout });
  // A text editor, or a notebook's list of cells.
  await page.locator(".editor-instance .monaco-editor .view-lines:visible, .notebook-editor .cell-list-container:visible").first().waitFor({ timeout });
}

/** The code lenses of the active editor, as their texts (the parts of each line joined by " | "). */
export async function codeLenses(page: Page): Promise<string[]> {
  return page.locator(".editor-instance .monaco-editor .codelens-decoration").evaluateAll((els) => els.map((el) => [...el.querySelectorAll("a")].map((a) => a.textContent?.trim() ?? "").join(" | ")));
}

/** Waits for a code lens in the active editor whose text matches; returns that lens's text. */
export async function waitForCodeLens(page: Page, text: RegExp, timeout = 60_000): Promise<string> {
  let last: string[] = [];
  try {
    return await eventually(
      `a code lens matching ${text}`,
      async () => {
        last = await codeLenses(page);
        return last.find((l) => text.test(l));
      },
      timeout,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; the lenses: ${JSON.stringify(last)}`);
  }
}

/** Clicks the part of a code lens whose text is exactly `label` ("Promote"). */
export async function clickCodeLens(page: Page, label: string | RegExp): Promise<void> {
  const text = typeof label === "string" ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
  await page.locator(".editor-instance .monaco-editor .codelens-decoration a", { hasText: text }).first().click();
}

/** The visible report webview's page: the editor's `iframe.webview`, then its `#active-frame`. */
export function activeWebview(page: Page): FrameLocator {
  return page.frameLocator("iframe.webview.ready >> visible=true").frameLocator("#active-frame");
}

/** The text of the visible webview's body ("" while it loads). */
export async function webviewText(page: Page): Promise<string> {
  return (await activeWebview(page).locator("body").innerText({ timeout: 5000 }).catch(() => "")).trim();
}

/** A plotly chart in the visible webview (its `.main-svg`, inside `.js-plotly-plot`). */
export function webviewChart(page: Page): Locator {
  return activeWebview(page).locator(".js-plotly-plot .main-svg, .js-plotly-plot, svg.main-svg").first();
}

/** Waits until the active editor tab's title matches, i.e. the report panel is open. */
export async function waitForEditorTab(page: Page, title: string | RegExp, timeout = 60_000): Promise<void> {
  await page.locator(".editor-group-container .tab.active", { hasText: title }).waitFor({ timeout });
}

/** Closes every editor (so that the next report's webview is the only one). */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, "View: Close All Editors");
  await page.locator(".editor-group-container .tab").first().waitFor({ state: "detached", timeout: 15_000 }).catch(() => undefined);
}

/** Hides the bottom panel (Output, Terminal) when it shows. */
export async function hidePanel(page: Page): Promise<void> {
  if (await page.locator(".part.panel").first().isVisible()) await runCommand(page, "View: Toggle Panel Visibility");
}

/** The text of the output channel `channel`, as the Output view shows it (its visible lines). */
export async function outputText(page: Page, channel: string): Promise<string> {
  await runCommand(page, "Output: Show Output Channels...").catch(async () => runCommand(page, "View: Toggle Output"));
  const input = quickInput(page).locator("input").first();
  if (await input.isVisible()) {
    await input.fill(channel);
    await pickQuickItem(page, channel);
  }
  const lines = page.locator(".panel .output-view .view-lines, .panel .monaco-editor .view-lines").first();
  await lines.waitFor({ timeout: 30_000 });
  // The editor draws spaces as no-break spaces.
  return (await lines.innerText()).replace(/\u00a0/g, " ");
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
