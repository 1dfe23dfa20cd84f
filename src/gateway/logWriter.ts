/**
 * The gateway's prediction log: one JSON record per line in `<dir>/<prefix>.jsonl`, in the format
 * that `src/telemetry/logs` reads (docs/prediction-logs.md), so that drift, jumps and A/B run on
 * what the gateway wrote. Lines are buffered and written with one system call per flush; past
 * `maxBytes` the file is renamed to `<prefix>-<time>.jsonl` and a new one begun, and only the
 * newest `keep` of those are kept.
 *
 * Telemetry cost and privacy: `sampleRate` keeps a share of the records (the /metrics counters are
 * not sampled), and `redact` drops a field or replaces it with a salted hash, so that a unit can
 * still be followed across records without its identity being written.
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

export interface LogWriterOptions {
  readonly dir: string;
  /** File name without extension. Default "predictions". */
  readonly prefix?: string;
  /** Rotate once the current file reaches this size. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Rotated files kept, the newest. Default 10. */
  readonly keep?: number;
  /** The share of records written, in [0, 1]. Default 1. */
  readonly sampleRate?: number;
  /** Fields to drop or hash: top-level names (`unit`) or `features.<name>`. */
  readonly redact?: Readonly<Record<string, "drop" | "hash">>;
  /** Salts the hashes of redacted values; a secret, so that hashes cannot be looked up. */
  readonly salt?: string;
  /** Flush when this many bytes wait. Default 64 KiB. */
  readonly bufferBytes?: number;
  /**
   * Where write errors go (a full disk, a removed folder). Without it they are thrown; with it the
   * lines that could not be written are dropped and counted, so that a server keeps serving.
   */
  readonly onError?: (err: Error, droppedLines: number) => void;
  /** For tests: the sampling source and the clock of rotated names. */
  readonly random?: () => number;
  readonly now?: () => number;
}

const MiB = 1024 * 1024;

export class PredictionLogWriter {
  private fd: number;
  private size: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private rotations = 0;
  private closed = false;
  private readonly prefix: string;
  /** The file being written now. */
  readonly file: string;

  constructor(private readonly options: LogWriterOptions) {
    const rate = options.sampleRate ?? 1;
    if (!(rate >= 0 && rate <= 1)) throw new Error(`prediction log: 'sampleRate' must be in [0, 1], got ${rate}`);
    for (const [field, how] of Object.entries(options.redact ?? {})) {
      if (how !== "drop" && how !== "hash") throw new Error(`prediction log: redact '${field}' must be drop or hash, got ${String(how)}`);
    }
    this.prefix = options.prefix ?? "predictions";
    mkdirSync(options.dir, { recursive: true });
    this.file = path.join(options.dir, `${this.prefix}.jsonl`);
    this.fd = openSync(this.file, "a");
    this.size = fstatSync(this.fd).size;
  }

  /** Buffers one record (sampled and redacted); returns whether it was kept. Ignored once closed. */
  write(record: Readonly<Record<string, unknown>>): boolean {
    if (this.closed) return false;
    if ((this.options.random ?? Math.random)() >= (this.options.sampleRate ?? 1)) return false;
    // JSON.stringify escapes line breaks inside strings, so a record is always one line.
    const line = `${JSON.stringify(this.redacted(record))}\n`;
    this.pending.push(line);
    this.pendingBytes += Buffer.byteLength(line);
    if (this.pendingBytes >= (this.options.bufferBytes ?? 64 * 1024)) this.flush();
    return true;
  }

  /** Writes what is buffered, and rotates the file when it has grown past the limit. */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const lines = this.pending.length;
    const data = Buffer.from(this.pending.join(""), "utf8");
    this.pending = [];
    this.pendingBytes = 0;
    try {
      let written = 0;
      while (written < data.length) written += writeSync(this.fd, data, written);
      this.size += data.length;
      if (this.size >= (this.options.maxBytes ?? 64 * MiB)) this.rotate();
    } catch (err) {
      if (!this.options.onError) throw err;
      this.options.onError(err as Error, lines);
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  private redacted(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const rules = this.options.redact;
    if (!rules) return record as Record<string, unknown>;
    const out: Record<string, unknown> = { ...record };
    const features = typeof record["features"] === "object" && record["features"] !== null ? { ...(record["features"] as Record<string, unknown>) } : undefined;
    if (features) out["features"] = features;
    for (const [field, how] of Object.entries(rules)) {
      const [target, key] = field.startsWith("features.") ? [features, field.slice("features.".length)] : [out, field];
      if (!target || !(key in target) || target[key] === undefined || target[key] === null) continue;
      if (how === "drop") delete target[key];
      else target[key] = this.hash(target[key]);
    }
    return out;
  }

  private hash(value: unknown): string {
    return createHash("sha256").update(`${this.options.salt ?? ""}\u0000${typeof value === "string" ? value : JSON.stringify(value)}`).digest("hex").slice(0, 16);
  }

  /** Renames the current file with the time and a sequence number, starts a new one, prunes old ones. */
  private rotate(): void {
    closeSync(this.fd);
    const stamp = new Date((this.options.now ?? Date.now)()).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
    const rotated = path.join(this.options.dir, `${this.prefix}-${stamp}-${String(++this.rotations).padStart(4, "0")}.jsonl`);
    renameSync(this.file, rotated);
    this.fd = openSync(this.file, "a");
    this.size = 0;
    const keep = this.options.keep ?? 10;
    const old = readdirSync(this.options.dir)
      .filter((f) => f.startsWith(`${this.prefix}-`) && f.endsWith(".jsonl"))
      .sort();
    for (const f of old.slice(0, Math.max(0, old.length - keep))) rmSync(path.join(this.options.dir, f), { force: true });
  }
}
