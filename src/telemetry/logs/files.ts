/**
 * Which files a list of paths and glob patterns names, their formats, and their bytes as a stream.
 * Node 20 has no fs.glob, and its path.matchesGlob prints an ExperimentalWarning, so the small glob
 * below is our own: `*` and `?` within a path segment, `**` for any depth, `[abc]`, `{a,b}`.
 */
import { createReadStream, type Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";
import type { LogFormat } from "./types";

/** A precondition about the inputs failed: no such file, nothing matched, unknown format. */
export class LogInputError extends Error {
  override readonly name = "LogInputError";
}

export interface LogFile {
  readonly path: string;
  readonly format: LogFormat;
  readonly gzip: boolean;
  readonly size: number;
}

const GLOB_CHARS = /[*?[{]/;

/** Whether a path or pattern has glob syntax. */
export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** One path segment's pattern as a regex source (no `/` inside a segment). */
function segmentSource(seg: string): string {
  let out = "";
  let braces = 0;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = seg.indexOf("]", i + 2);
      if (close < 0) out += "\\[";
      else {
        const body = seg.slice(i + 1, close);
        const negate = body.startsWith("!") || body.startsWith("^");
        out += `[${negate ? "^" : ""}${(negate ? body.slice(1) : body).replace(/[\\\]]/g, "\\$&")}]`;
        i = close;
      }
    } else if (c === "{") {
      braces++;
      out += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (c === "," && braces > 0) out += "|";
    else out += escapeRegex(c);
  }
  return out + ")".repeat(braces);
}

/**
 * Compiles a glob (with `/` separators) into a regex over `/`-separated relative paths.
 *
 * @example globToRegExp("logs/**\/*.jsonl").test("logs/a/b/x.jsonl") // true
 */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split("/");
  let source = "";
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === "**") source += last ? ".*" : "(?:[^/]+/)*";
    else source += segmentSource(seg) + (last ? "" : "/");
  });
  return new RegExp(`^${source}$`);
}

/** Lists files under `dir` (recursively when `deep`), as paths relative to `dir` with `/`. */
async function listFiles(dir: string, deep: boolean, prefix = ""): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isFile()) out.push(rel);
    else if (e.isSymbolicLink()) {
      // Symlinked files count; symlinked directories are not followed (no cycles).
      const s = await stat(path.join(dir, rel)).catch(() => undefined);
      if (s?.isFile()) out.push(rel);
    } else if (e.isDirectory() && deep) out.push(...(await listFiles(dir, deep, rel)));
  }
  return out;
}

/** The files one glob pattern names, absolute and sorted. */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.split(path.sep).join("/");
  const segments = normalized.split("/");
  const firstGlob = segments.findIndex((s) => isGlob(s) || s === "**");
  const base = segments.slice(0, firstGlob).join("/") || (normalized.startsWith("/") ? "/" : ".");
  const rest = segments.slice(firstGlob).join("/");
  const regex = globToRegExp(rest);
  const root = path.resolve(cwd, base);
  const deep = rest.includes("**") || rest.split("/").length > 1;
  const files = await listFiles(root, deep);
  return files.filter((f) => regex.test(f)).map((f) => path.join(root, f)).sort();
}

/** The format a file name implies (`.jsonl`, `.ndjson`, `.json`, `.csv`, `.parquet`, `.pq`, each optionally `.gz` but Parquet). */
export function formatOf(file: string): { format: LogFormat; gzip: boolean } | undefined {
  const lower = file.toLowerCase();
  const gzip = lower.endsWith(".gz");
  const name = gzip ? lower.slice(0, -3) : lower;
  if (/\.(jsonl|ndjson|json)$/.test(name)) return { format: "jsonl", gzip };
  if (name.endsWith(".csv")) return { format: "csv", gzip };
  if (/\.(parquet|pq)$/.test(name) && !gzip) return { format: "parquet", gzip };
  return undefined;
}

/**
 * Resolves paths and glob patterns to files, sorted and without repeats. A plain path must exist; a
 * pattern may match nothing as long as the whole list matches something. Patterns and directories
 * yield only files with a log extension; `format` overrides the extensions.
 */
export async function resolveLogFiles(
  patterns: readonly string[],
  options: { cwd?: string; format?: LogFormat } = {},
): Promise<{ files: LogFile[]; unmatched: string[] }> {
  const fn = "readPredictionLogs";
  const cwd = options.cwd ?? process.cwd();
  if (patterns.length === 0) throw new LogInputError(`${fn}: 'paths' is empty; give log files or glob patterns such as logs/*.jsonl`);
  const names = new Set<string>();
  const unmatched: string[] = [];
  for (const p of patterns) {
    if (isGlob(p)) {
      // A pattern such as logs/** may match notes and other files: keep the log files.
      const found = (await expandGlob(p, cwd)).filter((f) => options.format !== undefined || formatOf(f));
      if (found.length === 0) unmatched.push(p);
      found.forEach((f) => names.add(f));
    } else {
      const abs = path.resolve(cwd, p);
      const s = await stat(abs).catch(() => undefined);
      if (!s) throw new LogInputError(`${fn}: no such file '${p}'`);
      if (s.isDirectory()) {
        const found = (await listFiles(abs, true)).filter((f) => formatOf(f)).map((f) => path.join(abs, f));
        if (found.length === 0) unmatched.push(p);
        found.forEach((f) => names.add(f));
      } else names.add(abs);
    }
  }
  if (names.size === 0) throw new LogInputError(`${fn}: no log files match ${patterns.map((p) => `'${p}'`).join(", ")}`);
  const files: LogFile[] = [];
  for (const name of [...names].sort()) {
    const byName = formatOf(name);
    const kind = options.format ? { format: options.format, gzip: name.toLowerCase().endsWith(".gz") && options.format !== "parquet" } : byName;
    if (!kind) {
      throw new LogInputError(`${fn}: cannot tell the format of '${name}': name it .jsonl, .csv or .parquet (or .jsonl.gz, .csv.gz), or pass a format`);
    }
    const s = await stat(name);
    files.push({ path: name, ...kind, size: s.size });
  }
  return { files, unmatched };
}

/** Chunks of 256 KiB keep the reader's buffer small whatever the file size; smaller ones cost time per chunk. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * The file's bytes (decompressed for .gz) as a stream of chunks. `onBytes` counts bytes read from
 * disk, so progress is against file sizes even for compressed files.
 */
export async function* fileChunks(file: LogFile, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  const src = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  if (!file.gzip) {
    try {
      for await (const chunk of src) {
        onBytes((chunk as Buffer).length);
        yield chunk as Buffer;
      }
    } finally {
      src.destroy();
    }
    return;
  }
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  src.on("data", (chunk) => onBytes(chunk.length));
  src.on("error", (e) => gunzip.destroy(e));
  src.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    src.destroy();
    gunzip.destroy();
  }
}
