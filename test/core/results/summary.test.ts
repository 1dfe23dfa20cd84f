/**
 * The text/markdown summary of each result document: real documents from the CLI run in this
 * process (counts, sample size, and ab, drift and jumps over generated prediction logs), typed
 * literals for the kinds the CLI needs a backend for, and hostile label values that must stay text.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { analyzeAb } from "../../../src/core/ab/analyzeAb";
import type { AbResult } from "../../../src/core/results/ab";
import type { CanaryResult } from "../../../src/core/results/canary";
import type { DriftFeature, DriftResult } from "../../../src/core/results/drift";
import type { CompareResult, ReportDocument, RolloutReport, SampleSizeFigures, TimeseriesResult } from "../../../src/core/results/report";
import { escapeMarkdown, markdownSummary } from "../../../src/core/results/summary";
import { runInsights } from "../../../src/extension/production/insights";
import { generateLogs, type GeneratedLogs } from "../../support/generateLogs";

const HOSTILE = "<img src=x onerror=alert(1)>|*x*";

let dir = "";
let logs: GeneratedLogs;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "prodinsights-summary-"));
  logs = generateLogs({ dir, formats: ["jsonl"] });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `prodinsights <argv> --json` in this process: its document. */
async function cli<T>(argv: readonly string[]): Promise<T> {
  const run = await runInsights([...argv, "--json"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  return run.document as T;
}

const day = (d: number): string => new Date(logs.facts.start + d * 86400e3).toISOString().slice(0, 10);

/** `|` not escaped by an odd run of backslashes: the ones that delimit table cells. */
function cellDelimiters(line: string): number {
  return [...line.matchAll(/(\\*)\|/g)].filter((m) => m[1]!.length % 2 === 0).length;
}

/**
 * The summary, checked for what every summary must be: a bold first line, no raw HTML, no
 * non-numbers, and tables whose rows all have as many cells as their header.
 */
function summary(doc: ReportDocument): string {
  const text = markdownSummary(doc);
  const lines = text.split("\n");
  assert.match(lines[0]!, /^\*\*[^*]/, text);
  assert.doesNotMatch(text, /<[a-z/!?]/i, text);
  assert.doesNotMatch(text, /\b(NaN|undefined|Infinity|null)\b/, text);
  let width: number | undefined;
  for (const line of lines) {
    if (!line.startsWith("|")) {
      width = undefined;
      continue;
    }
    width ??= cellDelimiters(line);
    assert.equal(cellDelimiters(line), width, `a row with another number of cells:\n${line}\n\n${text}`);
  }
  return text;
}

/** The table row (a line of cells) whose first cell is `first`, as its cells. */
function row(text: string, first: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith(`| ${first} |`));
  assert.ok(line, `no row '${first}' in\n${text}`);
  return line
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

test("escapeMarkdown makes markup, HTML and line breaks plain text", () => {
  assert.equal(escapeMarkdown("plain text, 1.5 (ok)"), "plain text, 1.5 (ok)");
  assert.equal(escapeMarkdown("\\ ` * _ [ ] | # ~ $"), "\\\\ \\` \\* \\_ \\[ \\] \\| \\# \\~ \\$");
  assert.equal(escapeMarkdown(HOSTILE), "&lt;img src=x onerror=alert(1)&gt;\\|\\*x\\*");
  assert.equal(escapeMarkdown("a & b &lt;"), "a &amp; b &amp;lt;");
  assert.equal(escapeMarkdown("one\ntwo\r\nthree\rfour"), "one two three four");
  // A backslash at the end cannot escape the pipe that follows it in a table.
  assert.equal(cellDelimiters(`| ${escapeMarkdown("x\\")} | ${escapeMarkdown("|")} |`), 3);
});

test("ab over counts: the winner with its lift, interval and adjusted p, then one row per arm", async () => {
  const doc = await cli<AbResult>(["ab", "--counts", "control=100/1000,treatment=150/1000"]);
  const text = summary(doc);
  assert.equal(text.split("\n")[0], "**Winner: treatment** · +50.0% [+14.4%, +85.6%], adjusted p = 0.00072");
  assert.deepEqual(row(text, "arm"), ["arm", "units", "rate [95% CI]", "lift [95% CI]", "p (Holm)", "verdict"]);
  assert.deepEqual(row(text, "control"), ["control", "1,000", "10.0% [8.1%, 11.9%]", "baseline", "", ""]);
  assert.deepEqual(row(text, "treatment"), ["treatment", "1,000", "15.0% [12.8%, 17.2%]", "+50.0% [+14.4%, +85.6%]", "0.00072", "winner"]);
  assert.match(text, /Sample ratio check: p = 1\.0 \(ok\)/);
});

test("ab with empty arms is insufficient data, with the reason", async () => {
  const doc = await cli<AbResult>(["ab", "--counts", "control=0/0,treatment=0/0"]);
  assert.equal(doc.verdict, "insufficient-data");
  const text = summary(doc);
  assert.match(text.split("\n")[0]!, /^\*\*Insufficient data:\*\* .*no units/);
  assert.deepEqual(row(text, "control").slice(0, 3), ["control", "0", "insufficient data: no units"]);
  assert.match(row(text, "treatment").at(-1)!, /^insufficient data: arm 'control': no units$/);
});

test("ab with a sample ratio mismatch says so first and declares no winner", async () => {
  const doc = await cli<AbResult>(["ab", "--counts", "control=100/1000,treatment=200/1400"]);
  assert.equal(doc.srm.status === "ok" && doc.srm.flagged, true);
  const text = summary(doc);
  assert.match(text.split("\n")[0]!, /^\*\*Sample ratio mismatch: no winner declared\*\* · chi-square 66\.7, p = 3\.2e-16;/);
  assert.doesNotMatch(text, /Winner/);
  // Said once: the SRM warning of the document is not repeated in the list.
  assert.equal(text.match(/ratio mismatch/gi)?.length, 1, text);
});

test("sample-size: units per arm and in all, with the inputs", async () => {
  const figures = await cli<SampleSizeFigures>(["sample-size", "--baseline", "0.1", "--mde", "0.01"]);
  const text = summary({ kind: "samplesize", ...figures });
  assert.equal(
    text.split("\n")[0],
    "**14,751 units per arm, 29,502 in all** · to detect 10.0% → 11.0% (+1.00 pp, +10.0% relative) with power 80% at alpha 0.05, two-sided (two-proportion test).",
  );
  assert.deepEqual(row(text, "units per arm"), ["units per arm", "14,751 (exactly 14750.79)"]);
  assert.deepEqual(row(text, "units in all"), ["units in all", "29,502"]);
  assert.deepEqual(row(text, "baseline rate"), ["baseline rate", "10.00%"]);
  assert.deepEqual(row(text, "power"), ["power", "80%"]);
});

test("ab over prediction logs: the planted winner", async () => {
  const doc = await cli<AbResult>(["ab", "--logs", "churn.jsonl", "--experiment", "checkout", "--metric", "conversion"]);
  const text = summary(doc);
  assert.match(text.split("\n")[0]!, /^\*\*Winner: treatment\*\* · \+\d+\.\d% \[\+\d+\.\d%, \+\d+\.\d%\], adjusted p = /);
  const { control, treatment } = logs.facts.experiment.arms;
  assert.equal(row(text, "control")[1], control.trials.toLocaleString("en-US"));
  assert.equal(row(text, "treatment")[1], treatment.trials.toLocaleString("en-US"));
  assert.equal(row(text, "treatment").at(-1), "winner");
});

test("drift over prediction logs: drifted features first, with method, distance and level", async () => {
  const doc = await cli<DriftResult>(["drift", "--logs", "churn.jsonl", "--model", "churn", "--baseline", `${day(0)}..${day(7)}`, "--current", `${day(21)}..${day(28)}`]);
  const text = summary(doc);
  const verdict = doc.verdict === "drift" ? "Dataset drift" : doc.verdict === "possible" ? "Possible dataset drift" : "No dataset drift";
  assert.match(text.split("\n")[0]!, new RegExp(`^\\*\\*${verdict}\\*\\* · ${doc.counts.drift} of ${doc.tested} features drifted`));
  const tenure = row(text, "tenure");
  assert.equal(tenure[1], "wasserstein");
  assert.equal(tenure.at(-1), "**drift**");
  const feature = doc.features.find((f) => f.name === "tenure");
  assert.ok(feature?.status === "ok");
  assert.equal(tenure[3], Number(feature.score.toPrecision(3)).toString());
  // Names are escaped: has_partner reads as has\_partner in the source, has_partner when rendered.
  assert.equal(row(text, "has\\_partner").at(-1), "none");
  const order = text.split("\n").filter((l) => /^\| [^-|]/.test(l) && !l.startsWith("| feature")).map((l) => l.endsWith("| **drift** |"));
  assert.deepEqual(order, [...order].sort((a, b) => Number(b) - Number(a)), "drifted features come first");
});

test("jumps over prediction logs: worse after v2, no change at v3", async () => {
  const doc = await cli<ReportDocument>(["jumps", "--logs", "churn.jsonl", "--model", "churn", "--metric", "error_rate"]);
  const text = summary(doc);
  assert.match(text.split("\n")[0]!, /^\*\*error\\_rate got worse after v2\*\* · v2: \+\d\.\d\d pp \[\+\d\.\d\d pp, \+\d\.\d\d pp\], adjusted p = /);
  const v2 = row(text, "v2");
  assert.match(v2[2]!, /^1\.\d\d% → 2\.\d\d%$/);
  assert.equal(v2.at(-1), "**worse**");
  assert.equal(row(text, "v3").at(-1), "no significant change");
  assert.match(text, /Trend over \d+ buckets: /);
  assert.match(text, /^- Warning: /m);
});

test("a hostile arm name from the logs stays text in the verdict and the table", async () => {
  const lines = Array.from({ length: 400 }, (_, i) =>
    JSON.stringify({
      ts: new Date(logs.facts.start + i * 60_000).toISOString(),
      model: "m",
      version: "v1",
      unit: `u${i}`,
      experiment: "hostile",
      arm: i % 2 === 0 ? "control" : HOSTILE,
      outcome: i % 2 === 0 ? i % 20 === 0 : i % 4 === 1,
    }),
  );
  writeFileSync(path.join(dir, "hostile.jsonl"), `${lines.join("\n")}\n`);
  const doc = await cli<AbResult>(["ab", "--logs", "hostile.jsonl", "--experiment", "hostile"]);
  assert.equal(doc.winner, HOSTILE);
  const text = summary(doc);
  const escaped = "&lt;img src=x onerror=alert(1)&gt;\\|\\*x\\*";
  assert.ok(text.split("\n")[0]!.startsWith(`**Winner: ${escaped}** · `), text);
  assert.equal(row(text, escaped).length, 6);
  assert.ok(!text.includes("<img"), text);
});

/** A numeric drift feature at a level, by a distance. */
function distanceFeature(name: string, score: number, level: "none" | "possible" | "drift"): DriftFeature {
  return {
    name,
    n: { baseline: 1000, current: 900 },
    status: "ok",
    dataKind: "numeric",
    columnType: "numeric",
    method: "wasserstein",
    methodSource: "default",
    score,
    threshold: 0.1,
    comparedWith: "score",
    possibleBound: 0.05,
    level,
    histogram: { kind: "numeric", bins: [{ upper: 1 }, { lower: 1 }], baseline: [500, 500], current: [400, 500] },
  };
}

test("drift: tests show statistic and p, at most 20 rows, and the rest counted by level", () => {
  const features: DriftFeature[] = [
    ...Array.from({ length: 22 }, (_, i) => distanceFeature(`f${i}`, 0.01, "none")),
    {
      name: HOSTILE,
      n: { baseline: 500, current: 400 },
      status: "ok",
      dataKind: "numeric",
      columnType: "numeric",
      method: "ks",
      methodSource: "default",
      score: 0.2,
      statistic: 0.2,
      pValue: 1e-20,
      threshold: 0.05,
      comparedWith: "pValue",
      possibleBound: 0.1,
      level: "drift",
      histogram: { kind: "numeric", bins: [{ upper: 1 }, { lower: 1 }], baseline: [250, 250], current: [100, 300] },
    },
    distanceFeature("maybe", 0.07, "possible"),
    { name: "empty\nfeature", n: { baseline: 0, current: 3 }, status: "insufficient-data", reason: "no values in the baseline window" },
  ];
  const doc: DriftResult = {
    kind: "drift",
    verdict: "none",
    driftShare: 0.5,
    shareDrifted: 1 / 24,
    shareAtLeastPossible: 2 / 24,
    tested: 24,
    counts: { none: 22, possible: 1, drift: 1, insufficientData: 1 },
    features,
    warnings: ["feature 'empty\nfeature' has no values in the baseline window"],
  };
  const text = summary(doc);
  assert.match(text.split("\n")[0]!, /^\*\*No dataset drift\*\* · 1 of 24 features drifted \(4%\), 1 possibly; the dataset counts as drifted at 50%; 1 could not be tested$/);
  const rows = text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| feature"));
  assert.equal(rows.length, 20);
  assert.deepEqual(row(text, escapeMarkdown(HOSTILE)), [escapeMarkdown(HOSTILE), "ks", "0.2", "p &lt; 1e-16", "p &lt; 0.05", "**drift**"]);
  assert.deepEqual(row(text, "maybe").slice(1), ["wasserstein", "", "0.07", "≥ 0.1", "possible"]);
  assert.ok(rows[0]!.startsWith(`| ${escapeMarkdown(HOSTILE)} |`) && rows[1]!.startsWith("| maybe |"), text);
  // 25 features: 20 shown (drift, possible, 18 none), 5 left out (4 none, the insufficient one).
  assert.match(text, /^… and 5 more features: 4 none, 1 insufficient data\.$/m);
  assert.match(text, /^- Warning: feature 'empty feature' has no values in the baseline window$/m);
});

test("drift with nothing tested is insufficient data, with the reason", () => {
  const doc: DriftResult = {
    kind: "drift",
    verdict: "insufficient-data",
    driftShare: 0.5,
    tested: 0,
    counts: { none: 0, possible: 0, drift: 0, insufficientData: 1 },
    features: [{ name: "tenure", n: { baseline: 0, current: 0 }, status: "insufficient-data", reason: "no values in either window" }],
    warnings: [],
  };
  const text = summary(doc);
  assert.equal(text.split("\n")[0], "**Insufficient data:** no feature could be tested (no values in either window)");
  assert.deepEqual(row(text, "tenure"), ["tenure", "", "", "", "", "insufficient data: no values in either window"]);
});

test("timeseries: each series by its labels with points, first, last, min and max, at most 20", () => {
  const t0 = Date.UTC(2026, 9, 1);
  const doc: TimeseriesResult = {
    kind: "timeseries",
    query: 'sum by (version) (rate(model_requests_total{model="churn"}[5m]))',
    series: [
      { labels: { version: "v1" }, points: [3, 1, 4, 1.5].map((v, i) => ({ t: t0 + i * 60_000, v })) },
      { labels: { version: HOSTILE }, points: [{ t: t0, v: 0 }] },
      { labels: {}, points: [] },
      ...Array.from({ length: 22 }, (_, i) => ({ labels: { version: `x${i}` }, points: [{ t: t0, v: i }] })),
    ],
    releases: [{ t: t0 + 60_000, label: "v2 <b>" }],
  };
  const text = summary(doc);
  assert.equal(text.split("\n")[0], '**25 series, 27 points** · sum by (version) (rate(model\\_requests\\_total{model="churn"}\\[5m\\]))');
  assert.deepEqual(row(text, '{version="v1"}'), ['{version="v1"}', "4", "3", "1.5", "1", "4"]);
  assert.deepEqual(row(text, `{version="${escapeMarkdown(HOSTILE)}"}`).slice(1), ["1", "0", "0", "0", "0"]);
  assert.deepEqual(row(text, "(no labels)"), ["(no labels)", "0", "", "", "", ""]);
  assert.match(text, /^… and 5 more series\.$/m);
  assert.match(text, /^Releases: v2 &lt;b&gt; at 2026-10-01T00:01Z\.$/m);
  assert.equal(summary({ kind: "timeseries", query: "up", series: [] }).split("\n")[0], "**No data:** the query returned no series · up");
});

test("compare: each metric's versions, difference, p and verdict, and the distributions", () => {
  const errors = analyzeAb(
    [
      { name: "v2", successes: 100, trials: 10_000 },
      { name: "v3", successes: 300, trials: 10_000 },
    ],
    { direction: "lower" },
  );
  const empty = analyzeAb([
    { name: "v2", successes: 0, trials: 0 },
    { name: "v3", successes: 5, trials: 50 },
  ]);
  const doc: CompareResult = {
    kind: "compare",
    model: "churn",
    baseline: "v2",
    candidate: "v3",
    metrics: [
      { metric: "error_rate", arms: [{ name: "v2", successes: 100, trials: 10_000 }, { name: "v3", successes: 300, trials: 10_000 }], result: errors, warnings: [] },
      { metric: "conversion", arms: [{ name: "v2", successes: 0, trials: 0 }, { name: "v3", successes: 5, trials: 50 }], result: empty, warnings: ["no outcomes for v2"] },
    ],
    distributions: [
      {
        metric: "latency",
        quantile: 0.95,
        baseline: { version: "v2", n: 5000, value: 0.081 },
        candidate: { version: "v3", n: 5000, value: 0.079 },
        probabilityHigher: 0.49,
        pValue: 0.3,
        verdict: "no significant difference",
        sentence: "no significant difference",
      },
    ],
    skipped: [{ metric: "drift_score", reason: "not a proportion, mean or quantile" }],
  };
  const text = summary(doc);
  assert.equal(text.split("\n")[0], "**v3 worse than v2 on error\\_rate** · model churn");
  assert.deepEqual(row(text, "metric"), ["metric", "v2 (baseline)", "v3", "difference [CI]", "p", "verdict"]);
  const e = row(text, "error\\_rate");
  assert.deepEqual(e.slice(0, 3), ["error\\_rate", "1.00% (n 10,000)", "3.00% (n 10,000)"]);
  assert.match(e[3]!, /^\+2\.00 pp \[\+1\.\d\d pp, \+2\.\d\d pp\] \(\+200\.0%\)$/);
  assert.equal(e.at(-1), "**worse**");
  assert.match(row(text, "conversion").at(-1)!, /^insufficient data: /);
  assert.deepEqual(row(text, "latency"), ["latency", "p95", "0.081 (n 5,000)", "0.079 (n 5,000)", "0.490", "0.30", "no significant difference"]);
  assert.match(text, /^- drift\\_score: skipped \(not a proportion, mean or quantile\)$/m);
  assert.match(text, /^- Warning: conversion: no outcomes for v2$/m);
});

const T0 = Date.UTC(2026, 9, 1, 12);

const rolledBack: CanaryResult = {
  kind: "canary",
  status: "rolled-back",
  step: 1,
  weight: 0,
  checks: [
    {
      t: T0 + 600_000,
      step: 0,
      outcome: "pass",
      metrics: [{ metric: "error_rate", verdict: "pass", method: "two-proportion", n: [5000, 260], difference: 0.001, pValue: 0.7, reason: "error_rate 1.1% vs 1.0% (+0.10 pp), p = 0.70" }],
    },
    {
      t: T0 + 1_200_000,
      step: 1,
      outcome: "fail",
      metrics: [
        { metric: "error_rate", verdict: "fail", method: "two-proportion", n: [5000, 1250], difference: 0.021, pValue: 3e-8, reason: "error_rate 3.1% vs 1.0% (+2.10 pp), p = 3.0e-8: worse beyond the 0.5 pp allowed" },
        { metric: "latency|p95", verdict: "inconclusive", n: [0, 0], reason: "no latency data" },
      ],
    },
  ],
  decisions: [
    { t: T0, action: { type: "set-weight", weight: 5 }, reasons: ["step 1 of 3"] },
    { t: T0 + 600_000, action: { type: "set-weight", weight: 25 }, reasons: ["step 1 passed"] },
    { t: T0 + 1_200_000, action: { type: "rollback" }, reasons: ["error_rate failed at step 2"] },
  ],
};

test("canary: status and the failed step first, then the last check of each step and the decisions", () => {
  const text = summary(rolledBack);
  assert.equal(text.split("\n")[0], "**Canary rolled back** · step 2 failed: fail (error\\_rate)");
  assert.deepEqual(row(text, "2").slice(0, 6), ["2", "error\\_rate", "**fail**", "5,000 / 1,250", "+2.10 pp", "3.0e-8"]);
  assert.deepEqual(row(text, "1").slice(0, 3), ["1", "error\\_rate", "pass"]);
  assert.ok(text.includes("| 2 | latency\\|p95 | inconclusive | 0 / 0 |   |   | no latency data |"), text);
  assert.ok(text.includes("| 2026-10-01T12:20Z | **roll back** | error\\_rate failed at step 2 |"), text);
  const running: CanaryResult = { ...rolledBack, status: "running", step: 1, weight: 25, checks: rolledBack.checks.slice(0, 1), decisions: rolledBack.decisions.slice(0, 2) };
  assert.equal(summary(running).split("\n")[0], "**Canary running: step 2, 25% of traffic** · last check (step 1): pass");
  const pending: CanaryResult = { kind: "canary", status: "pending", step: -1, weight: 0, checks: [], decisions: [] };
  const text2 = summary(pending);
  assert.equal(text2.split("\n")[0], "**Canary pending** · no step started, no checks yet");
  assert.match(text2, /^No checks yet\.$/m);
});

test("rollout: routing, the canary's steps and the shadow, with hostile versions escaped", () => {
  const doc: RolloutReport = {
    kind: "rollout",
    model: "churn",
    provider: "gateway",
    stable: "v2",
    weights: [
      { version: "v2", weight: 75 },
      { version: HOSTILE, weight: 25 },
    ],
    shadow: { version: "v4", share: 10 },
    canary: {
      version: HOSTILE,
      baseline: "v2",
      steps: [5, 25, 50],
      active: true,
      result: { ...rolledBack, status: "running", step: 1, weight: 25, checks: rolledBack.checks.slice(0, 1), decisions: rolledBack.decisions.slice(0, 2) },
    },
  };
  const text = summary(doc);
  const hostile = escapeMarkdown(HOSTILE);
  assert.equal(text.split("\n")[0], `**churn: canary ${hostile} against v2 running: step 2, 25% of traffic** · last check (step 1): pass`);
  assert.deepEqual(row(text, "v2"), ["v2", "75%", "stable"]);
  assert.deepEqual(row(text, hostile), [hostile, "25%", "canary"]);
  assert.match(text, /Shadow: v4 receives a copy of 10% of requests/);
  assert.deepEqual(row(text, "step"), ["step", "weight", "state", "last check", "checks"]);
  assert.ok(text.includes("| 1 | 5% | done | pass | 1 |"), text);
  assert.ok(text.includes("| 2 | 25% | **current** |   | 0 |"), text);
  assert.ok(text.includes("| 3 | 50% | pending |   | 0 |"), text);
  assert.ok(!text.includes("<img"), text);
  const plain: RolloutReport = { kind: "rollout", model: "fraud", provider: "argo", stable: "f1", weights: [{ version: "f1", weight: 100 }] };
  assert.equal(summary(plain).split("\n")[0], "**fraud: f1 stable** · no canary has run, on argo");
});
