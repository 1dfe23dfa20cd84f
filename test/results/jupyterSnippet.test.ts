/**
 * The Python snippet of docs/results.md ("MIME types and JSON Schemas") as a Jupyter kernel would
 * run it: python3 with a stand-in IPython.display that records the MIME bundle it is given, and a
 * `prodinsights` on PATH that runs the built dist/cli.js. The bundle must hold the ab document under
 * its MIME type, valid against docs/schemas/ab.schema.json.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { SchemaValidator, type SchemaNode } from "../../src/config/schema";
import { AB_MIME } from "../../src/core/results/ab";

const repo = path.resolve(__dirname, "../..");
const cli = path.join(repo, "dist", "cli.js");
const PYTHON = process.env.PRODINSIGHTS_PYTHON ?? "python3";

/** The first ```python block after the section's heading. */
function snippet(): string {
  const doc = readFileSync(path.join(repo, "docs", "results.md"), "utf8");
  const section = doc.split(/^## MIME types and JSON Schemas$/m)[1];
  assert.ok(section !== undefined, "docs/results.md has a section '## MIME types and JSON Schemas'");
  const code = /^```python\n([\s\S]*?)^```$/m.exec(section)?.[1];
  assert.ok(code !== undefined, "the section has a ```python block");
  return code;
}

/** Records each display() call's arguments, one JSON line each, in $PI_DISPLAY_RECORD. */
const FAKE_DISPLAY = `import json, os

def display(*objs, raw=False, **kwargs):
    with open(os.environ["PI_DISPLAY_RECORD"], "a", encoding="utf-8") as f:
        f.write(json.dumps({"objs": list(objs), "raw": raw}) + "\\n")
`;

function pythonRuns(): boolean {
  try {
    execFileSync(PYTHON, ["--version"], { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

test("the Jupyter snippet displays a valid ab document under its MIME type", (t) => {
  if (process.platform === "win32") return t.skip("the prodinsights shim is a POSIX shell script");
  if (!pythonRuns()) {
    const missing = `${PYTHON} is not available`;
    if (process.env.CI) assert.fail(`${missing} but CI is set: .ci/run must install the Debian package python3`);
    return t.skip(missing);
  }
  assert.ok(existsSync(cli), `${cli} is missing: run 'node scripts/build.mjs' (npm test does)`);
  const dir = mkdtempSync(path.join(tmpdir(), "prodinsights-jupyter-"));
  try {
    // IPython may well be installed: the stand-in comes first on PYTHONPATH, so it is the one imported.
    mkdirSync(path.join(dir, "py", "IPython"), { recursive: true });
    writeFileSync(path.join(dir, "py", "IPython", "__init__.py"), "");
    writeFileSync(path.join(dir, "py", "IPython", "display.py"), FAKE_DISPLAY);
    mkdirSync(path.join(dir, "bin"));
    const shim = path.join(dir, "bin", "prodinsights");
    writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`);
    chmodSync(shim, 0o755);
    const record = path.join(dir, "display.jsonl");
    const env = {
      ...process.env,
      PATH: `${path.join(dir, "bin")}${path.delimiter}${process.env["PATH"] ?? ""}`,
      PYTHONPATH: [path.join(dir, "py"), process.env["PYTHONPATH"]].filter((p) => p).join(path.delimiter),
      PI_DISPLAY_RECORD: record,
    };
    const r = spawnSync(PYTHON, ["-c", snippet()], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, `the snippet failed: ${r.stderr}`);

    const calls = readFileSync(record, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as { objs: unknown[]; raw: boolean });
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.equal(call!.raw, true, "display(..., raw=True): the dictionary is the MIME bundle");
    const bundle = call!.objs[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(bundle).sort(), [AB_MIME, "text/plain"]);
    assert.equal(typeof bundle["text/plain"], "string");
    const doc = bundle[AB_MIME] as { kind: string; verdict: string };
    assert.equal(doc.kind, "ab");
    const schema = JSON.parse(readFileSync(path.join(repo, "docs", "schemas", "ab.schema.json"), "utf8")) as SchemaNode;
    assert.deepEqual(new SchemaValidator(schema).validate(doc), []);
    assert.match(bundle["text/plain"] as string, new RegExp(doc.verdict));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
