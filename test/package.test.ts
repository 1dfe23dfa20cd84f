/**
 * `npm run package` must keep producing a .vsix holding only the allow-listed files; a README
 * link or a manifest field can break it without any other test noticing.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

const root = path.resolve(__dirname, "..");
const vsce = path.join(root, "node_modules", ".bin", "vsce");
const FLAGS = ["--no-dependencies", "--skip-license", "--allow-missing-repository", "--no-rewrite-relative-links"];

test("the extension packs into a .vsix with only the allow-listed files", () => {
  // The webview's code-split chunks carry content hashes in their names.
  const listed = [...new Set(execFileSync(vsce, ["ls", "--no-dependencies"], { cwd: root, encoding: "utf8" }).trim().split("\n").map((f) => f.replace(/-[A-Z0-9]{8}\.js$/, "-<hash>.js")))].sort();
  assert.deepEqual(listed, [
    "README.md",
    "dist/cli.js",
    "dist/engine.js",
    "dist/extension.js",
    "dist/prodinsights.schema.json",
    "dist/webview/chunks/chunk-<hash>.js",
    "dist/webview/chunks/plotly.min-<hash>.js",
    "dist/webview/panel.js",
    "dist/webview/renderer.js",
    "media/activity.svg",
    "media/icon.svg",
    "package.json",
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), "prodinsights-vsix-"));
  try {
    const out = path.join(dir, "production-insights.vsix");
    execFileSync(vsce, ["package", ...FLAGS, "-o", out], { cwd: root, stdio: "pipe", input: "" });
    assert.ok(statSync(out).size > 10_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
