/**
 * The notebooks the product writes, the starter of a new notebook and the demo's sample, are
 * good files: they read back with the real reader without problems, and every code cell is one
 * the kernel accepts and the CLI's own parser takes.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NOTEBOOK_COMMANDS } from "../../../src/cli/analysisCommands";
import { parseCommandArgs } from "../../../src/cli/parse";
import { formatIssues, parseConfig } from "../../../src/config/load";
import type { Config } from "../../../src/config/types";
import { cellCommand, INSIGHTS_LANGUAGE, PROMQL_LANGUAGE } from "../../../src/extension/notebook/cells";
import { readNotebookFile, settingsOf, writeNotebookFile, type NotebookFileData } from "../../../src/extension/notebook/notebookFile";
import { starterNotebook } from "../../../src/extension/notebook/starter";
import { sampleNotebook } from "../../../src/gateway/demo/sampleNotebook";
import { getScenario, SCENARIO_NAMES } from "../../../src/gateway/demo/scenarios";

/** Every code cell's argv: accepted by cellCommand, and by the CLI's parser for its command. */
function argvs(notebook: NotebookFileData, where: string): string[][] {
  const settings = settingsOf(notebook.metadata);
  return notebook.cells
    .filter((c) => c.kind === "code")
    .map((cell) => {
      assert.ok(cell.language === PROMQL_LANGUAGE || cell.language === INSIGHTS_LANGUAGE, `${where}: a ${cell.language} cell`);
      const command = cellCommand(cell.language, cell.source, settings, NOTEBOOK_COMMANDS);
      assert.equal(command.help, false);
      const spec = NOTEBOOK_COMMANDS.find((c) => c.name === command.argv[0]);
      assert.ok(spec, `${where}: ${command.argv[0]}`);
      assert.doesNotThrow(() => parseCommandArgs(spec, command.argv.slice(1)), `${where}: ${cell.source}`);
      return [...command.argv];
    });
}

/** The notebook's text read back: no problems, and written again it is the same text. */
function readBack(text: string, where: string): NotebookFileData {
  const { notebook, problems } = readNotebookFile(text);
  assert.deepEqual(problems, [], where);
  assert.equal(writeNotebookFile(notebook), text, `${where}: in the file format exactly`);
  return notebook;
}

function config(yaml: string): Config {
  const parsed = parseConfig(yaml);
  assert.ok(parsed.config, formatIssues("test.yaml", parsed.issues));
  return parsed.config;
}

describe("the demo's sample notebook", () => {
  for (const name of SCENARIO_NAMES) {
    for (const prometheus of [true, false]) {
      test(`${name}, ${prometheus ? "with Prometheus" : "over logs"}: reads back, and its cells are the CLI's grammar`, () => {
        const scenario = getScenario(name);
        const where = `${name}/${prometheus}`;
        const notebook = readBack(sampleNotebook(scenario, { prometheus, logDir: "logs" }), where);
        assert.deepEqual(settingsOf(notebook.metadata), { range: `-${scenario.days}d..now` });
        const commands = argvs(notebook, where);
        assert.ok(commands.length >= 2, where);
        assert.equal(commands.some((a) => a[0] === "query"), prometheus, `${where}: a PromQL cell only with Prometheus`);
        for (const argv of commands) {
          assert.equal(argv.at(-1), "--json");
          if (!prometheus && argv[0] !== "sample-size") assert.ok(argv.includes("--logs"), `${where}: ${argv.join(" ")} reads the logs`);
          if (argv.includes("--logs")) {
            assert.ok(!argv.includes("--range") && !argv.includes("--backend"), `${where}: nothing added to ${argv.join(" ")}`);
            assert.match(argv[argv.indexOf("--logs") + 1]!, /^logs\/(predictions|outcomes-conversion)\*\.jsonl$/);
          }
        }
        assert.equal(commands.some((a) => a[0] === "ab"), scenario.experiment !== undefined, where);
      });
    }
  }

  test("a log folder with spaces and a trailing slash is one word", () => {
    const notebook = readBack(sampleNotebook(getScenario("all"), { prometheus: false, logDir: "/tmp/demo logs/" }), "all");
    const drift = argvs(notebook, "all").find((a) => a[0] === "drift")!;
    assert.equal(drift[drift.indexOf("--logs") + 1], "/tmp/demo logs/predictions*.jsonl");
  });
});

describe("the starter notebook", () => {
  test("with no config: a PromQL query and a sample size", () => {
    const notebook = readBack(writeNotebookFile(starterNotebook(undefined)), "no config");
    assert.equal(notebook.cells[0]!.kind, "markdown");
    assert.deepEqual(argvs(notebook, "no config"), [
      ["query", "sum by (version) (rate(model_requests_total[5m]))", "--range", "-1d..now", "--json"],
      ["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json"],
    ]);
  });

  test("with Prometheus as the default backend: the file's experiment and model, read from the backend", () => {
    const c = config(
      [
        "backends:",
        "  logs: {type: logs, paths: ['logs/*.jsonl']}",
        "  prod:",
        "    url: http://prom:9090",
        "default_backend: prod",
        "models:",
        "  churn:",
        "  fraud:",
        "experiments:",
        "  checkout: {arms: [control, treatment]}",
      ].join("\n"),
    );
    const notebook = readBack(writeNotebookFile(starterNotebook(c)), "prometheus");
    assert.deepEqual(argvs(notebook, "prometheus"), [
      ["query", "sum by (version) (rate(model_requests_total[5m]))", "--range", "-1d..now", "--json"],
      ["ab", "checkout", "--range", "-1d..now", "--json"],
      ["drift", "churn", "--baseline", "-14d..-7d", "--current", "-1d..now", "--json"],
      ["jumps", "error_rate", "--model", "churn", "--range", "-1d..now", "--json"],
      ["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json"],
    ]);
  });

  test("with logs as the default backend: no PromQL, and each analysis reads the backend's paths", () => {
    const c = config(
      [
        "backends:",
        "  files: {type: logs, paths: ['logs/*.jsonl', \"it's here/more logs.csv\"]}",
        "models:",
        "  churn:",
        "experiments:",
        "  'check-out': {arms: [control, treatment]}",
      ].join("\n"),
    );
    assert.equal(c.defaultBackend, "files");
    const notebook = readBack(writeNotebookFile(starterNotebook(c)), "logs");
    assert.equal(notebook.cells.some((cell) => cell.language === PROMQL_LANGUAGE), false);
    const logs = ["--logs", "logs/*.jsonl", "--logs", "it's here/more logs.csv"];
    assert.deepEqual(argvs(notebook, "logs"), [
      ["ab", "--experiment", "check-out", ...logs, "--json"],
      ["drift", "--model", "churn", ...logs, "--baseline", "-14d..-7d", "--current", "-1d..now", "--json"],
      ["jumps", "--model", "churn", "--metric", "error_rate", ...logs, "--json"],
      ["sample-size", "--baseline", "0.1", "--mde", "0.01", "--json"],
    ]);
  });

  test("a config without experiments or models: the query and the sample size only", () => {
    const notebook = readBack(writeNotebookFile(starterNotebook(config("backends: {p: {url: 'http://p'}}\n"))), "bare");
    assert.deepEqual(
      argvs(notebook, "bare").map((a) => a[0]),
      ["query", "sample-size"],
    );
  });
});
