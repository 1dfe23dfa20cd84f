/**
 * The Models view's context menus offer what each rollout provider can do and nothing else: the
 * `when` clauses of package.json, evaluated on the tree items' context values
 * (`version.<role>.<provider>`, `model[.canary].<provider>`), against each provider's declared
 * capabilities.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ArgoProvider } from "../../src/rollout/argo";
import { GatewayAdmin } from "../../src/rollout/gateway";
import { GatewayProvider } from "../../src/rollout/gatewayProvider";
import { KubeClient } from "../../src/rollout/kube";
import type { RolloutProvider } from "../../src/rollout/provider";
import { UnleashProvider } from "../../src/rollout/unleash";

interface MenuItem {
  readonly command: string;
  readonly when: string;
}

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as { contributes: { menus: Record<string, MenuItem[]> } };
const itemMenu = manifest.contributes.menus["view/item/context"]!;

/** The clauses these menus use: `view == X`, `viewItem =~ /re/`, `viewItem == x`, `isWorkspaceTrusted`, joined by &&. */
function shown(when: string, context: { view: string; viewItem: string }): boolean {
  return when.split("&&").every((raw) => {
    const clause = raw.trim();
    if (clause === "isWorkspaceTrusted") return true;
    const eq = /^(view|viewItem) == (\S+)$/.exec(clause);
    if (eq) return context[eq[1] as "view" | "viewItem"] === eq[2];
    const re = /^viewItem =~ \/(.*)\/$/.exec(clause);
    if (re) return new RegExp(re[1]!).test(context.viewItem);
    throw new Error(`a clause this test does not read: ${clause}`);
  });
}

const commandsFor = (viewItem: string): string[] => itemMenu.filter((m) => shown(m.when, { view: "prodInsights.models", viewItem })).map((m) => m.command.replace("prodInsights.", ""));

const providers: Record<string, RolloutProvider> = {
  gateway: new GatewayProvider(new GatewayAdmin({ url: "http://127.0.0.1:1", token: "t", actor: "test" })),
  unleash: new UnleashProvider({ url: "http://127.0.0.1:1", token: "t", project: "default", environment: "production", flags: (m) => ({ flag: m, stickiness: "userId" }) }),
  argo: new ArgoProvider({
    client: new KubeClient({ context: "c", server: "https://127.0.0.1:1", namespace: "ml", insecureSkipTlsVerify: false }),
    namespace: "ml",
    rollouts: (m) => ({ name: m, versionLabel: "version" }),
  }),
};

for (const [kind, provider] of Object.entries(providers)) {
  test(`${kind}: a candidate version's menu has what ${kind} can do`, () => {
    const can = provider.capabilities;
    const expected = [
      ...(can.has("weights") || can.has("hostedCanary") ? ["startCanary"] : []),
      ...(can.has("shadow") ? ["startShadow"] : []),
      ...(can.has("promote") ? ["promote"] : []),
      "compareVersions",
      // Fault injection is the gateway's own, not a rollout capability.
      ...(kind === "gateway" ? ["startChaos"] : []),
    ].sort();
    assert.deepEqual(commandsFor(`version.canary.${kind}`).sort(), expected);
    assert.deepEqual(commandsFor(`version.stable.${kind}`).filter((c) => c !== "startChaos"), [], "nothing to start or promote on the stable version");
  });

  test(`${kind}: a model's menu rolls back and, during a canary, aborts only where ${kind} can`, () => {
    const can = provider.capabilities;
    const rollout = (viewItem: string): string[] => commandsFor(viewItem).filter((c) => c === "rollback" || c === "abortRollout");
    assert.deepEqual(rollout(`model.${kind}`), can.has("rollback") ? ["rollback"] : []);
    assert.deepEqual(rollout(`model.canary.${kind}`).sort(), [...(can.has("abort") ? ["abortRollout"] : []), ...(can.has("rollback") ? ["rollback"] : [])].sort());
  });
}
