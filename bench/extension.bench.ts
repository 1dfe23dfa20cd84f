/**
 * `npm run bench` (fifth part; `npm run bench -- extension` alone): the extension in real VS Code
 * (code-server, driven by playwright-core with Debian's chromium, as the e2e tests do).
 *
 * 1. Bundle sizes: the extension host's activation bundle (dist/extension.js), the engine it loads
 *    on first use (dist/engine.js), and the browser code (dist/webview/); plotly must be in the
 *    browser code only.
 * 2. Activation: code-server opens a workspace with a prodinsights.yaml, BENCH_EXTENSION_RUNS
 *    times, each with a fresh editor; the figure is what the extension logs ("activated in N ms",
 *    performance.now() around activate()), median over the runs.
 * 3. Report: over the demo (scenario canary-rollback, whose replay is the shortest), the time from
 *    the host opening a report to the panel saying its chart is drawn, as the extension logs it
 *    ("chart drawn N ms after opening"). The first opening of each report (cold: the panel's plotly
 *    chunk is read and compiled for the first time) and the median of the reopenings after it.
 *
 * Targets (the extension issue): activation ≤ 50 ms, extension-host bundle ≤ 400 KiB, report ≤ 1 s.
 * There is no peer to divide by here: the figures are printed against the targets.
 * Exit code 1 when code-server or chromium is missing or a step fails; a missed target is
 * reported as "misses" only.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDemo } from "../src/gateway/demo/run";
import { closeAllEditors, EditorSession, eventually, freePort, missingEditorParts, pickQuickItem, runCommand } from "../test/support/vscodeDriver";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env["BENCH_EXTENSION_RUNS"] ?? 3);
const KiB = 1024;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const verdict = (ok: boolean): string => (ok ? "meets" : "misses");

function sizeOf(file: string): number {
  return statSync(path.join(ROOT, file)).size;
}

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

function bundles(): void {
  const extension = sizeOf("dist/extension.js");
  const engine = sizeOf("dist/engine.js");
  const webview = filesUnder("dist/webview");
  const browser = webview.reduce((s, f) => s + sizeOf(f), 0);
  // A string from plotly's own code (its registry of trace modules); our code never spells it.
  const hasPlotly = (file: string): boolean => readFileSync(path.join(ROOT, file), "utf8").includes("scattergl");
  const hostPlotly = ["dist/extension.js", "dist/engine.js"].filter(hasPlotly);
  console.log("\nBundles");
  console.log(`  dist/extension.js (read at activation)   ${(extension / KiB).toFixed(1).padStart(8)} KiB   target ≤ 400 KiB: ${verdict(extension <= 400 * KiB)}`);
  console.log(`  dist/engine.js (read on first use)       ${(engine / KiB).toFixed(1).padStart(8)} KiB`);
  console.log(`  extension host in all                    ${((extension + engine) / KiB).toFixed(1).padStart(8)} KiB   target ≤ 400 KiB: ${verdict(extension + engine <= 400 * KiB)}`);
  console.log(`  dist/webview/ (browser, ${webview.length} files)         ${(browser / KiB).toFixed(1).padStart(8)} KiB   plotly in: ${webview.filter(hasPlotly).join(", ") || "none"}`);
  if (hostPlotly.length) throw new Error(`plotly is in the extension host's bundles: ${hostPlotly.join(", ")}`);
}

/** The numbers the extension logged for `pattern`'s first group, once there are `count`. */
async function logged(session: EditorSession, pattern: RegExp, count: number, what: string): Promise<number[]> {
  return eventually(what, async () => {
    const values = [...session.extensionLog().matchAll(new RegExp(pattern, "g"))].map((m) => Number(m[1]));
    return values.length >= count ? values : undefined;
  }, 120_000);
}

async function activation(dir: string): Promise<void> {
  const ws = path.join(dir, "activation-ws");
  mkdirSync(ws, { recursive: true });
  writeFileSync(path.join(ws, "prodinsights.yaml"), "backends:\n  local: {type: logs, paths: [logs/]}\nmodels:\n  churn: {}\n");
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const session = await EditorSession.start({ folder: ws, runDir: path.join(dir, `activation-${run}`), suite: "bench" });
    try {
      const [ms] = await logged(session, /activated in ([\d.]+) ms/, 1, "the activation line in the extension's log");
      times.push(ms!);
    } finally {
      await session.close();
    }
  }
  const m = median(times);
  console.log("\nActivation (performance.now() around activate(), in code-server's extension host)");
  console.log(`  runs: ${times.map((t) => t.toFixed(1)).join(", ")} ms; median ${m.toFixed(1)} ms   target ≤ 50 ms: ${verdict(m <= 50)}`);
}

async function reports(dir: string): Promise<void> {
  const workspace = path.join(dir, "demo");
  console.log("\nReports (the demo, scenario canary-rollback: replaying…)");
  const demo = await startDemo({ scenario: "canary-rollback", speed: 100_000, dir: workspace, port: 0, prometheusPort: await freePort(), prometheus: "auto", log: () => undefined });
  let session: EditorSession | undefined;
  try {
    await demo.replayed;
    session = await EditorSession.start({ folder: workspace, runDir: path.join(dir, "reports"), suite: "bench" });
    const { page } = session;
    const kinds: Array<{ name: string; open: () => Promise<void> }> = [
      { name: "rollout", open: () => runCommand(page, "Production Insights: Show Rollout…") },
      {
        name: "release jumps",
        open: async () => {
          await runCommand(page, "Production Insights: Find Release Jumps…");
          await pickQuickItem(page, "error_rate");
        },
      },
    ];
    let drawn = 0;
    for (const kind of kinds) {
      const times: number[] = [];
      const panel: number[] = [];
      for (let run = 0; run <= RUNS; run++) {
        await kind.open();
        drawn++;
        const all = await logged(session, /chart drawn (\d+) ms after opening/, drawn, `the chart of the ${kind.name} report`);
        times.push(all.at(-1)!);
        const [inPanel] = [...session.extensionLog().matchAll(/\((\d+) ms in the panel\)/g)].map((m) => Number(m[1])).slice(-1);
        panel.push(inPanel ?? NaN);
        await closeAllEditors(page);
      }
      const [cold, ...warm] = times;
      const m = median(warm);
      console.log(`  ${kind.name.padEnd(14)} first ${String(cold).padStart(5)} ms, then median ${String(Math.round(m)).padStart(5)} ms (${warm.join(", ")})   target ≤ 1000 ms: ${verdict(m <= 1000)}${cold! > 1000 ? " (the first opening misses)" : ""}`);
      console.log(`  ${"".padEnd(14)} of which in the panel, from the report's arrival to its chart: ${panel.join(", ")} ms`);
    }
  } finally {
    await session?.close();
    await demo.close();
  }
}

async function main(): Promise<void> {
  bundles();
  const missing = await missingEditorParts();
  if (missing) throw new Error(`${missing} is missing`);
  const dir = mkdtempSync(path.join(tmpdir(), "prodinsights-bench-extension-"));
  try {
    await activation(dir);
    await reports(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`extension bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
