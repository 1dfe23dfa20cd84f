import * as vscode from "vscode";
import type { Config } from "../config/types";
import type { ProductionSnapshot } from "./production/types";

/** What a tree row, a code lens or a report button passes to a command. */
export interface CommandTarget {
  readonly model?: string;
  readonly version?: string;
  readonly experiment?: string;
  readonly monitor?: string;
}

export function targetOf(arg: unknown): CommandTarget {
  return typeof arg === "object" && arg !== null ? (arg as CommandTarget) : {};
}

/** A quick pick of names; one name is taken without asking. undefined when the user cancels. */
export async function pickName(names: readonly string[], what: string, title: string, details: (name: string) => string | undefined = () => undefined): Promise<string | undefined> {
  if (names.length === 0) throw new Error(`no ${what} to choose from in prodinsights.yaml`);
  if (names.length === 1) return names[0];
  const chosen = await vscode.window.showQuickPick(
    names.map((name) => ({ label: name, description: details(name) })),
    { title, placeHolder: `Choose the ${what}`, ignoreFocusOut: true },
  );
  return chosen?.label;
}

export async function pickModel(config: Config, target: CommandTarget, title: string): Promise<string | undefined> {
  return target.model ?? pickName([...config.models.keys()], "model", title);
}

/** A version of `model` as the rollout provider knows it, optionally only those `allow` accepts. */
export async function pickVersion(snapshot: ProductionSnapshot | undefined, model: string, target: CommandTarget, title: string, allow: (role: string, name: string) => boolean = () => true): Promise<string | undefined> {
  if (target.version) return target.version;
  const versions = snapshot?.models.find((m) => m.name === model)?.versions.filter((v) => allow(v.role, v.name)) ?? [];
  if (versions.length === 0) throw new Error(`no version of ${model} to choose: is the rollout backend connected? (see "Production Insights: Show Log")`);
  const chosen = await vscode.window.showQuickPick(
    versions.map((v) => ({ label: v.name, description: `${v.role === "other" ? "" : `${v.role} · `}${v.weight}% of traffic` })),
    { title, placeHolder: `Choose the version of ${model}`, ignoreFocusOut: true },
  );
  return chosen?.label;
}
