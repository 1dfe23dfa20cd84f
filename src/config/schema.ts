/**
 * The JSON Schema of prodinsights.yaml (prodinsights.schema.json, shipped in the package for
 * editors) and a validator for the subset of draft-07 it uses. The schema is the one description
 * of the file: editors complete and check with it, and the loader checks and fills defaults with
 * it, so the two cannot disagree.
 */
import schemaJson from "./prodinsights.schema.json";
import { didYouMean } from "./suggest";

export interface SchemaNode {
  readonly $ref?: string;
  readonly description?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly required?: readonly string[];
  readonly propertyNames?: SchemaNode;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  /** The message when `pattern` fails (VS Code's JSON and YAML support read it too). */
  readonly patternErrorMessage?: string;
  readonly minLength?: number;
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly if?: SchemaNode;
  readonly then?: SchemaNode;
  readonly else?: SchemaNode;
  readonly allOf?: readonly SchemaNode[];
  readonly default?: unknown;
  /** A secret's place: its value is never repeated in a message. */
  readonly writeOnly?: boolean;
  readonly definitions?: Readonly<Record<string, SchemaNode>>;
}

export const CONFIG_SCHEMA = schemaJson as SchemaNode;

export type Path = ReadonlyArray<string | number>;

/** A schema violation: where (a key itself, or the value under a path) and what is wrong. */
export interface SchemaIssue {
  readonly path: Path;
  /** "key": the last path element is a key that should not be there, or is misspelt. */
  readonly at: "key" | "value";
  readonly message: string;
}

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

function describe(v: Json): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (isObject(v)) return "a mapping";
  if (typeof v === "string") return `'${v.length > 40 ? `${v.slice(0, 39)}…` : v}'`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: "a mapping",
  array: "a list",
  string: "text",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
};

function hasType(v: Json, type: string): boolean {
  switch (type) {
    case "object":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    default:
      return true;
  }
}

const typesOf = (s: SchemaNode): readonly string[] => (s.type === undefined ? [] : typeof s.type === "string" ? [s.type] : s.type);

const sameJson = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

export class SchemaValidator {
  constructor(private readonly root: SchemaNode = CONFIG_SCHEMA) {}

  /** Follows a local `$ref` (#/definitions/name); other keywords beside it are annotations. */
  resolve(node: SchemaNode): SchemaNode {
    let n = node;
    for (let hops = 0; n.$ref !== undefined; hops++) {
      const name = /^#\/definitions\/(.+)$/.exec(n.$ref)?.[1];
      const target = name === undefined ? undefined : this.root.definitions?.[name];
      if (!target || hops > 20) throw new Error(`schema: cannot resolve $ref '${n.$ref}'`);
      n = target;
    }
    return n;
  }

  /** Every violation of `value` against `node`, in document order. */
  validate(value: Json, node: SchemaNode = this.root, path: Path = []): SchemaIssue[] {
    const issues: SchemaIssue[] = [];
    this.check(value, node, path, issues);
    return issues;
  }

  private check(value: Json, raw: SchemaNode, path: Path, out: SchemaIssue[]): void {
    const s = this.resolve(raw);
    const fail = (message: string): void => void out.push({ path, at: "value", message });
    // "'abc': must be …", except for secrets, whose value is never repeated.
    const quoted = (v: Json): string => (s.writeOnly ? "" : `${describe(v)}: `);

    const types = typesOf(s);
    if (types.length > 0 && !types.some((t) => hasType(value, t))) {
      // A duration written as 30 is better told what a duration looks like than that it is not text.
      const expected = types.filter((t) => t !== "null").map((t) => TYPE_WORDS[t] ?? t).join(" or ");
      fail(s.patternErrorMessage ? `${quoted(value)}${s.patternErrorMessage}` : `must be ${expected}${s.writeOnly ? "" : `, not ${describe(value)}`}`);
      return;
    }
    if (s.const !== undefined && !sameJson(value, s.const)) fail(`must be ${JSON.stringify(s.const)}`);
    if (s.enum !== undefined && !s.enum.some((e) => sameJson(e, value))) {
      const choices = s.enum.map((e) => String(e));
      fail(`must be one of ${choices.join(", ")}, not ${describe(value)}.${typeof value === "string" ? didYouMean(value, choices) : ""}`);
    }
    if (typeof value === "string") {
      if (s.minLength !== undefined && value.length < s.minLength) fail(s.minLength === 1 ? "must not be empty" : `must have at least ${s.minLength} characters`);
      if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(value)) {
        fail(`${quoted(value)}${s.patternErrorMessage ?? `must match ${s.pattern}`}`);
      }
    }
    if (typeof value === "number") {
      if (s.minimum !== undefined && value < s.minimum) fail(`must be at least ${s.minimum}, not ${value}`);
      if (s.maximum !== undefined && value > s.maximum) fail(`must be at most ${s.maximum}, not ${value}`);
      if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) fail(`must be above ${s.exclusiveMinimum}, not ${value}`);
      if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) fail(`must be below ${s.exclusiveMaximum}, not ${value}`);
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems) fail(`must list at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
      if (s.uniqueItems) {
        const seen = new Set<string>();
        value.forEach((item, i) => {
          const key = JSON.stringify(item);
          if (seen.has(key)) out.push({ path: [...path, i], at: "value", message: `${describe(item)} is listed twice` });
          seen.add(key);
        });
      }
      if (s.items) value.forEach((item, i) => this.check(item, s.items!, [...path, i], out));
    }
    if (isObject(value)) this.checkObject(value, s, path, out);
    if (s.allOf) for (const sub of s.allOf) this.check(value, sub, path, out);
    if (s.if) {
      const branch = this.validate(value, s.if, path).length === 0 ? s.then : s.else;
      if (branch) this.check(value, branch, path, out);
    }
  }

  private checkObject(value: Record<string, Json>, s: SchemaNode, path: Path, out: SchemaIssue[]): void {
    const keys = Object.keys(value);
    const known = s.properties ? Object.keys(s.properties) : [];
    for (const name of s.required ?? []) {
      if (!(name in value)) out.push({ path, at: "value", message: `'${name}' is missing` });
    }
    if (s.minProperties !== undefined && keys.length < s.minProperties) {
      out.push({ path, at: "value", message: s.minProperties === 1 ? "must not be empty" : `must have at least ${s.minProperties} entries` });
    }
    if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
      out.push({ path, at: "value", message: s.maxProperties === 1 ? `must have just one of ${known.join(", ")}` : `must have at most ${s.maxProperties} entries` });
    }
    for (const key of keys) {
      const at = [...path, key];
      if (s.propertyNames) {
        for (const issue of this.validate(key, s.propertyNames, at)) out.push({ ...issue, at: "key" });
      }
      const prop = s.properties?.[key];
      if (prop) this.check(value[key], prop, at, out);
      else if (s.additionalProperties === false) {
        const hint = didYouMean(key, known);
        out.push({ path: at, at: "key", message: `unknown key '${key}'.${hint || ` Expected one of: ${known.join(", ")}.`}` });
      } else if (typeof s.additionalProperties === "object") this.check(value[key], s.additionalProperties, at, out);
    }
  }

  /**
   * A copy of a valid `value` with every absent property that has a default filled in, at every
   * depth. Defaults are copied, never shared.
   */
  withDefaults(value: Json, raw: SchemaNode = this.root): Json {
    const s = this.resolve(raw);
    // `churn:` with nothing under it is an entry that takes every default.
    if (value === null && typesOf(s).includes("object")) return this.withDefaults({}, s);
    if (Array.isArray(value)) return s.items ? value.map((item) => this.withDefaults(item, s.items!)) : [...value];
    if (!isObject(value)) return value;
    const out: Record<string, Json> = {};
    for (const [key, v] of Object.entries(value)) {
      const prop = s.properties?.[key] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      out[key] = prop ? this.withDefaults(v, prop) : v;
    }
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      if (key in out) continue;
      const resolved = this.resolve(prop);
      const fallback = prop.default ?? resolved.default;
      if (fallback !== undefined) out[key] = this.withDefaults(structuredClone(fallback), prop);
    }
    return out;
  }
}
