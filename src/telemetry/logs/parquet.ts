/**
 * Parquet through hyparquet, one row group at a time, only the columns the log fields need; memory
 * is bounded by the largest row group (and `maxRowGroupBytes` refuses absurd ones), not by the file.
 * hyparquet decodes uncompressed and Snappy pages itself (the default of pyarrow, pandas, Spark and
 * DuckDB); GZIP and Brotli pages are inflated here with node:zlib. ZSTD and LZ4 (Polars' default is
 * ZSTD) would need hyparquet-compressors: such a file is reported as unreadable, with the codec.
 */
import { open, type FileHandle } from "node:fs/promises";
import { brotliDecompressSync, unzipSync } from "node:zlib";
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type ColumnData, type Compressors, type FileMetaData } from "hyparquet";
import type { RowItem } from "./types";

const FIELDS = new Set(["ts", "model", "version", "unit", "experiment", "arm", "features", "prediction", "latency_ms", "error", "outcome", "event"]);

const compressors: Compressors = {
  GZIP: (input) => new Uint8Array(unzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
};

/** A file error that ends the reading of one file; the scan reports it and goes on. */
export class ParquetFileError extends Error {
  override readonly name = "ParquetFileError";
}

function asyncBuffer(handle: FileHandle, size: number, onBytes: (n: number) => void): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const length = Math.max(0, stop - start);
      const bytes = new Uint8Array(length);
      let at = 0;
      while (at < length) {
        const { bytesRead } = await handle.read(bytes, at, length - at, start + at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      onBytes(at);
      return bytes.buffer;
    },
  };
}

function codecsOf(metadata: FileMetaData): Set<string> {
  const codecs = new Set<string>();
  for (const g of metadata.row_groups) for (const c of g.columns) if (c.meta_data) codecs.add(c.meta_data.codec);
  return codecs;
}

/** Plain values for the record normaliser: BigInt to number; binary stays as it is (and is rejected there). */
function plain(v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}

export interface ParquetOptions {
  readonly batchRows: number;
  readonly maxRowGroupBytes: number;
  readonly onBytes: (n: number) => void;
}

/** Rows of a Parquet file in batches of at most `batchRows`; `line` is the 1-based row number. */
export async function* readParquet(path: string, size: number, options: ParquetOptions): AsyncGenerator<RowItem[]> {
  const handle = await open(path, "r");
  try {
    const file = asyncBuffer(handle, size, options.onBytes);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      throw new ParquetFileError(`not a readable Parquet file: ${e instanceof Error ? e.message : String(e)}`);
    }
    const unsupported = [...codecsOf(metadata)].filter((c) => c !== "UNCOMPRESSED" && c !== "SNAPPY" && !(c in compressors));
    if (unsupported.length > 0) {
      throw new ParquetFileError(`compression ${unsupported.join(", ")} is not supported; write the file with Snappy, GZIP or no compression`);
    }
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    const columns = names.filter((n) => FIELDS.has(n) || n.startsWith("features."));
    if (!columns.includes("ts")) throw new ParquetFileError("the file has no 'ts' column");
    const wanted = new Set(columns);

    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows);
      const groupEnd = groupStart + rows;
      // What the footer says the columns we read take, decompressed: the memory this group needs.
      const bytes = group.columns.reduce((s, c) => s + (c.meta_data && wanted.has(c.meta_data.path_in_schema[0]!) ? Number(c.meta_data.total_uncompressed_size) : 0), 0);
      if (bytes > options.maxRowGroupBytes) {
        throw new ParquetFileError(`row group at row ${groupStart + 1} holds ${bytes} bytes of log columns, more than the ${options.maxRowGroupBytes} allowed`);
      }
      const data = new Map<string, ColumnData[]>();
      try {
        await parquetRead({
          file,
          metadata,
          columns,
          rowStart: groupStart,
          rowEnd: groupEnd,
          compressors,
          onChunk: (chunk) => {
            const list = data.get(chunk.columnName) ?? [];
            list.push(chunk);
            data.set(chunk.columnName, list);
          },
        });
      } catch (e) {
        throw new ParquetFileError(`row group at row ${groupStart + 1}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const readers = columns.map((name) => [name, cursor(data.get(name) ?? [])] as const);
      for (let start = groupStart; start < groupEnd; start += options.batchRows) {
        const stop = Math.min(groupEnd, start + options.batchRows);
        const items: RowItem[] = [];
        for (let r = start; r < stop; r++) {
          const row: Record<string, unknown> = Object.create(null);
          for (const [name, at] of readers) row[name] = plain(at(r));
          items.push({ line: r + 1, row, textual: false });
        }
        yield items;
      }
      groupStart = groupEnd;
    }
  } finally {
    await handle.close();
  }
}

/** Value lookup by absolute row over a column's chunks (read in row order). */
function cursor(unsorted: readonly ColumnData[]): (row: number) => unknown {
  const chunks = [...unsorted].sort((a, b) => a.rowStart - b.rowStart);
  let i = 0;
  return (row) => {
    while (i < chunks.length && row >= chunks[i]!.rowEnd) i++;
    const c = chunks[i];
    if (!c || row < c.rowStart) return undefined;
    return c.columnData[row - c.rowStart];
  };
}
