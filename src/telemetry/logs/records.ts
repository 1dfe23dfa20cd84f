/**
 * Turns a row as read (a JSON object, a CSV row by header, a Parquet row) into a validated
 * prediction or event record, or the reason it is malformed. The rules are in
 * docs/prediction-logs.md; every reason names the field and shows at most a short, quoted snippet.
 */
import { DECIMAL, parseTimestamp } from "./timestamps";
import type { EventRecord, FeatureSource, FeatureValue, FeatureVisitor, PredictionRecord } from "./types";

export type Normalized =
  | { readonly kind: "prediction"; readonly record: PredictionRecord }
  | { readonly kind: "event"; readonly event: EventRecord }
  | { readonly kind: "invalid"; readonly reason: string };

export interface NormalizeOptions {
  /** Labels longer than this make the row malformed; longer category values are cut to it. */
  readonly maxLabelChars: number;
}

/** A short printable rendering of a bad value for a reason string. */
export function snippet(v: unknown): string {
  let s: string;
  if (typeof v === "number" || typeof v === "bigint") s = String(v);
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = Array.isArray(v) ? "[…]" : "{…}"; // too deep (or cyclic) to print
    }
  }
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

/** CSV cells that mean "no value", as pandas reads them. */
const MISSING_TEXT = new Set(["", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "#n/a", "nil"]);

function isMissing(v: unknown, textual: boolean): boolean {
  return v === null || v === undefined || (textual && typeof v === "string" && MISSING_TEXT.has(v.trim().toLowerCase()));
}

type Field<T> = { value?: T; reason?: string };

function label(name: string, v: unknown, textual: boolean, max: number): Field<string> {
  if (isMissing(v, textual) || v === "") return {};
  if (typeof v === "string") {
    if (v.length > max) return { reason: `${name}: longer than ${max} characters` };
    return { value: v };
  }
  if (typeof v === "number" && Number.isFinite(v)) return { value: String(v) };
  if (typeof v === "bigint") return { value: String(v) };
  return { reason: `${name}: ${snippet(v)} is not a string` };
}

/** A value as a finite number when it is one (or, in text, reads as one). */
function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && DECIMAL.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function asBoolean(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "true") return true;
    if (s === "false") return false;
  }
  return undefined;
}

/**
 * A feature value: finite numbers stay numbers, strings and booleans become categories. In text
 * (CSV) a cell that reads as a number is a number and `true`/`false` a category; elsewhere types are
 * kept as written. Anything else (objects, non-finite numbers) is no value.
 */
export function featureValue(v: unknown, textual: boolean, maxChars: number): FeatureValue | undefined {
  if (isMissing(v, textual)) return undefined;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v !== "string") return undefined;
  if (textual) {
    const n = asNumber(v);
    if (n !== undefined) return n;
    const b = asBoolean(v);
    if (b !== undefined) return b ? "true" : "false";
  }
  return v.length > maxChars ? `${v.slice(0, maxChars - 1)}…` : v;
}

function latency(v: unknown, textual: boolean): Field<number> {
  if (isMissing(v, textual)) return {};
  const n = asNumber(v);
  if (n === undefined || n < 0) return { reason: `latency_ms: ${snippet(v)} is not a number >= 0` };
  return { value: n };
}

/** Errors: true, a non-zero number or an error message are errors; false/0/""/"false"/"0"/missing are not. */
function errorFlag(v: unknown, textual: boolean): Field<boolean> {
  if (isMissing(v, textual) || v === false || v === 0 || v === "") return { value: false };
  if (v === true) return { value: true };
  if (typeof v === "number" && !Number.isNaN(v)) return { value: true }; // a status code, say
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "false" || s === "0") return { value: false };
    return { value: true };
  }
  if (typeof v === "object") return { value: true }; // an error object
  return { reason: `error: ${snippet(v)} is not a boolean or an error message` };
}

function outcomeValue(v: unknown, textual: boolean): Field<number> {
  if (isMissing(v, textual)) return {};
  const b = asBoolean(v);
  if (b !== undefined) return { value: b ? 1 : 0 };
  const n = asNumber(v);
  if (n === undefined) return { reason: `outcome: ${snippet(v)} is not a boolean or a number` };
  return { value: n };
}

/**
 * A `features` object as the JSONL fast path (jsonlScan.ts) read it, without building the object:
 * its names and raw values (numbers, strings, booleans, null) in the order JSON.parse would
 * enumerate them. The names array may be shared between rows and is never changed. Value i is
 * `numbers[offset + i]`, unboxed, or, where that is NaN (which no JSON number reads as), the next
 * string, boolean or null in `others`, from `otherOffset` on; both arrays are shared by many rows.
 */
export class FeatureEntries {
  constructor(
    readonly names: readonly string[],
    readonly numbers: Float64Array,
    readonly others: readonly unknown[],
    readonly offset: number,
    readonly otherOffset: number,
  ) {}
}

/**
 * A JSON row that the fast path read: the fields normalizeRow reads, each as JSON.parse would give
 * it (undefined when absent), and `features` as FeatureEntries. It never has flat
 * `features.<name>` fields (such lines go the JSON.parse way).
 */
export class ScannedRow {
  /**
   * `ts` in ms when the fast path read it from the bytes of an ISO text of the common shape
   * (isoUtcBytes), NaN otherwise. Its text is then made only if `ts` is asked for: a string per
   * line was 7% of a drift scan, and normalizeRow needs only the time.
   */
  tsMs = NaN;
  private tsValue: unknown = undefined;
  /** The bytes the line was read from (its chunk) and the span of the ts text in them, until the text is made. */
  private tsLine: Buffer | undefined = undefined;
  private tsAt = 0;
  private tsEnd = 0;
  model: unknown = undefined;
  version: unknown = undefined;
  event: unknown = undefined;
  unit: unknown = undefined;
  experiment: unknown = undefined;
  arm: unknown = undefined;
  latency_ms: unknown = undefined;
  error: unknown = undefined;
  outcome: unknown = undefined;
  prediction: unknown = undefined;
  features: FeatureEntries | null | undefined = undefined;

  get ts(): unknown {
    if (this.tsLine !== undefined) {
      this.tsValue = this.tsLine.toString("latin1", this.tsAt, this.tsEnd);
      this.tsLine = undefined;
    }
    return this.tsValue;
  }

  set ts(value: unknown) {
    this.tsValue = value;
    this.tsLine = undefined;
    this.tsMs = NaN;
  }

  /** ts is the text bytes[at, end) (ASCII, no escapes), which reads as `ms`. */
  setTsText(ms: number, bytes: Buffer, at: number, end: number): void {
    this.tsMs = ms;
    this.tsLine = bytes;
    this.tsAt = at;
    this.tsEnd = end;
  }
}

const { hasOwnProperty } = Object.prototype;

/**
 * The features of one record: its `features` object as read (or its FeatureEntries), and any flat
 * `features.<name>` columns. Names that are empty or longer than the label cap are skipped.
 */
export class RecordFeatures implements FeatureSource {
  static readonly NONE = new RecordFeatures(undefined, false, [], 0);

  constructor(
    private readonly object: Readonly<Record<string, unknown>> | FeatureEntries | undefined,
    /** Whether the object's values are text (never for an object parsed from JSON). */
    private readonly textual: boolean,
    private readonly flat: ReadonlyArray<readonly [string, FeatureValue]>,
    private readonly maxChars: number,
  ) {}

  visit(visitor: FeatureVisitor): void {
    const o = this.object;
    if (o instanceof FeatureEntries) {
      const { names, numbers, others, offset } = o;
      const max = this.maxChars;
      let other = o.otherOffset;
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        const v = numbers[offset + i]!;
        if (v !== v) this.emit(visitor, name, others[other++]);
        // a number: finite ones are values (v - v is NaN for ±Infinity)
        else if (v - v === 0 && name.length !== 0 && name.length <= max) visitor.feature(name, v);
      }
    } else if (o !== undefined) {
      // for…in rather than Object.entries: no array per record. The own-property check keeps out
      // anything enumerable that a polluted prototype would add; V8 optimises this spelling of it
      // inside for…in, and not Object.hasOwn (about 3× slower here).
      for (const name in o) {
        if (hasOwnProperty.call(o, name)) this.emit(visitor, name, o[name]);
      }
    }
    for (let i = 0; i < this.flat.length; i++) visitor.feature(this.flat[i]![0], this.flat[i]![1]);
  }

  /** One name and raw value of the object: skipped, or converted and handed to the visitor. */
  private emit(visitor: FeatureVisitor, name: string, raw: unknown): void {
    if (name.length === 0 || name.length > this.maxChars) return;
    const value = typeof raw === "number" ? (Number.isFinite(raw) ? raw : undefined) : featureValue(raw, this.textual, this.maxChars);
    if (value !== undefined) visitor.feature(name, value);
  }
}

/** The `features` field checked for shape: an object, or JSON text of one (CSV, Parquet). */
function featureObject(v: unknown, textual: boolean): Field<{ object?: Readonly<Record<string, unknown>> | FeatureEntries; textual: boolean }> {
  if (isMissing(v, textual)) return { value: { textual } };
  if (v instanceof FeatureEntries) return { value: { object: v, textual: false } };
  let obj = v;
  if (typeof v === "string") {
    try {
      obj = JSON.parse(v);
    } catch {
      return { reason: `features: ${snippet(v)} is not a JSON object` };
    }
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return { reason: `features: ${snippet(v)} is not an object` };
  return { value: { object: obj as Readonly<Record<string, unknown>>, textual: textual && typeof v !== "string" } };
}

const FEATURE_PREFIX = "features.";
const NO_FLAT: ReadonlyArray<readonly [string, FeatureValue]> = [];

/**
 * Normalises one row. `textual` is true for CSV, whose cells are all text: then numbers and
 * booleans are read out of text, and empty or NA-like cells are missing. Flat `features.<name>`
 * columns (CSV, Parquet) join the `features` object.
 */
export function normalizeRow(row: Readonly<Record<string, unknown>> | ScannedRow, textual: boolean, options: NormalizeOptions): Normalized {
  const max = options.maxLabelChars;
  let t: number | undefined;
  if (row instanceof ScannedRow && !Number.isNaN(row.tsMs)) t = row.tsMs; // read from the line's bytes already
  else {
    if (isMissing(row.ts, textual)) return { kind: "invalid", reason: "ts: missing" };
    t = parseTimestamp(row.ts);
    if (t === undefined) return { kind: "invalid", reason: `ts: ${snippet(row.ts)} is not a time (ISO 8601 or epoch seconds/milliseconds)` };
  }

  const model = label("model", row.model, textual, max);
  const version = label("version", row.version, textual, max);
  const firstReason = model.reason ?? version.reason;
  if (firstReason) return { kind: "invalid", reason: firstReason };

  const event = label("event", row.event, textual, max);
  if (event.reason) return { kind: "invalid", reason: event.reason };
  if (event.value !== undefined) {
    return { kind: "event", event: { t, event: event.value, model: model.value, version: version.value } };
  }

  const unit = label("unit", row.unit, textual, max);
  const experiment = label("experiment", row.experiment, textual, max);
  const arm = label("arm", row.arm, textual, max);
  const lat = latency(row.latency_ms, textual);
  const err = errorFlag(row.error, textual);
  const out = outcomeValue(row.outcome, textual);
  const feats = featureObject(row.features, textual);
  const reason = unit.reason ?? experiment.reason ?? arm.reason ?? lat.reason ?? err.reason ?? out.reason ?? feats.reason;
  if (reason) return { kind: "invalid", reason };

  let flat: Array<[string, FeatureValue]> | undefined;
  if (!(row instanceof ScannedRow)) {
    for (const key in row) {
      if (key.startsWith(FEATURE_PREFIX) && key.length > FEATURE_PREFIX.length && key.length <= max + FEATURE_PREFIX.length) {
        const value = featureValue(row[key], textual, max);
        if (value !== undefined) (flat ??= []).push([key.slice(FEATURE_PREFIX.length), value]);
      }
    }
  }
  const { object, textual: textValues } = feats.value!;
  const prediction = featureValue(row.prediction, textual, max);
  return {
    kind: "prediction",
    record: {
      t,
      model: model.value,
      version: version.value,
      unit: unit.value,
      experiment: experiment.value,
      arm: arm.value,
      features: object === undefined && flat === undefined ? RecordFeatures.NONE : new RecordFeatures(object, textValues, flat ?? NO_FLAT, max),
      prediction,
      latencyMs: lat.value,
      error: err.value!,
      outcome: out.value,
    },
  };
}
