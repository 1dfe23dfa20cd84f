import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/load";
import { backendHeaders, environmentSecrets, MissingSecretError, parseSecretRef } from "../../src/config/secrets";
import type { PrometheusBackend } from "../../src/config/types";

function backend(yaml: string): PrometheusBackend {
  const r = parseConfig(`backends:\n  prod:\n    url: http://p\n${yaml}`);
  assert.deepEqual(r.issues, []);
  return r.config!.backends.get("prod") as PrometheusBackend;
}

test("references name a store and a variable; anything else is plain text", () => {
  assert.deepEqual(parseSecretRef("${env:PROM_TOKEN}"), { store: "env", name: "PROM_TOKEN" });
  assert.deepEqual(parseSecretRef("${secret:prod_token}"), { store: "secret", name: "prod_token" });
  for (const plain of ["team-a", "${env:}", "${env:A-B}", "$env:A", "${vault:A}", " ${env:A}"]) assert.equal(parseSecretRef(plain), undefined, plain);
});

test("headers carry the resolved secrets: bearer, basic and custom headers", async () => {
  const env = environmentSecrets({ TOKEN: "t0k", PASS: "p:ss wörd", ORG: "team-b" });
  assert.deepEqual(await backendHeaders(backend("    auth: {bearer: '${env:TOKEN}'}\n"), env), { Authorization: "Bearer t0k" });
  const basic = await backendHeaders(backend("    auth: {basic: {username: bot, password: '${env:PASS}'}}\n    headers: {X-Scope-OrgID: '${env:ORG}', X-Plain: yes}\n"), env);
  assert.equal(Buffer.from(basic["Authorization"]!.replace(/^Basic /, ""), "base64").toString("utf8"), "bot:p:ss wörd");
  assert.equal(basic["X-Scope-OrgID"], "team-b");
  assert.equal(basic["X-Plain"], "yes");
  assert.deepEqual(await backendHeaders(backend(""), env), {});
});

test("a secret that is not set is an error naming the variable and the field, never a value", async () => {
  const b = backend("    auth: {bearer: '${env:PROM_TOKEN}'}\n");
  await assert.rejects(backendHeaders(b, environmentSecrets({})), (err: unknown) => {
    assert.ok(err instanceof MissingSecretError);
    assert.equal(err.message, "backend 'prod' (auth.bearer) names the environment variable PROM_TOKEN, which is not set");
    return true;
  });
  // An empty variable is as good as unset: an empty token would only earn a 401 later.
  await assert.rejects(backendHeaders(b, environmentSecrets({ PROM_TOKEN: "" })), MissingSecretError);
  const editorOnly = backend("    auth: {bearer: '${secret:prod}'}\n");
  await assert.rejects(backendHeaders(editorOnly, environmentSecrets({ prod: "x" })), /names the secret 'prod', which is not in the editor's secret storage/);
});
