/**
 * CSV (RFC 4180: a header row, commas, double quotes around fields that hold commas, quotes or line
 * breaks, "" for a quote inside) as batches of rows keyed by header name. Nested features are
 * columns named `features.<name>`. A record with the wrong number of fields, a stray quote, or bytes
 * that are not UTF-8 becomes an error item with the line it starts on.
 */
import { decodeUtf8, RecordSplitter, splitChunks, type RawRecord } from "./split";
import type { TextReaderState } from "./jsonl";
import type { RowItem } from "./types";

/**
 * Splits one record into fields, or returns why it is not valid CSV.
 *
 * @example parseCsvRecord('a,"b, ""c""",') // ["a", 'b, "c"', ""]
 */
export function parseCsvRecord(text: string): string[] | { error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return { error: "unterminated quoted field" };
        value += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 0x22) {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      fields.push(value);
      if (j === text.length) return fields;
      if (text.charCodeAt(j) !== 0x2c) return { error: `text after a closing quote in field ${fields.length}` };
      i = j + 1;
    } else {
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? text.length : comma;
      const value = text.slice(i, end);
      if (value.includes('"')) return { error: `a quote inside unquoted field ${fields.length + 1}` };
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

export class CsvHeaderError extends Error {
  override readonly name = "CsvHeaderError";
}

export async function* readCsv(chunks: AsyncIterable<Uint8Array>, maxLineBytes: number, state: TextReaderState): AsyncGenerator<RowItem[]> {
  const splitter = new RecordSplitter("csv", maxLineBytes);
  let header: string[] | undefined;
  const convert = (records: RawRecord[]): RowItem[] => {
    state.peakBuffered = Math.max(state.peakBuffered, splitter.peakBuffered);
    const items: RowItem[] = [];
    for (const rec of records) {
      if (rec.bytes === undefined) {
        if (!header) throw new CsvHeaderError(`the header is longer than ${maxLineBytes} bytes`);
        items.push({ line: rec.line, error: `record longer than ${maxLineBytes} bytes (${rec.tooLong} bytes)` });
        continue;
      }
      const text = decodeUtf8(rec.bytes);
      if (text === undefined) {
        if (!header) throw new CsvHeaderError("the header is not UTF-8");
        items.push({ line: rec.line, error: "invalid UTF-8" });
        continue;
      }
      if (text === "") continue; // blank lines are not records
      const fields = parseCsvRecord(text);
      if (!header) {
        if (!Array.isArray(fields)) throw new CsvHeaderError(`the header is not valid CSV: ${fields.error}`);
        header = fields.map((f) => f.trim());
        if (!header.includes("ts")) throw new CsvHeaderError("the header has no 'ts' column");
        continue;
      }
      if (!Array.isArray(fields)) {
        items.push({ line: rec.line, error: `invalid CSV: ${fields.error}` });
        continue;
      }
      if (fields.length !== header.length) {
        items.push({ line: rec.line, error: `expected ${header.length} fields as in the header, got ${fields.length}` });
        continue;
      }
      const row: Record<string, unknown> = Object.create(null); // header names such as __proto__ stay plain keys
      for (let i = 0; i < header.length; i++) row[header[i]!] = fields[i];
      items.push({ line: rec.line, row, textual: true });
    }
    return items;
  };
  yield* splitChunks(chunks, splitter, convert);
}
