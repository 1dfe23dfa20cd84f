/**
 * providerFor: a model's `rollout:` in prodinsights.yaml picks its provider, whose token is looked
 * up only then. The gateway's provider is checked against the test harness, Unleash's against a
 * small fake of its admin API that records what it is asked.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../src/config/load";
import { MissingSecretError, type SecretLookup, type SecretRefParts } from "../../src/config/secrets";
import type { Config } from "../../src/config/types";
import { GatewayProvider } from "../../src/rollout/gatewayProvider";
import { ProviderError } from "../../src/rollout/provider";
import { providerFor } from "../../src/rollout/providers";
import { type UnleashOptions, UnleashProvider } from "../../src/rollout/unleash";
import { startHarness, TOKEN, type Harness } from "../support/gatewayHarness";

function config(text: string): Config {
  const r = parseConfig(text);
  assert.deepEqual(r.issues, []);
  return r.config!;
}

/** prodinsights.yaml with the given gateway and Unleash URLs, and a model per provider. */
function workspace(gatewayUrl: string, unleashUrl: string): Config {
  return config(
    [
      "backends: {prod: {url: 'http://prom:9090'}}",
      "gateway:",
      `  url: ${gatewayUrl}`,
      "  token: ${env:GW_TOKEN}",
      "unleash:",
      `  url: ${unleashUrl}`,
      "  token: ${secret:unleash_admin}",
      "  project: ml",
      "  environment: staging",
      "models:",
      "  churn: {rollout: gateway}",
      "  ranker: {rollout: unleash, flag: model-ranker, stickiness: sessionId}",
      "  search: {rollout: unleash}",
      "  fraud: {rollout: argo}",
      "",
    ].join("\n"),
  );
}

/** A lookup over fixed values that records every reference it is asked for. */
function lookup(values: Record<string, string>): SecretLookup & { asked: string[] } {
  const asked: string[] = [];
  const fn = (ref: SecretRefParts): string | undefined => {
    asked.push(`${ref.store}:${ref.name}`);
    return values[`${ref.store}:${ref.name}`];
  };
  return Object.assign(fn, { asked });
}

/** The flags function the provider was built with (private to UnleashProvider). */
const flagsOf = (p: UnleashProvider): UnleashOptions["flags"] => (p as unknown as { options: UnleashOptions }).options.flags;

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

/**
 * Unleash's admin API for one flag with a stable strategy of v1 in `environment`: reads of the
 * flag, strategies added to it; anything else is a 404. Every request is recorded.
 */
async function fakeUnleash(project: string, flag: string, environment: string): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const strategies: Record<string, unknown>[] = [
    { id: "s1", name: "flexibleRollout", title: "prodinsights: stable", sortOrder: 1, parameters: { rollout: "100", stickiness: "sessionId", groupId: flag }, variants: [{ name: "v1", weight: 1000, weightType: "variable", stickiness: "sessionId" }] },
  ];
  const feature = `/api/admin/projects/${project}/features/${flag}`;
  const read = async (req: IncomingMessage): Promise<unknown> => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    return text === "" ? undefined : JSON.parse(text);
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      const send = (status: number, json: unknown): void => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.method === "GET" && req.url === feature) return send(200, { name: flag, environments: [{ name: "development", enabled: true, strategies: [] }, { name: environment, enabled: true, strategies }] });
      if (req.method === "POST" && req.url === `${feature}/environments/${environment}/strategies`) {
        const created = { ...(body as Record<string, unknown>), id: `s${strategies.length + 1}` };
        strategies.push(created);
        return send(200, created);
      }
      send(404, { message: `no route ${req.method} ${req.url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("providerFor", () => {
  let h: Harness;
  let unleash: Awaited<ReturnType<typeof fakeUnleash>>;
  let c: Config;
  before(async () => {
    h = await startHarness({ v1: 100, v2: 0 });
    unleash = await fakeUnleash("ml", "model-ranker", "staging");
    c = workspace(h.gw.adminUrl, `${unleash.url}/`);
  });
  after(async () => {
    await h.close();
    await unleash.close();
  });

  test("rollout: gateway is the gateway's provider, with gateway.token looked up, and it reaches the gateway", async () => {
    const secrets = lookup({ "env:GW_TOKEN": TOKEN });
    const p = await providerFor(c, "churn", secrets);
    assert.ok(p instanceof GatewayProvider);
    assert.equal(p.kind, "gateway");
    assert.deepEqual(secrets.asked, ["env:GW_TOKEN"], "only the gateway's token");
    assert.deepEqual((await p.status("churn")).weights, { v1: 100, v2: 0 });
  });

  test("the actor goes to the gateway's audit log, 'prodinsights' when none is given", async () => {
    const named = await providerFor(c, "churn", lookup({ "env:GW_TOKEN": TOKEN }), { actor: "someone in CI" });
    await named.setWeight("churn", "v2", 5);
    const unnamed = await providerFor(c, "churn", lookup({ "env:GW_TOKEN": TOKEN }));
    await unnamed.rollback("churn");
    const audit = (await h.admin("GET", "/audit")).json.entries as { who: string; action: string }[];
    assert.deepEqual(
      audit.slice(-2).map((e) => [e.who, e.action]),
      [
        ["someone in CI", "set weights"],
        ["prodinsights", "rollback"],
      ],
    );
  });

  test("a secret set to the empty string counts as missing", async () => {
    await assert.rejects(providerFor(c, "churn", lookup({ "env:GW_TOKEN": "" })), MissingSecretError);
  });

  test("a missing secret is a MissingSecretError that names the setting and the variable, for either provider", async () => {
    await assert.rejects(providerFor(c, "churn", lookup({})), (err: unknown) => {
      assert.ok(err instanceof MissingSecretError);
      assert.deepEqual(err.ref, { store: "env", name: "GW_TOKEN" });
      assert.equal(err.message, "prodinsights.yaml gateway.token names the environment variable GW_TOKEN, which is not set");
      return true;
    });
    await assert.rejects(providerFor(c, "ranker", lookup({ "env:GW_TOKEN": TOKEN })), (err: unknown) => {
      assert.ok(err instanceof MissingSecretError);
      assert.deepEqual(err.ref, { store: "secret", name: "unleash_admin" });
      assert.match(err.message, /^prodinsights\.yaml unleash\.token names the secret 'unleash_admin', which is not in the editor's secret storage/);
      return true;
    });
  });

  test("rollout: unleash is Unleash's provider, with unleash.token looked up; flags() gives each model's flag and stickiness", async () => {
    const secrets = lookup({ "secret:unleash_admin": "admin-token-1" });
    const p = await providerFor(c, "ranker", secrets);
    assert.ok(p instanceof UnleashProvider);
    assert.equal(p.kind, "unleash");
    assert.deepEqual(secrets.asked, ["secret:unleash_admin"], "only Unleash's token");
    const flags = flagsOf(p);
    assert.deepEqual(flags("ranker"), { flag: "model-ranker", stickiness: "sessionId" });
    assert.deepEqual(flags("search"), { flag: "search", stickiness: "userId" }, "the defaults: the model's name, userId");
    assert.deepEqual(flags("churn"), { flag: "churn", stickiness: "userId" });
  });

  test("Unleash's provider asks the configured server, project, environment and flag, with the token", async () => {
    const p = await providerFor(c, "ranker", lookup({ "secret:unleash_admin": "admin-token-1" }));
    unleash.requests.length = 0;
    assert.deepEqual(await p.status("ranker"), { model: "ranker", provider: "unleash", stable: "v1", weights: { v1: 100 } });
    assert.deepEqual(
      unleash.requests.map((r) => [r.method, r.url, r.authorization]),
      [["GET", "/api/admin/projects/ml/features/model-ranker", "admin-token-1"]],
      "the URL's trailing slash is gone, the token is sent as Unleash wants it",
    );
    // A canary strategy carries the model's stickiness.
    const status = await p.setWeight("ranker", "v2", 10);
    assert.deepEqual(status.weights, { v1: 90, v2: 10 });
    const added = unleash.requests.find((r) => r.method === "POST");
    assert.equal(added?.url, "/api/admin/projects/ml/features/model-ranker/environments/staging/strategies");
    const body = added!.body as { parameters: Record<string, string>; variants: { name: string; stickiness: string }[] };
    assert.equal(body.parameters["stickiness"], "sessionId");
    assert.equal(body.parameters["rollout"], "10");
    assert.deepEqual(
      body.variants.map((v) => [v.name, v.stickiness]),
      [["v2", "sessionId"]],
    );
  });

  test("timeoutMs reaches the provider", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const p = await providerFor(workspace(url, url), "churn", lookup({ "env:GW_TOKEN": TOKEN }), { timeoutMs: 100 });
      await assert.rejects(p.status("churn"), (err: unknown) => err instanceof ProviderError && err.kind === "unreachable" && /did not answer in time/.test(err.message));
      const u = await providerFor(workspace(url, url), "ranker", lookup({ "secret:unleash_admin": "t" }), { timeoutMs: 100 });
      await assert.rejects(u.status("ranker"), (err: unknown) => err instanceof ProviderError && err.kind === "unreachable" && /did not answer in time/.test(err.message));
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("rollout: argo reads the kubeconfig (never a secret); one it cannot read, or an untrusted workspace, is refused with the reason", async () => {
    const secrets = lookup({});
    const dir = mkdtempSync(path.join(tmpdir(), "prodinsights-kubeconfig-"));
    try {
      const kubeconfig = path.join(dir, "config");
      writeFileSync(
        kubeconfig,
        ["apiVersion: v1", "kind: Config", "current-context: ml", "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true}}]", "users: [{name: u, user: {token: t}}]", "contexts: [{name: ml, context: {cluster: c, user: u, namespace: models}}]", ""].join("\n"),
      );
      const argo = parseConfig(`backends: {prod: {url: 'http://prom:9090'}}\nargo: {kubeconfig: config}\nmodels:\n  fraud: {rollout: argo, argo_rollout: fraud-scorer}\n`).config!;
      const provider = await providerFor(argo, "fraud", secrets, { baseDir: dir });
      assert.equal(provider.kind, "argo");
      assert.equal(provider.capabilities.has("weights"), true, "between the Rollout's steps");
      assert.deepEqual(secrets.asked, []);
      await assert.rejects(providerFor(argo, "fraud", secrets, { baseDir: path.join(dir, "elsewhere") }), (err: unknown) => err instanceof ProviderError && err.kind === "not-found" && /the kubeconfig .*elsewhere\/config cannot be read \(ENOENT\)/.test(err.message));
      await assert.rejects(providerFor(argo, "fraud", secrets, { baseDir: dir, trusted: false }), (err: unknown) => err instanceof ProviderError && /not read in an untrusted workspace/.test(err.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });


  test("a model prodinsights.yaml does not have is not-found", async () => {
    const secrets = lookup({ "env:GW_TOKEN": TOKEN });
    await assert.rejects(providerFor(c, "chrun", secrets), (err: unknown) => err instanceof ProviderError && err.kind === "not-found" && err.message === "no model 'chrun' in prodinsights.yaml");
    assert.deepEqual(secrets.asked, []);
  });
});
