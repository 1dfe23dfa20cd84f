/**
 * YAML files checked against a JSON Schema (schema.ts), with every problem located at its line and
 * column (1-based): syntax first, then the schema, then the checks a schema cannot express (names
 * that point elsewhere). prodinsights.yaml and the gateway's gateway.yaml are read this way.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { Path, SchemaIssue, SchemaValidator } from "./schema";

export interface ConfigIssue {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** Where in the file's structure, e.g. `backends.prod.timeout`; empty for syntax errors. */
  readonly path: string;
  readonly message: string;
}

/** A file with errors; the message lists them all as file:line:column. */
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

export interface YamlCheck {
  readonly validator: SchemaValidator;
  /** What an empty file is told. */
  readonly emptyMessage: string;
  /** Problems beyond the schema, on the data with its defaults; may throw on a shape the schema refused. */
  readonly more?: (data: unknown) => SchemaIssue[];
}

/**
 * Parses `text` and checks it; the data, defaults filled, when there is no problem. Never throws
 * for bad input. Problems beyond the schema are looked for even in a file that also breaks the
 * schema, so that one pass shows everything, but a part too malformed to follow is skipped.
 */
export function checkYaml(text: string, check: YamlCheck): { readonly data?: unknown; readonly issues: readonly ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // yaml's messages end with "at line L, column C" and a code frame; the position goes up front instead.
    const issues = doc.errors.map((e) => issueAt(lines, [e.pos[0], e.pos[1]], "", e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")));
    return { issues };
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) return { issues: [issueAt(lines, [0, 0], "", check.emptyMessage)] };
  const schemaIssues = check.validator.validate(raw);
  const data = check.validator.withDefaults(raw);
  let moreIssues: SchemaIssue[] = [];
  try {
    moreIssues = check.more?.(data) ?? [];
  } catch (err) {
    if (schemaIssues.length === 0) throw err;
  }
  const issues = [...schemaIssues, ...moreIssues].map((i) => issueAt(lines, nodeAt(doc, i.path, i.at)?.range, pathText(i.path), i.message));
  if (issues.length > 0) return { issues: issues.sort((a, b) => a.line - b.line || a.column - b.column) };
  return { data, issues: [] };
}
