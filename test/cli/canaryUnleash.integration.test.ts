/**
 * `prodinsights canary run` on Unleash, end to end with real parts: a real Unleash on PostgreSQL
 * moves the traffic, an application asks Unleash's own SDK (unleash-client) which version each unit
 * gets, counts requests and errors per version with prom-client, and a real Prometheus scrapes it
 * every second. A healthy candidate (no errors) is promoted (exit 0); one that fails 15% of its requests is rolled
 * back by the canary state machine (exit 1). The flag's strategies are the provider's
 * (src/rollout/unleash.ts), so this also checks that the SDK routes units as the provider means.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startPrometheus, type DemoPrometheus } from "../../src/gateway/demo/prometheus";
import { UnleashProvider } from "../../src/rollout/unleash";
import { missingBinaries } from "../support/servers";
import { runBuiltCli as runCli } from "../support/builtCli";
import { type RunningUnleash, type UnleashSdk, unleashOrSkip } from "../support/unleash";
import { startApplication, type UnleashApplication } from "../support/unleashApp";

const FLAG = "model-churn";

describe("canary run on Unleash: the SDK routes the traffic, Prometheus measures it", async () => {
  const { skip, failed, start, sdk: unleashClient } = await unleashOrSkip(missingBinaries("prometheus") ?? "");
  if (failed) return;
  // Healthy versions fail no request, so that the healthy canary cannot lose by chance; v3 fails 15%.
  const errorRates: Record<string, number> = { v1: 0, v2: 0, v3: 0.15 };
  let dir: string;
  let unleash: RunningUnleash | undefined;
  let sdk: UnleashSdk | undefined;
  let app: UnleashApplication | undefined;
  let prometheus: DemoPrometheus | undefined;
  let provider: UnleashProvider;
  let env: NodeJS.ProcessEnv;
  let config: string;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-canary-unleash-"));
    unleash = await start();
    provider = new UnleashProvider({ url: unleash.url, token: unleash.adminToken, project: "default", environment: "production", flags: () => ({ flag: FLAG, stickiness: "userId" }) });
    await provider.init("churn", "v1");
    const client = unleashClient();
    sdk = await client.startUnleash({
      url: `${unleash.url}/api/`,
      appName: "churn-service",
      environment: "production",
      customHeaders: { Authorization: unleash.clientToken },
      refreshInterval: 250,
      disableMetrics: true,
      storageProvider: new client.InMemStorageProvider(),
    });
    app = await startApplication(sdk, { flag: FLAG, model: "churn", errorRates });
    prometheus = await startPrometheus({ dir: path.join(dir, "prometheus"), port: 0, target: app.target, lookbackMs: 3_600_000 });
    config = path.join(dir, "prodinsights.yaml");
    writeFileSync(
      config,
      [
        "backends:",
        `  prometheus: {url: "${prometheus!.url}"}`,
        "unleash:",
        `  url: "${unleash.url}"`,
        "  token: ${env:TEST_UNLEASH_TOKEN}",
        "models:",
        `  churn: {rollout: unleash, flag: ${FLAG}, policy: quick}`,
        "policies:",
        "  quick: {steps: [25, 50], interval: 8s, metrics: [error_rate]}",
        "",
      ].join("\n"),
    );
    env = { ...process.env, TEST_UNLEASH_TOKEN: unleash.adminToken };
  });

  after(async () => {
    app?.stop();
    sdk?.destroy();
    await prometheus?.stop();
    await unleash?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a healthy candidate is promoted: exit 0, and every unit is then served v2", { skip, timeout: 120_000 }, async () => {
    const run = await runCli(["canary", "run", "--config", config, "--model", "churn", "--version", "v2", "--json"], env);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /Canary of churn v2 against v1 on unleash, policy 'quick': steps 25, 50% every 8 s, judged on error_rate from prometheus\./);
    assert.match(run.stderr, /25% to v2: /);
    assert.match(run.stderr, /50% to v2: /);
    const doc = JSON.parse(run.stdout) as { status: string; decisions: { action: { type: string } }[] };
    assert.equal(doc.status, "promoted");
    assert.deepEqual(await provider.status("churn"), { model: "churn", provider: "unleash", stable: "v2", weights: { v2: 100 } });
    // The SDK followed: units went to v2 during the canary.
    assert.ok((app!.served["v2"] ?? 0) > 100, JSON.stringify(app!.served));
    const rollout = await runCli(["rollout", "status", "--config", config, "--model", "churn"], env);
    assert.equal(rollout.stdout, "churn (unleash): stable v2 · v2 100%\n");
  });

  test("a candidate that fails 15% of its requests is rolled back by the state machine: exit 1, v2 stays", { skip, timeout: 120_000 }, async () => {
    const run = await runCli(["canary", "run", "--config", config, "--model", "churn", "--version", "v3"], env);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stdout, "churn v3: rolled back\n");
    assert.match(run.stderr, /25% to v3: /);
    assert.match(run.stderr, /rollback: .*error_rate/);
    assert.deepEqual(await provider.status("churn"), { model: "churn", provider: "unleash", stable: "v2", weights: { v2: 100 } });
    const history = await runCli(["rollout", "history", "--config", config, "--model", "churn", "--json"], env);
    const events = (JSON.parse(history.stdout) as { events: { kind: string }[] }).events.map((e) => e.kind);
    assert.deepEqual(events.slice(-2), ["weights", "rollback"]);
  });

  test("rollout weight, then rollback, from the CLI; a wrong token is one line with exit 2", { skip, timeout: 60_000 }, async () => {
    const weight = await runCli(["rollout", "weight", "--config", config, "--model", "churn", "--version", "v3", "--weight", "10"], env);
    assert.equal(weight.status, 0, weight.stderr);
    assert.equal(weight.stdout, "churn (unleash): stable v2 · v2 90%, v3 10% (canary)\n");
    const back = await runCli(["rollout", "rollback", "--config", config, "--model", "churn"], env);
    assert.equal(back.stdout, "churn (unleash): stable v2 · v2 100%\n");
    const refused = await runCli(["rollout", "status", "--config", config, "--model", "churn"], { ...env, TEST_UNLEASH_TOKEN: "*:*.wrong" });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^prodinsights rollout: reading flag 'model-churn': Unleash refused the token \(401\); the provider needs an admin API token\n$/);
  });
});
