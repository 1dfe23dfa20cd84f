/**
 * drift, jumps and ab over prediction logs, end to end: the built CLI in a child process reads
 * logs that test/support/generateLogs.ts writes with known facts, and must find exactly those.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { AbResult } from "../../src/core/results/ab";
import type { DriftResult } from "../../src/core/results/drift";
import type { JumpsResult } from "../../src/core/results/jumps";
import { generateLogs, type GeneratedLogs } from "../support/generateLogs";

/** What --json prints over logs: the document and where it came from. */
type WithSource<T> = T & { source: { rowsSkipped: number; skipped: { file: string; line: number }[] } };

const cli = path.resolve(__dirname, "../../dist/cli.js");
let dir = "";
let logs: GeneratedLogs;

function run(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60_000, cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(args: readonly string[]): WithSource<T> {
  const r = run([...args, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as WithSource<T>;
}

/** Each feature's level, or its status when it has none. */
function levels(doc: DriftResult): Record<string, string> {
  return Object.fromEntries(doc.features.map((f) => [f.name, f.status === "ok" ? f.level : f.status]));
}

const day = (d: number) => new Date(logs.facts.start + d * 86400e3).toISOString().slice(0, 10);

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-logs-"));
  logs = generateLogs({ dir, formats: ["jsonl", "csv"] });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("drift finds the drifting feature (and the prediction that follows it) and nothing else", () => {
  const doc = json<DriftResult>(["drift", "--logs", "churn.jsonl", "--model", "churn", "--baseline", `${day(0)}..${day(7)}`, "--current", `${day(21)}..${day(28)}`]);
  const level = levels(doc);
  assert.equal(level[logs.facts.drift.feature], "drift");
  for (const name of logs.facts.drift.alsoDrifts) assert.equal(level[name], "drift", name);
  for (const name of logs.facts.drift.stable) assert.equal(level[name], "none", name);
  assert.equal(doc.source.rowsSkipped, logs.facts.malformed.jsonl.length);
  assert.deepEqual(
    doc.source.skipped.map((s) => s.line),
    logs.facts.malformed.jsonl.map((m) => m.line),
  );
});

test("drift before the drift day finds none, and relative ranges count back from --now", () => {
  const now = `${day(14)}T00:00Z`;
  const doc = json<DriftResult>(["drift", "--logs", "churn.csv", "--model", "churn", "--now", now, "--baseline", "-14d..-7d", "--current", "-7d..now"]);
  assert.equal(doc.verdict, "none");
  assert.ok(Object.values(levels(doc)).every((l) => l === "none"), JSON.stringify(levels(doc)));
});

test("the drift table names each feature and reports the skipped lines", () => {
  const r = run(["drift", "--logs", "churn.jsonl", "--model", "churn", "--baseline", `${day(0)}..${day(7)}`, "--current", `${day(21)}..${day(28)}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^tenure\s+wasserstein\s+[\d.]+\s+≥ 0\.1\s+DRIFT/m);
  const first = logs.facts.malformed.jsonl[0]!;
  assert.match(r.stdout, new RegExp(`Skipped ${logs.facts.malformed.jsonl.length} malformed records:\\n  \\S*churn\\.jsonl:${first.line}: `));
});

test("jumps finds the v2 error-rate jump and no jump at v3", () => {
  const doc = json<JumpsResult>(["jumps", "--logs", "churn.jsonl", "--model", "churn", "--metric", "error_rate"]);
  const [v2, v3] = ["v2", "v3"].map((v) => {
    const jump = doc.jumps.find((j) => j.version === v);
    assert.ok(jump?.status === "ok", `${v}: ${JSON.stringify(jump)}`);
    return jump;
  });
  assert.equal(v2!.significant, true);
  assert.equal(v2!.direction, "worse");
  assert.ok(v2!.difference.ci[0] > 0);
  assert.equal(v3!.significant, false);
  assert.equal(v2!.t, logs.facts.releases.v2.t);
  assert.equal(v3!.t, logs.facts.releases.v3.t);
});

test("ab over logs finds the experiment's lift with the planted counts", () => {
  const doc = json<AbResult>(["ab", "--logs", "churn.jsonl", "--experiment", "checkout", "--metric", "conversion"]);
  const { control, treatment } = logs.facts.experiment.arms;
  assert.deepEqual(
    doc.arms.map((a) => [a.name, a.n]),
    [
      ["control", control.trials],
      ["treatment", treatment.trials],
    ],
  );
  const c = doc.comparisons[0];
  assert.ok(c?.status === "ok" && c.relative.status === "ok", JSON.stringify(c));
  assert.equal(c.verdict, "winner");
  // The planted lift (10% -> 12%) lies inside both intervals.
  const { control: p0, treatment: p1 } = logs.facts.experiment.plantedRates;
  assert.ok(c.absolute.ci[0] < p1 - p0 && p1 - p0 < c.absolute.ci[1], `${JSON.stringify(c.absolute)} vs ${p1 - p0}`);
  assert.ok(c.relative.ci[0] < p1 / p0 - 1 && p1 / p0 - 1 < c.relative.ci[1], `${JSON.stringify(c.relative)} vs ${p1 / p0 - 1}`);
  assert.equal(doc.winner, "treatment");
  const r = run(["ab", "--logs", "churn.jsonl", "--experiment", "checkout"]);
  assert.match(r.stdout, /^treatment\s+[\d,]+\s+[\d,]+\s+[\d.]+% ±[\d.]+%\s+\+[\d.]+%/m);
});

test("log mistakes are one-line usage errors", () => {
  const usage = (args: string[], message: RegExp) => {
    const r = run(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, message);
  };
  usage(["drift", "--logs", "nothing-*.jsonl", "--baseline", "-2d..-1d", "--current", "-1d..now"], /no log files match 'nothing-\*\.jsonl'/);
  usage(["drift", "--logs", "churn.jsonl", "--baseline", "-2d..-1d", "--current", "-1d..now"], /no feature values in the windows .* the matched rows span 2026-10-01/);
  usage(["drift", "--logs", "churn.jsonl", "--baseline", "-2d", "--current", "-1d..now"], /--baseline '-2d' must be START..END/);
  usage(["jumps", "--logs", "churn.jsonl", "--metric", "happiness"], /--metric must be one of error_rate/);
  usage(["jumps", "--logs", "churn.jsonl", "--bucket", "soon"], /--bucket 'soon' must be a duration/);
  usage(["ab", "--logs", "churn.jsonl", "--experiment", "nope"], /no rows of experiment 'nope'/);
  usage(["ab", "--logs", "churn.jsonl"], /--experiment is required/);
  usage(["ab", "--counts", "A=1/2,B=1/2", "--logs", "churn.jsonl"], /either --counts .* or --logs/);
});

test("a hostile model name is data, not a problem", () => {
  const r = run(["jumps", "--logs", "churn.jsonl", "--model", "<script>alert(1)</script>", "--json"]);
  // One row of that model: too little for any analysis, but an answer, not a crash.
  assert.ok(r.code === 0 || r.code === 2, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
});

test("progress goes to stderr only when it is a terminal, and is cleared at the end", async () => {
  const { runCli } = await import("../../src/cli/run");
  for (const tty of [true, false]) {
    let stderr = "";
    let stdout = "";
    const code = await runCli(["jumps", "--logs", path.join(dir, "churn.jsonl"), "--model", "churn"], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readStdin: async () => undefined,
      stdoutIsTty: false,
      stderrIsTty: tty,
      now: () => logs.facts.end,
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^v2 /m);
    if (tty) {
      assert.match(stderr, /^\rscanning logs: \d+% \([\d.]+ of [\d.]+ MB\)/);
      assert.ok(stderr.endsWith("\r\x1b[K"), JSON.stringify(stderr.slice(-40)));
    }
    else assert.equal(stderr, "");
  }
});
