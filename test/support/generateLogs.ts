/**
 * Deterministic prediction logs with known facts, for the log reader's tests, the drift and jump
 * analyses' tests and the CLI's. Same options, same bytes; the facts returned are the realised
 * counts, not only the planted rates, so tests can assert exact equality where the reader must be
 * exact (arm counts, errors per version) and tolerances where statistics decide (drift).
 *
 * What it plants (defaults in brackets; see GenerateLogsOptions):
 * - traffic: `rowsPerDay` [1000] rows a day for `days` [28] days from `start` [2026-10-01Z],
 *   evenly spread with jitter and in time order; ~90% model `churn`, ~10% model `fraud`
 *   (version f1, one feature `amount`), plus one valid row of a hostile model named
 *   `<script>alert(1)</script>` with an `<img onerror>` feature value (`facts.rows.hostile`).
 * - churn versions: v1 until day `releaseDays[0]` [10], v2 until day `releaseDays[1]` [20], v3
 *   after. v2 is announced by an explicit `{"event": "release"}` record at exactly its day start
 *   (right before its first row); v3 has no event, only its first row.
 * - error rate per version: v1 1%, v2 3% (a real jump), v3 3% (no jump). Errored rows have no
 *   prediction.
 * - drift: `tenure` (whole months, exponential with mean ~20, capped at 72) shifts up by 12 months
 *   from day `driftDay` [14]; `monthly_charges` (normal 70 ± 20), `plan` (basic/plus/pro),
 *   `region` (with values holding a comma and quotes, for CSV quoting) and `has_partner` (boolean)
 *   never change. The prediction depends on tenure, so `prediction` drifts with it.
 * - experiment `checkout`: units u0..u1999, half of them in the experiment by a hash of the unit,
 *   split by another bit into `control` and `treatment`; outcome (conversion, present on ~80% of
 *   rows) with rate 10% for control and rows outside the experiment, 12% for treatment (+20%).
 * - latency: log-normal around 40 ms for every version (no latency jump).
 * - malformed records at known lines (`facts.malformed`), when `malformed` [true]: JSONL has
 *   invalid JSON, text, a bad ts, a "NaN" latency, invalid UTF-8, an array and a line over 1 MiB,
 *   plus a blank line that is not a record; CSV has a wrong field count, a bad ts, invalid UTF-8, a
 *   stray quote and an unterminated quote as its last record; Parquet has a row with a null ts.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { seededUniform } from "../../src/core/stats/random";

export type LogFileFormat = "jsonl" | "csv" | "parquet";

export interface GenerateLogsOptions {
  /** Folder to write into; created if missing. Files: churn.jsonl, churn.csv, churn.parquet (or jsonl/<day>.jsonl when daily). */
  readonly dir: string;
  readonly days?: number;
  readonly rowsPerDay?: number;
  /** The first day's start, ms since the epoch (a UTC midnight reads best). */
  readonly start?: number;
  readonly seed?: number;
  readonly formats?: readonly LogFileFormat[];
  /** Days (from start) on which v2 and v3 are released. */
  readonly releaseDays?: readonly [number, number];
  /** Day from which tenure drifts. */
  readonly driftDay?: number;
  readonly malformed?: boolean;
  /** How JSONL writes ts: ISO 8601, epoch seconds (3 decimals), epoch ms, or those three in turn. */
  readonly jsonlTs?: "iso" | "epoch-s" | "epoch-ms" | "mixed";
  /** One JSONL file per day (jsonl/2026-10-01.jsonl, …) instead of one file. */
  readonly daily?: boolean;
  readonly parquetRowGroupSize?: number;
}

export interface ArmFacts {
  /** Rows of the arm (exposures). */
  rows: number;
  /** Rows with an outcome, and those with outcome true. */
  trials: number;
  successes: number;
}

export interface VersionFacts {
  /** When the version took over all churn traffic (a day start); its rows are in [from, next version's from). */
  from: number;
  /** The version's first row. */
  first: number;
  rows: number;
  errors: number;
}

export interface MalformedLine {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
}

export interface LogFacts {
  readonly start: number;
  /** Exclusive end: start + days. */
  readonly end: number;
  readonly days: number;
  readonly rows: { total: number; churn: number; fraud: number; hostile: number };
  readonly versions: Record<"v1" | "v2" | "v3", VersionFacts>;
  readonly plantedErrorRates: Record<"v1" | "v2" | "v3", number>;
  /** v2: the explicit event's time (== its day start); v3: its first row (no explicit event). */
  readonly releases: { v2: { t: number; explicit: true }; v3: { t: number; explicit: false } };
  readonly drift: { feature: "tenure"; t: number; stable: readonly string[]; alsoDrifts: readonly string[] };
  readonly experiment: {
    name: "checkout";
    plantedRates: { control: number; treatment: number };
    arms: { control: ArmFacts; treatment: ArmFacts };
  };
  readonly explicitEvents: number;
  readonly malformed: Record<LogFileFormat, MalformedLine[]>;
}

export interface GeneratedLogs {
  readonly files: Partial<Record<LogFileFormat, string[]>>;
  readonly facts: LogFacts;
}

const DAY = 86400e3;
const ERROR_RATE = { v1: 0.01, v2: 0.03, v3: 0.03 } as const;
const CONVERSION = { control: 0.1, treatment: 0.12 } as const;
const PLANS = [["basic", 0.5], ["plus", 0.3], ["pro", 0.2]] as const;
const REGIONS = [["north", 0.3], ["south", 0.3], ["east, coastal", 0.2], ['west "wild"', 0.2]] as const;
const UNITS = 2000;
const HOSTILE_MODEL = "<script>alert(1)</script>";
const CSV_COLUMNS = [
  "ts", "event", "model", "version", "unit", "experiment", "arm",
  "features.tenure", "features.monthly_charges", "features.plan", "features.region", "features.has_partner", "features.amount",
  "prediction", "latency_ms", "error", "outcome",
] as const;


function unitHash(i: number): number {
  let h = Math.imul(i ^ 0x5bd1e995, 0x27d4eb2d) >>> 0;
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) >>> 0;
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));

function pick<T extends string>(u: number, table: readonly (readonly [T, number])[]): T {
  let acc = 0;
  for (const [v, p] of table) {
    acc += p;
    if (u < acc) return v;
  }
  return table[table.length - 1]![0];
}

interface Row {
  t: number;
  event?: string;
  model: string;
  version: string;
  unit?: string;
  experiment?: string;
  arm?: string;
  features: Record<string, number | string | boolean>;
  prediction: number | null;
  latency_ms: number;
  error: boolean;
  outcome?: boolean;
  /** Parquet only: the malformed row without a ts. */
  nullTs?: boolean;
}

/** A file written line by line with a count of lines, flushed in blocks. */
class LineFile {
  private fd: number;
  private pending: (string | Uint8Array)[] = [];
  private pendingBytes = 0;
  lines = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, "w");
  }

  /** Writes one line (without its newline) and returns its 1-based number. */
  write(line: string | Uint8Array): number {
    this.pending.push(line, "\n");
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes > 1 << 20) this.flush();
    return ++this.lines;
  }

  /** Writes text that ends the file without a newline. */
  writeRaw(text: string): void {
    this.pending.push(text);
    this.lines++;
  }

  private flush(): void {
    const bufs = this.pending.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p)));
    writeSync(this.fd, Buffer.concat(bufs));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function jsonTs(t: number, style: NonNullable<GenerateLogsOptions["jsonlTs"]>, i: number): string | number {
  const s = style === "mixed" ? (["iso", "epoch-s", "epoch-ms"] as const)[i % 3]! : style;
  if (s === "iso") return new Date(t).toISOString();
  if (s === "epoch-ms") return t;
  return Number((t / 1000).toFixed(3));
}

function jsonLine(r: Row, ts: string | number): string {
  if (r.event) return JSON.stringify({ ts, event: r.event, model: r.model, version: r.version });
  return JSON.stringify({
    ts,
    model: r.model,
    version: r.version,
    ...(r.unit !== undefined ? { unit: r.unit } : {}),
    ...(r.experiment !== undefined ? { experiment: r.experiment, arm: r.arm } : {}),
    features: r.features,
    prediction: r.prediction,
    latency_ms: r.latency_ms,
    error: r.error,
    ...(r.outcome !== undefined ? { outcome: r.outcome } : {}),
  });
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "boolean" ? (v ? "true" : "false") : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(r: Row): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    ts: (r.t / 1000).toFixed(3),
    event: r.event,
    model: r.model,
    version: r.version,
    unit: r.unit,
    experiment: r.experiment,
    arm: r.arm,
    "features.tenure": r.features.tenure,
    "features.monthly_charges": r.features.monthly_charges,
    "features.plan": r.features.plan,
    "features.region": r.features.region,
    "features.has_partner": r.features.has_partner,
    "features.amount": r.features.amount,
    prediction: r.prediction,
    latency_ms: r.event ? undefined : r.latency_ms,
    error: r.event ? undefined : r.error ? 1 : 0,
    outcome: r.outcome === undefined ? undefined : r.outcome ? 1 : 0,
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(",");
}

/** Writes the logs and returns their paths and facts. */
export function generateLogs(options: GenerateLogsOptions): GeneratedLogs {
  const days = options.days ?? 28;
  const rowsPerDay = options.rowsPerDay ?? 1000;
  const start = options.start ?? Date.UTC(2026, 9, 1);
  const [v2Day, v3Day] = options.releaseDays ?? [10, 20];
  const driftDay = options.driftDay ?? 14;
  const formats = options.formats ?? ["jsonl"];
  const malformed = options.malformed ?? true;
  const tsStyle = options.jsonlTs ?? "iso";
  if (!(v2Day > 0 && v2Day < v3Day && v3Day < days && driftDay > 0 && driftDay < days)) {
    throw new Error(`generateLogs: need 0 < releaseDays[0] < releaseDays[1] < days and 0 < driftDay < days`);
  }
  const random = seededUniform(options.seed ?? 7);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const v2T = start + v2Day * DAY;
  const v3T = start + v3Day * DAY;
  const driftT = start + driftDay * DAY;

  const versions: LogFacts["versions"] = {
    v1: { from: start, first: NaN, rows: 0, errors: 0 },
    v2: { from: v2T, first: NaN, rows: 0, errors: 0 },
    v3: { from: v3T, first: NaN, rows: 0, errors: 0 },
  };
  const arms = { control: { rows: 0, trials: 0, successes: 0 }, treatment: { rows: 0, trials: 0, successes: 0 } };
  const rows = { total: 0, churn: 0, fraud: 0, hostile: 0 };
  const total = days * rowsPerDay;
  const hostileAt = Math.floor(total / 2) + 1; // one row in the middle, replacing a generated one

  function makeRow(t: number): Row {
    if (random() < 0.1) {
      rows.fraud++;
      return {
        t,
        model: "fraud",
        version: "f1",
        unit: `m${Math.floor(random() * 500)}`,
        features: { amount: round(Math.exp(3 + normal()), 2) },
        prediction: round(random() * 0.1, 4),
        latency_ms: round(Math.exp(Math.log(15) + 0.3 * normal()), 1),
        error: random() < 0.005,
      };
    }
    rows.churn++;
    const version = t < v2T ? "v1" : t < v3T ? "v2" : "v3";
    const unitIndex = Math.floor(random() * UNITS);
    const h = unitHash(unitIndex);
    const inExperiment = h % 2 === 0;
    const arm = inExperiment ? ((h >>> 1) % 2 === 0 ? "control" : "treatment") : undefined;
    const base = Math.min(72, Math.floor(-Math.log(1 - random()) * 20));
    const tenure = t >= driftT ? Math.min(72, base + 12) : base;
    const charges = round(Math.min(120, Math.max(18, 70 + 20 * normal())), 2);
    const features = {
      tenure,
      monthly_charges: charges,
      plan: pick(random(), PLANS),
      region: pick(random(), REGIONS),
      has_partner: random() < 0.4,
    };
    const error = random() < ERROR_RATE[version];
    const score = 1 / (1 + Math.exp(-(1 - 0.06 * tenure + 0.01 * (charges - 70))));
    const latency = round(Math.exp(Math.log(40) + 0.4 * normal()), 1);
    const hasOutcome = random() < 0.8;
    const converted = random() < (arm === "treatment" ? CONVERSION.treatment : CONVERSION.control);
    const v = versions[version];
    if (Number.isNaN(v.first)) v.first = t;
    v.rows++;
    if (error) v.errors++;
    if (arm) {
      const a = arms[arm];
      a.rows++;
      if (hasOutcome) {
        a.trials++;
        if (converted) a.successes++;
      }
    }
    return {
      t,
      model: "churn",
      version,
      unit: `u${unitIndex}`,
      ...(arm ? { experiment: "checkout", arm } : {}),
      features,
      prediction: error ? null : round(score, 4),
      latency_ms: latency,
      error,
      ...(hasOutcome ? { outcome: converted } : {}),
    };
  }

  // Where malformed records go: after these data-row indexes, spread through the file.
  const JSONL_BAD = ["invalid-json", "not-json", "bad-ts", "nan-latency", "invalid-utf8", "array", "huge-line", "blank"] as const;
  const CSV_BAD = ["wrong-field-count", "bad-ts", "invalid-utf8", "stray-quote"] as const;
  const spread = (k: number, m: number): number => Math.floor(((k + 1) * total) / (m + 1));
  const jsonlBadAt = new Map<number, (typeof JSONL_BAD)[number]>();
  const csvBadAt = new Map<number, (typeof CSV_BAD)[number]>();
  if (malformed) {
    JSONL_BAD.forEach((kind, k) => jsonlBadAt.set(spread(k, JSONL_BAD.length), kind));
    CSV_BAD.forEach((kind, k) => csvBadAt.set(spread(k, CSV_BAD.length) + 7, kind));
  }

  mkdirSync(options.dir, { recursive: true });
  const files: GeneratedLogs["files"] = {};
  const bad: LogFacts["malformed"] = { jsonl: [], csv: [], parquet: [] };
  const jsonl: { file?: LineFile; day?: string } = {};
  const jsonlFile = (t: number): LineFile => {
    if (!options.daily) {
      if (!jsonl.file) {
        jsonl.file = new LineFile(path.join(options.dir, "churn.jsonl"));
        files.jsonl = [jsonl.file.file];
      }
      return jsonl.file;
    }
    const day = isoDay(t);
    if (jsonl.day !== day || !jsonl.file) {
      jsonl.file?.close();
      mkdirSync(path.join(options.dir, "jsonl"), { recursive: true });
      jsonl.file = new LineFile(path.join(options.dir, "jsonl", `${day}.jsonl`));
      jsonl.day = day;
      (files.jsonl ??= []).push(jsonl.file.file);
    }
    return jsonl.file;
  };
  let csv: LineFile | undefined;
  if (formats.includes("csv")) {
    csv = new LineFile(path.join(options.dir, "churn.csv"));
    csv.write(CSV_COLUMNS.join(","));
    files.csv = [csv.file];
  }
  const parquetRows: Row[] | undefined = formats.includes("parquet") ? [] : undefined;

  const emit = (r: Row, index: number): void => {
    if (formats.includes("jsonl")) jsonlFile(r.t).write(jsonLine(r, jsonTs(r.t, tsStyle, index)));
    csv?.write(csvLine(r));
    parquetRows?.push(r);
  };

  const emitBad = (index: number, t: number): void => {
    const iso = new Date(t).toISOString();
    const jsonKind = jsonlBadAt.get(index);
    if (jsonKind && formats.includes("jsonl")) {
      const f = jsonlFile(t);
      const line: Record<(typeof JSONL_BAD)[number], string | Uint8Array> = {
        "invalid-json": `{"ts": "${iso}", "model": "churn"`,
        "not-json": "this is not json <script>alert(1)</script>",
        "bad-ts": '{"ts": "yesterday", "model": "churn", "version": "v1"}',
        "nan-latency": `{"ts": "${iso}", "model": "churn", "version": "v1", "latency_ms": "NaN"}`,
        "invalid-utf8": Uint8Array.from([0x7b, 0x22, 0x74, 0x73, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        array: "[1, 2, 3]",
        "huge-line": `{"ts": "${iso}", "model": "churn", "pad": "${"x".repeat(1_200_000)}"}`,
        blank: "",
      };
      const n = f.write(line[jsonKind]);
      if (jsonKind !== "blank") bad.jsonl.push({ file: f.file, line: n, kind: jsonKind });
    }
    const csvKind = csvBadAt.get(index);
    if (csvKind && csv) {
      const good = csvLine({ t, model: "churn", version: "v1", features: {}, prediction: 0.5, latency_ms: 1, error: false });
      const line: Record<(typeof CSV_BAD)[number], string | Uint8Array> = {
        "wrong-field-count": `${(t / 1000).toFixed(3)},,churn`,
        "bad-ts": good.replace(/^[^,]*/, "yesterday"),
        "invalid-utf8": Buffer.concat([Buffer.from(good.split(",churn,")[0]! + ",ch"), Buffer.from([0xff, 0xfe]), Buffer.from("," + good.split(",churn,")[1]!)]),
        "stray-quote": good.replace(",churn,", ',ch"urn,'),
      };
      bad.csv.push({ file: csv.file, line: csv.write(line[csvKind]), kind: csvKind });
    }
  };

  let index = 0;
  let explicitEvents = 0;
  let v2Announced = false;
  const slot = DAY / rowsPerDay;
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < rowsPerDay; i++) {
      const t = start + d * DAY + Math.floor((i + random()) * slot);
      if (!v2Announced && t >= v2T) {
        v2Announced = true;
        explicitEvents++;
        emit({ t: v2T, event: "release", model: "churn", version: "v2", features: {}, prediction: null, latency_ms: 0, error: false }, index);
      }
      emitBad(index, t);
      let row: Row;
      if (index === hostileAt) {
        rows.hostile++;
        row = { t, model: HOSTILE_MODEL, version: "x", features: { "<b>": "<img src=x onerror=alert(1)>" }, prediction: 0.5, latency_ms: 12, error: false };
      } else row = makeRow(t);
      // Parquet's malformed row is an extra copy of a real row, with no ts.
      if (parquetRows && malformed && index === spread(0, 2)) parquetRows.push({ ...row, nullTs: true });
      emit(row, index);
      rows.total++;
      index++;
    }
  }
  jsonl.file?.close();
  if (csv) {
    if (malformed) {
      // An unterminated quote swallows the rest of the file, so it is the last record.
      const line = csv.lines + 1;
      csv.writeRaw(`${((start + days * DAY - 1) / 1000).toFixed(3)},,"churn,v1`);
      bad.csv.push({ file: csv.file, line, kind: "unterminated-quote" });
    }
    csv.close();
  }
  if (parquetRows) {
    const file = path.join(options.dir, "churn.parquet");
    writeParquet(file, parquetRows, options.parquetRowGroupSize ?? 5000);
    files.parquet = [file];
    const nullTs = parquetRows.findIndex((r) => r.nullTs);
    if (nullTs >= 0) bad.parquet.push({ file, line: nullTs + 1, kind: "null-ts" });
  }
  return {
    files,
    facts: {
      start,
      end: start + days * DAY,
      days,
      rows,
      versions,
      plantedErrorRates: { ...ERROR_RATE },
      releases: { v2: { t: v2T, explicit: true }, v3: { t: versions.v3.first, explicit: false } },
      drift: { feature: "tenure", t: driftT, stable: ["has_partner", "monthly_charges", "plan", "region"], alsoDrifts: ["prediction"] },
      experiment: { name: "checkout", plantedRates: { ...CONVERSION }, arms },
      explicitEvents,
      malformed: bad,
    },
  };
}

function writeParquet(file: string, rows: readonly Row[], rowGroupSize: number): void {
  const col = <T>(f: (r: Row) => T): T[] => rows.map(f);
  const feature = (name: string) => col((r) => (r.features[name] ?? null) as never);
  parquetWriteFile({
    filename: file,
    rowGroupSize,
    columnData: [
      { name: "ts", type: "TIMESTAMP", data: col((r) => (r.nullTs ? null : new Date(r.t))) },
      { name: "event", type: "STRING", data: col((r) => r.event ?? null) },
      { name: "model", type: "STRING", data: col((r) => r.model) },
      { name: "version", type: "STRING", data: col((r) => r.version) },
      { name: "unit", type: "STRING", data: col((r) => r.unit ?? null) },
      { name: "experiment", type: "STRING", data: col((r) => r.experiment ?? null) },
      { name: "arm", type: "STRING", data: col((r) => r.arm ?? null) },
      { name: "features.tenure", type: "DOUBLE", data: feature("tenure") },
      { name: "features.monthly_charges", type: "DOUBLE", data: feature("monthly_charges") },
      { name: "features.plan", type: "STRING", data: feature("plan") },
      { name: "features.region", type: "STRING", data: feature("region") },
      { name: "features.has_partner", type: "BOOLEAN", data: feature("has_partner") },
      { name: "features.amount", type: "DOUBLE", data: feature("amount") },
      { name: "prediction", type: "DOUBLE", data: col((r) => r.prediction) },
      { name: "latency_ms", type: "DOUBLE", data: col((r) => (r.event ? null : r.latency_ms)) },
      { name: "error", type: "BOOLEAN", data: col((r) => (r.event ? null : r.error)) },
      { name: "outcome", type: "BOOLEAN", data: col((r) => r.outcome ?? null) },
    ],
  });
}
