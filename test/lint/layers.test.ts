// Proves the layer rules of DESIGN.md §3 are enforced by eslint.config.mjs (not by memory).
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ESLint } from "eslint";

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, "eslint.config.mjs") });

/** Messages of `no-restricted-imports` for `code` linted as if it lived at `file`. */
async function restrictions(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  assert.ok(result, `no lint result for ${file}`);
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const vscodeImport = 'import * as vscode from "vscode";\nexport const w = vscode.window;\n';

test("src/core may not import node:fs", async () => {
  const messages = await restrictions('import * as fs from "node:fs";\nexport const r = fs.readFileSync;\n', "src/core/stats/x.ts");
  assert.equal(messages.length, 1, messages.join("\n"));
});

test("src/core may not import bare Node builtins, vscode or other packages", async () => {
  for (const source of ["fs", "path", "crypto", "vscode", "plotly.js-dist-min"]) {
    const messages = await restrictions(`import x from "${source}";\nexport { x };\n`, "src/core/ab/x.ts");
    assert.equal(messages.length, 1, `${source}: ${messages.join("\n")}`);
  }
});

test("src/core may import itself, jstat and tslib, but not climb out", async () => {
  const allowed = 'import jStat from "jstat";\nimport { __awaiter } from "tslib";\nimport { a } from "../results/x";\nexport { jStat, __awaiter, a };\n';
  assert.deepEqual(await restrictions(allowed, "src/core/stats/x.ts"), []);
  assert.equal((await restrictions('import { a } from "../../cli/main";\nexport { a };\n', "src/core/stats/x.ts")).length, 1);
  assert.equal((await restrictions('import { a } from "../config/x";\nexport { a };\n', "src/core/x.ts")).length, 1);
});

test("vscode is an error in src/cli and allowed in src/extension", async () => {
  assert.equal((await restrictions(vscodeImport, "src/cli/x.ts")).length, 1);
  assert.deepEqual(await restrictions(vscodeImport, "src/extension/x.ts"), []);
  assert.equal((await restrictions(vscodeImport, "test/core/x.test.ts")).length, 1);
});

test("webview may import only types from src/core/results", async () => {
  assert.equal((await restrictions('import { main } from "../src/cli/main";\nexport { main };\n', "webview/x.ts")).length, 1);
  assert.equal((await restrictions('import { main } from "../../src/cli/main";\nexport { main };\n', "webview/panel/x.ts")).length, 1);
  assert.equal((await restrictions('import { r } from "../../src/core/results/ab";\nexport { r };\n', "webview/panel/x.ts")).length, 1);
  assert.deepEqual(await restrictions('import type { R } from "../../src/core/results/ab";\nexport type { R };\n', "webview/panel/x.ts"), []);
});

test("lower layers do not import upper ones", async () => {
  assert.equal((await restrictions('import { a } from "../cli/x";\nexport { a };\n', "src/telemetry/x.ts")).length, 1);
  assert.equal((await restrictions('import { a } from "../../gateway/x";\nexport { a };\n', "src/rollout/unleash/x.ts")).length, 1);
  assert.equal((await restrictions('import { a } from "../extension/x";\nexport { a };\n', "src/gateway/x.ts")).length, 1);
  assert.equal((await restrictions('import { a } from "../extension/x";\nexport { a };\n', "src/cli/x.ts")).length, 1);
  assert.deepEqual(await restrictions('import { a } from "../core/stats/x";\nexport { a };\n', "src/cli/x.ts"), []);
});
