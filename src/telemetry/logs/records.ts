/**
 * Turns a row as read (a JSON object, a CSV row by header, a Parquet row) into a validated
 * prediction or event record, or the reason it is malformed. The rules are in
 * docs/prediction-logs.md; every reason names the field and shows at most a short, quoted snippet.
 */
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

// ISO 8601 dates and date-times as logs write them; a value without a zone is UTC.
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Epoch numbers are told apart by size, each unit covering 1973 to 5138: below 1e11 they are
 * seconds, below 1e14 milliseconds, below 1e17 microseconds, and nanoseconds above. Seconds are
 * rounded to whole milliseconds, so that 1790000000.123 is exactly 1790000000123.
 *
 * @example epochToMs(1790000000) // 1790000000000
 * @example epochToMs(1790000000000) // 1790000000000
 */
export function epochToMs(v: number): number {
  const a = Math.abs(v);
  if (a < 1e11) return Math.round(v * 1e3);
  if (a < 1e14) return v;
  if (a < 1e17) return v / 1e3;
  return v / 1e6;
}

/** The digit at `i`, or NaN, which fails every later range check. */
function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
}

// Logs repeat one day for thousands of lines, so the last day's start is kept.
let lastDay = "";
let lastDayMs = 0;

/**
 * The common log spelling, `YYYY-MM-DDTHH:MM:SSZ` with or without `.sss`, read digit by digit: a
 * scan meets one per line and the regular expression below costs ten times as much. Anything
 * else (or an impossible date) is undefined and goes the general way.
 */
function isoUtcFast(s: string): number | undefined {
  const n = s.length;
  if (n !== 24 && n !== 20) return undefined;
  // "T", ":", ":", ("."), "Z"
  if (s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(n - 1) !== 90) return undefined;
  if (n === 24 && s.charCodeAt(19) !== 46) return undefined;
  let dayMs: number;
  if (lastDay.length === 10 && s.startsWith(lastDay)) dayMs = lastDayMs;
  else {
    if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
    const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
    const mo = digit(s, 5) * 10 + digit(s, 6);
    const d = digit(s, 8) * 10 + digit(s, 9);
    // Date.UTC reads years 0-99 as 1900-1999; leave those to Date.parse.
    if (!(y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return undefined;
    dayMs = Date.UTC(y, mo - 1, d);
    if (new Date(dayMs).getUTCDate() !== d) return undefined; // 31 April and the like
    lastDay = s.slice(0, 10);
    lastDayMs = dayMs;
  }
  const h = digit(s, 11) * 10 + digit(s, 12);
  const mi = digit(s, 14) * 10 + digit(s, 15);
  const sec = digit(s, 17) * 10 + digit(s, 18);
  const ms = n === 24 ? digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22) : 0;
  if (!(h <= 23 && mi <= 59 && sec <= 59 && ms >= 0)) return undefined;
  return dayMs + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/** Whether YYYY-MM-DD names a day of the calendar. */
function isRealDate(date: string): boolean {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const day = new Date(Date.UTC(2000, mo - 1, d));
  day.setUTCFullYear(y); // Date.UTC alone reads years 0-99 as 1900-1999
  return mo >= 1 && mo <= 12 && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/** A timestamp as milliseconds since the epoch: ISO 8601 text, an epoch number (or its text), or a Date. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === "string") {
    const fast = isoUtcFast(v);
    if (fast !== undefined) return fast;
  }
  if (typeof v === "number") return Number.isFinite(v) ? epochToMs(v) : undefined;
  if (typeof v === "bigint") return epochToMs(Number(v));
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getTime() : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  if (DECIMAL.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? epochToMs(n) : undefined;
  }
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, date, time, zone] = m;
  if (!isRealDate(date!)) return undefined; // Date.parse would roll 2026-02-30 over into March
  let clock = time ?? "00:00";
  if (clock.length === 5) clock += ":00";
  const frac = /[.,](\d+)$/.exec(clock);
  // Keep milliseconds; Date.parse does not take every fraction length.
  if (frac) clock = `${clock.slice(0, clock.length - frac[0].length)}.${frac[1]!.slice(0, 3).padEnd(3, "0")}`;
  let tz = zone === undefined || zone === "z" ? "Z" : zone;
  if (tz !== "Z") tz = tz.length === 3 ? `${tz}:00` : tz.includes(":") ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
  const ms = Date.parse(`${date}T${clock}${tz}`);
  return Number.isFinite(ms) ? ms : undefined;
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
 * enumerate them. The names array may be shared between rows and is never changed.
 */
export class FeatureEntries {
  constructor(
    readonly names: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

/**
 * A JSON row that the fast path read: the fields normalizeRow reads, each as JSON.parse would give
 * it (undefined when absent), and `features` as FeatureEntries. It never has flat
 * `features.<name>` fields (such lines go the JSON.parse way).
 */
export class ScannedRow {
  ts: unknown = undefined;
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
      const { names, values } = o;
      for (let i = 0; i < names.length; i++) this.emit(visitor, names[i]!, values[i]);
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
  if (isMissing(row.ts, textual)) return { kind: "invalid", reason: "ts: missing" };
  const t = parseTimestamp(row.ts);
  if (t === undefined) return { kind: "invalid", reason: `ts: ${snippet(row.ts)} is not a time (ISO 8601 or epoch seconds/milliseconds)` };

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
