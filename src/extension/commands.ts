import * as vscode from "vscode";
import { Untrusted } from "./actions";
import type { App } from "./app";
import { loadEngine } from "./loadEngine";
import type { ExtensionContextHolder } from "./context";
import { newNotebook, setBackend, setRange } from "./notebook/notebookCommands";
import { namedSecrets, type SecretTarget } from "./secrets";

/** Commands as data (STYLE §5): each id in package.json `contributes.commands` has one entry. */
interface CommandEntry {
  readonly id: string;
  run(app: App, ...args: unknown[]): unknown;
}

const commands: readonly CommandEntry[] = [
  { id: "prodInsights.connectBackend", run: connectBackend },
  { id: "prodInsights.openExperimentReport", run: (app, arg) => app.reports.experiment(arg) },
  { id: "prodInsights.showDriftReport", run: (app, arg) => app.reports.drift(arg) },
  { id: "prodInsights.findReleaseJumps", run: (app, arg) => app.reports.jumps(arg) },
  { id: "prodInsights.compareVersions", run: (app, arg) => app.reports.compare(arg) },
  { id: "prodInsights.showRollout", run: (app, arg) => app.reports.rollout(arg) },
  { id: "prodInsights.openMonitor", run: (app, arg) => app.reports.monitor(arg) },
  { id: "prodInsights.startCanary", run: (app, arg) => app.actions.canary(arg) },
  { id: "prodInsights.startShadow", run: (app, arg) => app.actions.shadow(arg) },
  { id: "prodInsights.promote", run: (app, arg) => app.actions.promote(arg) },
  { id: "prodInsights.rollback", run: (app, arg) => app.actions.rollback(arg) },
  { id: "prodInsights.abortRollout", run: (app, arg) => app.actions.abort(arg) },
  { id: "prodInsights.startChaos", run: (app, arg) => app.actions.chaos(arg) },
  { id: "prodInsights.computeSampleSize", run: (app) => computeSampleSize(app.ctx) },
  { id: "prodInsights.newNotebook", run: (app) => newNotebook(app.workspace) },
  { id: "prodInsights.notebook.setRange", run: (_app, arg) => setRange(arg) },
  { id: "prodInsights.notebook.setBackend", run: (app, arg) => setBackend(arg, app.workspace) },
  { id: "prodInsights.startDemo", run: startDemo },
  { id: "prodInsights.refresh", run: (app) => app.store.refresh("refresh button") },
  { id: "prodInsights.showOutput", run: (app) => app.ctx.log.show() },
];

export function registerCommands(app: App): void {
  const { ctx } = app;
  for (const { id, run } of commands) {
    ctx.register(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(app, ...args);
        } catch (error) {
          if (error instanceof Untrusted) return undefined; // already explained
          const message = error instanceof Error ? error.message : String(error);
          ctx.log.error(`${id} failed: ${message}`);
          void vscode.window.showErrorMessage(`Production Insights: ${message}`);
          return undefined;
        }
      }),
    );
  }
}

/** Asks for the gateway's token or a `${secret:NAME}` of prodinsights.yaml, and keeps it in SecretStorage. */
async function connectBackend(app: App): Promise<void> {
  const loaded = await app.workspace.require();
  const targets: SecretTarget[] = [{ kind: "gateway" }, ...namedSecrets(loaded.config)];
  const picked = await vscode.window.showQuickPick(
    targets.map((target) => ({
      label: target.kind === "gateway" ? "Gateway admin token" : `Secret ${target.name}`,
      description: target.kind === "gateway" ? loaded.config.gateway.url : target.where,
      target,
    })),
    { title: "Connect Backend", placeHolder: "Which credential to set (kept in the editor's secret storage, never in settings)", ignoreFocusOut: true },
  );
  if (!picked) return;
  const value = await vscode.window.showInputBox({
    title: `Connect Backend: ${picked.label}`,
    prompt: picked.target.kind === "gateway" ? `The admin token of the gateway at ${loaded.config.gateway.url} (the demo writes it to .prodinsights/gateway-token)` : `The value of \${secret:${picked.target.kind === "named" ? picked.target.name : ""}}`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() === "" ? "Enter a value, or press Escape to cancel." : undefined),
  });
  if (value === undefined) return;
  await app.secrets.store(picked.target, value.trim());
  app.ctx.log.info(`${picked.label}: stored in secret storage`);
  await app.store.refresh("connect backend");
  const snapshot = app.store.snapshot;
  if (!vscode.workspace.isTrusted) void vscode.window.showWarningMessage("Stored. The workspace is not trusted, so the credential is not sent until you trust it.");
  else if (picked.target.kind === "gateway") {
    if (snapshot?.connected) void vscode.window.showInformationMessage(`Connected to the gateway at ${loaded.config.gateway.url}.`);
    else void vscode.window.showErrorMessage(`Stored, but the gateway did not accept it: ${snapshot?.problems[0]?.message ?? "see the log"}`);
  } else {
    // A backend's or Unleash's secret: an Unleash model whose flag is still unread says why.
    const unread = snapshot?.models.find((m) => m.provider === "unleash" && m.stable === undefined);
    if (unread) void vscode.window.showWarningMessage(`${picked.label} stored, but the rollout of ${unread.name} is not read: ${unread.problems[0]?.message ?? "see the log"}`);
    else void vscode.window.showInformationMessage(`${picked.label} stored; the views are refreshed.`);
  }
}

/**
 * Runs `prodinsights demo` in a terminal, in the folder `prodinsights-demo` of the workspace (never
 * the workspace's own root: the demo rewrites its files, prodinsights.yaml among them). Without
 * a prodinsights.yaml at the root, the views pick the demo's up as soon as it is written.
 */
async function startDemo(app: App): Promise<void> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) throw new Error("open a folder first: the demo writes its workspace (prodinsights.yaml, model code, logs) into a folder of it");
  if (!vscode.workspace.isTrusted) throw new Error("the demo runs a program in this folder, so it needs a trusted workspace");
  const dir = vscode.Uri.joinPath(root, "prodinsights-demo").fsPath;
  const cli = vscode.Uri.joinPath(app.ctx.extension.extensionUri, "dist", "cli.js").fsPath;
  const terminal = vscode.window.createTerminal({ name: "Production Insights demo", cwd: root.fsPath });
  app.ctx.register(terminal);
  terminal.show();
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  // `node` from the terminal's PATH: in desktop VS Code the extension host's own binary is Electron.
  terminal.sendText(`node ${quote(cli)} demo --dir ${quote(dir)}`);
  app.ctx.log.info(`started the demo in ${dir}`);
  const open = await vscode.window.showInformationMessage(`The demo production is starting in ${vscode.workspace.asRelativePath(dir)}; its replay takes a minute or two (see the terminal).`, "Open Demo Folder");
  if (open) await vscode.commands.executeCommand("vscode.openFolder", vscode.Uri.file(dir), { forceNewWindow: true });
}

const ALPHA = 0.05;
const POWER = 0.8;

async function computeSampleSize(ctx: ExtensionContextHolder): Promise<void> {
  const baseline = await askProportion({
    title: "Compute Sample Size (1/2)",
    prompt: "Baseline conversion rate, e.g. 0.10 or 10%",
    value: "0.10",
    check: (p) => (p > 0 && p < 1 ? undefined : "Enter a rate strictly between 0 and 1 (or 0% and 100%)."),
  });
  if (baseline === undefined) return;

  const mde = await askProportion({
    title: "Compute Sample Size (2/2)",
    prompt: `Minimum detectable effect, absolute: 0.01 means ${formatPercent(baseline)} → ${formatPercent(baseline + 0.01)}`,
    value: "0.01",
    check: (d) => {
      if (d === 0) return "The effect must not be zero.";
      const p2 = baseline + d;
      return p2 > 0 && p2 < 1 ? undefined : `Baseline + effect = ${p2.toFixed(4)} must stay strictly between 0 and 1.`;
    },
  });
  if (mde === undefined) return;

  // The engine (with jstat) loads on first use, so that activation does not evaluate it (STYLE §6).
  const { proportionsSampleSize } = await loadEngine();
  const { n } = proportionsSampleSize({ p1: baseline, p2: baseline + mde, alpha: ALPHA, power: POWER });
  const message =
    `n = ${Math.ceil(n).toLocaleString("en-US")} per arm ` +
    `(baseline ${formatPercent(baseline)}, MDE ${formatPoints(mde)}, α ${ALPHA}, power ${POWER})`;
  ctx.log.info(message);
  void vscode.window.showInformationMessage(message);
}

/** Shows an input box for a number given as a decimal ("0.1") or a percentage ("10%"). */
async function askProportion(options: {
  title: string;
  prompt: string;
  value: string;
  check: (value: number) => string | undefined;
}): Promise<number | undefined> {
  const validate = (text: string): string | undefined => {
    const value = parseProportion(text);
    return value === undefined ? "Enter a number such as 0.1 or 10%." : options.check(value);
  };
  const text = await vscode.window.showInputBox({
    title: options.title,
    prompt: options.prompt,
    value: options.value,
    ignoreFocusOut: true,
    validateInput: validate,
  });
  return text === undefined || validate(text) !== undefined ? undefined : parseProportion(text);
}

function parseProportion(text: string): number | undefined {
  const match = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*(%?)\s*$/.exec(text);
  if (!match?.[1]) return undefined;
  const value = Number(match[1]) / (match[2] ? 100 : 1);
  return Number.isFinite(value) ? value : undefined;
}

/** 0.1 → "10%", 0.125 → "12.5%" (toFixed then Number drops float noise and trailing zeros). */
function formatPercent(p: number): string {
  return `${Number((p * 100).toFixed(2))}%`;
}

/** 0.01 → "+1.0 pp": an absolute difference in percentage points. */
function formatPoints(d: number): string {
  return `${d < 0 ? "−" : "+"}${Math.abs(d * 100).toFixed(1)} pp`;
}
