/**
 * What a notebook cell asks the CLI (against the CLI's real analysis commands), and where in the
 * cell a complaint of the CLI or of Prometheus points.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NOTEBOOK_COMMANDS } from "../../../src/cli/analysisCommands";
import { CELL_LANGUAGES, CellError, cellCommand, complaintOffset, INSIGHTS_LANGUAGE, placeInCell, PROMQL_LANGUAGE, type CellCommand } from "../../../src/extension/notebook/cells";
import type { NotebookSettings } from "../../../src/extension/notebook/notebookFile";

const RANGE: NotebookSettings = { range: "-7d..now" };
const WITH_BACKEND: NotebookSettings = { range: "-7d..now", backend: "prod" };

const insights = (source: string, settings: NotebookSettings = WITH_BACKEND): CellCommand => cellCommand(INSIGHTS_LANGUAGE, source, settings, NOTEBOOK_COMMANDS);
const promql = (source: string, settings: NotebookSettings = WITH_BACKEND): CellCommand => cellCommand(PROMQL_LANGUAGE, source, settings, NOTEBOOK_COMMANDS);
const argv = (source: string, settings?: NotebookSettings): readonly string[] => insights(source, settings).argv;

/** The CellError a cell gives. */
function refusal(run: () => unknown): CellError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CellError, `not a CellError: ${String(error)}`);
    return error;
  }
  assert.fail("the cell was accepted");
}

test("the kernel runs promql and prodinsights cells", () => {
  assert.deepEqual(CELL_LANGUAGES, ["promql", "prodinsights"]);
});

describe("promql cells", () => {
  test("become `query <q> --range R --backend B --json`, with where the query starts", () => {
    const cell = promql("sum by (version) (rate(model_requests_total[5m]))");
    assert.deepEqual(cell.argv, ["query", "sum by (version) (rate(model_requests_total[5m]))", "--range", "-7d..now", "--backend", "prod", "--json"]);
    assert.equal(cell.queryOffset, 0);
    assert.deepEqual(cell.words, []);
    assert.equal(cell.help, false);
  });

  test("without a notebook backend there is no --backend: the config's default applies", () => {
    assert.deepEqual(promql("up", RANGE).argv, ["query", "up", "--range", "-7d..now", "--json"]);
  });

  test("the query is trimmed, and its offset is where it starts after leading blank lines", () => {
    const source = "\n\n  up{job=\"x\"}\n  == 1  \n\n";
    const cell = promql(source);
    assert.equal(cell.argv[1], 'up{job="x"}\n  == 1');
    assert.equal(cell.queryOffset, 4);
    assert.equal(source.slice(cell.queryOffset), 'up{job="x"}\n  == 1  \n\n');
  });

  test("the query is passed as it is, quotes and # included (no shell splitting)", () => {
    const query = `count(up{job='a b'}) # "quoted" \\`;
    assert.equal(promql(query).argv[1], query);
  });

  test("an empty cell is refused at its start", () => {
    for (const source of ["", "  \n\t"]) {
      const e = refusal(() => promql(source));
      assert.match(e.message, /^the cell is empty: write a PromQL query/);
      assert.equal(e.offset, 0);
    }
  });
});

describe("cells in other languages", () => {
  test("are refused at their start, naming the language", () => {
    for (const language of ["python", "markdown", "json"]) {
      const e = refusal(() => cellCommand(language, "ab --counts A=1/2,B=1/2", RANGE, NOTEBOOK_COMMANDS));
      assert.equal(e.message, `this kernel runs PromQL and Insights cells, not ${language}: change the cell's language`);
      assert.equal(e.offset, 0);
      assert.equal(e.name, "CellError");
    }
  });
});

describe("insights cells", () => {
  test("are split as a shell splits them, with --json added", () => {
    const cell = insights(`ab --counts "Original Page=378/3662,Test it out=462/3568"`);
    assert.deepEqual(cell.argv, ["ab", "--counts", "Original Page=378/3662,Test it out=462/3568", "--json"]);
    assert.equal(cell.help, false);
    assert.equal(cell.queryOffset, undefined);
    assert.deepEqual(
      cell.words.map((w) => [w.text, w.start, w.end]),
      [
        ["ab", 0, 2],
        ["--counts", 3, 11],
        ["Original Page=378/3662,Test it out=462/3568", 12, 57],
      ],
    );
  });

  test("a leading `prodinsights`, as pasted from a terminal, is dropped", () => {
    assert.deepEqual(argv("prodinsights sample-size --baseline 0.1 --mde 0.01"), ["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json"]);
    const cell = insights("  prodinsights sample-size --baseline 0.1 --mde 0.01");
    assert.equal(cell.words[0]!.text, "sample-size");
    assert.equal(cell.words[0]!.start, 15);
  });

  test("comments and line continuations are allowed", () => {
    const source = "# the checkout test\nab --counts 'A=1/10,B=2/10' \\\n   --mde 0.01  # the smallest lift worth it\n";
    assert.deepEqual(argv(source), ["ab", "--counts", "A=1/10,B=2/10", "--mde", "0.01", "--json"]);
  });

  test("an empty cell, or one with only comments or only `prodinsights`, is refused at its start", () => {
    for (const source of ["", "   ", "# nothing\n", "prodinsights"]) {
      const e = refusal(() => insights(source));
      assert.match(e.message, /^the cell is empty: write a command, e\.g\. ab, drift, jumps, sample-size$/);
      assert.equal(e.offset, 0);
    }
  });

  test("an unknown command is refused at its word, listing the commands a notebook runs", () => {
    assert.match(refusal(() => insights("stats welch")).message, /^.stats. is not a command a notebook runs/, "stats reads stdin");
    const e = refusal(() => insights("  canary run churn"));
    assert.equal(e.message, "'canary' is not a command a notebook runs; these are: ab, drift, jumps, sample-size, compare, query");
    assert.equal(e.offset, 2);
    assert.equal(refusal(() => insights("prodinsights\n  demo")).offset, 15);
    assert.equal(refusal(() => insights("--help")).offset, 0, "a flag is no command");
  });

  test("an unterminated quote is refused where the quote opens", () => {
    const e = refusal(() => insights("ab --counts 'A=1/2"));
    assert.equal(e.message, "this single quote is never closed");
    assert.equal(e.offset, 12);
    assert.equal(refusal(() => insights('ab\n  --counts "A=1/2')).offset, 14);
  });

  test("--help or -h gives help mode: the words as written, nothing added, no --json", () => {
    for (const source of ["ab --help", "prodinsights ab --logs x.jsonl -h", "query --help"]) {
      const cell = insights(source);
      assert.equal(cell.help, true, source);
      assert.deepEqual(cell.argv, cell.words.map((w) => w.text));
      assert.equal(cell.argv.includes("--json"), false);
      assert.equal(cell.argv.includes("--range"), false);
    }
  });

  test("--json is not doubled, in either spelling", () => {
    assert.deepEqual(argv("sample-size --baseline 0.1 --mde 0.01 --json"), ["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json"]);
    assert.deepEqual(argv("sample-size --json --baseline 0.1 --mde 0.01"), ["sample-size", "--json", "--baseline", "0.1", "--mde", "0.01"]);
    assert.deepEqual(argv("sample-size --baseline 0.1 --mde 0.01 --json=true"), ["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json=true"]);
  });
});

describe("the notebook's range and backend", () => {
  test("fill the flags a backend-reading command has and the cell left out", () => {
    assert.deepEqual(argv("ab checkout"), ["ab", "checkout", "--range", "-7d..now", "--backend", "prod", "--json"]);
    assert.deepEqual(argv("compare churn v2 v1"), ["compare", "churn", "v2", "v1", "--range", "-7d..now", "--backend", "prod", "--json"]);
    assert.deepEqual(argv("jumps error_rate --model churn"), ["jumps", "error_rate", "--model", "churn", "--range", "-7d..now", "--backend", "prod", "--json"]);
    assert.deepEqual(argv("query up"), ["query", "up", "--range", "-7d..now", "--backend", "prod", "--json"]);
  });

  test("without a notebook backend only the range is added", () => {
    assert.deepEqual(argv("ab checkout", RANGE), ["ab", "checkout", "--range", "-7d..now", "--json"]);
  });

  test("a command without the flag gets none: drift has no --range, sample-size neither flag", () => {
    assert.deepEqual(argv("drift churn --baseline -14d..-7d --current -1d..now"), ["drift", "churn", "--baseline", "-14d..-7d", "--current", "-1d..now", "--backend", "prod", "--json"]);
    assert.deepEqual(argv("sample-size --baseline 0.1 --mde 0.01"), ["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json"]);
  });

  test("the cell's own --range and --backend win, in either spelling", () => {
    assert.deepEqual(argv("ab checkout --range -1d..now"), ["ab", "checkout", "--range", "-1d..now", "--backend", "prod", "--json"]);
    assert.deepEqual(argv("ab checkout --range=-1d..now --backend=staging"), ["ab", "checkout", "--range=-1d..now", "--backend=staging", "--json"]);
    assert.deepEqual(argv("ab checkout --backend staging"), ["ab", "checkout", "--backend", "staging", "--range", "-7d..now", "--json"]);
  });

  test("cells that read counts or logs get neither", () => {
    assert.deepEqual(argv("ab --counts A=1/2,B=1/2"), ["ab", "--counts", "A=1/2,B=1/2", "--json"]);
    assert.deepEqual(argv("ab --counts=A=1/2,B=1/2"), ["ab", "--counts=A=1/2,B=1/2", "--json"]);
    assert.deepEqual(argv("ab --logs 'logs/*.jsonl' --experiment checkout"), ["ab", "--logs", "logs/*.jsonl", "--experiment", "checkout", "--json"]);
    assert.deepEqual(argv("jumps --logs=x.jsonl --model churn"), ["jumps", "--logs=x.jsonl", "--model", "churn", "--json"]);
  });

  test("the range is passed as one word, whatever it holds", () => {
    assert.deepEqual(argv("query up", { range: "2026-11-01..2026-11-15 12:00" }), ["query", "up", "--range", "2026-11-01..2026-11-15 12:00", "--json"]);
  });
});

describe("complaintOffset", () => {
  test("a quoted unknown option points at that option's word", () => {
    const source = "ab --counts A=1/2,B=1/2\n  --foo";
    const cell = insights(source);
    const offset = complaintOffset("Unknown option '--foo'. See 'prodinsights ab --help'.", cell);
    assert.equal(offset, source.indexOf("--foo"));
  });

  test("an unknown option written with = points at the word that holds it", () => {
    const source = "ab --counts A=1/2,B=1/2 --foo=bar";
    assert.equal(complaintOffset("Unknown option '--foo'. See 'prodinsights ab --help'.", insights(source)), source.indexOf("--foo=bar"));
  });

  test("a quoted bad value points at the value, not the flag", () => {
    const source = "sample-size --baseline 0.1 --mde abc";
    assert.equal(complaintOffset("--mde must be a number, got 'abc'", insights(source)), source.indexOf("abc"));
  });

  test("a bad value given with = has no word of its own: the flag's word is found instead", () => {
    const source = "sample-size --baseline 0.1 --mde=abc";
    assert.equal(complaintOffset("--mde must be a number, got 'abc'", insights(source)), source.indexOf("--mde=abc"));
  });

  test("a message that names flags points at the first one the cell holds", () => {
    const source = "drift --logs x.jsonl --model churn --threshold 0.2";
    assert.equal(complaintOffset("--threshold goes with --method", insights(source)), source.indexOf("--threshold"));
    assert.equal(complaintOffset("give --counts or --logs (not both)", insights(source)), source.indexOf("--logs"));
  });

  test("a message that names nothing in the cell points nowhere", () => {
    assert.equal(complaintOffset("no rows for error_rate", insights("jumps --logs x.jsonl --model churn")), undefined);
    assert.equal(complaintOffset("--window '3x' must be a duration", insights("jumps --logs x.jsonl --model churn")), undefined);
  });

  test("a Prometheus parse error on a promql cell with leading whitespace points at the query's line and column", () => {
    const source = "\n\n   sum(rate(x[5m])";
    const cell = promql(source);
    const offset = complaintOffset("bad_data: 1:16: parse error: unclosed left parenthesis", cell);
    assert.equal(offset, 5 + 15);
    assert.equal(offset, source.length, "column 16 of `sum(rate(x[5m])` is just past its end");
  });

  test("on a multi-line query the line counts from the query's first line", () => {
    const source = "\n  sum by (version) (\n  rate(x[5m]\n)\n";
    const cell = promql(source);
    const offset = complaintOffset("bad_data: 2:13: parse error: unexpected right parenthesis ')'", cell);
    assert.equal(source.slice(offset, offset! + 1), "\n");
    assert.equal(offset, source.indexOf("rate(x[5m]") + "rate(x[5m]".length);
    const start = complaintOffset("bad_data: 2:3: parse error: bad", cell)!;
    assert.equal(source.slice(start, start + 4), "rate");
  });

  test("a promql column past the line's end stops at its end; a line outside the query points nowhere", () => {
    const cell = promql("up");
    assert.equal(complaintOffset("1:99: parse error: x", cell), 2);
    assert.equal(complaintOffset("3:1: parse error: x", cell), undefined);
    assert.equal(complaintOffset("0:1: parse error: x", cell), undefined);
  });

  test("a promql message that places nothing points nowhere, even when it quotes a word", () => {
    assert.equal(complaintOffset("Unknown option '--foo'", promql("up --foo")), undefined);
    assert.equal(complaintOffset("connect ECONNREFUSED 127.0.0.1:9090", promql("up")), undefined);
  });
});

describe("placeInCell", () => {
  test("a one-line cell: the column only, and the line with a caret under the place", () => {
    const source = "sample-size --baseline 0.1 --mde abc";
    assert.deepEqual(placeInCell(source, "--mde must be a number, got 'abc'", 33), {
      message: "column 34: --mde must be a number, got 'abc'",
      excerpt: "sample-size --baseline 0.1 --mde abc\n                                 ^",
    });
  });

  test("a multi-line cell: line and column, and the excerpt is that line alone", () => {
    const source = "ab --counts A=1/2,B=1/2 \\\n  --foo\n";
    assert.deepEqual(placeInCell(source, "Unknown option '--foo'", source.indexOf("--foo")), {
      message: "line 2, column 3: Unknown option '--foo'",
      excerpt: "  --foo\n  ^",
    });
  });

  test("at the start of the cell the caret is in the first column", () => {
    assert.deepEqual(placeInCell("x", "m", 0), { message: "column 1: m", excerpt: "x\n^" });
  });

  test("just past the end of a line the caret follows its last character", () => {
    assert.deepEqual(placeInCell("ab\ncd", "m", 2), { message: "line 1, column 3: m", excerpt: "ab\n  ^" });
  });

  test("no offset: the message alone, and no excerpt", () => {
    assert.deepEqual(placeInCell("ab\ncd", "m", undefined), { message: "m" });
  });

  test("from cellCommand's refusal to the placed message", () => {
    const source = "# a comment\n  canary run churn";
    const e = refusal(() => insights(source));
    const placed = placeInCell(source, e.message, e.offset);
    assert.match(placed.message, /^line 2, column 3: 'canary' is not a command/);
    assert.equal(placed.excerpt, "  canary run churn\n  ^");
  });

  test("from a Prometheus complaint on a multi-line promql cell to the placed message", () => {
    const source = "\n  sum by (version) (\n  rate(x[5m]\n)";
    const offset = complaintOffset("bad_data: 2:3: parse error: unexpected identifier", promql(source));
    assert.deepEqual(placeInCell(source, "parse error", offset), { message: "line 3, column 3: parse error", excerpt: "  rate(x[5m]\n  ^" });
  });
});
