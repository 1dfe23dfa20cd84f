/**
 * Cuts a byte stream into records without ever holding more than `maxBytes` of one record: lines
 * for JSONL, and RFC 4180 records for CSV, where a quoted field may hold line breaks. A record
 * longer than the cap is dropped while it streams past and reported as too long; reading goes on
 * at the next line break.
 */

export interface RawRecord {
  /** The 1-based line the record starts on. */
  readonly line: number;
  /** The record's bytes without its line break; absent when it was too long. */
  readonly bytes?: Uint8Array;
  /** The record's length in bytes, when it was too long to keep. */
  readonly tooLong?: number;
}

/**
 * Where a splitter hands its records: each as bytes[start, end) without its line break, or, when it
 * was too long to keep, its length. The bytes are the chunk read when the record lies within one,
 * so that a reader that scans them in place makes no view per line (JSONL: a tenth of its time
 * went to cutting lines); they are not changed later.
 */
export interface RecordSink {
  record(line: number, bytes: Uint8Array, start: number, end: number): void;
  tooLong(line: number, length: number): void;
}

/** A RecordSink that collects RawRecords, for readers that want each record as its own bytes. */
class RecordList implements RecordSink {
  constructor(private readonly out: RawRecord[]) {}

  record(line: number, bytes: Uint8Array, start: number, end: number): void {
    this.out.push({ line, bytes: start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end) });
  }

  tooLong(line: number, length: number): void {
    this.out.push({ line, tooLong: length });
  }
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

// CSV states: at the start of a field, inside an unquoted field, inside a quoted one, or just
// after a quote inside a quoted field (the end of the field, or the first half of "").
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

export class RecordSplitter {
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  /** Bytes of the current record when it overflowed; 0 while it fits. */
  private overflow = 0;
  private line = 1;
  private recordLine = 1;
  private state = FIELD_START;
  /** The most bytes of one unfinished record held at any time. */
  peakBuffered = 0;

  constructor(
    private readonly mode: "lines" | "csv",
    private readonly maxBytes: number,
  ) {}

  /** Splits `chunk`, appending the records it completes to `out`. */
  push(chunk: Uint8Array, out: RawRecord[]): void {
    this.pushTo(chunk, new RecordList(out));
  }

  /** Flushes a last record that has no line break after it. */
  end(out: RawRecord[]): void {
    this.endTo(new RecordList(out));
  }

  /** Splits `chunk`, handing the records it completes to `sink`. */
  pushTo(chunk: Uint8Array, sink: RecordSink): void {
    let start = 0;
    while (start < chunk.length) {
      // Past the cap, quotes no longer matter: the record ends at the next line break.
      const end = this.mode === "lines" || this.overflow > 0 ? chunk.indexOf(LF, start) : this.csvRecordEnd(chunk, start);
      if (end < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      if (this.partsLength === 0 && this.overflow === 0 && end - start <= this.maxBytes) {
        // The whole record is in this chunk: handed over in place (what keep and finish would do, without a view).
        if (end - start > this.peakBuffered) this.peakBuffered = end - start;
        sink.record(this.recordLine, chunk, start, end > start && chunk[end - 1] === CR ? end - 1 : end);
      } else {
        this.keep(chunk.subarray(start, end));
        this.finish(sink);
      }
      this.line++;
      this.recordLine = this.line;
      start = end + 1;
    }
  }

  /** Flushes a last record that has no line break after it. */
  endTo(sink: RecordSink): void {
    if (this.partsLength > 0 || this.overflow > 0) this.finish(sink);
  }

  /** Index of the LF that ends the current CSV record in `chunk`, or -1; counts LFs inside quotes. */
  private csvRecordEnd(chunk: Uint8Array, from: number): number {
    let state = this.state;
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (state) {
        case FIELD_START:
          if (b === QUOTE) state = QUOTED;
          else if (b === LF) {
            this.state = FIELD_START;
            return i;
          } else if (b !== COMMA) state = UNQUOTED;
          break;
        case UNQUOTED:
          if (b === COMMA) state = FIELD_START;
          else if (b === LF) {
            this.state = FIELD_START;
            return i;
          }
          break;
        case QUOTED:
          if (b === QUOTE) state = QUOTE_IN_QUOTED;
          else if (b === LF) this.line++;
          break;
        default: // QUOTE_IN_QUOTED
          if (b === QUOTE) state = QUOTED;
          else if (b === COMMA) state = FIELD_START;
          else if (b === LF) {
            this.state = FIELD_START;
            return i;
          } else state = UNQUOTED; // text after a closing quote: the field parser reports it
      }
    }
    this.state = state;
    return -1;
  }

  private keep(piece: Uint8Array): void {
    if (piece.length === 0) return;
    if (this.overflow > 0) {
      this.overflow += piece.length;
      return;
    }
    if (this.partsLength + piece.length > this.maxBytes) {
      this.overflow = this.partsLength + piece.length;
      this.parts = [];
      this.partsLength = 0;
      return;
    }
    this.parts.push(piece);
    this.partsLength += piece.length;
    if (this.partsLength > this.peakBuffered) this.peakBuffered = this.partsLength;
  }

  private finish(sink: RecordSink): void {
    if (this.overflow > 0) {
      sink.tooLong(this.recordLine, this.overflow);
      // A record cut short may have left a quote open; start clean at the next line.
      this.state = FIELD_START;
    } else {
      const bytes = this.parts.length === 1 ? this.parts[0]! : concat(this.parts, this.partsLength);
      sink.record(this.recordLine, bytes, 0, bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length);
    }
    this.parts = [];
    this.partsLength = 0;
    this.overflow = 0;
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 strictly (a leading byte-order mark is dropped); undefined when the bytes are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Feeds a file's chunks through `splitter` and yields each chunk's complete records after
 * `convert`, then what the end of the file completes: the loop both text readers share.
 */
export async function* splitChunks<T>(
  chunks: AsyncIterable<Uint8Array>,
  splitter: RecordSplitter,
  convert: (records: RawRecord[]) => T,
): AsyncGenerator<T> {
  for await (const chunk of chunks) {
    const records: RawRecord[] = [];
    splitter.push(chunk, records);
    yield convert(records);
  }
  const last: RawRecord[] = [];
  splitter.end(last);
  yield convert(last);
}
