/**
 * `prodinsights rollout` against a live gateway (the test harness): runCli in-process with captured
 * output for each action and mistake, and the built CLI in a child process for the exit codes and
 * one-line messages a shell sees.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { GatewayAdmin } from "../../src/rollout/gateway";
import { runBuiltCli } from "../support/builtCli";
import { runInProcess, type InProcessRun } from "../support/inProcessCli";
import { startHarness, TOKEN, type Harness } from "../support/gatewayHarness";

const T0 = Date.parse("2025-03-01T10:00:00.000Z");
let dir: string;
before(() => (dir = mkdtempSync(path.join(tmpdir(), "prodinsights-rollout-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** prodinsights.yaml for the gateway at `adminUrl`, with a model per provider. */
function workspace(adminUrl: string): string {
  const file = path.join(dir, `prodinsights-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    [
      "backends:",
      "  logs: {type: logs, paths: [logs/]}",
      "gateway:",
      `  url: ${adminUrl}`,
      "  token: ${env:TEST_GATEWAY_TOKEN}",
      "unleash:",
      "  token: ${env:TEST_UNLEASH_TOKEN}",
      // A kubeconfig that does not exist: never a developer's real cluster.
      "argo: {kubeconfig: no-such-kubeconfig}",
      "models:",
      "  churn: {}",
      "  ranker: {rollout: unleash}",
      "  fraud: {rollout: argo}",
      "",
    ].join("\n"),
  );
  return file;
}

type Run = InProcessRun;

/** runCli in this process with output captured, the gateway's token in the environment it sees. */
const rollout = (args: readonly string[], options: { env?: Record<string, string>; now?: number } = {}): Promise<Run> =>
  runInProcess(["rollout", ...args], { cwd: dir, env: options.env ?? { TEST_GATEWAY_TOKEN: TOKEN }, ...(options.now !== undefined ? { now: options.now } : {}) });

/** A usage mistake: exit 2, nothing on stdout, exactly one line on stderr. */
function mistake(r: Run, line: string | RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
  if (typeof line === "string") assert.equal(r.stderr, `prodinsights rollout: ${line}\n`);
  else assert.match(r.stderr, line);
}

function ok(r: Run): string {
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout;
}

describe("prodinsights rollout against the gateway", () => {
  let h: Harness;
  let config: string;
  let admin: GatewayAdmin;
  before(async () => {
    h = await startHarness({ v1: 100, v2: 0, v3: 0 });
    config = workspace(h.gw.adminUrl);
    admin = new GatewayAdmin({ url: h.gw.adminUrl, token: TOKEN, actor: "test setup" });
  });
  after(() => h.close());
  beforeEach(async () => {
    if ((await admin.routing("churn")).canary) await admin.abortCanary("churn");
    await admin.promote("churn", "v1");
  });
  const c = (action: string, ...more: string[]): string[] => [action, "--config", config, "--model", "churn", ...more];

  test("status: one line of the stable version and every version's share", async () => {
    assert.equal(ok(await rollout(c("status"))), "churn (gateway): stable v1 · v1 100%, v2 0%, v3 0%\n");
  });

  test("status --json is the provider's status", async () => {
    assert.deepEqual(JSON.parse(ok(await rollout(c("status", "--json")))), { model: "churn", provider: "gateway", stable: "v1", weights: { v1: 100, v2: 0, v3: 0 } });
  });

  test("weight: the version gets its share, the stable version the rest; the line marks the canary", async () => {
    assert.equal(ok(await rollout(c("weight", "--version", "v2", "--weight", "10"))), "churn (gateway): stable v1 · v1 90%, v2 10% (canary), v3 0%\n");
    assert.deepEqual((await admin.routing("churn")).weights, { v1: 90, v2: 10, v3: 0 });
    const json = JSON.parse(ok(await rollout(c("weight", "--version", "v3", "--weight", "25", "--json"))));
    assert.deepEqual(json.weights, { v1: 75, v2: 0, v3: 25 });
    assert.deepEqual(json.canary, { version: "v3", weight: 25 });
    const audit = await admin.audit();
    assert.equal(audit.at(-1)?.who, "prodinsights rollout", "the CLI names itself in the audit log");
  });

  test("weight mistakes: a missing flag, a weight that is not a whole percent, the stable version, an unknown version", async () => {
    mistake(await rollout(c("weight", "--version", "v2")), "weight needs --version V and --weight N");
    mistake(await rollout(c("weight", "--weight", "10")), "weight needs --version V and --weight N");
    mistake(await rollout(c("weight", "--version", "v2", "--weight", "2.5")), "a weight is a whole percent from 0 to 100, got 2.5");
    mistake(await rollout(c("weight", "--version", "v2", "--weight", "101")), "a weight is a whole percent from 0 to 100, got 101");
    mistake(await rollout(c("weight", "--version", "v2", "--weight", "ten")), "--weight must be a number, got 'ten'");
    mistake(await rollout(c("weight", "--version", "v1", "--weight", "10")), "v1 is the stable version of 'churn': give a candidate a weight, or promote it");
    mistake(await rollout(c("weight", "--version", "v9", "--weight", "10")), /^prodinsights rollout: PUT \/models\/churn\/weights: .*no version "v9"/);
    assert.deepEqual((await admin.routing("churn")).weights, { v1: 100, v2: 0, v3: 0 }, "nothing moved");
  });

  test("shadow mirrors a share to a version, and 0 stops it; a share out of range is refused", async () => {
    assert.equal(ok(await rollout(c("shadow", "--version", "v2", "--share", "30"))), "churn (gateway): stable v1 · v1 100%, v2 0%, v3 0% · shadow v2 30%\n");
    assert.deepEqual((await admin.routing("churn")).shadow, { version: "v2", share: 30 });
    assert.equal(ok(await rollout(c("shadow", "--version", "v2", "--share", "0"))), "churn (gateway): stable v1 · v1 100%, v2 0%, v3 0%\n");
    assert.equal((await admin.routing("churn")).shadow, undefined);
    mistake(await rollout(c("shadow", "--version", "v2")), "shadow needs --version V and --share N (0 stops it)");
    mistake(await rollout(c("shadow", "--version", "v2", "--share", "120")), "--share is a percent from 0 to 100, got 120");
  });

  test("promote without --version promotes the running canary's version", async () => {
    ok(await rollout(c("weight", "--version", "v3", "--weight", "20")));
    assert.equal(ok(await rollout(c("promote"))), "churn (gateway): stable v3 · v1 0%, v2 0%, v3 100%\n");
    assert.equal((await admin.routing("churn")).stable, "v3");
  });

  test("promote with --version promotes that version", async () => {
    assert.equal(ok(await rollout(c("promote", "--version", "v2"))), "churn (gateway): stable v2 · v1 0%, v2 100%, v3 0%\n");
  });

  test("promote with no canary running and no --version: exit 2, saying to name the version", async () => {
    mistake(await rollout(c("promote")), "no canary of 'churn' is running: say which version to promote with --version");
    assert.equal((await admin.routing("churn")).stable, "v1");
  });

  test("rollback: all traffic back to the stable version", async () => {
    ok(await rollout(c("weight", "--version", "v2", "--weight", "30")));
    assert.equal(ok(await rollout(c("rollback"))), "churn (gateway): stable v1 · v1 100%, v2 0%, v3 0%\n");
    assert.deepEqual((await admin.routing("churn")).weights, { v1: 100, v2: 0, v3: 0 });
  });

  test("a canary the gateway hosts: status shows it with a note; abort ends it", async () => {
    await admin.startCanary("churn", "v2", { steps: [{ weight: 30, pause: "1h" }], metrics: ["error_rate"] });
    assert.equal(ok(await rollout(c("status"))), "churn (gateway): stable v1 · v1 70%, v2 30% (canary), v3 0%\n  the gateway hosts a canary of v2: running, step 1\n");
    mistake(await rollout(c("weight", "--version", "v3", "--weight", "5")), /has a canary of v2 in progress: abort it before setting weights\n$/);
    assert.equal(ok(await rollout(c("abort"))), "churn (gateway): stable v1 · v1 100%, v2 0%, v3 0%\n");
    const route = await admin.routing("churn");
    assert.equal(route.canary, undefined);
    assert.equal(route.lastCanary?.version, "v2");
    assert.equal((await admin.audit()).at(-1)?.action, "abort canary");
  });

  test("abort without a canary sends the traffic back like rollback", async () => {
    ok(await rollout(c("weight", "--version", "v3", "--weight", "15")));
    assert.equal(ok(await rollout(c("abort"))), "churn (gateway): stable v1 · v1 100%, v2 0%, v3 0%\n");
  });

  test("init makes Unleash flags, so a gateway model is refused", async () => {
    mistake(await rollout(c("init", "--version", "v1")), "init makes an Unleash flag; 'churn' rolls out through gateway");
  });

  test("the call's mistakes: no action, an unknown action, two actions, no --model, an unknown model", async () => {
    const say = "say what to do: prodinsights rollout status|weight|promote|rollback|abort|shadow|history|init --model NAME";
    mistake(await rollout(["--config", config, "--model", "churn"]), say);
    mistake(await rollout(c("pause")), say);
    mistake(await rollout(["status", "weight", "--config", config, "--model", "churn"]), say);
    mistake(await rollout(["status", "--config", config]), "--model is required");
    mistake(await rollout(["status", "--config", config, "--model", "chrun"]), "no model named 'chrun'. Did you mean 'churn'?");
  });

  test("a model on Argo without a kubeconfig says where it looked; one on Unleash without its token says which variable to set", async () => {
    mistake(
      await rollout(["status", "--config", config, "--model", "fraud"]),
      `model 'fraud' rolls out through Argo Rollouts, but the kubeconfig ${path.join(dir, "no-such-kubeconfig")} cannot be read (ENOENT); set argo.kubeconfig in prodinsights.yaml or KUBECONFIG`,
    );
    mistake(await rollout(["status", "--config", config, "--model", "ranker"]), "prodinsights.yaml unleash.token names the environment variable TEST_UNLEASH_TOKEN, which is not set");
  });

  test("a wrong or missing token: exit 2, one line", async () => {
    mistake(await rollout(c("status"), { env: { TEST_GATEWAY_TOKEN: "guess" } }), "GET /state: the admin token was refused");
    mistake(await rollout(c("status"), { env: {} }), "prodinsights.yaml gateway.token names the environment variable TEST_GATEWAY_TOKEN, which is not set");
  });
});

describe("prodinsights rollout history", () => {
  let clock = T0;
  let h: Harness;
  let config: string;
  before(async () => {
    h = await startHarness({ v1: 100, v2: 0 }, "", { clock: () => clock });
    config = workspace(h.gw.adminUrl);
    const at = (minutes: number): number => (clock = T0 + minutes * 60_000);
    at(1);
    ok(await rollout(["weight", "--config", config, "--model", "churn", "--version", "v2", "--weight", "10"]));
    at(2);
    ok(await rollout(["promote", "--config", config, "--model", "churn"]));
    at(3);
    await h.admin("POST", "/models/churn/rollback");
  });
  after(() => h.close());
  const history = (...more: string[]): Promise<Run> => rollout(["history", "--config", config, "--model", "churn", ...more], { now: T0 + 60 * 60_000 });

  test("history: one line per change, its time, kind, the weights after it and who made it", async () => {
    assert.equal(
      ok(await history()),
      [
        "2025-03-01T10:01:00Z  weights  v1 90%, v2 10%  (prodinsights rollout)",
        "2025-03-01T10:02:00Z  promote  v1 0%, v2 100%  (prodinsights rollout)",
        "2025-03-01T10:03:00Z  rollback v1 0%, v2 100%  (tester)",
        "",
      ].join("\n"),
    );
  });

  test("history --json: the model, the provider and the events", async () => {
    const doc = JSON.parse(ok(await history("--json")));
    assert.deepEqual(doc, {
      model: "churn",
      provider: "gateway",
      events: [
        { t: T0 + 60_000, kind: "weights", weights: { v1: 90, v2: 10 }, actor: "prodinsights rollout", source: "set weights" },
        { t: T0 + 120_000, kind: "promote", weights: { v1: 0, v2: 100 }, actor: "prodinsights rollout", source: "promote" },
        { t: T0 + 180_000, kind: "rollback", weights: { v1: 0, v2: 100 }, actor: "tester", source: "rollback" },
      ],
    });
  });

  test("--since counts back from --now (or the clock); nothing since then says so", async () => {
    const recent = JSON.parse(ok(await history("--since", "-58m", "--json")));
    assert.deepEqual(
      recent.events.map((e: { source: string }) => e.source),
      ["promote", "rollback"],
    );
    assert.equal(ok(await history("--since", "-10m")), "No changes to churn since 2025-03-01T10:50:00Z.\n");
    const fromNow = JSON.parse(ok(await history("--since", "-1h", "--now", "2025-03-01T10:02:30Z", "--json")));
    assert.equal(fromNow.events.length, 3, "since 09:02:30, every change counts, even the ones after --now");
    mistake(await history("--since", "bogus"), "'bogus' is not a time: use now, a relative time such as -7d or -12h, or an ISO date such as 2026-11-01");
  });
});

describe("the built CLI", () => {
  const run = runBuiltCli;

  test("status prints its line; a wrong token and a closed gateway are exit 2 with one line", async () => {
    const h = await startHarness({ v1: 100, v2: 0 });
    let closed = false;
    try {
      const args = ["rollout", "status", "--config", workspace(h.gw.adminUrl), "--model", "churn"];
      const good = await run(args, { ...process.env, TEST_GATEWAY_TOKEN: TOKEN });
      assert.equal(good.status, 0, good.stderr);
      assert.equal(good.stdout, "churn (gateway): stable v1 · v1 100%, v2 0%\n");
      const wrong = await run(args, { ...process.env, TEST_GATEWAY_TOKEN: "guess" });
      assert.equal(wrong.status, 2);
      assert.equal(wrong.stdout, "");
      assert.equal(wrong.stderr, "prodinsights rollout: GET /state: the admin token was refused\n");
      await h.close();
      closed = true;
      const down = await run(args, { ...process.env, TEST_GATEWAY_TOKEN: TOKEN });
      assert.equal(down.status, 2);
      assert.match(down.stderr, /^prodinsights rollout: GET \/state: the gateway admin API at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\); is 'prodinsights gateway' running\?\n$/);
    } finally {
      if (!closed) await h.close();
    }
  });

  test("rollout --help lists the actions and flags", async () => {
    const help = await run(["rollout", "--help"], process.env);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /rollout status\|weight\|promote\|rollback\|abort\|shadow\|history\|init --model NAME/);
    for (const flag of ["--model", "--version", "--weight", "--share", "--since", "--json"]) assert.match(help.stdout, new RegExp(flag));
  });
});
