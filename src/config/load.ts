/**
 * Reads prodinsights.yaml: YAML syntax (the `yaml` package), then the schema, then the names that
 * refer to other entries. Every problem comes back at once, each with its line and column (1-based)
 * and, for a misspelt name, a suggestion; a file with any error gives no Config.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { checkReferences, experiment, toConfig, type RawExperiment, type RawFile, type RawPolicy } from "./build";
import { CONFIG_SCHEMA, SchemaValidator, type Path, type SchemaIssue } from "./schema";
import type { Config, ExperimentConfig } from "./types";

export const CONFIG_FILE_NAME = "prodinsights.yaml";

export interface ConfigIssue {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** Where in the file's structure, e.g. `backends.prod.timeout`; empty for syntax errors. */
  readonly path: string;
  readonly message: string;
}

export interface ParsedConfig {
  /** Present when the file has no errors. */
  readonly config?: Config;
  readonly issues: readonly ConfigIssue[];
}

/** A file with errors, as thrown by loadConfigFile; the message lists them all as file:line:column. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(formatIssues(file, issues));
  }
}

/** `file:line:column: message`, one per line, the way compilers print them (and editors link them). */
export function formatIssues(file: string, issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ""}${i.message}`).join("\n");
}

const validator = new SchemaValidator(CONFIG_SCHEMA);

const pathText = (path: Path): string =>
  path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "");

/** The node of a key (at "key") or of a value under `path`, or the nearest ancestor that exists. */
function nodeAt(doc: Document, path: Path, at: "key" | "value"): Node | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    if (at === "key" && depth === path.length && depth > 0) {
      const parent = prefix.length > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
      if (isMap(parent)) {
        const key = prefix[prefix.length - 1];
        const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
        if (pair && isScalar(pair.key)) return pair.key;
      }
      continue;
    }
    const node = depth === 0 ? doc.contents : doc.getIn(prefix, true);
    if (node && typeof node === "object" && "range" in node && node.range) return node as Node;
  }
  return undefined;
}

function issueAt(lines: LineCounter, range: readonly [number, number, ...number[]] | null | undefined, path: string, message: string): ConfigIssue {
  const [start, end] = range ?? [0, 0];
  const a = lines.linePos(start);
  const b = lines.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col, path, message };
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 12);

/** Parses and checks the text of a prodinsights.yaml. Never throws for bad input. */
export function parseConfig(text: string): ParsedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // yaml's messages end with "at line L, column C" and a code frame; the position goes up front instead.
    const issues = doc.errors.map((e) => issueAt(lines, [e.pos[0], e.pos[1]], "", e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")));
    return { issues };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    return { issues: [issueAt(lines, [0, 0], "", `the file is empty: it needs at least 'backends:'; 'prodinsights init' writes a starter file`)] };
  }
  const locate = (path: Path, at: "key" | "value", message: string): ConfigIssue => {
    const node = nodeAt(doc, path, at);
    return issueAt(lines, node?.range, pathText(path), message);
  };
  const schemaIssues = validator.validate(data);
  const file = validator.withDefaults(data) as RawFile;
  const refIssues = referenceIssues(file, schemaIssues.length > 0);
  const issues = [...schemaIssues, ...refIssues];
  if (issues.length > 0) return { issues: sortByPosition(issues.map((i) => locate(i.path, i.at, i.message))) };

  const policyDefaults = validator.withDefaults({}, { $ref: "#/definitions/policy" }) as RawPolicy;
  return { config: toConfig(file, policyDefaults, sha256(text)), issues: [] };
}

/**
 * The cross-reference problems. In a file that also breaks the schema they are still looked for,
 * so that one pass shows everything, but a part too malformed to follow is skipped.
 */
function referenceIssues(file: RawFile, malformed: boolean): SchemaIssue[] {
  try {
    return checkReferences(file);
  } catch (err) {
    if (malformed) return [];
    throw err;
  }
}

const sortByPosition = (issues: ConfigIssue[]): ConfigIssue[] => issues.sort((a, b) => a.line - b.line || a.column - b.column);

/** Reads and checks a prodinsights.yaml; throws ConfigError listing every problem, under `shownAs`. */
export async function loadConfigFile(file: string, shownAs = file): Promise<Config> {
  const text = await readFile(file, "utf8");
  const parsed = parseConfig(text);
  if (!parsed.config) throw new ConfigError(shownAs, parsed.issues);
  return parsed.config;
}

/**
 * The experiment as the file configures it, or, when the file does not list it, with the schema's
 * defaults: experiments found in the telemetry work without an entry.
 */
export function experimentNamed(config: Config, name: string): ExperimentConfig {
  const known = config.experiments.get(name);
  if (known) return known;
  const defaults = validator.withDefaults({}, { $ref: "#/definitions/experiment" }) as RawExperiment;
  return experiment(name, defaults, config.defaultBackend);
}
