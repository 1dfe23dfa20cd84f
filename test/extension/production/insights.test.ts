/**
 * runInsights: the CLI in this process, with its output captured, its documents parsed, secrets
 * from the editor's env map, paths from the workspace folder, and cancelling by signal.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { environmentSecrets } from "../../../src/config/secrets";
import { failureOf, runInsights } from "../../../src/extension/production/insights";
import { generateLogs, type GeneratedLogs } from "../../support/generateLogs";

test("sample-size --json gives the figures as the CLI prints them", async () => {
  const run = await runInsights(["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json"], { cwd: tmpdir() });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "");
  const doc = run.document as { perArm: number; total: number; p1: number; p2: number };
  assert.deepEqual([doc.perArm, doc.total, doc.p1, doc.p2], [14751, 29502, 0.1, 0.11]); // the README's numbers, R power.prop.test
  assert.deepEqual(JSON.parse(run.stdout), doc);
});

test("without --json there is no document, only the text", async () => {
  const run = await runInsights(["sample-size", "--baseline", "0.1", "--mde", "0.01"], { cwd: tmpdir() });
  assert.equal(run.code, 0);
  assert.equal(run.document, undefined);
  assert.match(run.stdout, /^14,751 units per arm/);
});

test("a bad flag is exit 2 with one line on stderr that names it, and no document", async () => {
  const run = await runInsights(["sample-size", "--baseline", "0.1", "--mde", "0.01", "--bogus", "--json"], { cwd: tmpdir() });
  assert.equal(run.code, 2);
  assert.equal(run.document, undefined);
  assert.equal(run.stdout, "");
  assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
  assert.match(run.stderr, /^prodinsights sample-size: .*bogus/);
});

describe("runInsights on prediction logs", () => {
  let dir: string;
  let logs: GeneratedLogs;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-insights-"));
    logs = generateLogs({ dir: path.join(dir, "logs"), formats: ["jsonl"], malformed: false, days: 28, rowsPerDay: 300 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("relative --logs paths start at the given cwd, not the process's, and `now` anchors relative ranges", async () => {
    const argv = ["drift", "--logs", "logs/*.jsonl", "--model", "churn", "--baseline", "-28d..-21d", "--current", "-7d..now", "--json"];
    const run = await runInsights(argv, { cwd: dir, now: () => logs.facts.end });
    assert.equal(run.code, 0, run.stderr);
    const doc = run.document as { kind: string; features: { name: string; status: string; level?: string }[] };
    assert.equal(doc.kind, "drift");
    assert.equal(doc.features.find((f) => f.name === "tenure")?.level, "drift");
    assert.notEqual(process.cwd(), dir);
  });

  test("an aborted signal rejects with its reason, before or during the run", async () => {
    const argv = ["jumps", "--logs", "logs/*.jsonl", "--model", "churn", "--metric", "error_rate", "--json"];
    await assert.rejects(runInsights(argv, { cwd: dir, signal: AbortSignal.abort(new Error("closed")) }), /closed/);
    const controller = new AbortController();
    const pending = runInsights(argv, { cwd: dir, signal: controller.signal });
    controller.abort(new Error("refresh cancelled"));
    await assert.rejects(pending, /refresh cancelled/);
  });
});

describe("secrets from the env map", () => {
  let dir: string;
  let server: ReturnType<typeof createServer>;
  const seen: IncomingMessage["headers"][] = [];
  before(async () => {
    // A Prometheus API that records the headers it gets and answers an empty vector.
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-insights-env-"));
    mkdirSync(path.join(dir, "sub"));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    writeFileSync(path.join(dir, "prodinsights.yaml"), `backends:\n  prom:\n    url: ${url}\n    auth: {bearer: "\${env:PI_TEST_EDITOR_TOKEN}"}\nmodels:\n  churn:\n`);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test("${env:NAME} is looked up with the given `secrets`; without it the CLI says which variable is missing", async () => {
    assert.equal(process.env["PI_TEST_EDITOR_TOKEN"], undefined);
    const argv = ["query", "up", "--at", "now", "--config", "prodinsights.yaml", "--json"];
    const missing = await runInsights(argv, { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /names the environment variable PI_TEST_EDITOR_TOKEN, which is not set/);
    assert.equal(seen.length, 0);

    const run = await runInsights(argv, { cwd: dir, secrets: environmentSecrets({ PI_TEST_EDITOR_TOKEN: "from-editor" }) });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((run.document as { series: unknown[] }).series, []);
    assert.equal(seen.at(-1)?.authorization, "Bearer from-editor");
    assert.equal(process.env["PI_TEST_EDITOR_TOKEN"], undefined, "the process's environment is left alone");
  });

  test("a relative --config is found from the given cwd", async () => {
    const run = await runInsights(["query", "up", "--at", "now", "--config", "../prodinsights.yaml", "--json"], { cwd: path.join(dir, "sub"), secrets: environmentSecrets({ PI_TEST_EDITOR_TOKEN: "x" }) });
    assert.equal(run.code, 0, run.stderr);
  });
});

test("failureOf: the CLI's own reason, not the retry notices printed before it", () => {
  const retried = { code: 2, stdout: "", stderr: "retrying local in 0.1 s after: connection refused\nretrying local in 0.2 s after: connection refused\nprodinsights query: Prometheus API http://127.0.0.1:1: connection refused (after 3 attempts)\n" };
  assert.equal(failureOf(retried), "prodinsights query: Prometheus API http://127.0.0.1:1: connection refused (after 3 attempts)");
  assert.equal(failureOf({ code: 1, stdout: "", stderr: "\nTypeError: boom\n    at x\n" }), "TypeError: boom");
  assert.equal(failureOf({ code: 3, stdout: "", stderr: "" }), "exited with code 3");
});
