/**
 * Keeps the `@example` lines of src/core/stats honest: each `expression // value` is evaluated
 * against its module's exports and must print the value to the digits shown.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

const dir = path.resolve(__dirname, "../../../src/core/stats");
const EXAMPLE = /@example (.+?) \/\/ (\[[^\]]*\]|[-+0-9.e]+)/g;

/** Digits after the decimal point, so that 14750.79 checks the result rounded to 2 places. */
function decimals(text: string): number {
  return /\.(\d+)/.exec(text)?.[1]?.length ?? 0;
}

function assertShown(actual: unknown, shown: string, where: string): void {
  if (shown.startsWith("[")) {
    const parts = shown.slice(1, -1).split(",").map((s) => s.trim());
    assert.ok(Array.isArray(actual) || ArrayBuffer.isView(actual), `${where}: expected an array, got ${String(actual)}`);
    const values = Array.from(actual as ArrayLike<number>);
    assert.equal(values.length, parts.length, where);
    values.forEach((v, i) => assertShown(v, parts[i]!, `${where}[${i}]`));
    return;
  }
  assert.equal(typeof actual, "number", where);
  assert.equal((actual as number).toFixed(decimals(shown)), Number(shown).toFixed(decimals(shown)), where);
}

for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
  const source = readFileSync(path.join(dir, file), "utf8");
  for (const [, expression, shown] of source.matchAll(EXAMPLE)) {
    test(`${file}: ${expression} // ${shown}`, async () => {
      const mod = (await import(path.join(dir, file))) as Record<string, unknown>;
      const evaluate = new Function(...Object.keys(mod), `return ${expression!};`) as (...args: unknown[]) => unknown;
      assertShown(evaluate(...Object.values(mod)), shown!, `${file}: ${expression}`);
    });
  }
}
