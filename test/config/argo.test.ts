/**
 * prodinsights.yaml's `argo:` section and the models' `argo_rollout` and `version_label`: what is
 * left out takes kubectl's defaults, and mistakes are reported at their line and column.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/load";
import type { Config } from "../../src/config/types";

const BACKENDS = "backends: {prod: {url: 'http://prom:9090'}}\n";

function config(text: string): Config {
  const r = parseConfig(text);
  assert.deepEqual(r.issues, []);
  return r.config!;
}

test("without an argo section nothing is set: the provider takes $KUBECONFIG, the current context and its namespace", () => {
  assert.deepEqual(config(BACKENDS).argo, {});
  assert.deepEqual(config(`${BACKENDS}argo:\n  kubeconfig: ~/.kube/prod\n  context: prod-eu\n  namespace: ml\n`).argo, { kubeconfig: "~/.kube/prod", context: "prod-eu", namespace: "ml" });
});

test("a model's Rollout is named after it, and its versions read from the `version` label, unless the model says otherwise", () => {
  const c = config(`${BACKENDS}models:\n  churn: {rollout: argo}\n  fraud: {rollout: argo, argo_rollout: fraud-scorer, version_label: app.kubernetes.io/version}\n`);
  assert.deepEqual([c.models.get("churn")!.argoRollout, c.models.get("churn")!.versionLabel], ["churn", "version"]);
  assert.deepEqual([c.models.get("fraud")!.argoRollout, c.models.get("fraud")!.versionLabel], ["fraud-scorer", "app.kubernetes.io/version"]);
});

test("an unknown key and an empty namespace are reported where they are", () => {
  const r = parseConfig(`${BACKENDS}argo:\n  kubconfig: ~/.kube/config\n  namespace: ''\n`);
  assert.equal(r.config, undefined);
  const found = r.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  assert.ok(found.some((f) => /^3:3 argo\.kubconfig: unknown key 'kubconfig'.*Did you mean 'kubeconfig'\?/.test(f)), found.join("\n"));
  assert.ok(found.some((f) => /^4:\d+ argo\.namespace: /.test(f)), found.join("\n"));
});
