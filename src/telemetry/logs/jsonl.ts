/**
 * JSONL (one JSON object per line) as batches of rows, one batch per chunk read. A line that is too
 * long, not UTF-8, not JSON or not an object becomes an error item with its line number.
 *
 * Lines of the common shape are read by the fast path (jsonlScan.ts) into ScannedRows; the others
 * are decoded and JSON.parsed here. Both give the same record, or the same reason, for a line.
 */
import { JsonlLineScanner } from "./jsonlScan";
import { decodeUtf8, RecordSplitter, type RecordSink } from "./split";
import type { RowItem } from "./types";

/** One chunk's lines as items: the fast path reads each line in place in the chunk, the JSON.parse way gets its own bytes. */
class JsonlItems implements RecordSink {
  readonly items: RowItem[] = [];

  constructor(
    private readonly scanner: JsonlLineScanner,
    private readonly maxLineBytes: number,
  ) {}

  record(line: number, bytes: Uint8Array, start: number, end: number): void {
    const row = this.scanner.scan(bytes, start, end);
    const item = row !== undefined ? { line, row, textual: false } : parseLine(line, bytes.subarray(start, end));
    if (item !== undefined) this.items.push(item);
  }

  tooLong(line: number, length: number): void {
    this.items.push({ line, error: `line longer than ${this.maxLineBytes} bytes (${length} bytes)` });
  }
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

/** The rows of each chunk as one batch, then those the end of the input completes (as splitChunks yields them). */
export async function* readJsonl(chunks: AsyncIterable<Uint8Array>, maxLineBytes: number, state: TextReaderState): AsyncGenerator<RowItem[]> {
  const splitter = new RecordSplitter("lines", maxLineBytes);
  const scanner = new JsonlLineScanner();
  for await (const chunk of chunks) {
    const batch = new JsonlItems(scanner, maxLineBytes);
    splitter.pushTo(chunk, batch);
    state.peakBuffered = Math.max(state.peakBuffered, splitter.peakBuffered);
    yield batch.items;
  }
  const last = new JsonlItems(scanner, maxLineBytes);
  splitter.endTo(last);
  state.peakBuffered = Math.max(state.peakBuffered, splitter.peakBuffered);
  yield last.items;
}
