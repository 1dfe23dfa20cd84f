/**
 * Running notebook cells through the CLI in this process, with no backend: counts, sample sizes
 * and generated prediction logs. The outcome is a result document under its MIME type with a
 * Markdown summary and a stamp (range, config hash, git commit, command), help text, or an error
 * placed in the cell.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { parseConfig } from "../../../src/config/load";
import type { AbResult } from "../../../src/core/results/ab";
import type { DriftResult } from "../../../src/core/results/drift";
import type { JumpsResult } from "../../../src/core/results/jumps";
import type { ResultStamp, SampleSizeResult } from "../../../src/core/results/report";
import type { NotebookSettings } from "../../../src/extension/notebook/notebookFile";
import { gitCommit, resultMime, runCell, stampLine, type CellOutcome, type RunCellOptions } from "../../../src/extension/notebook/runCell";
import { generateLogs, type GeneratedLogs } from "../../support/generateLogs";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const SETTINGS: NotebookSettings = { range: "-1d..now" };
const CONFIG = "backends:\n  prod:\n    url: http://prom:9090/\nmodels:\n  churn:\n";

const scratch: string[] = [];
/** A new empty folder, removed after the tests. */
function folder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `prodinsights-cell-${prefix}-`));
  scratch.push(dir);
  return dir;
}
after(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function insights(source: string, options: Partial<RunCellOptions> = {}, settings: NotebookSettings = SETTINGS): Promise<CellOutcome> {
  return runCell("prodinsights", source, settings, { cwd: options.cwd ?? folder("plain"), now: NOW, ...options });
}

type Result = Extract<CellOutcome, { kind: "result" }>;
type Failure = Extract<CellOutcome, { kind: "error" }>;

function result(outcome: CellOutcome): Result {
  assert.equal(outcome.kind, "result", JSON.stringify(outcome));
  return outcome as Result;
}

function failure(outcome: CellOutcome): Failure {
  assert.equal(outcome.kind, "error", JSON.stringify(outcome).slice(0, 500));
  return outcome as Failure;
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/**
 * The stamp line reads as Markdown with no raw HTML: one line, `<sub>…</sub>` around escaped text
 * (no `<` or `>` of its own) and one code span, in which CommonMark shows `<` as text.
 */
function assertNoRawHtml(line: string): void {
  assert.equal(line.includes("\n") || line.includes("\r"), false, `one line: ${JSON.stringify(line)}`);
  const m = /^<sub>(.*) · `([^`]*)`<\/sub>$/.exec(line);
  assert.ok(m, `<sub>parts · \`command\`</sub>: ${line}`);
  assert.doesNotMatch(m[1]!, /[<>]/, "the parts outside the code span have no markup of their own");
}

describe("a sample-size cell", () => {
  let outcome: Result;
  before(async () => {
    outcome = result(await insights("sample-size --baseline 0.1 --mde 0.01"));
  });

  test("gives the figures under the samplesize MIME type, with the kind the CLI leaves out", () => {
    assert.equal(outcome.mime, "application/vnd.prodinsights.samplesize+json");
    assert.equal(outcome.mime, resultMime("samplesize"));
    const doc = outcome.document as SampleSizeResult;
    assert.equal(doc.kind, "samplesize");
    assert.deepEqual([doc.perArm, doc.total], [14751, 29502]);
  });

  test("stamps when it ran and the command; no range, which sample-size does not take", () => {
    assert.deepEqual(outcome.stamp, {
      ranAt: "2026-11-26T12:00:00.000Z",
      command: "prodinsights sample-size --baseline 0.1 --mde 0.01 --json",
    });
    assert.ok(outcome.stamp.command.startsWith("prodinsights sample-size"));
    assert.deepEqual((outcome.document as { stamp?: ResultStamp }).stamp, outcome.stamp, "the document carries its stamp");
  });

  test("the Markdown summary has the per-arm number and ends with the stamp line", () => {
    assert.match(outcome.markdown, /14,751 units per arm/);
    assert.ok(outcome.markdown.endsWith(`\n\n${stampLine(outcome.stamp)}\n`), outcome.markdown);
    assert.match(stampLine(outcome.stamp), /no prodinsights\.yaml · not in git · `prodinsights sample-size --baseline 0\.1 --mde 0\.01 --json`<\/sub>$/);
  });
});

describe("an ab --counts cell", () => {
  test("gives the A/B document, and the stamp's command can be pasted into a shell", async () => {
    const outcome = result(await insights(`ab --counts "control=100/1000,treatment=150/1000"`, {}, { range: "-7d..now", backend: "prod" }));
    assert.equal(outcome.mime, "application/vnd.prodinsights.ab+json");
    const doc = outcome.document as AbResult;
    assert.equal(doc.kind, "ab");
    assert.deepEqual(
      doc.arms.map((a) => [a.name, a.n]),
      [
        ["control", 1000],
        ["treatment", 1000],
      ],
    );
    assert.equal(doc.winner, "treatment");
    assert.match(outcome.markdown, /^\*\*Winner: treatment\*\*/);
    assert.equal(outcome.stamp.command, "prodinsights ab --counts control=100/1000,treatment=150/1000 --json");
    // Counts take neither the notebook's range nor its backend: the stamp names neither.
    assert.deepEqual([outcome.stamp.range, outcome.stamp.start, outcome.stamp.backend], [undefined, undefined, undefined]);
  });

  test("words with spaces or quotes are shell-quoted in the stamp's command", async () => {
    const outcome = result(await insights(`ab --counts "Original Page=378/3662,it's B=462/3568"`));
    assert.equal(outcome.stamp.command, `prodinsights ab --counts 'Original Page=378/3662,it'\\''s B=462/3568' --json`);
  });
});

describe("cells over generated prediction logs", () => {
  let dir: string;
  let logs: GeneratedLogs;
  before(() => {
    dir = folder("logs");
    logs = generateLogs({ dir, formats: ["jsonl"], malformed: false });
  });

  test("ab --logs finds the planted winner", async () => {
    const outcome = result(await insights("ab --logs churn.jsonl --experiment checkout", { cwd: dir, now: logs.facts.end }));
    assert.equal(outcome.mime, resultMime("ab"));
    const doc = outcome.document as AbResult;
    assert.deepEqual(
      doc.arms.map((a) => [a.name, a.n]),
      [
        ["control", logs.facts.experiment.arms.control.trials],
        ["treatment", logs.facts.experiment.arms.treatment.trials],
      ],
    );
    assert.equal(outcome.stamp.command, "prodinsights ab --logs churn.jsonl --experiment checkout --json", "no --range or --backend added to a logs cell");
    assert.match(outcome.markdown, /\| treatment \|/);
  });

  test("drift --logs finds the drifting feature, relative windows counted back from the run's clock", async () => {
    const outcome = result(
      await insights("drift --logs 'churn.jsonl' --model churn \\\n  --baseline -28d..-21d --current -7d..now", { cwd: dir, now: logs.facts.end }),
    );
    assert.equal(outcome.mime, "application/vnd.prodinsights.drift+json");
    const doc = outcome.document as DriftResult;
    assert.equal(doc.kind, "drift");
    const tenure = doc.features.find((f) => f.name === logs.facts.drift.feature);
    assert.ok(tenure?.status === "ok" && tenure.level === "drift", JSON.stringify(tenure));
    assert.match(outcome.markdown, /tenure/);
    assert.equal(outcome.stamp.ranAt, new Date(logs.facts.end).toISOString());
  });

  test("jumps --logs finds the v2 jump, written either way round", async () => {
    for (const source of ["jumps --logs churn.jsonl --model churn --metric error_rate", "prodinsights jumps --logs churn.jsonl error_rate --model churn"]) {
      const outcome = result(await insights(source, { cwd: dir, now: logs.facts.end }));
      assert.equal(outcome.mime, "application/vnd.prodinsights.jumps+json");
      const doc = outcome.document as JumpsResult;
      const v2 = doc.jumps.find((j) => j.version === "v2");
      assert.ok(v2?.status === "ok" && v2.significant, `${source}: ${JSON.stringify(v2)}`);
    }
  });

  test("a logs cell that finds no rows is an error of the command, not of the cell", async () => {
    const outcome = failure(await insights("ab --logs churn.jsonl --experiment nope", { cwd: dir }));
    assert.equal(outcome.name, "ab failed");
    assert.match(outcome.message, /no rows of experiment 'nope'/);
  });
});

describe("help and mistakes", () => {
  test("--help gives the command's help as text", async () => {
    const outcome = await insights("ab --help");
    assert.equal(outcome.kind, "text");
    const text = (outcome as Extract<CellOutcome, { kind: "text" }>).text;
    assert.match(text, /^Did my experiment win\?/);
    assert.match(text, /Usage: prodinsights ab --counts/);
    assert.match(text, /--counts V/);
  });

  test("a usage mistake on a one-line cell is placed at its column, with a caret", async () => {
    const outcome = failure(await insights("sample-size --baseline 0.1 --mde abc"));
    assert.deepEqual(outcome, {
      kind: "error",
      name: "sample-size failed",
      message: "column 34: --mde must be a number, got 'abc'",
      excerpt: "sample-size --baseline 0.1 --mde abc\n                                 ^",
    });
  });

  test("an unknown option on the second line is placed at its line and column", async () => {
    const outcome = failure(await insights("sample-size --baseline 0.1 \\\n  --mde 0.01 --foo"));
    assert.equal(outcome.message, "line 2, column 14: Unknown option '--foo'. See 'prodinsights sample-size --help'.");
    assert.equal(outcome.excerpt, "  --mde 0.01 --foo\n             ^");
  });

  test("a message that names a flag is placed at the flag", async () => {
    const outcome = failure(await insights("drift --logs x.jsonl --model churn --threshold 0.2"));
    assert.equal(outcome.message, "column 36: --threshold goes with --method");
  });

  test("a cell the kernel refuses is a cell error, placed", async () => {
    assert.deepEqual(await insights("# a comment\n  canary run churn"), {
      kind: "error",
      name: "Cell error",
      message: "line 2, column 3: 'canary' is not a command a notebook runs; these are: ab, drift, jumps, sample-size, compare, query",
      excerpt: "  canary run churn\n  ^",
    });
    const quote = failure(await insights("ab --counts 'A=1/2"));
    assert.equal(quote.message, "column 13: this single quote is never closed");
    const language = failure(await runCell("python", "print(1)", SETTINGS, { cwd: folder("plain") }));
    assert.equal(language.name, "Cell error");
    assert.match(language.message, /^column 1: this kernel runs PromQL and Insights cells, not python/);
  });

  test("a broken prodinsights.yaml: the headline is the message, its problems the details", async () => {
    const dir = folder("broken");
    writeFileSync(path.join(dir, "prodinsights.yaml"), "backends:\n  prod:\n    url: localhost:9090\nmodles: {}\n");
    const outcome = failure(await insights("ab checkout", { cwd: dir }));
    assert.equal(outcome.name, "ab failed");
    assert.equal(outcome.message, "prodinsights.yaml has 2 problems:");
    const lines = outcome.excerpt!.split("\n");
    assert.equal(lines.length, 2, outcome.excerpt);
    assert.match(lines[0]!, /^prodinsights\.yaml:3:10: backends\.prod\.url: /);
    assert.match(lines[1]!, /^prodinsights\.yaml:4:1: modles: unknown key 'modles'/);
  });

  test("a promql cell without a config says so, without a place", async () => {
    const outcome = failure(await runCell("promql", "up", SETTINGS, { cwd: folder("plain"), now: NOW }));
    assert.equal(outcome.name, "query failed");
    assert.match(outcome.message, /^no prodinsights\.yaml here or in a folder above/);
    assert.equal(outcome.excerpt, undefined);
  });

  // `stats` reads its input from stdin, which a cell does not have: notebooks do not run it.
  test("a `stats welch` cell is refused as a command notebooks do not run", async () => {
    const outcome = await insights("stats welch");
    assert.equal(outcome.kind, "error");
    assert.match(outcome.kind === "error" ? outcome.message : "", /^column 1: 'stats' is not a command a notebook runs; these are: ab, drift, jumps, sample-size, compare, query$/);
  });
});

describe("the stamp's config hash and commit", () => {
  test("a folder with a prodinsights.yaml stamps its hash (12 hex digits)", async () => {
    const dir = folder("config");
    writeFileSync(path.join(dir, "prodinsights.yaml"), CONFIG);
    const outcome = result(await insights("sample-size --baseline 0.1 --mde 0.01", { cwd: dir }));
    assert.match(outcome.stamp.configHash ?? "", /^[0-9a-f]{12}$/);
    assert.equal(outcome.stamp.configHash, parseConfig(CONFIG).config!.hash);
    assert.match(outcome.markdown, new RegExp(`config ${outcome.stamp.configHash}`));
  });

  test("the nearest prodinsights.yaml above the notebook's folder counts", async () => {
    const dir = folder("config-above");
    writeFileSync(path.join(dir, "prodinsights.yaml"), CONFIG);
    const sub = path.join(dir, "notebooks", "q4");
    mkdirSync(sub, { recursive: true });
    const outcome = result(await insights("sample-size --baseline 0.1 --mde 0.01", { cwd: sub }));
    assert.equal(outcome.stamp.configHash, parseConfig(CONFIG).config!.hash);
  });

  test("a broken prodinsights.yaml gives no hash, and a cell that does not read it still runs", async () => {
    const dir = folder("config-broken");
    writeFileSync(path.join(dir, "prodinsights.yaml"), "backends: {}\n");
    const outcome = result(await insights("sample-size --baseline 0.1 --mde 0.01", { cwd: dir }));
    assert.equal(outcome.stamp.configHash, undefined);
    assert.match(stampLine(outcome.stamp), /no prodinsights\.yaml/);
  });

  test("outside git there is no commit", async () => {
    const dir = folder("nogit");
    assert.equal(await gitCommit(dir), undefined);
    const outcome = result(await insights("sample-size --baseline 0.1 --mde 0.01", { cwd: dir }));
    assert.equal(outcome.stamp.commit, undefined);
    assert.match(stampLine(outcome.stamp), / · not in git · /);
  });

  test("in a git repository: the commit's first 12 hex digits, and -dirty once a tracked file changes", async () => {
    const dir = folder("git");
    writeFileSync(path.join(dir, "prodinsights.yaml"), CONFIG);
    writeFileSync(path.join(dir, "analysis.prodnb"), "{}\n");
    git(dir, "init", "-q");
    git(dir, "add", "prodinsights.yaml", "analysis.prodnb");
    git(dir, "commit", "-q", "-m", "first");
    const head = git(dir, "rev-parse", "HEAD");

    const clean = result(await insights("sample-size --baseline 0.1 --mde 0.01", { cwd: dir }));
    assert.match(clean.stamp.commit ?? "", /^[0-9a-f]{12}$/);
    assert.equal(clean.stamp.commit, head.slice(0, 12));
    assert.match(stampLine(clean.stamp), new RegExp(` · commit ${head.slice(0, 12)} · `));

    writeFileSync(path.join(dir, "untracked.txt"), "new\n");
    assert.equal(await gitCommit(dir), head.slice(0, 12), "an untracked file does not make it dirty");

    writeFileSync(path.join(dir, "analysis.prodnb"), '{"cells": []}\n');
    const dirty = result(await insights("sample-size --baseline 0.1 --mde 0.01", { cwd: dir }));
    assert.equal(dirty.stamp.commit, `${head.slice(0, 12)}-dirty`);
    assert.equal(await gitCommit(path.join(dir)), `${head.slice(0, 12)}-dirty`);
  });

  test("a subfolder of a repository is at the repository's commit", async () => {
    const dir = folder("git-sub");
    writeFileSync(path.join(dir, "README"), "x\n");
    git(dir, "init", "-q");
    git(dir, "add", "README");
    git(dir, "commit", "-q", "-m", "first");
    const sub = path.join(dir, "notebooks");
    mkdirSync(sub);
    assert.equal(await gitCommit(sub), git(dir, "rev-parse", "--short=12", "HEAD"));
  });
});

describe("cancelling", () => {
  test("an already-aborted signal rejects with its reason", async () => {
    await assert.rejects(insights("sample-size --baseline 0.1 --mde 0.01", { signal: AbortSignal.abort(new Error("cell cancelled")) }), /cell cancelled/);
    await assert.rejects(insights(`ab --counts "A=1/10,B=2/10"`, { signal: AbortSignal.abort() }), (e: unknown) => e instanceof Error && e.name === "AbortError");
  });
});

describe("hostile values in the stamp line", () => {
  const base: ResultStamp = { range: "-1d..now", ranAt: "2026-11-26T12:00:00.000Z", command: "prodinsights sample-size --json" };

  test("a backtick in the command cannot end its code span, and <script> stays inside it", () => {
    const line = stampLine({ ...base, command: "prodinsights ab --counts 'a`b<script>alert(1)</script>=1/10,B=2/10' --json" });
    assertNoRawHtml(line);
    assert.match(line, /`prodinsights ab --counts 'a'b<script>alert\(1\)<\/script>=1\/10,B=2\/10' --json`<\/sub>$/);
  });

  test("range, backend and commit are escaped: entities for < > &, backslashes for Markdown", () => {
    const line = stampLine({ ...base, range: "<img src=x onerror=alert(1)>", backend: "*prod*|`x`", configHash: "abc&def", commit: "[a](javascript:1)" });
    assertNoRawHtml(line);
    assert.match(line, /range &lt;img src=x onerror=alert\(1\)&gt; · /);
    assert.match(line, / · backend \\\*prod\\\*\\\|\\`x\\` · /);
    assert.match(line, / · config abc&amp;def · /);
    assert.match(line, / · commit \\\[a\\\]\(javascript:1\) · /);
  });

  test("the time window is shown after the range", () => {
    assert.equal(
      stampLine({ ...base, start: "2026-11-25T12:00:00.000Z", end: "2026-11-26T12:00:00.000Z", backend: "prod", configHash: "0123456789ab", commit: "0123456789ab-dirty" }),
      "<sub>range -1d..now (2026-11-25T12:00:00.000Z → 2026-11-26T12:00:00.000Z) · backend prod · config 0123456789ab · commit 0123456789ab-dirty · `prodinsights sample-size --json`</sub>",
    );
  });

  test("a cell with a backtick and <script> in an arm name: the summary escapes it, the stamp keeps it in its code span", async () => {
    const outcome = result(await insights("ab --counts 'a`b<script>alert(1)</script>=10/100,B=20/100'", {}, { range: "<b>-1d..now</b>" }));
    const line = stampLine(outcome.stamp);
    assertNoRawHtml(line);
    const summary = outcome.markdown.slice(0, outcome.markdown.indexOf(line));
    assert.doesNotMatch(summary, /<script|<b>/);
    assert.match(summary, /a\\`b&lt;script&gt;/);
    assert.match(line, /^<sub>no prodinsights\.yaml · /, "a counts cell stamps no range");
  });

  // A cell word may hold a newline, and a Markdown line that starts with <script> is a raw HTML
  // block whatever span was open: the stamp line must stay one line.
  test("a newline in a cell's word does not let the stamp line start raw HTML", async () => {
    const outcome = result(await insights("ab --counts 'a\n<script>alert(1)</script>=10/100,B=20/100'"));
    assertNoRawHtml(stampLine(outcome.stamp));
  });
});
