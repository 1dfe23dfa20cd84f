/**
 * What a cursor in a PromQL query (a `promql` notebook cell) asks for, found with a small lexer
 * rather than a parser so that half-typed queries still give an answer: a metric (or function)
 * name, a label name inside `{…}` or a `by (…)` list, a label value inside a matcher's quotes, or
 * nothing (a duration, a number, a comment, any other string). Pure: the editor's completion and
 * hover providers turn the answer into items, with names from PromVocabulary.
 */

export interface PromqlFunction {
  readonly name: string;
  readonly kind: "function" | "aggregation";
  /** The call as the Prometheus docs write it, e.g. `rate(v range-vector)`. */
  readonly signature: string;
  /** One line: what it returns. */
  readonly description: string;
}

const fn = (name: string, args: string, description: string): PromqlFunction => ({ name, kind: "function", signature: `${name}(${args})`, description });
const agg = (name: string, args: string, description: string): PromqlFunction => ({
  name,
  kind: "aggregation",
  signature: `${name} [by|without (labels)] (${args})`,
  description,
});
const overTime = (name: string, what: string): PromqlFunction => fn(`${name}_over_time`, "v range-vector", `per series, ${what} of the samples in the range`);

/**
 * The functions and aggregation operators of PromQL in Prometheus 2.42 (the version the tests run),
 * which VictoriaMetrics also accepts. Facts from https://prometheus.io/docs/prometheus/latest/querying/functions/
 * and .../operators/#aggregation-operators, in our own words.
 */
export const PROMQL_FUNCTIONS: readonly PromqlFunction[] = [
  agg("sum", "v instant-vector", "sum over the grouped series"),
  agg("min", "v instant-vector", "smallest value over the grouped series"),
  agg("max", "v instant-vector", "largest value over the grouped series"),
  agg("avg", "v instant-vector", "mean over the grouped series"),
  agg("group", "v instant-vector", "1 for each group (only the labels matter)"),
  agg("stddev", "v instant-vector", "population standard deviation over the grouped series"),
  agg("stdvar", "v instant-vector", "population variance over the grouped series"),
  agg("count", "v instant-vector", "number of series in each group"),
  agg("count_values", 'label string, v instant-vector', "number of series per distinct value, the value written to the given label"),
  agg("bottomk", "k scalar, v instant-vector", "the k series with the smallest values"),
  agg("topk", "k scalar, v instant-vector", "the k series with the largest values"),
  agg("quantile", "φ scalar, v instant-vector", "φ-quantile (0 ≤ φ ≤ 1) over the grouped series"),
  fn("abs", "v instant-vector", "absolute value of each sample"),
  fn("absent", "v instant-vector", "1 (with the selector's equality labels) when the vector is empty, else nothing"),
  fn("absent_over_time", "v range-vector", "1 when the range has no samples at all, else nothing"),
  fn("ceil", "v instant-vector", "each value rounded up to an integer"),
  fn("changes", "v range-vector", "per series, how many times the value changed within the range"),
  fn("clamp", "v instant-vector, min scalar, max scalar", "each value limited to [min, max]"),
  fn("clamp_max", "v instant-vector, max scalar", "each value limited to at most max"),
  fn("clamp_min", "v instant-vector, min scalar", "each value limited to at least min"),
  fn("day_of_month", "v=vector(time()) instant-vector", "day of the month (1-31) of each timestamp value, in UTC"),
  fn("day_of_week", "v=vector(time()) instant-vector", "day of the week (0 = Sunday) of each timestamp value, in UTC"),
  fn("day_of_year", "v=vector(time()) instant-vector", "day of the year (1-366) of each timestamp value, in UTC"),
  fn("days_in_month", "v=vector(time()) instant-vector", "number of days (28-31) in the month of each timestamp value, in UTC"),
  fn("delta", "v range-vector", "per gauge series, last minus first value in the range, extrapolated to its edges"),
  fn("deriv", "v range-vector", "per gauge series, the per-second slope by simple linear regression"),
  fn("exp", "v instant-vector", "e raised to each value"),
  fn("floor", "v instant-vector", "each value rounded down to an integer"),
  fn("histogram_count", "v instant-vector", "observation count of each native histogram"),
  fn("histogram_sum", "v instant-vector", "sum of observations of each native histogram"),
  fn("histogram_fraction", "lower scalar, upper scalar, v instant-vector", "estimated share of observations between lower and upper, per native histogram"),
  fn("histogram_quantile", "φ scalar, b instant-vector", "φ-quantile estimated from histogram buckets (classic buckets need the le label)"),
  fn("holt_winters", "v range-vector, sf scalar, tf scalar", "double exponential smoothing of each gauge series (smoothing and trend factors in (0, 1))"),
  fn("hour", "v=vector(time()) instant-vector", "hour of the day (0-23) of each timestamp value, in UTC"),
  fn("idelta", "v range-vector", "per gauge series, difference of the last two samples in the range"),
  fn("increase", "v range-vector", "per counter series, the increase over the range, corrected for resets and extrapolated"),
  fn("irate", "v range-vector", "per counter series, per-second rate from the last two samples in the range"),
  fn("label_join", "v instant-vector, dst_label string, separator string, src_label_1 string, ...", "writes the source labels' values, joined by the separator, to dst_label"),
  fn("label_replace", "v instant-vector, dst_label string, replacement string, src_label string, regex string", "writes the replacement to dst_label when the regex matches src_label's value"),
  fn("ln", "v instant-vector", "natural logarithm of each value"),
  fn("log2", "v instant-vector", "binary logarithm of each value"),
  fn("log10", "v instant-vector", "decimal logarithm of each value"),
  fn("minute", "v=vector(time()) instant-vector", "minute of the hour (0-59) of each timestamp value, in UTC"),
  fn("month", "v=vector(time()) instant-vector", "month (1-12) of each timestamp value, in UTC"),
  fn("predict_linear", "v range-vector, t scalar", "per gauge series, the value t seconds ahead by simple linear regression"),
  fn("rate", "v range-vector", "per counter series, the average per-second increase over the range, corrected for resets"),
  fn("resets", "v range-vector", "per counter series, how many times it reset within the range"),
  fn("round", "v instant-vector, to_nearest=1 scalar", "each value rounded to the nearest multiple of to_nearest (ties round up)"),
  fn("scalar", "v instant-vector", "the value of a one-element vector as a scalar, else NaN"),
  fn("sgn", "v instant-vector", "sign of each value: 1, -1 or 0"),
  fn("sort", "v instant-vector", "the series in ascending order of value (instant queries)"),
  fn("sort_desc", "v instant-vector", "the series in descending order of value (instant queries)"),
  fn("sqrt", "v instant-vector", "square root of each value"),
  fn("time", "", "seconds since the epoch at the evaluation time"),
  fn("timestamp", "v instant-vector", "the timestamp of each sample, in seconds since the epoch"),
  fn("vector", "s scalar", "the scalar as a vector with one element and no labels"),
  fn("year", "v=vector(time()) instant-vector", "year of each timestamp value, in UTC"),
  overTime("avg", "the mean"),
  overTime("min", "the smallest"),
  overTime("max", "the largest"),
  overTime("sum", "the sum"),
  overTime("count", "the number"),
  fn("quantile_over_time", "φ scalar, v range-vector", "per series, the φ-quantile of the samples in the range"),
  overTime("stddev", "the population standard deviation"),
  overTime("stdvar", "the population variance"),
  overTime("last", "the most recent"),
  fn("present_over_time", "v range-vector", "per series, 1 when the range has any sample"),
  fn("acos", "v instant-vector", "arccosine of each value"),
  fn("acosh", "v instant-vector", "inverse hyperbolic cosine of each value"),
  fn("asin", "v instant-vector", "arcsine of each value"),
  fn("asinh", "v instant-vector", "inverse hyperbolic sine of each value"),
  fn("atan", "v instant-vector", "arctangent of each value"),
  fn("atanh", "v instant-vector", "inverse hyperbolic tangent of each value"),
  fn("cos", "v instant-vector", "cosine of each value"),
  fn("cosh", "v instant-vector", "hyperbolic cosine of each value"),
  fn("sin", "v instant-vector", "sine of each value"),
  fn("sinh", "v instant-vector", "hyperbolic sine of each value"),
  fn("tan", "v instant-vector", "tangent of each value"),
  fn("tanh", "v instant-vector", "hyperbolic tangent of each value"),
  fn("deg", "v instant-vector", "each value converted from radians to degrees"),
  fn("rad", "v instant-vector", "each value converted from degrees to radians"),
  fn("pi", "", "the number π"),
];

const BY_NAME = new Map(PROMQL_FUNCTIONS.map((f) => [f.name, f]));

export type PromqlCompletionContext =
  | { readonly kind: "metric"; readonly prefix: string; readonly from: number; readonly to: number }
  | { readonly kind: "labelName"; readonly metric?: string; readonly prefix: string; readonly from: number; readonly to: number }
  | {
      readonly kind: "labelValue";
      readonly metric?: string;
      readonly label: string;
      readonly prefix: string;
      readonly from: number;
      readonly to: number;
      /**
       * The quote the value sits in (`from`..`to` is between the quotes), or undefined after a bare
       * `label=`: then the inserted value needs quotes of its own (see promqlString).
       */
      readonly quote: '"' | "'" | "`" | undefined;
    }
  | { readonly kind: "none" };

/** `value` as the text between `quote`s (escaped), or with `"` quotes around it when `quote` is undefined. */
export function promqlString(value: string, quote: '"' | "'" | "`" | undefined): string {
  if (quote === "`") return value.replace(/`/g, ""); // raw strings have no escapes: a backtick cannot be written
  const q = quote ?? '"';
  const inner = value.replace(/\\/g, "\\\\").replace(new RegExp(q, "g"), `\\${q}`).replace(/\n/g, "\\n");
  return quote === undefined ? `"${inner}"` : inner;
}

type TokenType = "ident" | "number" | "string" | "comment" | "punct";

interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Strings: whether the closing quote is there. */
  readonly closed?: boolean;
}

const IDENT_START = /[A-Za-z_:]/;
const IDENT_PART = /[A-Za-z0-9_:]/;
const NUMBER_PART = /[A-Za-z0-9_.]/;
const TWO_CHAR = new Set(["==", "!=", "=~", "!~", ">=", "<="]);

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
      tokens.push({ type: "comment", text: text.slice(start, i), start, end: i });
    } else if (c === '"' || c === "'" || c === "`") {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === c) {
          closed = true;
          i++;
          break;
        }
        if (d === "\n" && c !== "`") break; // an unclosed quote ends with its line
        i += d === "\\" && c !== "`" ? 2 : 1;
      }
      i = Math.min(i, text.length);
      tokens.push({ type: "string", text: text.slice(start, i), start, end: i, closed });
    } else if (IDENT_START.test(c)) {
      while (i < text.length && IDENT_PART.test(text[i]!)) i++;
      tokens.push({ type: "ident", text: text.slice(start, i), start, end: i });
    } else if (/[0-9.]/.test(c)) {
      // Numbers, hex, exponents and durations (5m, 1h30m) in one token.
      const exponentSign = (): boolean => /[+-]/.test(text[i]!) && /^[0-9.]+[eE]$/.test(text.slice(start, i));
      while (i < text.length && (NUMBER_PART.test(text[i]!) || exponentSign())) i++;
      tokens.push({ type: "number", text: text.slice(start, i), start, end: i });
    } else {
      const two = text.slice(i, i + 2);
      i += TWO_CHAR.has(two) ? 2 : 1;
      tokens.push({ type: "punct", text: text.slice(start, i), start, end: i });
    }
  }
  return tokens;
}

type Role = "call" | "group" | "labels" | "brace" | "bracket";

/** Keywords that take a label list in parentheses. */
const LABEL_LIST_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const AGGREGATION_CLAUSE = new Set(["by", "without"]);
/** After these an expression starts. */
const KEYWORD_OPERATORS = new Set(["and", "or", "unless", "bool"]);
const KEYWORDS = new Set([...LABEL_LIST_KEYWORDS, ...KEYWORD_OPERATORS, "offset", "inf", "nan"]);
const BINARY_OPERATORS = new Set(["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<="]);
const MATCH_OPERATORS = new Set(["=", "!=", "=~", "!~"]);

interface Scan {
  readonly tokens: readonly Token[];
  /** For each token k, the innermost container open just after it (undefined at the top level). */
  readonly after: readonly (Frame | undefined)[];
}

interface Frame {
  readonly role: Role;
  /** Index of the opening token. */
  readonly open: number;
}

function scan(text: string): Scan {
  const tokens = lex(text);
  const after: (Frame | undefined)[] = [];
  const stack: Frame[] = [];
  tokens.forEach((t, k) => {
    if (t.type === "punct") {
      const top = stack.at(-1);
      if (t.text === ")" || t.text === "}" || t.text === "]") {
        const want = t.text === ")" ? ["call", "group", "labels"] : t.text === "}" ? ["brace"] : ["bracket"];
        if (top && want.includes(top.role)) stack.pop();
      } else if (t.text === "(") {
        const prev = previousCode(tokens, k);
        stack.push({ role: prev?.type === "ident" ? (LABEL_LIST_KEYWORDS.has(prev.text) ? "labels" : "call") : "group", open: k });
      } else if (t.text === "{") stack.push({ role: "brace", open: k });
      else if (t.text === "[") stack.push({ role: "bracket", open: k });
    }
    after.push(stack.at(-1));
  });
  return { tokens, after };
}

/** The container token k (or a cursor just before it) sits in. */
const frameBefore = (s: Scan, k: number): Frame | undefined => (k > 0 ? s.after[k - 1] : undefined);

/** The token before index k that is not a comment. */
function previousCode(tokens: readonly Token[], k: number): Token | undefined {
  for (let j = k - 1; j >= 0; j--) if (tokens[j]!.type !== "comment") return tokens[j];
  return undefined;
}

function nextCode(tokens: readonly Token[], k: number): Token | undefined {
  for (let j = k + 1; j < tokens.length; j++) if (tokens[j]!.type !== "comment") return tokens[j];
  return undefined;
}

/** Index of the token that closes the bracket opened at `open`, or -1. */
function matching(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.type !== "punct") continue;
    if (t.text in pairs) depth++;
    else if (t.text === ")" || t.text === "}" || t.text === "]") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

/** Index of the token that opens the bracket closed at `close`, or -1. */
function matchingBack(tokens: readonly Token[], close: number): number {
  let depth = 0;
  for (let j = close; j >= 0; j--) {
    const t = tokens[j]!;
    if (t.type !== "punct") continue;
    if (t.text === ")" || t.text === "}" || t.text === "]") depth++;
    else if (t.text === "(" || t.text === "{" || t.text === "[") {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

/** Whether the ident at k names a metric (not a function, keyword, label or duration unit). */
function isMetricReference(s: Scan, k: number): boolean {
  const t = s.tokens[k]!;
  if (t.type !== "ident" || KEYWORDS.has(t.text.toLowerCase())) return false;
  const role = frameBefore(s, k)?.role;
  if (role === "brace" || role === "bracket" || role === "labels") return false;
  return nextCode(s.tokens, k)?.text !== "(";
}

/** The one metric named between tokens `from` and `to` (exclusive), if exactly one is. */
function singleMetricIn(s: Scan, from: number, to: number): string | undefined {
  const names = new Set<string>();
  for (let k = from + 1; k < to; k++) if (isMetricReference(s, k)) names.add(s.tokens[k]!.text);
  return names.size === 1 ? [...names][0] : undefined;
}

/** The metric a `{…}` opened at token `open` belongs to: the name before it, or its `__name__="…"` matcher. */
function braceMetric(s: Scan, open: number): string | undefined {
  const before = previousCode(s.tokens, open);
  if (before?.type === "ident" && isMetricReference(s, s.tokens.indexOf(before))) return before.text;
  const close = matching(s.tokens, open);
  const end = close < 0 ? s.tokens.length : close;
  for (let k = open + 1; k + 2 < end; k++) {
    const [name, op, value] = [s.tokens[k]!, s.tokens[k + 1]!, s.tokens[k + 2]!];
    if (name.text === "__name__" && op.text === "=" && value.type === "string" && value.closed) return unquote(value.text);
  }
  return undefined;
}

/** The metric a `by (…)`/`without (…)` list opened at `open` groups, when its aggregation reads exactly one. */
function aggregationMetric(s: Scan, open: number): string | undefined {
  const keyword = previousCode(s.tokens, open);
  if (!keyword || !AGGREGATION_CLAUSE.has(keyword.text)) return undefined;
  const kIndex = s.tokens.indexOf(keyword);
  const before = previousCode(s.tokens, kIndex);
  if (before?.type === "ident" && BY_NAME.get(before.text)?.kind === "aggregation") {
    // sum by (…) (args)
    const close = matching(s.tokens, open);
    if (close < 0) return undefined;
    const args = nextCode(s.tokens, close);
    if (args?.text !== "(") return undefined;
    const argsIndex = s.tokens.indexOf(args);
    const argsClose = matching(s.tokens, argsIndex);
    return singleMetricIn(s, argsIndex, argsClose < 0 ? s.tokens.length : argsClose);
  }
  if (before?.text === ")") {
    // sum(args) by (…)
    const closeIndex = s.tokens.indexOf(before);
    return singleMetricIn(s, matchingBack(s.tokens, closeIndex), closeIndex);
  }
  return undefined;
}

function unquote(raw: string): string {
  const q = raw[0]!;
  const body = raw.slice(1, raw.endsWith(q) && raw.length > 1 ? -1 : undefined);
  return q === "`" ? body : body.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

/** True when a new (sub)expression may start after token `prev`. */
function expressionMayStart(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === "punct") return prev.text === "(" || prev.text === "," || BINARY_OPERATORS.has(prev.text);
  if (prev.type === "ident") return KEYWORD_OPERATORS.has(prev.text.toLowerCase());
  return false;
}

/** What the cursor at `offset` in a PromQL query wants completed. */
export function promqlCompletionContext(text: string, offset: number): PromqlCompletionContext {
  const s = scan(text);
  const { tokens } = s;
  const none = { kind: "none" } as const;
  // The token the cursor is in, or touches at its end (a word being typed).
  const k = tokens.findIndex((t) => t.start < offset && (offset < t.end || (offset === t.end && (t.type === "ident" || t.type === "number" || t.type === "comment" || (t.type === "string" && !t.closed)))));
  const current = k >= 0 ? tokens[k] : undefined;
  if (current?.type === "comment" || current?.type === "number" || current?.type === "punct") return none;
  // Tokens before the cursor's word; the container is the one the cursor sits in.
  const before = k >= 0 ? k : tokens.filter((t) => t.end <= offset).length;
  const prev = previousCode(tokens, before);
  const frame = frameBefore(s, before);
  const from = current?.type === "ident" ? current.start : offset;
  const to = current?.type === "ident" ? current.end : offset;
  const prefix = text.slice(from, offset);

  if (current?.type === "string") {
    if (frame?.role !== "brace") return none;
    const op = previousCode(tokens, k);
    const name = op ? previousCode(tokens, tokens.indexOf(op)) : undefined;
    if (!op || !MATCH_OPERATORS.has(op.text) || name?.type !== "ident") return none;
    const quote = current.text[0] as '"' | "'" | "`";
    const valueFrom = current.start + 1;
    const valueTo = current.closed ? current.end - 1 : offset;
    const metric = name.text === "__name__" ? undefined : braceMetric(s, frame.open);
    return { kind: "labelValue", ...(metric ? { metric } : {}), label: name.text, prefix: unquote(text.slice(current.start, offset)), from: valueFrom, to: valueTo, quote };
  }

  switch (frame?.role) {
    case "bracket":
      return none;
    case "brace": {
      const metric = braceMetric(s, frame.open);
      if (prev?.text === "{" || prev?.text === ",") return { kind: "labelName", ...(metric ? { metric } : {}), prefix, from, to };
      if (prev && MATCH_OPERATORS.has(prev.text)) {
        const name = previousCode(tokens, tokens.indexOf(prev));
        if (name?.type !== "ident") return none;
        const valueMetric = name.text === "__name__" ? undefined : metric;
        return { kind: "labelValue", ...(valueMetric ? { metric: valueMetric } : {}), label: name.text, prefix, from, to, quote: undefined };
      }
      return none;
    }
    case "labels": {
      if (prev?.text !== "(" && prev?.text !== ",") return none;
      const metric = aggregationMetric(s, frame.open);
      return { kind: "labelName", ...(metric ? { metric } : {}), prefix, from, to };
    }
    default:
      if (prev?.type === "ident" && prev.text.toLowerCase() === "offset") return none;
      if (prev?.text === "@") return none;
      return expressionMayStart(prev) ? { kind: "metric", prefix, from, to } : none;
  }
}

/** Hover text for a function or aggregation name at `offset`. */
export function promqlHover(text: string, offset: number): { markdown: string; from: number; to: number } | undefined {
  const s = scan(text);
  const k = s.tokens.findIndex((t) => t.start <= offset && offset < t.end);
  const t = s.tokens[k];
  if (!t || t.type !== "ident") return undefined;
  const f = BY_NAME.get(t.text);
  if (!f) return undefined;
  const role = frameBefore(s, k)?.role;
  if (role === "brace" || role === "bracket" || role === "labels") return undefined;
  const next = nextCode(s.tokens, k);
  const called = next?.text === "(" || (f.kind === "aggregation" && next !== undefined && AGGREGATION_CLAUSE.has(next.text));
  if (!called) return undefined;
  const what = f.kind === "aggregation" ? "aggregation operator" : "function";
  return { markdown: `\`\`\`promql\n${f.signature}\n\`\`\`\n\nPromQL ${what}: ${f.description}.`, from: t.start, to: t.end };
}
