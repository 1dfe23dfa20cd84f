import assert from "node:assert/strict";
import { test } from "node:test";
import { pIs, pValue } from "../../src/cli/format";

test("p-values read as sentences: 'p = 0.53', and 'p < 1e-16' where a double cannot tell", () => {
  assert.equal(pValue(0.5312), "0.53");
  assert.equal(pValue(3e-7), "3.0e-7");
  assert.equal(pIs(0.5312), "p = 0.53");
  assert.equal(pIs(3e-7), "p = 3.0e-7");
  assert.equal(pIs(0), "p < 1e-16");
});
