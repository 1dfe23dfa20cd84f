/**
 * The `.prodnb` file: what is written reads back to the same notebook and writes to the same
 * bytes; the text diffs well; and a bad file opens with everything that could be read, and the
 * problems listed, so that saving it loses nothing.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_RANGE,
  NOTEBOOK_FORMAT,
  readNotebookFile,
  settingsOf,
  writeNotebookFile,
  jsonErrorOffset,
  type NotebookFileData,
} from "../../../src/extension/notebook/notebookFile";

/** A notebook with every kind of content the file holds. */
const FULL: NotebookFileData = {
  metadata: { range: "-7d..now", backend: "prod", custom: { kept: [1, 2] } },
  cells: [
    { kind: "markdown", language: "markdown", source: "# Title\n\nSome *text*.", outputs: [] },
    {
      kind: "code",
      language: "promql",
      source: "sum by (version) (\n  rate(model_requests_total[5m])\n)",
      outputs: [
        {
          items: [
            { mime: "application/vnd.prodinsights.timeseries+json", json: { kind: "timeseries", series: [{ labels: { version: "<v1>" }, points: [[1, 2.5]] }] } },
            { mime: "text/markdown", text: "**Two** series\n\n| a | b |" },
          ],
          metadata: { stamp: { range: "-7d..now" } },
        },
      ],
      metadata: { tags: ["x"], collapsed: true },
      execution: { order: 3, success: true, start: 1_790_000_000_000, end: 1_790_000_001_234 },
    },
    {
      kind: "code",
      language: "prodinsights",
      source: "ab --counts 'A=1/10,B=2/10'",
      outputs: [{ items: [{ mime: "image/png", base64: "iVBORw0KGgo=" }] }, { items: [{ mime: "application/vnd.code.notebook.error", json: { name: "Cell error", message: "column 4: x" } }] }],
      execution: { order: 4, success: false },
    },
    { kind: "code", language: "prodinsights", source: "", outputs: [] },
    { kind: "code", language: "prodinsights", source: "trailing newline\n", outputs: [] },
  ],
};

describe("round trip", () => {
  test("write → read gives the same notebook, and writing that again gives the same text", () => {
    const text = writeNotebookFile(FULL);
    const read = readNotebookFile(text);
    assert.deepEqual(read.problems, []);
    assert.deepEqual(read.notebook, FULL);
    assert.equal(writeNotebookFile(read.notebook), text);
  });

  test("the text is two-space JSON with the format number first, sources as lines, and a final newline", () => {
    const text = writeNotebookFile(FULL);
    assert.ok(text.endsWith("}\n") && !text.endsWith("\n\n"));
    assert.equal(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    const file = JSON.parse(text) as { prodinsights_notebook: number; metadata: unknown; cells: { source: string[]; outputs?: unknown }[] };
    assert.deepEqual(Object.keys(file), ["prodinsights_notebook", "metadata", "cells"]);
    assert.equal(file.prodinsights_notebook, NOTEBOOK_FORMAT);
    assert.deepEqual(file.metadata, FULL.metadata);
    assert.deepEqual(file.cells[0]!.source, ["# Title", "", "Some *text*."]);
    assert.deepEqual(file.cells[1]!.source, ["sum by (version) (", "  rate(model_requests_total[5m])", ")"]);
    assert.deepEqual(file.cells[3]!.source, [""]);
    assert.deepEqual(file.cells[4]!.source, ["trailing newline", ""]);
    assert.match(text, /\n {6}"source": \[\n {8}"# Title",\n/);
  });

  test("result documents are JSON in the file, not encoded bytes", () => {
    const file = JSON.parse(writeNotebookFile(FULL)) as { cells: { outputs?: { items: Record<string, unknown>[] }[] }[] };
    assert.deepEqual(file.cells[1]!.outputs![0]!.items[0], {
      mime: "application/vnd.prodinsights.timeseries+json",
      json: { kind: "timeseries", series: [{ labels: { version: "<v1>" }, points: [[1, 2.5]] }] },
    });
  });

  test("a cell's key order is fixed, and empty metadata, empty executions and markdown outputs are left out", () => {
    const text = writeNotebookFile({
      metadata: {},
      cells: [
        { kind: "markdown", language: "markdown", source: "m", outputs: [{ items: [{ mime: "text/plain", text: "dropped" }] }], metadata: {}, execution: {} },
        { kind: "code", language: "promql", source: "up", outputs: [{ items: [], metadata: {} }], metadata: {}, execution: {} },
      ],
    });
    const file = JSON.parse(text) as { cells: Record<string, unknown>[] };
    assert.deepEqual(file.cells[0], { kind: "markdown", language: "markdown", source: ["m"] });
    assert.deepEqual(file.cells[1], { kind: "code", language: "promql", source: ["up"], outputs: [{ items: [] }] });
    const full = JSON.parse(writeNotebookFile(FULL)) as { cells: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(full.cells[1]!), ["kind", "language", "source", "metadata", "execution", "outputs"]);
  });

  test("sources with carriage returns, tabs and non-ASCII text survive", () => {
    const notebook: NotebookFileData = { metadata: { range: DEFAULT_RANGE }, cells: [{ kind: "code", language: "prodinsights", source: "a\r\nb\t'ü 😀'\r\n", outputs: [] }] };
    const text = writeNotebookFile(notebook);
    assert.deepEqual(readNotebookFile(text).notebook, notebook);
    assert.equal(writeNotebookFile(readNotebookFile(text).notebook), text);
  });
});

describe("reading", () => {
  test("an empty or blank file is an empty notebook with the default range", () => {
    for (const text of ["", "  \n\t\n"]) {
      assert.deepEqual(readNotebookFile(text), { notebook: { metadata: { range: DEFAULT_RANGE }, cells: [] }, problems: [] });
    }
  });

  test("a source given as one string is read as the cell's text", () => {
    const { notebook, problems } = readNotebookFile(JSON.stringify({ prodinsights_notebook: 1, metadata: {}, cells: [{ kind: "code", language: "promql", source: "up\n== 1" }] }));
    assert.deepEqual(problems, []);
    assert.deepEqual(notebook.cells, [{ kind: "code", language: "promql", source: "up\n== 1", outputs: [] }]);
  });

  test("missing fields take defaults: no language is prodinsights (code) or markdown, no source is empty", () => {
    const { notebook, problems } = readNotebookFile(JSON.stringify({ cells: [{ kind: "code" }, { kind: "markdown", source: ["x"] }] }));
    assert.deepEqual(problems, []);
    assert.deepEqual(notebook, {
      metadata: {},
      cells: [
        { kind: "code", language: "prodinsights", source: "", outputs: [] },
        { kind: "markdown", language: "markdown", source: "x", outputs: [] },
      ],
    });
    assert.deepEqual(readNotebookFile("{}"), { notebook: { metadata: {}, cells: [] }, problems: [] });
  });

  test("execution fields that are not numbers or a boolean are left out, the others kept", () => {
    const { notebook } = readNotebookFile(
      JSON.stringify({ cells: [{ kind: "code", source: "x", execution: { order: "1", success: "yes", start: 5, end: null } }, { kind: "code", source: "y", execution: 7 }] }),
    );
    assert.deepEqual(notebook.cells[0]!.execution, { start: 5 });
    assert.equal("execution" in notebook.cells[1]!, false);
  });
});

describe("a file that is not JSON", () => {
  // The error at a known place: line 3, column 21 is the `}` after the trailing comma.
  const broken = '{\n  "cells": [\n    {"kind": "code",}\n  ]\n}\n';

  test("opens as a notebook that explains, with the line and column, and holds the text unchanged", () => {
    const { notebook, problems } = readNotebookFile(broken);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^not JSON: line 3, column 21: /);
    assert.deepEqual(notebook.metadata, { range: DEFAULT_RANGE });
    assert.equal(notebook.cells.length, 2);
    const [note, kept] = notebook.cells;
    assert.equal(note!.kind, "markdown");
    assert.match(note!.source, /not a readable notebook.*line 3, column 21/);
    assert.deepEqual(kept, { kind: "code", language: "json", source: broken, outputs: [] });
  });

  test("another error place: a missing comma at the end of the first line", () => {
    assert.match(readNotebookFile('{"a": 1').problems[0]!, /^not JSON: line 1, column 8: /);
    assert.match(readNotebookFile('{"a": 1\n"b": 2}').problems[0]!, /^not JSON: line 2, column 1: /);
  });

  test("saving it keeps the original text, and it reads back the same way", () => {
    const first = readNotebookFile(broken).notebook;
    const saved = writeNotebookFile(first);
    const again = readNotebookFile(saved);
    assert.deepEqual(again.problems, []);
    assert.equal(again.notebook.cells[1]!.source, broken);
    assert.deepEqual(again.notebook, first);
    assert.equal(writeNotebookFile(again.notebook), saved);
  });

  test("text with no place in the parser's message still opens, kept whole", () => {
    const { notebook, problems } = readNotebookFile("not json at all");
    assert.match(problems[0]!, /^not JSON: /);
    assert.equal(notebook.cells[1]!.source, "not json at all");
  });

  // Node 20's JSON.parse names no position for an unexpected token; notebookFile.ts finds it itself.
  test("an unexpected token (`tru}` on line 3) is reported with its line and column", () => {
    const { notebook, problems } = readNotebookFile('{"a":\n\n  tru}');
    assert.deepEqual(problems, ['not JSON: line 3, column 6: unexpected "}"']);
    assert.match(notebook.cells[0]!.source, /line 3, column 6/);
    assert.equal(notebook.cells[1]!.source, '{"a":\n\n  tru}');
  });

  test("jsonErrorOffset agrees with JSON.parse on what is JSON", () => {
    for (const text of ['{"a":[1,{"b":null}],"c":-1.5e3}', '"\\u00e9"', "[]", " true "]) assert.equal(jsonErrorOffset(text), undefined, text);
    for (const [text, offset] of [["not json", 1], ['{"a":1,}', 7], ["[1,2", 4], ['{"a": "x\\q"}', 9], ["{} x", 3], ["", 0], ["01", 1]] as const) {
      assert.throws(() => JSON.parse(text));
      assert.equal(jsonErrorOffset(text), offset, text);
    }
  });
});

describe("a file of the wrong shape", () => {
  test("JSON that is not an object is kept as a cell's text", () => {
    const { notebook, problems } = readNotebookFile("[1, 2]");
    assert.deepEqual(problems, ["the file is JSON but not an object; its JSON is kept as a cell's text"]);
    assert.deepEqual(notebook.cells, [{ kind: "code", language: "json", source: "[\n  1,\n  2\n]", outputs: [] }]);
  });

  test("cells that are not a list: the notebook opens empty, its metadata kept", () => {
    const { notebook, problems } = readNotebookFile(JSON.stringify({ prodinsights_notebook: 1, metadata: { range: "-2d..now" }, cells: { kind: "code" } }));
    assert.deepEqual(problems, ["`cells` is not a list; the notebook opens empty"]);
    assert.deepEqual(notebook, { metadata: { range: "-2d..now" }, cells: [] });
  });

  test("metadata that is not an object is read as none", () => {
    const { notebook, problems } = readNotebookFile(JSON.stringify({ metadata: ["x"], cells: [] }));
    assert.deepEqual(problems, []);
    assert.deepEqual(notebook.metadata, {});
  });

  test("a cell that is a number, a source that is not text and an unknown kind are kept and listed", () => {
    const { notebook, problems } = readNotebookFile(
      JSON.stringify({
        cells: [5, { kind: "raw", source: ["a"] }, { kind: "code", source: ["a", 1] }, { kind: "markdown", source: { x: 1 } }, { kind: "code", language: "promql", source: ["up"] }],
      }),
    );
    assert.deepEqual(problems, [
      "cell 1 is not an object; its JSON is kept as a cell's text",
      'cell 2: kind "raw" read as code',
      "cell 3: its source is not text; its JSON is kept as the cell's text",
      "cell 4: its source is not text; its JSON is kept as the cell's text",
    ]);
    assert.deepEqual(notebook.cells, [
      { kind: "code", language: "json", source: "5", outputs: [] },
      { kind: "code", language: "prodinsights", source: "a", outputs: [] },
      { kind: "code", language: "prodinsights", source: '["a",1]', outputs: [] },
      { kind: "markdown", language: "markdown", source: '{"x":1}', outputs: [] },
      { kind: "code", language: "promql", source: "up", outputs: [] },
    ]);
  });

  test("a cell without a kind is read as code and listed", () => {
    const { notebook, problems } = readNotebookFile(JSON.stringify({ cells: [{ source: "x" }] }));
    assert.deepEqual(problems, ["cell 1: kind undefined read as code"]);
    assert.equal(notebook.cells[0]!.kind, "code");
  });

  test("outputs and items that cannot be read are left out and listed; the rest are kept", () => {
    const { notebook, problems } = readNotebookFile(
      JSON.stringify({
        cells: [
          {
            kind: "code",
            language: "promql",
            source: ["up"],
            outputs: [
              { items: [{ json: { a: 1 } }, { mime: "text/plain", text: "kept" }, { mime: "a/b" }, { mime: "c/d", text: 3 }, { mime: "e/f", json: null }, "item"], metadata: [1] },
              { nope: 1 },
              7,
            ],
          },
        ],
      }),
    );
    assert.deepEqual(problems, [
      "cell 1, output 1, item 1: an output item without mime and json, text or base64 was left out",
      "cell 1, output 1, item 3: an output item without mime and json, text or base64 was left out",
      "cell 1, output 1, item 4: an output item without mime and json, text or base64 was left out",
      "cell 1, output 1, item 6: an output item without mime and json, text or base64 was left out",
      "cell 1, output 2: an output without items was left out",
      "cell 1, output 3: an output without items was left out",
    ]);
    assert.deepEqual(notebook.cells[0]!.outputs, [
      {
        items: [
          { mime: "text/plain", text: "kept" },
          { mime: "e/f", json: null },
        ],
      },
    ]);
  });

  test("a file of the wrong shape, saved and read again, has no problems left and loses nothing more", () => {
    const first = readNotebookFile(JSON.stringify({ cells: [5, { kind: "raw", source: 7 }] })).notebook;
    const saved = writeNotebookFile(first);
    const again = readNotebookFile(saved);
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.notebook, first);
  });

  test("a newer format is read as far as it can be, and reported", () => {
    const { notebook, problems } = readNotebookFile(JSON.stringify({ prodinsights_notebook: 2, metadata: {}, cells: [{ kind: "code", source: ["up"], future: true }] }));
    assert.deepEqual(problems, ["format 2 is newer than this version reads (1); unknown fields are left out"]);
    assert.deepEqual(notebook.cells, [{ kind: "code", language: "prodinsights", source: "up", outputs: [] }]);
    assert.deepEqual(readNotebookFile(JSON.stringify({ prodinsights_notebook: 1, cells: [] })).problems, []);
  });
});

describe("settingsOf", () => {
  test("defaults: the range -1d..now and no backend", () => {
    assert.equal(DEFAULT_RANGE, "-1d..now");
    assert.deepEqual(settingsOf(undefined), { range: "-1d..now" });
    assert.deepEqual(settingsOf({}), { range: "-1d..now" });
  });

  test("range and backend as the metadata holds them, trimmed", () => {
    assert.deepEqual(settingsOf({ range: " -7d..now ", backend: " prod\n", other: 1 }), { range: "-7d..now", backend: "prod" });
  });

  test("blank or malformed values fall back to the defaults", () => {
    assert.deepEqual(settingsOf({ range: "  ", backend: "" }), { range: "-1d..now" });
    assert.deepEqual(settingsOf({ range: 7, backend: ["prod"] }), { range: "-1d..now" });
    const settings = settingsOf({ range: null, backend: null });
    assert.equal("backend" in settings, false, "no backend key at all, not backend: undefined");
  });
});
