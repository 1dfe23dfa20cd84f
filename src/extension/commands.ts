import * as vscode from "vscode";
import type { ExtensionContextHolder } from "./context";

/** Commands as data (STYLE §5): each id in package.json `contributes.commands` has one entry. */
interface CommandEntry {
  readonly id: string;
  run(ctx: ExtensionContextHolder, ...args: unknown[]): unknown;
}

const commands: readonly CommandEntry[] = [
  { id: "prodInsights.computeSampleSize", run: computeSampleSize },
];

export function registerCommands(ctx: ExtensionContextHolder): void {
  for (const { id, run } of commands) {
    ctx.register(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(ctx, ...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          ctx.log.error(`${id} failed: ${message}`);
          void vscode.window.showErrorMessage(`Production Insights: ${message}`);
          return undefined;
        }
      }),
    );
  }
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

  // Loaded on first use so that activation does not evaluate jstat (STYLE §6).
  const { proportionsSampleSize } = await import("../core/stats/power");
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
