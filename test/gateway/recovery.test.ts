/**
 * `prodinsights gateway` as a process, as users run it: killed with SIGKILL in the middle of a
 * canary and started again, its routing is exactly what it was and the canary goes on from its
 * step. And the mistakes a user can make starting it, each a one-line error with exit code 2.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { harnessYaml, TOKEN } from "../support/gatewayHarness";
import { startModelStub, type ModelStub } from "../support/modelStub";

const cli = path.resolve(__dirname, "../../dist/cli.js");
const env = { ...process.env, GW_TEST_TOKEN: TOKEN };

let stub: ModelStub;
let dir: string;
before(async () => {
  stub = await startModelStub();
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-gw-recovery-"));
});
after(async () => {
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminUrl: string;
}

/** Starts the CLI gateway and waits for the lines that say where it listens. */
function startCli(config: string): Promise<Running> {
  const child = spawn(process.execPath, [cli, "gateway", "--config", config], { env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)\/models/.exec(out)?.[1];
      const adminUrl = /Admin API: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && adminUrl) resolve({ child, url, adminUrl });
    });
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`the gateway exited with ${code}: ${err}`)));
  });
}

async function admin(g: Running, method: string, p: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON asserted on
  const res = await fetch(`${g.adminUrl}${p}`, { method, headers: { authorization: `Bearer ${TOKEN}` }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return res.json();
}

async function versionsOf(g: Running, units: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < units; i++) {
    const res = await fetch(`${g.url}/models/churn/predict`, { method: "POST", headers: { "x-unit-id": `unit-${i}` }, body: JSON.stringify({ features: { tenure: i } }) });
    await res.arrayBuffer();
    out.push(res.headers.get("x-model-version")!);
  }
  return out;
}

test("after kill -9 and a restart, routing is exactly what it was and the canary resumes at its step", async () => {
  const config = path.join(dir, "gateway.yaml");
  writeFileSync(config, harnessYaml(stub.url, { v1: 100, v2: 0 }));
  const first = await startCli(config);
  await admin(first, "POST", "/models/churn/canary", { version: "v2", policy: { steps: [{ weight: 10, pause: "1s" }, { weight: 50, pause: "1h" }], minSample: 20, metrics: ["error_rate"] } });
  const before = (await admin(first, "GET", "/state")).models.churn;
  assert.deepEqual(before.weights, { v1: 90, v2: 10 });
  const routed = await versionsOf(first, 200);
  first.child.kill("SIGKILL");
  await new Promise((r) => first.child.once("exit", r));
  // What a crash in the middle of a write would leave behind.
  const leftover = path.join(dir, ".prodinsights", ".gateway-state.json.424242.tmp");
  writeFileSync(leftover, "{\"version\": 1, \"models\": {");

  const second = await startCli(config);
  try {
    const after = (await admin(second, "GET", "/state")).models.churn;
    assert.deepEqual(after, before);
    assert.deepEqual(await versionsOf(second, 200), routed, "every unit keeps its version");
    assert.equal(existsSync(leftover), false, "the torn temporary file is gone");
    // The restarted canary host judges the resumed step on what it sees from now on, and moves on.
    for (let step = 0; step === 0; ) {
      await versionsOf(second, 100);
      step = (await admin(second, "GET", "/state")).models.churn.canary.result.step;
    }
    const moved = (await admin(second, "GET", "/state")).models.churn;
    assert.deepEqual(moved.weights, { v1: 50, v2: 50 });
    const audit = readFileSync(path.join(dir, ".prodinsights", "gateway-audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).action);
    // Between the two weights, only the canary's own waits (a check with too little data yet).
    assert.deepEqual(audit.filter((a) => a !== "canary wait"), ["start canary", "canary set-weight", "canary set-weight"]);
  } finally {
    second.child.kill("SIGTERM");
    await new Promise((r) => second.child.once("exit", r));
  }
});

test("starting mistakes are one line each with exit code 2: a missing token, a torn state file, a port in use, a bad file", async () => {
  const run = (args: string[], e: NodeJS.ProcessEnv = env) => spawnSync(process.execPath, [cli, "gateway", ...args], { env: e, encoding: "utf8", timeout: 30_000 });
  const config = path.join(dir, "mistakes", "gateway.yaml");
  mkdirSync(path.join(path.dirname(config), ".prodinsights"), { recursive: true });
  writeFileSync(config, harnessYaml(stub.url, { v1: 100 }));

  const { GW_TEST_TOKEN: _unset, ...noToken } = env;
  const token = run(["--config", config], noToken);
  assert.equal(token.status, 2);
  assert.equal(token.stderr, "prodinsights gateway: gateway.yaml admin.token names the environment variable GW_TEST_TOKEN, which is not set\n");

  writeFileSync(path.join(path.dirname(config), ".prodinsights", "gateway-state.json"), "{torn");
  const torn = run(["--config", config]);
  assert.equal(torn.status, 2);
  assert.match(torn.stderr, /^prodinsights gateway: the gateway state .*gateway-state\.json is not valid JSON .*move it aside to start from gateway\.yaml\n$/);
  rmSync(path.join(path.dirname(config), ".prodinsights", "gateway-state.json"));

  const busy = await startCli(config);
  try {
    const port = new URL(busy.url).port;
    writeFileSync(config, harnessYaml(stub.url, { v1: 100 }).replace("listen: {port: 0}", `listen: {port: ${port}}`).replace("state:", "#"));
    const inUse = run(["--config", config]);
    assert.equal(inUse.status, 2);
    assert.match(inUse.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\): change 'listen' or 'admin' in`));
  } finally {
    busy.child.kill("SIGTERM");
    await new Promise((r) => busy.child.once("exit", r));
  }

  writeFileSync(config, harnessYaml(stub.url, { v1: 60, v2: 30 }));
  const bad = run(["--config", config]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /gateway\.yaml:\d+:\d+: models\.churn\.versions: model 'churn' versions: the weights sum to 90, not 100/);
});
