import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { CONFIG_SCHEMA, SchemaValidator, type SchemaNode } from "../../src/config/schema";
import { GATEWAY_SCHEMA } from "../../src/gateway/config";
import { editDistance, suggest } from "../../src/config/suggest";

const root = path.resolve(__dirname, "../..");

/** Every schema node, with its JSON pointer. */
function* nodes(node: SchemaNode, pointer = "#"): Generator<[string, SchemaNode]> {
  yield [pointer, node];
  for (const [k, v] of Object.entries(node.properties ?? {})) yield* nodes(v, `${pointer}/properties/${k}`);
  for (const [k, v] of Object.entries(node.definitions ?? {})) yield* nodes(v, `${pointer}/definitions/${k}`);
  if (typeof node.additionalProperties === "object") yield* nodes(node.additionalProperties, `${pointer}/additionalProperties`);
  if (node.items) yield* nodes(node.items, `${pointer}/items`);
}

for (const [file, schema] of [["src/config/prodinsights.schema.json", CONFIG_SCHEMA], ["src/gateway/gateway.schema.json", GATEWAY_SCHEMA]] as const) {
  test(`${file} is draft-07 JSON, every $ref resolves, and every keyword is one the loader understands`, () => {
    const raw = JSON.parse(readFileSync(path.join(root, file), "utf8")) as SchemaNode & { $schema: string };
    assert.equal(raw.$schema, "http://json-schema.org/draft-07/schema#");
    const known = new Set([
      "$schema", "$id", "title", "$ref", "description", "type", "properties", "additionalProperties", "required", "propertyNames",
      "minProperties", "maxProperties", "enum", "const", "pattern", "patternErrorMessage", "minLength", "items", "minItems",
      "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "if", "then", "else", "allOf", "default",
      "definitions", "writeOnly",
    ]);
    const v = new SchemaValidator(schema);
    for (const [pointer, node] of nodes(schema)) {
      for (const key of Object.keys(node)) assert.ok(known.has(key), `${pointer}: keyword '${key}' is not checked by the loader`);
      if (node.$ref) assert.doesNotThrow(() => v.resolve(node), pointer);
      // Each default must itself be valid, or a file that leaves the field out would be invalid.
      if (node.default !== undefined) assert.deepEqual(v.validate(node.default, node), [], `${pointer}: default ${JSON.stringify(node.default)}`);
    }
  });
}

test("edit distance counts insertions, deletions, substitutions and swaps; suggestions stay close", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("backend", "bakcend"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(suggest("bakends", ["backends", "models"]), "backends");
  assert.equal(suggest("Models", ["backends", "models"]), "models");
  assert.equal(suggest("xyz", ["backends", "models"]), undefined);
  assert.equal(suggest("ab", ["abc", "xy"]), "abc");
});
