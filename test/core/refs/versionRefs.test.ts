import assert from "node:assert/strict";
import { test } from "node:test";
import { findVersionRefs } from "../../../src/core/refs/versionRefs";

/** The text each reference covers, to check columns. */
const covered = (text: string, r: { line: number; start: number; end: number }): string => text.split("\n")[r.line]!.slice(r.start, r.end);

test("MLflow URIs and MODEL_VERSION assignments are found in Python, TypeScript and YAML, with exact columns", () => {
  const py = 'import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn/3")\nchamp = "models:/fraud@champion"\nMODEL_VERSION = "v3"\n';
  const refs = findVersionRefs(py, [{ name: "churn", patterns: [] }]);
  assert.deepEqual(refs.map((r) => [r.line, r.model, r.version, r.source]), [[1, "churn", "3", "mlflow"], [2, "fraud", "@champion", "mlflow"], [3, "churn", "v3", "assignment"]]);
  assert.deepEqual(refs.map((r) => covered(py, r)), ["3", "@champion", "v3"]);
  const ts = "export const MODEL_VERSION: string = 'v2';\nconst modelVersion = \"v1\";\n";
  assert.deepEqual(findVersionRefs(ts, []).map((r) => [r.version, covered(ts, r), r.model]), [["v2", "v2", undefined], ["v1", "v1", undefined]]);
  const yaml = "serving:\n  model_version: \"v4\"\n";
  assert.deepEqual(findVersionRefs(yaml, []).map((r) => [r.line, r.version, covered(yaml, r)]), [[1, "v4", "v4"]]);
});

test("prodinsights.yaml's patterns give the model and the version from their first group; one reference per place", () => {
  const code = 'deploy("churn-v7")  # and models:/churn/7\nCHURN_MODEL_VERSION = "v7"\n';
  const refs = findVersionRefs(code, [{ name: "churn", patterns: ["churn-(v\\d+)", "(broken"] }, { name: "fraud", patterns: [] }]);
  assert.deepEqual(refs.map((r) => [r.line, r.source, r.model, r.version, covered(code, r)]), [
    [0, "config", "churn", "v7", "v7"],
    [0, "mlflow", "churn", "7", "7"],
    [1, "assignment", undefined, "v7", "v7"],
  ]);
  // Two models in the workspace: a bare assignment does not say which.
  assert.equal(refs[2]!.model, undefined);
});

test("nothing is found in text without references, in overlong lines, or by patterns that match empty text", () => {
  assert.deepEqual(findVersionRefs("x = 1\nversion = 'v1'\n", []), []);
  assert.deepEqual(findVersionRefs(`MODEL_VERSION = "v1"${" ".repeat(3000)}`, []), []);
  assert.deepEqual(findVersionRefs("abc", [{ name: "m", patterns: ["(x*)"] }]), []);
});
