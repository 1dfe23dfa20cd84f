// The webview code never turns strings into markup or code: labels come from production traffic,
// and the panel's CSP allows no inline script, eval or new Function.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const webview = path.resolve(import.meta.dirname, "../../webview");
const files = readdirSync(webview, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));

test("no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval or new Function in webview/", () => {
  assert.ok(files.length > 5);
  for (const file of files) {
    const code = readFileSync(path.join(webview, file), "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
    for (const banned of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\s*\(/, /new\s+Function\b/, /setAttribute\(\s*["']on/, /\.style\.cssText|setAttribute\(\s*["']style/]) {
      assert.ok(!banned.test(code), `${file}: ${banned}`);
    }
  }
});

test("the view-model builders import no DOM code (they run in Node)", () => {
  const pure = ["model", "format", "power", "kinds", "build", "ab", "drift", "jumps", "compare", "timeseries", "canary", "rollout", "sampleSize"];
  for (const name of pure) {
    const code = readFileSync(path.join(webview, "render", `${name}.ts`), "utf8");
    for (const dom of ['"./dom"', '"./draw"', '"./plot"', '"./index"', "@vscode-elements"]) assert.ok(!code.includes(dom), `${name}.ts imports ${dom}`);
  }
});
