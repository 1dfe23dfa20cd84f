import assert from "node:assert/strict";
import { test } from "node:test";
import { GATEWAY_SCHEMA, parseGatewayConfig } from "../../src/gateway/config";
import { SchemaValidator } from "../../src/config/schema";
import { exposureWarnings } from "../../src/cli/commands/gateway";

const issues = (text: string): string[] => {
  const r = parseGatewayConfig(text);
  assert.equal(r.config, undefined);
  return r.issues.map((i) => `${i.line}:${i.column} ${i.path ? `${i.path}: ` : ""}${i.message}`);
};

test("a small gateway.yaml gets loopback addresses, a state file, logs and a stable version by default", () => {
  const r = parseGatewayConfig(
    [
      "admin: {token: '${env:GATEWAY_TOKEN}'}",
      "models:",
      "  churn:",
      "    versions:",
      "      v1: {url: 'http://127.0.0.1:9001/predict', weight: 90}",
      "      v2: {url: 'http://127.0.0.1:9002/predict', weight: 10}",
      "    assertions: {prediction: {min: 0, max: 1}}",
    ].join("\n"),
  );
  assert.deepEqual(r.issues, []);
  const c = r.config!;
  assert.deepEqual(c.listen, { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(c.admin, { host: "127.0.0.1", port: 8081, token: "${env:GATEWAY_TOKEN}" });
  assert.equal(c.state, ".prodinsights/gateway-state.json");
  assert.deepEqual(c.models.get("churn"), {
    name: "churn",
    unitHeader: "x-unit-id",
    versions: [
      { name: "v1", weight: 90, url: "http://127.0.0.1:9001/predict" },
      { name: "v2", weight: 10, url: "http://127.0.0.1:9002/predict" },
    ],
    stable: "v1",
    timeoutMs: 5000,
    agreement: 0.05,
    assertions: { prediction: { min: 0, max: 1 } },
  });
  assert.deepEqual(c.logs, { dir: "logs", maxBytes: 67_108_864, keep: 10, sampleRate: 1, redact: {} });
  assert.deepEqual(c.layers, []);
});

test("weights, stable versions and layers that cannot route are errors at their line and column", () => {
  const text = [
    "admin: {token: plaintext-token}", //                                      1
    "models:", //                                                              2
    "  churn:", //                                                             3
    "    stable: v3", //                                                       4
    "    versions:", //                                                        5
    "      v1: {url: 'http://a', weight: 60}", //                              6
    "      v2: {url: 'ftp://b', weight: 30}", //                               7
    "layers:", //                                                              8
    "  ui:", //                                                                9
    "    experiments:", //                                                     10
    "      button: {share: 70, arms: {control: 50, red: 50}}", //              11
    "      copy: {share: 40, arms: {control: 50, short: 50}}", //              12
  ].join("\n");
  assert.deepEqual(issues(text), [
    "1:16 admin.token: must name an environment variable, not hold the secret: write ${env:NAME}",
    "4:13 models.churn.stable: no version named 'v3'. Did you mean 'v1'?",
    "6:7 models.churn.versions: model 'churn' versions: the weights sum to 90, not 100",
    "7:17 models.churn.versions.v2.url: 'ftp://b': must be an http:// or https:// URL of the model server",
    "9:3 layers: layer 'ui': its experiments' shares sum to 110, above 100",
  ]);
});

test("the gateway schema's defaults are valid, as the config schema's are", () => {
  const v = new SchemaValidator(GATEWAY_SCHEMA);
  assert.deepEqual(v.validate(v.withDefaults({ admin: { token: "${env:T}" }, models: { m: { versions: { a: { url: "http://x", weight: 100 } } } } })), []);
  assert.deepEqual(issues(""), ["1:1 the file is empty: it needs at least 'admin:' with a token and 'models:'"]);
});

test("listeners other machines can reach are warned about, the admin API above all", () => {
  const parsed = parseGatewayConfig('admin: {token: "${env:T}", host: 0.0.0.0}\nlisten: {host: "::"}\nmodels:\n  m:\n    versions:\n      v1: {url: "http://127.0.0.1:9/v1", weight: 100}\n');
  assert.deepEqual(parsed.issues, []);
  const warnings = exposureWarnings(parsed.config!);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /the admin API listens on 0\.0\.0\.0: anyone who can reach it and holds the token can change routing/);
  const local = parseGatewayConfig('admin: {token: "${env:T}"}\nmodels:\n  m:\n    versions:\n      v1: {url: "http://127.0.0.1:9/v1", weight: 100}\n');
  assert.deepEqual(exposureWarnings(local.config!), []);
});
