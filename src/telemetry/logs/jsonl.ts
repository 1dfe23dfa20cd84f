/**
 * JSONL (one JSON object per line) as batches of rows, one batch per chunk read. A line that is too
 * long, not UTF-8, not JSON or not an object becomes an error item with its line number.
 *
 * Lines of the common shape are read by the fast path (jsonlScan.ts) into ScannedRows; the others
 * are decoded and JSON.parsed here. Both give the same record, or the same reason, for a line.
 */
import { JsonlLineScanner } from "./jsonlScan";
import { decodeUtf8, RecordSplitter, splitChunks, type RawRecord } from "./split";
import type { RowItem } from "./types";

function toItem(rec: RawRecord, maxLineBytes: number, scanner: JsonlLineScanner): RowItem | undefined {
  if (rec.bytes === undefined) return { line: rec.line, error: `line longer than ${maxLineBytes} bytes (${rec.tooLong} bytes)` };
  const scanned = scanner.scan(rec.bytes);
  if (scanned !== undefined) return { line: rec.line, row: scanned, textual: false };
  return parseLine(rec.line, rec.bytes);
}

/** The JSON.parse way, for the lines the fast path leaves: the reference the fast path must agree with. */
export function parseLine(line: number, bytes: Uint8Array): RowItem | undefined {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { line, error: "invalid UTF-8" };
  if (text.trim() === "") return undefined; // blank lines are not records
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { line, error: `invalid JSON: ${message.length > 80 ? `${message.slice(0, 79)}…` : message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { line, error: `not a JSON object (${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value})` };
  }
  return { line, row: value as Record<string, unknown>, textual: false };
}

export interface TextReaderState {
  /** The largest unfinished line held, for the scan's peaks. */
  peakBuffered: number;
}

export async function* readJsonl(chunks: AsyncIterable<Uint8Array>, maxLineBytes: number, state: TextReaderState): AsyncGenerator<RowItem[]> {
  const splitter = new RecordSplitter("lines", maxLineBytes);
  const scanner = new JsonlLineScanner();
  const convert = (records: RawRecord[]): RowItem[] => {
    state.peakBuffered = Math.max(state.peakBuffered, splitter.peakBuffered);
    const items: RowItem[] = [];
    for (const rec of records) {
      const item = toItem(rec, maxLineBytes, scanner);
      if (item) items.push(item);
    }
    return items;
  };
  yield* splitChunks(chunks, splitter, convert);
}
