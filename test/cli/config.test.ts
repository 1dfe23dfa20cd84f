/** `prodinsights init` and `check` as people run them: the built CLI in a scratch folder. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { parseConfig } from "../../src/config/load";

const cli = path.resolve(__dirname, "../../dist/cli.js");
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-config-cli-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("init writes a valid starter file, refuses to overwrite it, and replaces it with --force", () => {
  const first = run(["init", "--url", "http://prom.internal:9090", "--model", "fraud"]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, "Wrote prodinsights.yaml. Check it and its backend with: prodinsights check\n");
  const text = readFileSync(path.join(dir, "prodinsights.yaml"), "utf8");
  const parsed = parseConfig(text);
  assert.deepEqual(parsed.issues, []);
  assert.deepEqual([...parsed.config!.models.keys()], ["fraud"]);
  assert.equal((parsed.config!.backends.get("prod") as { url: string }).url, "http://prom.internal:9090");

  writeFileSync(path.join(dir, "prodinsights.yaml"), "# mine\n");
  const again = run(["init"]);
  assert.equal(again.code, 2);
  assert.equal(again.stderr, "prodinsights init: prodinsights.yaml exists; pass --force to replace it\n");
  assert.equal(readFileSync(path.join(dir, "prodinsights.yaml"), "utf8"), "# mine\n", "the existing file is untouched");
  assert.equal(run(["init", "--force"]).code, 0);
  assert.match(readFileSync(path.join(dir, "prodinsights.yaml"), "utf8"), /^# Production Insights/);
});

test("init refuses names and URLs that would break the YAML it writes", () => {
  const model = run(["init", "--file", "other.yaml", "--model", "a: b"]);
  assert.equal(model.code, 2);
  assert.match(model.stderr, /--model 'a: b': names take letters/);
  const url = run(["init", "--file", "other.yaml", "--url", "http://x\nmodels: {}"]);
  assert.equal(url.code, 2);
  assert.equal(url.stderr, `prodinsights init: --url "http://x\\nmodels: {}" must be an http:// or https:// URL without spaces or quotes\n`);
});
