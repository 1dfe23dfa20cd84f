/**
 * What the editor's views read of a model that rolls out through Unleash: gatherSnapshot against a
 * real Unleash on PostgreSQL (scripts/unleash.mjs). The token comes from the editor's secret
 * lookup, as Connect Backend… stores it. Missing PostgreSQL or unleash-server skips the suite
 * locally and fails it under CI.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfigFile } from "../../../src/config/load";
import type { SecretLookup } from "../../../src/config/secrets";
import { gatherSnapshot } from "../../../src/extension/production/snapshot";
import { UnleashProvider } from "../../../src/rollout/unleash";
import { type RunningUnleash, unleashOrSkip } from "../../support/unleash";

describe("the Models view's snapshot of a model on Unleash", async () => {
  const { skip, failed, start } = await unleashOrSkip();
  if (failed) return;
  let unleash: RunningUnleash | undefined;
  let dir: string;
  let configFile: string;

  before(async () => {
    if (skip) return;
    unleash = await start();
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-snapshot-unleash-"));
    configFile = path.join(dir, "prodinsights.yaml");
    writeFileSync(
      configFile,
      ["backends:", "  logs: {type: logs, paths: [logs/]}", "unleash:", `  url: "${unleash.url}"`, "  token: ${secret:UNLEASH}", "models:", "  churn: {rollout: unleash, flag: model-churn}", ""].join("\n"),
    );
    const provider = new UnleashProvider({ url: unleash.url, token: unleash.adminToken, project: "default", environment: "production", flags: () => ({ flag: "model-churn", stickiness: "userId" }) });
    await provider.init("churn", "v1");
    await provider.setWeight("churn", "v2", 25);
  });
  after(async () => {
    await unleash?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lookup = (token: string | undefined): SecretLookup => (ref) => (ref.store === "secret" && ref.name === "UNLEASH" ? token : undefined);

  test("with the token: the flag's versions, weights and roles, and connected", { skip }, async () => {
    const snap = await gatherSnapshot({ configFile, config: await loadConfigFile(configFile), secrets: lookup(unleash!.adminToken), routingOnly: true });
    const churn = snap.models[0]!;
    assert.equal(churn.provider, "unleash");
    assert.equal(churn.stable, "v1");
    assert.deepEqual(churn.versions.map((v) => [v.name, v.weight, v.role]), [["v1", 75, "stable"], ["v2", 25, "canary"]]);
    assert.deepEqual(churn.problems, []);
    assert.equal(snap.connected, true);
  });

  test("without the token: the problem says how to give it, and the view is not connected", { skip }, async () => {
    const snap = await gatherSnapshot({ configFile, config: await loadConfigFile(configFile), secrets: lookup(undefined), routingOnly: true });
    assert.equal(snap.connected, false);
    assert.match(snap.models[0]!.problems[0]!.message, /^no admin token for Unleash at http:\/\/127\.0\.0\.1:\d+: .*Connect Backend…/);
  });

  test("with a wrong token: Unleash's refusal, said once", { skip }, async () => {
    const snap = await gatherSnapshot({ configFile, config: await loadConfigFile(configFile), secrets: lookup("*:*.wrong"), routingOnly: true });
    assert.equal(snap.connected, false);
    assert.deepEqual(snap.models[0]!.problems.map((p) => p.message), ["unleash: reading flag 'model-churn': Unleash refused the token (401); the provider needs an admin API token"]);
  });
});
