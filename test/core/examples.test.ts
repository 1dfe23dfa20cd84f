/**
 * Keeps the `@example` lines of src/core honest: each `expression // value` is evaluated against
 * its module's exports and must show the value to the digits given; a quoted value must match
 * exactly and a bracketed one element by element.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const core = path.resolve(__dirname, "../../src/core");
const EXAMPLE = /@example (.+?) \/\/ ("[^"]*"|\[[^\]]*\]|[-+0-9.e]+)/g;

/** Digits after the decimal point, so that 14750.79 checks the result rounded to 2 places. */
function decimals(text: string): number {
  return /\.(\d+)/.exec(text)?.[1]?.length ?? 0;
}

function assertShown(actual: unknown, shown: string, where: string): void {
  if (shown.startsWith('"')) {
    assert.equal(actual, JSON.parse(shown), where);
    return;
  }
  if (shown.startsWith("[")) {
    const parts = shown.slice(1, -1).split(",").map((s) => s.trim());
    assert.ok(Array.isArray(actual) || ArrayBuffer.isView(actual), `${where}: expected an array, got ${String(actual)}`);
    const values = Array.from(actual as ArrayLike<unknown>);
    assert.equal(values.length, parts.length, where);
    values.forEach((v, i) => assertShown(v, parts[i]!, `${where}[${i}]`));
    return;
  }
  assert.equal(typeof actual, "number", where);
  assert.equal((actual as number).toFixed(decimals(shown)), Number(shown).toFixed(decimals(shown)), where);
}

const files = (readdirSync(core, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).sort();
let count = 0;
for (const file of files) {
  const source = readFileSync(path.join(core, file), "utf8");
  for (const [, expression, shown] of source.matchAll(EXAMPLE)) {
    count++;
    test(`${file}: ${expression} // ${shown}`, async () => {
      const mod = (await import(path.join(core, file))) as Record<string, unknown>;
      const evaluate = new Function(...Object.keys(mod), `return ${expression!};`) as (...args: unknown[]) => unknown;
      assertShown(evaluate(...Object.values(mod)), shown!, `${file}: ${expression}`);
    });
  }
}

test("the core modules carry examples", () => assert.ok(count >= 20, `only ${count} examples`));
