/**
 * The extension in real VS Code over the running demo (scenario `all`: drift, release jumps, the
 * A/B test), end to end: code-server (scripts/editor.mjs) on the demo's workspace, driven by
 * playwright-core with Debian's chromium. One demo and one editor serve the whole suite, and the
 * tests run in order: the views fill, a lens sits on the model version, each report draws its
 * chart, and Promote and Roll back through the UI change the gateway's routing.
 *
 * Missing code-server or chromium skips the suite with how to install them, except under CI,
 * where it fails. Screenshots go to test-results/e2e/demo/; with PRODINSIGHTS_SCREENSHOTS=docs/images
 * the best ones are copied into the docs when every step passed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startDemo, type Demo } from "../../src/gateway/demo/run";
import { runInsights } from "../../src/extension/production/insights";
import {
  activeWebview,
  hidePanel,
  clearNotifications,
  clickDialogButton,
  clickTreeRow,
  closeAllEditors,
  EditorSession,
  eventually,
  freePort,
  editorPartsOrSkip,
  openFile,
  openViewContainer,
  pickQuickItem,
  quickPickItems,
  readDialog,
  runCommand,
  waitForCodeLens,
  waitForEditorTab,
  waitForNotification,
  waitForTree,
  webviewChart,
  webviewText,
  type TreeRow,
} from "../support/vscodeDriver";

const CONTAINER = "Production Insights";

interface GatewayState {
  models: Record<string, { weights: Record<string, number>; stable: string; canary?: unknown }>;
}

const row = (rows: readonly TreeRow[], label: string): TreeRow | undefined => rows.find((r) => r.label === label);

/** What the e2e reads back of a saved .prodnb (src/extension/notebook/notebookFile.ts). */
interface SavedNotebook {
  cells: {
    kind: string;
    execution?: { order?: number; success?: boolean };
    outputs?: { items: { mime: string; json?: unknown; text?: string }[]; metadata?: Record<string, unknown> }[];
  }[];
}

/** A one-cell notebook of insights commands, in the .prodnb format. */
const oneCellNotebook = (source: string): string => JSON.stringify({ prodinsights_notebook: 1, metadata: { range: "-1h..now" }, cells: [{ kind: "code", language: "prodinsights", source: [source], outputs: [] }] });

/** An .ipynb (nbformat 4) of a Python kernel with one cell that displayed `doc` under the ab MIME type. */
const jupyterNotebook = (doc: unknown): string =>
  JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" }, language_info: { name: "python" } },
    cells: [
      {
        cell_type: "code",
        id: "ab",
        execution_count: 1,
        metadata: {},
        source: ['display({"application/vnd.prodinsights.ab+json": doc, "text/plain": "A/B test"}, raw=True)'],
        outputs: [{ output_type: "display_data", metadata: {}, data: { "application/vnd.prodinsights.ab+json": doc, "text/plain": ["A/B test"] } }],
      },
    ],
  });

/**
 * A backend that accepts connections and never answers: a hang no real server can be made to
 * produce on demand. It records each request and each connection that closes.
 */
async function stalledBackend(): Promise<{ server: Server; url: string; events: string[] }> {
  const events: string[] = [];
  const server = createServer((socket) => {
    socket.once("data", (chunk) => events.push(`request ${chunk.toString("latin1").split("\r\n")[0]}`));
    socket.on("close", () => events.push("closed"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, events };
}

describe("the extension over the running demo, in real VS Code", async () => {
  const { skip, failed } = await editorPartsOrSkip();
  if (failed) return;
  let dir: string;
  let demo: Demo | undefined;
  let editor: EditorSession | undefined;
  let stalled: Awaited<ReturnType<typeof stalledBackend>> | undefined;
  const demoLog: string[] = [];

  /** The gateway's routing, read through its admin API with the token the demo wrote. */
  const gatewayState = async (): Promise<GatewayState> => {
    const token = readFileSync(demo!.tokenFile, "utf8").trim();
    const res = await fetch(`${demo!.gateway.adminUrl}/state`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as GatewayState;
  };
  const adminCall = async (method: string, route: string, body: unknown): Promise<void> => {
    const token = readFileSync(demo!.tokenFile, "utf8").trim();
    const res = await fetch(`${demo!.gateway.adminUrl}${route}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "x-actor": "e2e test" }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.text());
  };

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-e2e-demo-"));
    const workspace = path.join(dir, "demo");
    demo = await startDemo({ scenario: "all", speed: 100_000, dir: workspace, port: 0, prometheusPort: await freePort(), prometheus: "auto", log: (line) => demoLog.push(line) });
    // The replay of 14 simulated days is CPU-bound (about 3.5 minutes on 2 cores); an editor
    // started alongside slows it by more than its own start takes, so it starts afterwards.
    const stats = await demo.replayed;
    assert.equal(stats.aborted, false, demoLog.slice(-5).join("\n"));
    // Two notebooks beside the demo's own: one whose cell hangs on a backend, one with a mistake.
    stalled = await stalledBackend();
    writeFileSync(path.join(workspace, "stalled.yaml"), `version: 1\nbackends:\n  stalled:\n    url: "${stalled.url}"\n`);
    writeFileSync(path.join(workspace, "slow.prodnb"), oneCellNotebook("query 'up' --config stalled.yaml"));
    writeFileSync(path.join(workspace, "mistake.prodnb"), oneCellNotebook("sample-size --baseline 0.1 --mde abc"));
    writeFileSync(
      path.join(workspace, "complete.prodnb"),
      JSON.stringify({ prodinsights_notebook: 1, metadata: {}, cells: [{ kind: "code", language: "prodinsights", source: ["ab "] }, { kind: "code", language: "promql", source: ["sum(rate(model_req"] }] }),
    );
    // A Jupyter notebook whose cell displayed an ab document (as docs/results.md shows from Python).
    const ab = await runInsights(["ab", "--counts", "control=378/3662,variant=462/3568", "--json"], { cwd: workspace });
    writeFileSync(path.join(workspace, "jupyter.ipynb"), jupyterNotebook(ab.document));
    editor = await EditorSession.start({ folder: workspace, runDir: path.join(dir, "run"), suite: "demo" });
  });

  after(async () => {
    await editor?.close();
    await demo?.close();
    stalled?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the extension activates on the demo's prodinsights.yaml", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("activates", async () => {
      await runCommand(page, "Production Insights: Show Log");
      const text = await eventually("'activated in' in the Production Insights output", async () => {
        const t = (await page.locator(".panel .monaco-editor .view-lines").first().innerText()).replace(/\s+/g, " ");
        return /activated in [\d.]+ ms/.test(t) ? t : undefined;
      });
      assert.match(text, /loaded .*prodinsights\.yaml \(1 models, 1 experiments, 2 monitors\)/);
      await hidePanel(page);
    });
  });

  test("the Models view shows churn with v1, v2 and v3 and their weights", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("models view", async () => {
      await openViewContainer(page, CONTAINER);
      // The demo promoted v2 on day 9, v3 on day 12 and v2 again six hours later: v2 is stable.
      const rows = await waitForTree(page, "Models", (r) => /\b100%/.test(row(r, "v2")?.description ?? "") && /errors/.test(row(r, "v3")?.description ?? "") && /^drift: /.test(r.at(-1)?.label ?? ""));
      assert.match(row(rows, "churn")!.description, /stable v2/);
      assert.match(row(rows, "v1")!.description, /^0% · errors [\d.]+% \([-+−]?[\d.]+ pp vs v2, p [=<] /);
      assert.match(row(rows, "v2")!.description, /^stable · 100% · errors [\d.]+%$/);
      // v3's ten-times error rate during its six hours.
      assert.match(row(rows, "v3")!.description, /^0% · errors [\d.]+% \(\+[\d.]+ pp vs v2, p [=<] /);
      assert.ok(rows.filter((r) => ["v1", "v2", "v3"].includes(r.label)).every((r) => r.level === 2));
      await editor!.screenshot("views", { docs: true });
    });
  });

  test("the Models view's drift row counts the drifted features, as the lens and the monitor do", { skip, timeout: 60_000 }, async () => {
    await editor!.step("models view drift row", async () => {
      // Planted: tenure_months and contract drift (and so the prediction): 3 of 7 columns, below
      // the dataset's 50%. The lens says "drift: 3 features" and churn-drift names them; the row
      // under churn must not say "drift: none".
      const rows = await waitForTree(editor!.page, "Models", (r) => /^drift: /.test(r.at(-1)?.label ?? ""));
      assert.match(rows.at(-1)!.label, /^drift: 3 features/);
    });
  });

  test("the Experiments view shows retention_offer, its arms and the winner", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("experiments view", async () => {
      await openViewContainer(page, CONTAINER);
      const rows = await waitForTree(page, "Experiments", (r) => /winner/.test(row(r, "retention_offer")?.description ?? ""));
      // Planted: treatment converts at 11.5% against 10%, a 15% lift.
      assert.match(row(rows, "retention_offer")!.description, /^winner: treatment · \+\d+\.\d% \[\+[\d.]+%, \+[\d.]+%\], p = /);
      assert.match(row(rows, "control")!.description, /^[\d,]+ units \(\d+\.\d%\) · [\d.]+% · baseline$/);
      assert.match(row(rows, "treatment")!.description, /^[\d,]+ units \(\d+\.\d%\) · [\d.]+% · \+\d+\.\d% /);
      await editor!.screenshot("experiments-view");
    });
  });

  test("the Monitors view shows churn-drift and churn-errors with their state", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("monitors view", async () => {
      await openViewContainer(page, CONTAINER);
      const rows = await waitForTree(page, "Monitors", (r) => /^(ok|firing) · /.test(row(r, "churn-drift")?.description ?? "") && /^(ok|firing) · /.test(row(r, "churn-errors")?.description ?? ""));
      // Planted: tenure and contract drift from day 5 (and so the prediction), 3 of 7 columns: below
      // the dataset's 50%, so the monitor (which fires on dataset drift) stays ok and names them.
      assert.match(row(rows, "churn-drift")!.description, /^ok · .*\bcontract\b.*\btenure_months\b.* drifted \(3 of 7 features/);
      // The latest change in level made errors worse: v3's release (its rollback is the latest release by weight, but v3's jump stands).
      assert.match(row(rows, "churn-errors")!.description, /^(ok|firing) · error_rate /);
      await editor!.screenshot("monitors-view");
    });
  });

  test("a code lens on MODEL_VERSION = \"v2\" in churn_model.py shows v2's traffic", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("code lens", async () => {
      await openFile(page, "churn_model.py");
      const lens = await waitForCodeLens(page, /^churn v2 · 100% traffic/);
      // v2 is the stable version: no Promote or Roll back on its lens.
      assert.match(lens, /^churn v2 · 100% traffic · errors [\d.]+% · drift: 3 features \| Report$/);
      // Over the version itself, where the hover is (the line's middle is blank space).
      await page.locator(".editor-instance .monaco-editor .view-line", { hasText: 'MODEL_VERSION = "v2"' }).locator("span span", { hasText: /v2/ }).first().hover();
      // The hover says where its counts come from.
      // \s: the hover draws the text's spaces as no-break spaces.
      await page.getByText(/^[\d,]+\s+requests,\s+[\d,]+\s+errors\s+since\s+the\s+gateway\s+started$/).first().waitFor({ timeout: 30_000 });
      await editor!.screenshot("code-lens", { docs: true });
      await closeAllEditors(page);
    });
  });

  /** Waits for the report panel titled `tab` to draw a chart and show `text`; returns its text. */
  const reportShows = async (tab: string | RegExp, text: RegExp): Promise<string> => {
    const { page } = editor!;
    await waitForEditorTab(page, tab);
    await webviewChart(page).waitFor({ timeout: 90_000 });
    return eventually(`the report to show ${text}`, async () => {
      const body = await webviewText(page);
      return text.test(body) ? body : undefined;
    });
  };

  test("the Experiment report opens from the Experiments view and draws its chart", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("experiment report", async () => {
      await openViewContainer(page, CONTAINER);
      await clickTreeRow(page, "Experiments", "retention_offer");
      // Prometheus gives the history too: the lift over growing windows, as a second chart.
      const body = await reportShows("Experiment retention_offer", /Cumulative lift over time/);
      assert.match(body, /treatment/);
      assert.match(body, /control/);
      assert.match(body, /winner|wins/i);
      await editor!.screenshot("report-experiment", { docs: true });
      await closeAllEditors(page);
    });
  });

  test("the Experiment report opens from the palette too", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("experiment report from the palette", async () => {
      await runCommand(page, "Production Insights: Open Experiment Report…");
      await reportShows("Experiment retention_offer", /treatment/);
      await closeAllEditors(page);
    });
  });

  test("the Drift report draws its chart and names the drifted features", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("drift report", async () => {
      await runCommand(page, "Production Insights: Show Drift Report…");
      // Planted: tenure_months and contract drift (and so the prediction); the other features do not.
      const body = await reportShows("Drift of churn", /tenure_months/);
      assert.match(body, /contract/);
      await editor!.screenshot("report-drift", { docs: true });
      await closeAllEditors(page);
    });
  });

  test("Find Release Jumps asks for the metric and draws v2 and v3's releases", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("jumps report", async () => {
      await runCommand(page, "Production Insights: Find Release Jumps…");
      const metrics = await quickPickItems(page, "Find Release Jumps of churn");
      assert.deepEqual(metrics.map((m) => m.label), ["error_rate", "latency_p95", "request_rate"]);
      await pickQuickItem(page, "error_rate");
      // Planted: v2 brings no error jump, v3 does.
      const body = await reportShows("Release jumps of churn: error_rate", /v3/);
      assert.match(body, /v2/);
      await editor!.screenshot("report-jumps", { docs: true });
      await closeAllEditors(page);
    });
  });

  test("Compare Versions asks for the candidate and compares it with the stable version", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("compare report", async () => {
      await runCommand(page, "Production Insights: Compare Versions…");
      const versions = await quickPickItems(page, "Compare Versions: the candidate");
      assert.deepEqual(versions.map((v) => v.label), ["v1", "v3"]);
      await pickQuickItem(page, "v3");
      const body = await reportShows("churn v3 vs v2", /error_rate/);
      assert.match(body, /v2/);
      await editor!.screenshot("report-compare", { docs: true });
      await closeAllEditors(page);
    });
  });

  test("the Rollout report shows churn's weights", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("rollout report", async () => {
      await runCommand(page, "Production Insights: Show Rollout…");
      const body = await reportShows("Rollout of churn", /v2/);
      assert.match(body, /v1/);
      assert.match(body, /v3/);
      await editor!.screenshot("report-rollout", { docs: true });
      await closeAllEditors(page);
    });
  });

  test("the sample notebook runs end to end: each output draws its chart and says its verdict", { skip, timeout: 240_000 }, async () => {
    const { page } = editor!;
    await editor!.step("sample notebook", async () => {
      await closeAllEditors(page);
      await openFile(page, "production.prodnb");
      await runCommand(page, "Notebook: Run All");
      // Six code cells, run in order: the log says when the last is done.
      const log = await eventually("every cell of the sample notebook ran", async () => {
        const text = editor!.extensionLog();
        return /notebook production\.prodnb cell 13: /.test(text) ? text : undefined;
      }, 120_000);
      assert.doesNotMatch(log, /notebook production\.prodnb cell \d+: (?!done)/, "every cell succeeded");
      // Each output is a report in the notebook's output frame: its title, its verdict, its stamp and
      // its charts. VS Code draws an output when it scrolls into view, so the notebook is scrolled
      // down step by step, and each report is kept as it was seen drawn.
      const output = activeWebview(page);
      await output.locator(".pi-report .js-plotly-plot").first().waitFor({ timeout: 60_000 });
      await editor!.screenshot("notebook", { docs: true });
      const box = (await page.locator(".notebook-editor .cell-list-container:visible").first().boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const seen = new Map<string, { head: string; plots: number; text: string }>();
      const TITLES = ["Time series", "Drift", "Release timeline", "Version comparison", "Experiment", "Sample size"];
      await eventually(
        "every output drawn",
        async () => {
          const reports = await output.locator(".pi-report").evaluateAll((els) =>
            els.map((e) => ({ title: e.querySelector("header h2")?.textContent ?? "", head: (e.querySelector("header") as unknown as { innerText?: string } | null)?.innerText ?? "", plots: e.querySelectorAll(".js-plotly-plot").length, text: (e as unknown as { innerText: string }).innerText })),
          );
          for (const r of reports) if (r.title && (r.plots > 0 || r.title === "Sample size")) seen.set(r.title, r);
          if (TITLES.every((t) => seen.has(t))) return true;
          await page.mouse.wheel(0, 500);
          return undefined;
        },
        120_000,
        700,
      );
      assert.match(seen.get("Time series")!.head, /Time series\n3 series\nprodinsights query 'sum by \(version\) \(rate\(model_requests_total\[5m\]\)\)' --range -14d\.\.now --json · range -14d\.\.now \(.+\) · backend prometheus · config [0-9a-f]{12}/);
      assert.match(seen.get("Drift")!.head, /^Drift\n(no dataset drift|dataset drift)\n/);
      assert.match(seen.get("Release timeline")!.head, /^Release timeline\nworse after v3\n/);
      assert.match(seen.get("Version comparison")!.head, /^Version comparison\nv3 worse on error_rate/);
      assert.match(seen.get("Experiment")!.head, /^Experiment\ntreatment wins\n/);
      assert.match(seen.get("Sample size")!.head, /^Sample size\n[\d,]+ per arm\n/);
      // Every report but the sample size has its chart; the drift report names the features the demo drifts.
      for (const t of TITLES.slice(0, 5)) assert.ok(seen.get(t)!.plots > 0, `${t} has a chart`);
      assert.match(seen.get("Drift")!.text, /tenure_months\s+wasserstein\s+[\d.]+\s+≥ 0\.1\s+DRIFT/);
      // Saved, the file keeps each output: the document under its MIME type, the summary, the stamp.
      await runCommand(page, "File: Save All Files");
      const saved = await eventually("production.prodnb saved with its outputs", async () => {
        const file = JSON.parse(readFileSync(path.join(demo!.dir, "production.prodnb"), "utf8")) as SavedNotebook;
        return file.cells.some((c) => (c.outputs ?? []).length > 0) ? file : undefined;
      });
      const code = saved.cells.filter((c) => c.kind === "code");
      assert.deepEqual(code.map((c) => c.execution?.order !== undefined && c.execution.success), [true, true, true, true, true, true]);
      assert.deepEqual(code.map((c) => c.outputs![0]!.items.map((i) => i.mime)), ["timeseries", "drift", "jumps", "compare", "ab", "samplesize"].map((k) => [`application/vnd.prodinsights.${k}+json`, "text/markdown"]));
      for (const c of code) assert.match(String((c.outputs![0]!.metadata?.["stamp"] as { command?: string } | undefined)?.command), /^prodinsights /);
      assert.match(code[4]!.outputs![0]!.items[1]!.text ?? "", /^\*\*Winner: treatment\*\*/);
      await closeAllEditors(page);
    });
  });

  test("Stop Execution interrupts a cell that waits on its backend, and cancels the request", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("interrupt a slow cell", async () => {
      await openFile(page, "slow.prodnb");
      await runCommand(page, "Notebook: Run All");
      await eventually("the cell's request at the stalled backend", async () => (stalled!.events.some((e) => e.startsWith("request GET /api/v1/query_range?query=up")) ? true : undefined), 30_000);
      assert.ok(!stalled!.events.includes("closed"), "the request is still open");
      await page.locator(".notebook-toolbar-container .action-item", { hasText: "Stop Execution" }).first().click();
      // Cancellation reaches the HTTP request: the connection closes, long before the 30 s timeout.
      await eventually("the request's connection closed", async () => (stalled!.events.includes("closed") ? true : undefined), 10_000);
      const text = await eventually("the interrupted cell's output", async () => {
        const t = (await activeWebview(page).locator("body").innerText({ timeout: 2000 }).catch(() => "")).trim();
        return /Interrupted/.test(t) ? t : undefined;
      });
      assert.match(text, /Interrupted: stopped after [\d.]+ s; its request to the backend was cancelled/);
      await runCommand(page, "File: Save All Files");
      await closeAllEditors(page);
    });
  });

  test("a cell with a mistake shows the CLI's message and where it is", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("cell error", async () => {
      await openFile(page, "mistake.prodnb");
      await runCommand(page, "Notebook: Run All");
      const text = await eventually("the error output", async () => {
        const t = (await activeWebview(page).locator("body").innerText({ timeout: 2000 }).catch(() => "")).trim();
        return /must be a number/.test(t) ? t : undefined;
      });
      assert.match(text, /sample-size failed: column 34: --mde must be a number, got 'abc'/);
      // The cell's line with a caret under the mistake.
      assert.match(text, /sample-size --baseline 0\.1 --mde abc\n {33}\^/);
      await editor!.screenshot("notebook-error");
      await runCommand(page, "File: Save All Files");
      await closeAllEditors(page);
    });
  });

  test("a Jupyter notebook's ab output is drawn by the extension's renderer", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("ipynb renderer", async () => {
      await openFile(page, "jupyter.ipynb");
      const head = await eventually("the ab report in the .ipynb's output", async () => {
        const text = (await activeWebview(page).locator("header").allInnerTexts().catch(() => [] as string[])).join("\n");
        return /Experiment/.test(text) ? text : undefined;
      });
      assert.match(head, /Experiment\nvariant wins/);
      await activeWebview(page).locator(".js-plotly-plot").first().waitFor({ timeout: 30_000 });
      await closeAllEditors(page);
    });
  });

  test("completion in notebook cells: experiment names in an Insights cell, metric names from Prometheus in a PromQL cell", { skip, timeout: 120_000 }, async () => {
    const { page } = editor!;
    await editor!.step("cell completion", async () => {
      await openFile(page, "complete.prodnb");
      const suggestions = async (cell: number): Promise<string[]> => {
        await page.locator(".notebook-editor .cell-editor-container .monaco-editor:visible").nth(cell).click();
        await page.keyboard.press("Control+End");
        return eventually(`suggestions in cell ${cell + 1}`, async () => {
          await page.keyboard.press("Control+Space");
          const rows = page.locator(".suggest-widget.visible .monaco-list-row .label-name");
          await rows.first().waitFor({ timeout: 5000 });
          return rows.allInnerTexts();
        });
      };
      assert.ok((await suggestions(0)).includes("retention_offer"));
      await page.keyboard.press("Escape");
      assert.ok((await suggestions(1)).includes("model_requests_total"));
      await page.keyboard.press("Escape");
      await closeAllEditors(page);
    });
  });

  test("Promote Version… with its confirmation gives v3 all traffic and makes it stable", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("promote", async () => {
      const before = await gatewayState();
      assert.deepEqual(before.models["churn"]!.weights, { v1: 0, v2: 100, v3: 0 });
      await clearNotifications(page);
      await runCommand(page, "Production Insights: Promote Version…");
      const choices = await quickPickItems(page, "Promote a version of churn");
      assert.deepEqual(choices.map((c) => c.label), ["v1", "v3"]);
      await pickQuickItem(page, "v3");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Promote churn v3?");
      assert.match(dialog.detail, /v2: 100% → 0% of traffic/);
      assert.match(dialog.detail, /v3: 0% → 100% of traffic/);
      assert.match(dialog.detail, /Stable version: v2 → v3\./);
      assert.ok(dialog.buttons.includes("Promote"), dialog.buttons.join(", "));
      await editor!.screenshot("promote-confirmation", { docs: true });
      await clickDialogButton(page, "Promote");
      await waitForNotification(page, "churn v3 promoted: it takes all traffic and is the stable version.");
      const state = await gatewayState();
      assert.deepEqual(state.models["churn"]!.weights, { v1: 0, v2: 0, v3: 100 });
      assert.equal(state.models["churn"]!.stable, "v3");
      // The views follow: v3 is the stable version with all the traffic.
      await openViewContainer(page, CONTAINER);
      await waitForTree(page, "Models", (r) => /stable v3/.test(row(r, "churn")?.description ?? "") && /^stable · 100%/.test(row(r, "v3")?.description ?? ""), 60_000);
    });
  });

  test("Roll Back Version… returns all traffic to the stable version (v3 after the promotion)", { skip, timeout: 180_000 }, async () => {
    const { page } = editor!;
    await editor!.step("roll back", async () => {
      // Rolling back right after the promotion would change nothing (the stable version has all the
      // traffic, src/gateway/routing.ts rollback): first move half the traffic by hand, as an operator would.
      await adminCall("PUT", "/models/churn/weights", { weights: { v2: 50, v3: 50 } });
      assert.deepEqual((await gatewayState()).models["churn"]!.weights, { v1: 0, v2: 50, v3: 50 });
      await clearNotifications(page);
      await runCommand(page, "Production Insights: Roll Back Version…");
      const dialog = await readDialog(page);
      assert.equal(dialog.message, "Roll back churn to v3?");
      assert.match(dialog.detail, /v2: 50% → 0% of traffic/);
      assert.match(dialog.detail, /v3: 50% → 100% of traffic/);
      await clickDialogButton(page, "Roll Back");
      await waitForNotification(page, "churn rolled back: v3 takes all traffic.");
      const state = await gatewayState();
      assert.deepEqual(state.models["churn"]!.weights, { v1: 0, v2: 0, v3: 100 });
      assert.equal(state.models["churn"]!.stable, "v3");
      // Again: harmless, nothing changes. (VS Code shows an identical notification once, so the
      // second outcome is read from the extension's log.)
      const outcomes = (): number => editor!.extensionLog().split("Roll back churn to v3: churn rolled back: v3 takes all traffic.").length - 1;
      const before = outcomes();
      await runCommand(page, "Production Insights: Roll Back Version…");
      const again = await readDialog(page);
      assert.match(again.detail, /Traffic stays as it is\./);
      await clickDialogButton(page, "Roll Back");
      await eventually("the second rollback's outcome in the log", async () => (outcomes() > before ? true : undefined));
      assert.deepEqual((await gatewayState()).models["churn"]!.weights, { v1: 0, v2: 0, v3: 100 });
    });
  });
});
