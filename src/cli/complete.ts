/**
 * Completion and hover for `insights` notebook cells: one CLI command without the `prodinsights`
 * prefix, read with the CLI's own grammar (the Command table) so that the cells, --help and the
 * parser never disagree. Pure: the names come in (from prodinsights.yaml), the editor's providers
 * turn the answer into items. Items are not filtered by the word typed so far; the editor does that
 * (fuzzily), within `from`..`to`.
 */
import { ANALYSIS_COMMANDS } from "./analysisCommands";
import type { Command, FlagSpec } from "./command";
import { STATS_TESTS } from "./statsContract";
import { splitWords, WordsError, type Word } from "./words";

/** The names of the workspace file that values may take. */
export interface CellNames {
  readonly experiments: readonly string[];
  readonly models: readonly string[];
  readonly metrics: readonly string[];
  readonly backends: readonly string[];
  /** Known versions per model, for `compare MODEL CANDIDATE BASELINE`. */
  readonly versions?: Readonly<Record<string, readonly string[]>>;
}

export type CompletionKind = "command" | "flag" | "experiment" | "model" | "metric" | "backend" | "version" | "value";

export interface CompletionEntry {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  /** What to insert instead of the label: the label quoted or escaped for the shell, when needed. */
  readonly insertText?: string;
}

export interface Completion {
  readonly items: readonly CompletionEntry[];
  /** The range of the text that the chosen item replaces: the word under the cursor (empty at a new word). */
  readonly from: number;
  readonly to: number;
}

export interface InsightsHover {
  readonly markdown: string;
  readonly from: number;
  readonly to: number;
}

const CLI_NAME = "prodinsights";

const HELP_FLAG: FlagSpec = { type: "boolean", description: "show this help" };

/** Examples offered for a time-range flag, besides its default. */
const TIME_RANGES: readonly { readonly range: string; readonly detail: string }[] = [
  { range: "-1d..now", detail: "the last day" },
  { range: "-7d..now", detail: "the last 7 days" },
  { range: "-14d..-7d", detail: "the week before last" },
];

/** Flags whose values are names of the workspace file. */
const NAME_FLAGS: Readonly<Record<string, "experiment" | "model" | "metric" | "backend">> = {
  experiment: "experiment",
  model: "model",
  metric: "metric",
  backend: "backend",
};

/** Usage placeholders of positional arguments and the names they take. */
const PLACEHOLDERS: Readonly<Record<string, "experiment" | "model" | "metric" | "backend" | "version">> = {
  EXPERIMENT: "experiment",
  MODEL: "model",
  METRIC: "metric",
  BACKEND: "backend",
  CANDIDATE: "version",
  BASELINE: "version",
  VERSION: "version",
};

/** Words, tolerating an unclosed quote or a trailing backslash: the rest of the text is then one last word. */
function tolerantWords(text: string): { words: Word[]; unclosedQuote?: { at: number; quote: "'" | '"' } } {
  try {
    return { words: splitWords(text) };
  } catch (error) {
    if (!(error instanceof WordsError)) throw error;
    let head: Word[];
    try {
      head = splitWords(text.slice(0, error.offset));
    } catch {
      head = [];
    }
    const quote = text[error.offset];
    const rest = quote === "'" || quote === '"' ? text.slice(error.offset + 1) : "";
    const last = head.at(-1);
    const glued = last !== undefined && last.end === error.offset;
    const word: Word = glued ? { text: last.text + rest, start: last.start, end: text.length } : { text: rest, start: error.offset, end: text.length };
    return {
      words: [...(glued ? head.slice(0, -1) : head), word],
      ...(quote === "'" || quote === '"' ? { unclosedQuote: { at: error.offset, quote } } : {}),
    };
  }
}

/** Where an inserted value goes: the range, what was typed, and the quote it sits in. */
interface Slot {
  readonly from: number;
  readonly to: number;
  /** The quote the insertion sits in, and whether the insertion must close it. */
  readonly quote?: "'" | '"';
  readonly close?: boolean;
}

/** The slot of a word (or of its part from `segmentStart`, after `--flag=`) for a cursor at `offset`. */
function slotOf(text: string, word: Word, segmentStart: number, offset: number, unclosedAt: number | undefined): Slot {
  const q = text[segmentStart];
  if (q === "'" || q === '"') {
    if (unclosedAt === segmentStart) return { from: segmentStart + 1, to: offset, quote: q, close: true };
    const closed = word.end - segmentStart >= 2 && text[word.end - 1] === q;
    if (closed && offset < word.end) return { from: segmentStart + 1, to: word.end - 1, quote: q };
  }
  return { from: segmentStart, to: word.end };
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `name` as it must be written in the slot, or undefined when that is the name itself. */
function insertion(name: string, slot: Slot): string | undefined {
  let written: string;
  if (slot.quote === '"') written = name.replace(/["\\$`]/g, "\\$&") + (slot.close ? '"' : "");
  else if (slot.quote === "'") written = name.replace(/'/g, "'\\''") + (slot.close ? "'" : "");
  else written = SHELL_SAFE.test(name) ? name : `'${name.replace(/'/g, "'\\''")}'`;
  return written === name ? undefined : written;
}

function entry(label: string, kind: CompletionKind, slot: Slot, extra: { detail?: string; documentation?: string } = {}): CompletionEntry {
  const insertText = kind === "command" || kind === "flag" ? undefined : insertion(label, slot);
  return { label, kind, ...extra, ...(insertText === undefined ? {} : { insertText }) };
}

/** One usage line of a command: the flags it mentions and its positional placeholders in order. */
export interface UsageForm {
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/** The forms of a command's `usage`, e.g. `ab EXPERIMENT [--config FILE] …` gives flags {config, …} and [EXPERIMENT]. */
export function usageForms(command: Command): UsageForm[] {
  return command.usage.split("\n").map((line) => {
    const tokens = line.trim().replace(/^prodinsights\s+/, "").split(/\s+/).slice(1);
    const flags = new Set<string>();
    const positionals: string[] = [];
    let depth = 0;
    let afterFlag = false;
    for (const token of tokens) {
      for (const m of token.matchAll(/--([a-z][a-z0-9-]*)/g)) flags.add(m[1]!);
      const bracketed = /[[\]]/.test(token);
      if (token.startsWith("--")) afterFlag = command.flags[token.slice(2)]?.type !== "boolean";
      else {
        if (depth === 0 && !bracketed && !afterFlag && /^(?:[A-Z][A-Z_]*|<[a-z-]+>)$/.test(token)) positionals.push(token);
        afterFlag = false;
      }
      depth += (token.match(/\[/g)?.length ?? 0) - (token.match(/\]/g)?.length ?? 0);
    }
    return { flags, positionals };
  });
}

/** The usage form the flags given so far point to: one that mentions them all, with the most positionals. */
function formFor(command: Command, given: ReadonlySet<string>): UsageForm {
  const forms = usageForms(command);
  const mentioned = new Set(forms.flatMap((f) => [...f.flags]));
  const telling = [...given].filter((g) => mentioned.has(g));
  const fitting = forms.filter((f) => telling.every((g) => f.flags.has(g)));
  return (fitting.length > 0 ? fitting : forms).reduce((best, f) => (f.positionals.length > best.positionals.length ? f : best));
}

/** Choices listed at the end of a description after a colon: "…: none, holm or bh" gives [none, holm, bh]. */
export function choicesOf(description: string): string[] {
  const tail = description.slice(description.lastIndexOf(":") + 1).trim();
  const m = /^([a-z0-9][a-z0-9_.-]*(?:, [a-z0-9][a-z0-9_.-]*)*)(?:,? or ([a-z0-9][a-z0-9_.-]*))?$/.exec(tail);
  if (!description.includes(":") || !m) return [];
  const choices = [...m[1]!.split(", "), ...(m[2] ? [m[2]] : [])];
  return choices.length >= 2 ? choices : [];
}

const isTimeRange = (spec: FlagSpec): boolean => spec.type === "string" && /\S\.\.\S/.test(`${spec.description} ${spec.default ?? ""}`);

function flagDoc(spec: FlagSpec): { detail: string; documentation?: string } {
  return { detail: spec.description, ...(spec.default ? { documentation: `Default: ${spec.default}` } : {}) };
}

function flagItems(command: Command, given: ReadonlySet<string>, slot: Slot): CompletionEntry[] {
  const items = Object.entries(command.flags)
    .filter(([name, spec]) => spec.multiple || !given.has(name))
    .map(([name, spec]) => entry(`--${name}`, "flag", slot, flagDoc(spec)));
  if (!given.has("help")) items.push(entry("--help", "flag", slot, { detail: HELP_FLAG.description }));
  return items;
}

function valueItems(name: string, spec: FlagSpec, names: CellNames, slot: Slot): CompletionEntry[] {
  const kind = NAME_FLAGS[name];
  if (kind) return listOf(names, kind).map((n) => entry(n, kind, slot, { detail: kind }));
  if (isTimeRange(spec)) {
    const fallback = spec.default && /^\S+\.\.\S+$/.test(spec.default) ? spec.default : undefined;
    const ranges = TIME_RANGES.map((r) => entry(r.range, "value", slot, { detail: r.range === fallback ? `${r.detail} (default)` : r.detail }));
    if (fallback && !TIME_RANGES.some((r) => r.range === fallback)) ranges.unshift(entry(fallback, "value", slot, { detail: "the default" }));
    return ranges;
  }
  return choicesOf(spec.description).map((c) => entry(c, "value", slot, { detail: c === spec.default ? "default" : `--${name}` }));
}

function listOf(names: CellNames, kind: "experiment" | "model" | "metric" | "backend"): readonly string[] {
  return { experiment: names.experiments, model: names.models, metric: names.metrics, backend: names.backends }[kind];
}

function positionalItems(form: UsageForm, positionals: readonly string[], index: number, names: CellNames, slot: Slot): CompletionEntry[] {
  const placeholder = form.positionals[index];
  if (placeholder === undefined) return [];
  if (placeholder === "<test>") {
    return Object.entries(STATS_TESTS).map(([name, t]) => entry(name, "value", slot, { detail: "statistical test", documentation: `input: ${t.input}\noutput: ${t.output}` }));
  }
  const kind = PLACEHOLDERS[placeholder];
  if (kind === undefined) return [];
  if (kind !== "version") return listOf(names, kind).map((n) => entry(n, kind, slot, { detail: kind }));
  const modelAt = form.positionals.indexOf("MODEL");
  const model = modelAt >= 0 ? positionals[modelAt] : undefined;
  if (model === undefined) return [];
  // Versions already named at the other version placeholders are not offered again.
  const taken = new Set(form.positionals.flatMap((p, k) => (k !== index && PLACEHOLDERS[p] === "version" && positionals[k] !== undefined ? [positionals[k]!] : [])));
  return (names.versions?.[model] ?? [])
    .filter((v) => !taken.has(v))
    .map((v) => entry(v, "version", slot, { detail: `${placeholder.toLowerCase()} version of ${model}` }));
}

/** The cursor is in a `#` comment when the gap from the last word before it to it, on its line, holds one. */
function inComment(text: string, words: readonly Word[], offset: number): boolean {
  const lastEnd = words.filter((w) => w.end <= offset).at(-1)?.end ?? 0;
  const gap = text.slice(lastEnd, offset);
  return gap.slice(gap.lastIndexOf("\n") + 1).includes("#");
}

/** Completions for the cursor at `offset` in an `insights` cell. */
export function completeInsights(text: string, offset: number, names: CellNames, commands: readonly Command[] = ANALYSIS_COMMANDS): Completion {
  const { words, unclosedQuote } = tolerantWords(text);
  const unclosedAt = unclosedQuote?.at;
  const current = words.find((w) => w.start <= offset && offset <= w.end);
  if (!current && inComment(text, words, offset)) return { items: [], from: offset, to: offset };
  const index = current ? words.indexOf(current) : words.filter((w) => w.end <= offset).length;
  const prior = words.slice(0, index);
  const empty: Slot = { from: offset, to: offset };
  const wordSlot = current ? slotOf(text, current, current.start, offset, unclosedAt) : empty;
  const done = (items: readonly CompletionEntry[], slot: Slot): Completion => ({ items, from: slot.from, to: slot.to });

  const skip = prior[0]?.text === CLI_NAME ? 1 : 0;
  if (index === skip) {
    return done(
      commands.map((c) => entry(c.name, "command", wordSlot, { detail: c.summary, documentation: usageText(c) })),
      wordSlot,
    );
  }
  const command = commands.find((c) => c.name === prior[skip]?.text);
  if (!command) return done([], wordSlot);

  // Walk the arguments before the cursor as parseCommandArgs reads them.
  const given = new Set<string>();
  const positionals: string[] = [];
  let expecting: string | undefined; // a string flag waiting for its value
  let endOfFlags = false;
  for (const w of prior.slice(skip + 1)) {
    if (expecting !== undefined) {
      expecting = undefined;
      continue;
    }
    const flag = endOfFlags ? undefined : flagName(command, w.text);
    if (w.text === "--" && !endOfFlags) endOfFlags = true;
    else if (flag) {
      given.add(flag.name);
      if (command.flags[flag.name]?.type === "string" && !flag.inline) expecting = flag.name;
    } else positionals.push(w.text);
  }

  if (expecting !== undefined) return done(valueItems(expecting, command.flags[expecting]!, names, wordSlot), wordSlot);
  const raw = current ? text.slice(current.start, current.end) : "";
  if (current && !endOfFlags && raw.startsWith("-")) {
    const eq = raw.indexOf("=");
    const name = raw.slice(2, eq < 0 ? undefined : eq);
    if (raw.startsWith("--") && eq >= 0 && offset > current.start + eq) {
      const spec = command.flags[name];
      const slot = slotOf(text, current, current.start + eq + 1, offset, unclosedAt);
      return done(spec && spec.type === "string" ? valueItems(name, spec, names, slot) : [], slot);
    }
    const slot: Slot = eq < 0 ? wordSlot : { from: current.start, to: current.start + eq };
    return done(flagItems(command, given, slot), slot);
  }
  const form = formFor(command, given);
  const items = positionalItems(form, positionals, positionals.length, names, wordSlot);
  if (current || items.length > 0) return done(items, wordSlot);
  return done(endOfFlags ? [] : flagItems(command, given, wordSlot), wordSlot);
}

/** The flag a word names (`--name`, `--name=value`, `-h`), if it is one of the command's or --help. */
function flagName(command: Command, word: string): { name: string; inline: boolean } | undefined {
  if (word.startsWith("--") && word.length > 2) {
    const eq = word.indexOf("=");
    return { name: word.slice(2, eq < 0 ? undefined : eq), inline: eq >= 0 };
  }
  if (/^-[A-Za-z]/.test(word)) {
    if (word[1] === "h") return { name: "help", inline: false };
    const found = Object.entries(command.flags).find(([, spec]) => spec.short === word[1]);
    return found ? { name: found[0], inline: word.length > 2 } : { name: word.slice(1), inline: false };
  }
  return undefined;
}

function usageText(command: Command): string {
  const [first, ...rest] = command.usage.split("\n");
  return [`${CLI_NAME} ${first}`, ...rest.map((l) => l.trim())].join("\n");
}

const escapeMarkdown = (text: string): string => text.replace(/[\\`*_[\]<>#|~]/g, "\\$&");

/** Hover text for the command or flag at `offset` in an `insights` cell. */
export function hoverInsights(text: string, offset: number, commands: readonly Command[] = ANALYSIS_COMMANDS): InsightsHover | undefined {
  const { words } = tolerantWords(text);
  const index = words.findIndex((w) => w.start <= offset && offset < w.end);
  const word = words[index];
  if (!word) return undefined;
  const skip = words[0]?.text === CLI_NAME ? 1 : 0;
  if (index < skip) return undefined;
  const command = commands.find((c) => c.name === words[skip]?.text);
  if (!command) return undefined;
  if (index === skip) {
    return { markdown: `**${CLI_NAME} ${command.name}**: ${escapeMarkdown(command.summary)}\n\n\`\`\`text\n${usageText(command)}\n\`\`\``, from: word.start, to: word.end };
  }
  // A word right after a string flag is its value, not a flag (e.g. --baseline -14d..-7d).
  const before = words[index - 1];
  const previous = before && index - 1 > skip ? flagName(command, before.text) : undefined;
  if (previous && !previous.inline && command.flags[previous.name]?.type === "string") return undefined;
  const flag = flagName(command, word.text);
  if (!flag) return undefined;
  const spec = flag.name === "help" ? HELP_FLAG : command.flags[flag.name];
  if (!spec) return undefined;
  const label = `--${flag.name}${spec.type === "string" ? " V" : ""}${spec.multiple ? " ..." : ""}`;
  const lines = [`\`${label}\`: ${escapeMarkdown(spec.description)}`];
  if (spec.default) lines.push(`Default: ${escapeMarkdown(spec.default)}`);
  if (spec.multiple) lines.push("May be repeated.");
  const eq = word.text.startsWith("--") ? text.slice(word.start, word.end).indexOf("=") : -1;
  return { markdown: lines.join("\n\n"), from: word.start, to: eq < 0 ? word.end : word.start + eq };
}
