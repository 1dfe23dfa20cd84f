/**
 * prodinsights.yaml's `unleash:` section and the models' `flag` and `stickiness`: their defaults,
 * the URL as the provider uses it, and mistakes reported at their line and column.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, formatIssues, parseConfig, type ConfigIssue } from "../../src/config/load";
import type { Config } from "../../src/config/types";

const BACKENDS = "backends: {prod: {url: 'http://prom:9090'}}\n";

function config(text: string): Config {
  const r = parseConfig(text);
  assert.deepEqual(r.issues, []);
  return r.config!;
}

/** The issues as `line:column path: message`, as test/config/load.test.ts has them. */
function issues(text: string): string[] {
  const r = parseConfig(text);
  assert.equal(r.config, undefined, "a file with issues gives no config");
  return r.issues.map((i: ConfigIssue) => `${i.line}:${i.column} ${i.path ? `${i.path}: ` : ""}${i.message}`);
}

test("without an unleash section: a local Unleash, its admin token from UNLEASH_ADMIN_TOKEN, the default project, production", () => {
  const expected = { url: "http://127.0.0.1:4242", token: "${env:UNLEASH_ADMIN_TOKEN}", project: "default", environment: "production" };
  assert.deepEqual(config(BACKENDS).unleash, expected);
  assert.deepEqual(config(`${BACKENDS}unleash: {}\n`).unleash, expected);
  assert.deepEqual(config(`${BACKENDS}unleash:\n  project: ml\n`).unleash, { ...expected, project: "ml" }, "each setting has its own default");
});

test("every setting given; the URL loses its trailing slashes", () => {
  const c = config(`${BACKENDS}unleash:\n  url: https://unleash.example.com/\n  token: \${secret:UNLEASH}\n  project: ml-models\n  environment: staging\n`);
  assert.deepEqual(c.unleash, { url: "https://unleash.example.com", token: "${secret:UNLEASH}", project: "ml-models", environment: "staging" });
  assert.equal(config(`${BACKENDS}unleash: {url: 'http://u:4242/unleash//'}\n`).unleash.url, "http://u:4242/unleash");
});

test("the unleash section leaves the gateway's alone", () => {
  const c = config(`${BACKENDS}unleash: {url: 'http://u:4242'}\n`);
  assert.deepEqual(c.gateway, { url: "http://127.0.0.1:8081", token: "${env:PRODINSIGHTS_GATEWAY_TOKEN}" });
});

test("a bad URL, an unknown key, a token held in the file and empty names are reported at their line and column", () => {
  const text = [
    "backends: {prod: {url: 'http://prom:9090'}}", // 1
    "unleash:", //                                   2
    "  url: unleash.example:4242", //                3
    "  projct: ml", //                               4
    "  token: s3cr3t-t0ken", //                      5
    "  environment: ''", //                          6
  ].join("\n");
  assert.deepEqual(issues(text), [
    "3:8 unleash.url: 'unleash.example:4242': must be the http:// or https:// URL of the Unleash server (without /api)",
    "4:3 unleash.projct: unknown key 'projct'. Did you mean 'project'?",
    "5:10 unleash.token: must name a secret, not hold it: write ${env:NAME} (an environment variable) or ${secret:NAME} (the editor's secret storage)",
    "6:16 unleash.environment: must not be empty",
  ]);
  const r = parseConfig(text);
  assert.doesNotMatch(formatIssues("prodinsights.yaml", r.issues), /s3cr3t-t0ken/, "the token's value is never shown");
  assert.match(new ConfigError("prodinsights.yaml", r.issues).message, /^prodinsights\.yaml:3:8: unleash\.url: /);
  assert.deepEqual(issues(`${BACKENDS}unleash:\n  url: 4242\n`), ["3:8 unleash.url: number 4242: must be the http:// or https:// URL of the Unleash server (without /api)"]);
  assert.deepEqual(issues(`${BACKENDS}unleash:\n  url: ftp://unleash\n`), ["3:8 unleash.url: 'ftp://unleash': must be the http:// or https:// URL of the Unleash server (without /api)"]);
  assert.deepEqual(issues(`${BACKENDS}unlesh: {}\n`), ["2:1 unlesh: unknown key 'unlesh'. Did you mean 'unleash'?"]);
});

test("a model's flag is its name unless given; its stickiness userId unless given", () => {
  const c = config(`${BACKENDS}models:\n  churn: {rollout: unleash}\n  ranker: {rollout: unleash, flag: model-ranker, stickiness: sessionId}\n  fraud: {}\n`);
  const churn = c.models.get("churn")!;
  assert.equal(churn.rollout, "unleash");
  assert.equal(churn.flag, "churn");
  assert.equal(churn.stickiness, "userId");
  const ranker = c.models.get("ranker")!;
  assert.equal(ranker.flag, "model-ranker");
  assert.equal(ranker.stickiness, "sessionId");
  // A gateway model has them too (the defaults), so that switching its rollout needs nothing else.
  const fraud = c.models.get("fraud")!;
  assert.equal(fraud.rollout, "gateway");
  assert.equal(fraud.flag, "fraud");
  assert.equal(fraud.stickiness, "userId");
});

test("an empty flag or stickiness, and a typo among a model's keys, are reported where they are", () => {
  assert.deepEqual(issues(`${BACKENDS}models:\n  churn: {flag: '', stickiness: ''}\n`), ["3:17 models.churn.flag: must not be empty", "3:33 models.churn.stickiness: must not be empty"]);
  assert.deepEqual(issues(`${BACKENDS}models:\n  churn:\n    rollout: unleash\n    flg: model-churn\n`), ["5:5 models.churn.flg: unknown key 'flg'. Did you mean 'flag'?"]);
  assert.deepEqual(issues(`${BACKENDS}models:\n  churn:\n    rollout: launchdarkly\n`), ["4:14 models.churn.rollout: must be one of gateway, unleash, argo, not 'launchdarkly'."]);
});
