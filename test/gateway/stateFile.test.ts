import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { readStateFile, StateFileError, writeStateFile } from "../../src/gateway/stateFile";

let dir: string;
before(() => (dir = mkdtempSync(path.join(tmpdir(), "prodinsights-state-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

test("state written is read back whole; no temporary file is left; only the owner can read it", () => {
  const file = path.join(dir, "nested", "gateway-state.json");
  assert.equal(readStateFile(file), undefined, "no state yet");
  const state = { models: { churn: { weights: { v1: 95, v2: 5 } } }, canary: { step: 1 } };
  writeStateFile(file, state);
  assert.deepEqual(readStateFile(file), state);
  writeStateFile(file, { ...state, canary: { step: 2 } });
  assert.deepEqual(readStateFile(file), { ...state, canary: { step: 2 } });
  assert.deepEqual(readdirSync(path.dirname(file)), ["gateway-state.json"]);
  if (process.platform !== "win32") assert.equal(statSync(file).mode & 0o777, 0o600);
});

/** Runs `script` with tsx and kills it with SIGKILL `afterMs` after it prints its first output. */
function killAfterStart(script: string, afterMs: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), afterMs));
    child.on("error", reject);
    child.on("exit", (_code, signal) => resolve(signal));
  });
}

test("a process killed with SIGKILL in the middle of writing leaves the old state or the new, never a torn file", async () => {
  const file = path.join(dir, "killed.json");
  writeStateFile(file, { version: 0 });
  // A child writes large states in a loop, and is killed while it does, at a different moment each round.
  const script = `
    const { writeStateFile } = require(${JSON.stringify(path.resolve(__dirname, "../../src/gateway/stateFile.ts"))});
    const big = "x".repeat(200000);
    process.stdout.write("writing\\n");
    for (let v = 1; ; v++) writeStateFile(${JSON.stringify(file)}, { version: v, big });
  `;
  let last = 0;
  for (let round = 0; round < 5; round++) {
    assert.equal(await killAfterStart(script, 15 + 23 * round), "SIGKILL");
    const state = readStateFile(file) as { version: number; big?: string };
    assert.ok(Number.isInteger(state.version) && state.version > 0, JSON.stringify(state).slice(0, 80));
    assert.equal(state.big!.length, 200000);
    last = state.version;
  }
  assert.ok(last > 0);
});

test("a state file that is not JSON stops the gateway with a message that names it", () => {
  const file = path.join(dir, "broken.json");
  writeFileSync(file, '{"models": {');
  assert.throws(() => readStateFile(file), (err: unknown) => err instanceof StateFileError && err.message.startsWith(`the gateway state ${file} is not valid JSON`) && /move it aside/.test(err.message));
});
