// Completion and hover in `insights` cells, against the CLI's real command table (and a small
// table of our own where the behaviour must not depend on how a real command's usage evolves).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ANALYSIS_COMMANDS } from "../../src/cli/analysisCommands";
import type { Command } from "../../src/cli/command";
import { choicesOf, completeInsights, hoverInsights, usageForms, type CellNames, type Completion } from "../../src/cli/complete";
import { STATS_TESTS } from "../../src/cli/statsContract";
import { splitWords } from "../../src/cli/words";

const NAMES: CellNames = {
  experiments: ["checkout", "onboarding flow"],
  models: ["churn", "fraud"],
  metrics: ["error_rate", "conversion"],
  backends: ["prom", "logs"],
  versions: { churn: ["v1", "v2", "v3"] },
};

/** Completion at the `|` in `cell`. */
function at(cell: string, names: CellNames = NAMES, commands?: readonly Command[]): Completion & { labels: string[] } {
  const offset = cell.indexOf("|");
  assert.ok(offset >= 0, "mark the cursor with |");
  const result = completeInsights(cell.slice(0, offset) + cell.slice(offset + 1), offset, names, commands);
  return { ...result, labels: result.items.map((i) => i.label) };
}

function hoverAt(cell: string, commands?: readonly Command[]) {
  const offset = cell.indexOf("|");
  return hoverInsights(cell.slice(0, offset) + cell.slice(offset + 1), offset, commands);
}

/** The cell after choosing the item labelled `label`. */
function choose(cell: string, label: string): string {
  const text = cell.replace("|", "");
  const result = at(cell);
  const item = result.items.find((i) => i.label === label);
  assert.ok(item, `no item ${label} in ${result.labels.join(", ")}`);
  return text.slice(0, result.from) + (item.insertText ?? item.label) + text.slice(result.to);
}

const COMMAND_NAMES = ANALYSIS_COMMANDS.map((c) => c.name);

test("the first word: the analysis commands with their summaries and usage, replacing the word typed", () => {
  for (const cell of ["|", "  |", "d|", "dr|ift churn"]) {
    const r = at(cell);
    assert.deepEqual(r.labels, COMMAND_NAMES, cell);
    assert.ok(r.items.every((i) => i.kind === "command"));
  }
  const drift = at("dr|ift churn");
  assert.deepEqual([drift.from, drift.to], [0, 5]);
  const item = at("|").items.find((i) => i.label === "ab")!;
  assert.match(item.detail!, /^Did my experiment win\?/);
  assert.match(item.documentation!, /^prodinsights ab --counts/);
  assert.match(item.documentation!, /\nprodinsights ab EXPERIMENT \[--config FILE\]/);
  // A leading `prodinsights` is tolerated.
  assert.deepEqual(at("prodinsights |").labels, COMMAND_NAMES);
  assert.deepEqual(at("prodinsights ab |").labels, NAMES.experiments);
  assert.deepEqual([at("prodinsights sa|").from, at("prodinsights sa|").to], [13, 15]);
  // Commands that may not run in a cell, and unknown ones, get nothing after them.
  assert.deepEqual(at("canary |").labels, []);
  assert.deepEqual(at("nosuch --|").labels, []);
});

test("a word starting with '-': the command's flags not given yet, repeatable ones again, and --help", () => {
  const r = at("ab checkout --range -7d..now --metric conversion --|");
  assert.ok(!r.labels.includes("--range") && !r.labels.includes("--metric"), r.labels.join(" "));
  assert.ok(r.labels.includes("--correction") && r.labels.includes("--json") && r.labels.at(-1) === "--help");
  assert.deepEqual([r.from, r.to], [49, 51]);
  const correction = r.items.find((i) => i.label === "--correction")!;
  assert.deepEqual(correction, { label: "--correction", kind: "flag", detail: "adjustment across arms: none, holm or bh", documentation: "Default: holm" });
  assert.equal(r.items.find((i) => i.label === "--json")!.documentation, undefined);
  // --metric may be repeated in compare, --logs in ab.
  assert.ok(at("compare churn v3 v2 --metric error_rate -|").labels.includes("--metric"));
  assert.ok(at("ab --logs a.jsonl --logs b.jsonl --|").labels.includes("--logs"));
  assert.ok(!at("ab --help --|").labels.includes("--help"));
  // The whole word is replaced; in --name=value only the name.
  const inside = at("ab --ran|ge -7d..now");
  assert.deepEqual([inside.from, inside.to], [3, 10]);
  assert.ok(inside.labels.includes("--range"), "the word under the cursor does not count as given");
  const withValue = at("ab --me|tric=conversion");
  assert.deepEqual([withValue.from, withValue.to], [3, 11]);
  // After a lone "--" everything is positional, even a word with a dash.
  assert.deepEqual(at("ab -- -|").labels, NAMES.experiments);
});

test("flag values: names of the workspace file, time ranges, choices from the description", () => {
  const values = (cell: string) => at(cell).labels;
  assert.deepEqual(values("ab --experiment |"), NAMES.experiments);
  assert.deepEqual(values("drift --logs a.jsonl --model |"), NAMES.models);
  assert.deepEqual(values("ab checkout --metric c|"), NAMES.metrics);
  assert.deepEqual(values("jumps churn --backend |"), NAMES.backends);
  assert.deepEqual(at("ab checkout --metric |").items[0], { label: "error_rate", kind: "metric", detail: "metric" });
  // Time ranges, with the flag's default first when it is not one of the examples.
  assert.deepEqual(values("ab checkout --range |"), ["-14d..now", "-1d..now", "-7d..now", "-14d..-7d"]);
  assert.deepEqual(values("drift churn --baseline |"), ["-1d..now", "-7d..now", "-14d..-7d"]);
  assert.equal(at("drift churn --baseline |").items[2]!.detail, "the week before last (default)");
  assert.deepEqual(values("drift churn --baseline -14d..-7d --current |"), ["-1d..now", "-7d..now", "-14d..-7d"]);
  assert.deepEqual(values("query 'up' --range |"), ["-1d..now", "-7d..now", "-14d..-7d"]);
  // A value that starts with a dash is still the value.
  const dashed = at("ab checkout --range -7|");
  assert.deepEqual([dashed.labels.length, dashed.from, dashed.to], [4, 20, 22]);
  // sample-size's --baseline is a rate, not a time range: nothing to offer.
  assert.deepEqual(values("sample-size --baseline |"), []);
  // Choices listed in the description.
  assert.deepEqual(values("ab --counts A=1/2,B=2/3 --correction |"), ["none", "holm", "bh"]);
  assert.equal(at("ab --correction |").items[1]!.detail, "default");
  assert.deepEqual(values("drift churn --method |"), ["ks", "chisquare", "z", "psi", "jensenshannon", "wasserstein"]);
  // Descriptions that do not end in a clean list give nothing rather than a guess.
  assert.deepEqual(values("ab --direction |"), []);
  assert.deepEqual(values("ab --confidence |"), []);
  // --name=value completes the value, in the part after '='.
  const inline = at("ab --metric=err|");
  assert.deepEqual([inline.labels, inline.from, inline.to], [NAMES.metrics, 12, 15]);
  assert.deepEqual(values("ab --split=|"), []);
  assert.deepEqual(values("ab --json=|"), []);
});

test("choicesOf reads a trailing list of plain words after a colon, and nothing else", () => {
  assert.deepEqual(choicesOf("adjustment across arms: none, holm or bh"), ["none", "holm", "bh"]);
  assert.deepEqual(choicesOf("one measure: ks, z"), ["ks", "z"]);
  assert.deepEqual(choicesOf("a, b or c"), []);
  assert.deepEqual(choicesOf("prediction logs: files, folders or globs (.jsonl, .csv, .parquet); repeatable"), []);
  assert.deepEqual(choicesOf("with --config: a proportion or mean metric of the file"), []);
  assert.deepEqual(choicesOf("the only one: x"), []);
});

test("positionals follow each command's usage: ab the experiment, drift/jumps the model, compare the model then its versions", () => {
  assert.deepEqual(at("ab |").labels, NAMES.experiments);
  assert.deepEqual(at("ab --range -7d..now |").labels, NAMES.experiments);
  assert.deepEqual(at("drift |").labels, NAMES.models);
  assert.deepEqual(at("jumps f|").labels, NAMES.models);
  assert.equal(at("jumps |").items[0]!.kind, "model");
  assert.deepEqual(at("compare |").labels, NAMES.models);
  const candidate = at("compare churn |");
  assert.deepEqual(candidate.labels, ["v1", "v2", "v3"]);
  assert.deepEqual(candidate.items[2], { label: "v3", kind: "version", detail: "candidate version of churn" });
  const baseline = at("compare churn v3 |");
  assert.deepEqual(baseline.labels, ["v1", "v2"], "not the candidate again");
  assert.equal(baseline.items[0]!.detail, "baseline version of churn");
  assert.deepEqual(at("compare churn v3 v|2").labels, ["v1", "v2"]);
  // No known versions: nothing for a word being typed, the flags for a new one.
  assert.deepEqual(at("compare fraud v|").labels, []);
  assert.ok(at("compare fraud |").items.every((i) => i.kind === "flag"));
  assert.ok(at("compare churn |", { ...NAMES, versions: undefined }).items.every((i) => i.kind === "flag"));
  // Flags between positionals are skipped, with their values.
  assert.deepEqual(at("compare --range -7d..now churn --json v3 |").labels, ["v1", "v2"]);
  // stats: its tests.
  assert.deepEqual(at("stats |").labels, Object.keys(STATS_TESTS));
  // When every positional is there (or none is expected), a new word offers the flags.
  assert.ok(at("compare churn v3 v2 |").labels.includes("--metric"));
  assert.ok(at("ab checkout |").labels.includes("--range"));
  assert.ok(at("sample-size |").labels.includes("--baseline"));
  assert.ok(at("query |").labels.includes("--at"), "PROMQL has no names to offer");
  // ...but a word being typed there gets nothing.
  assert.deepEqual(at("ab checkout x|").labels, []);
  // The flags given pick the usage form: with --counts or --logs, ab takes no experiment argument.
  assert.ok(at("ab --counts A=1/2,B=2/3 |").items.every((i) => i.kind === "flag"));
  assert.ok(at("ab --logs x.jsonl |").items.every((i) => i.kind === "flag"));
  assert.ok(at("ab --experiment checkout |").items.every((i) => i.kind === "flag"));
  assert.ok(at("drift --logs x.jsonl |").items.every((i) => i.kind === "flag"));
  // No names at all: the flags instead.
  assert.ok(at("ab |", { experiments: [], models: [], metrics: [], backends: [] }).labels.includes("--counts"));
});

test("usage forms: the flags each line mentions and its positional placeholders", () => {
  const forms = (name: string) => usageForms(ANALYSIS_COMMANDS.find((c) => c.name === name)!).map((f) => f.positionals);
  assert.deepEqual(forms("ab"), [[], [], ["EXPERIMENT"]]);
  assert.deepEqual(forms("drift"), [[], ["MODEL"]]);
  assert.deepEqual(forms("compare"), [["MODEL", "CANDIDATE", "BASELINE"]]);
  assert.deepEqual(forms("sample-size"), [[]]);
  assert.deepEqual(forms("query"), [["PROMQL"]]);
  assert.deepEqual(forms("stats"), [["<test>"]]);
  assert.deepEqual(forms("jumps")[0], []);
  assert.deepEqual(forms("jumps")[1], ["MODEL"]);
  const ab = usageForms(ANALYSIS_COMMANDS.find((c) => c.name === "ab")!);
  assert.deepEqual([...ab[1]!.flags], ["logs", "experiment", "metric"]);
  // Every placeholder of every analysis command is one completion knows, or one without names.
  const known = new Set(["EXPERIMENT", "MODEL", "METRIC", "BACKEND", "CANDIDATE", "BASELINE", "VERSION", "PROMQL", "<test>"]);
  for (const command of ANALYSIS_COMMANDS) for (const form of usageForms(command)) for (const p of form.positionals) assert.ok(known.has(p), `${command.name}: ${p}`);
});

test("a usage form chosen by the flags given, on a command table of our own", () => {
  const run = async () => 0;
  const report: Command = {
    name: "report",
    summary: "A test command.",
    usage: "report --logs GLOB --model NAME [options]\n       prodinsights report MODEL [--config FILE]\n       prodinsights report METRIC --model MODEL",
    flags: {
      logs: { type: "string", description: "logs" },
      model: { type: "string", description: "the model" },
      config: { type: "string", description: "the file" },
      verbose: { type: "boolean", description: "say more", short: "v" },
    },
    examples: [],
    run,
  };
  const commands = [report];
  assert.deepEqual(at("report |", NAMES, commands).labels, NAMES.models);
  assert.deepEqual(at("report --model churn |", NAMES, commands).labels, NAMES.metrics);
  assert.deepEqual(at("report -v --model churn |", NAMES, commands).labels, NAMES.metrics, "a short boolean flag takes no value");
  assert.ok(at("report --logs x --model churn |", NAMES, commands).items.every((i) => i.kind === "flag"));
  assert.deepEqual(at("|", NAMES, commands).labels, ["report"]);
});

test("names that need quoting are quoted; inside quotes, escaped; an open quote is closed", () => {
  const names = { ...NAMES, experiments: ["checkout", "onboarding flow", `it's "new"`] };
  const cases: [string, string, string][] = [
    ["ab |", "onboarding flow", "ab 'onboarding flow'"],
    ["ab |", `it's "new"`, `ab 'it'\\''s "new"'`],
    ["ab |", "checkout", "ab checkout"],
    ['ab "onb|', "onboarding flow", 'ab "onboarding flow"'],
    ['ab "|', `it's "new"`, 'ab "it\'s \\"new\\""'],
    ["ab 'on|", "onboarding flow", "ab 'onboarding flow'"],
    ['ab "ch|eck" --json', "checkout", 'ab "checkout" --json'],
    ["ab --experiment='ch|", "checkout", "ab --experiment='checkout'"],
  ];
  for (const [cell, label, expected] of cases) {
    const text = cell.replace("|", "");
    const r = completeInsights(text, cell.indexOf("|"), names);
    const item = r.items.find((i) => i.label === label)!;
    assert.ok(item, `${cell}: ${label}`);
    const after = text.slice(0, r.from) + (item.insertText ?? item.label) + text.slice(r.to);
    assert.equal(after, expected, cell);
    // The shell reading of the result gives the name back.
    const words = splitWords(after);
    const value = words[1]!.text.replace(/^--experiment=/, "");
    assert.equal(value, label, cell);
  }
  assert.equal(choose('ab "ch|eck" --json', "checkout"), 'ab "checkout" --json');
});

test("an unterminated quote or a trailing backslash does not throw", () => {
  assert.doesNotThrow(() => at('ab "check|'));
  assert.deepEqual(at('ab "check|').labels, NAMES.experiments);
  assert.deepEqual(at('ab checkout --range "-7|').labels, ["-14d..now", "-1d..now", "-7d..now", "-14d..-7d"]);
  assert.deepEqual(at("ab checkout --range '-7d..now --|").labels.length, 4, "still the range's value: the quote holds the rest");
  assert.ok(at('ab "checkout --|').items.every((i) => i.kind === "experiment"));
  assert.ok(at("ab checkout -|\\").items.every((i) => i.kind === "flag"));
  assert.deepEqual(at('"a|').labels, COMMAND_NAMES);
  assert.equal(hoverAt('dr|ift "churn')?.from, 0);
  assert.match(hoverAt('ab --ra|nge "-7d')!.markdown, /^`--range V`/);
});

test("comments and other lines: no completion inside a comment; words across lines count", () => {
  assert.deepEqual(at("ab checkout # the --|").labels, []);
  assert.deepEqual(at("# a note |\nab").labels, []);
  assert.deepEqual(at("# a note\n|").labels, COMMAND_NAMES);
  assert.deepEqual(at("ab \\\n  --range |").labels.length, 4);
  assert.deepEqual(at("ab checkout\n  --|").labels.includes("--range"), true);
});

test("hover: a command's summary and usage; a flag's description and default", () => {
  const command = hoverAt("dri|ft churn")!;
  assert.deepEqual([command.from, command.to], [0, 5]);
  assert.match(command.markdown, /^\*\*prodinsights drift\*\*: Did my inputs drift\?/);
  assert.match(command.markdown, /```text\nprodinsights drift --logs GLOB --model NAME .*\nprodinsights drift MODEL \[--config FILE\]/);
  assert.equal(hoverAt("prodinsights |ab")!.from, 13);
  assert.equal(hoverAt("prodin|sights ab"), undefined);

  const range = hoverAt("ab checkout --ran|ge -7d..now")!;
  assert.deepEqual(range, {
    markdown: "`--range V`: with --config: the time span, e.g. -14d..now or 2026-11-01..2026-11-15\n\nDefault: -14d..now",
    from: 12,
    to: 19,
  });
  const metric = hoverAt("compare churn v3 v2 --met|ric=error_rate")!;
  assert.match(metric.markdown, /^`--metric V \.\.\.`: a proportion or mean metric of the file; repeatable\n\nDefault: the model's metrics\n\nMay be repeated\.$/);
  assert.deepEqual([metric.from, metric.to], [20, 28]);
  assert.match(hoverAt("ab --cor|rection holm")!.markdown, /^`--correction V`/);
  assert.match(hoverAt("ab --js|on")!.markdown, /^`--json`: print the ab result document as JSON$/);
  assert.match(hoverAt("ab |--help")!.markdown, /^`--help`: show this help$/);
  // Markdown in descriptions is escaped.
  assert.match(hoverAt("ab --me|tric x")!.markdown, /outcome\\_rate/);
  // Not a command or flag: nothing.
  assert.equal(hoverAt("ab check|out"), undefined);
  assert.equal(hoverAt("drift churn --baseline -1|4d..-7d"), undefined, "a dashed value is not a flag");
  assert.equal(hoverAt("ab --nosuch|"), undefined);
  assert.equal(hoverAt("ab --nos|uch"), undefined);
  assert.equal(hoverAt("canary |churn"), undefined);
  assert.equal(hoverAt("ab |  --json"), undefined);
});

test("every flag of every analysis command completes without throwing", () => {
  for (const command of ANALYSIS_COMMANDS) {
    for (const name of Object.keys(command.flags)) {
      for (const cell of [`${command.name} --${name} |`, `${command.name} --${name}=|`, `${command.name} --${name.slice(0, 2)}|`]) {
        assert.doesNotThrow(() => at(cell), cell);
      }
    }
  }
});
