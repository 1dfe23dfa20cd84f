/**
 * The JSONL fast path: reads a line of the common record shape straight from its bytes into a
 * ScannedRow, without decoding the line to a string, JSON.parse or building objects. A profile of
 * the drift scan had JSON.parse at about half its time, on its own as long as DuckDB's whole job.
 *
 * It takes only a strict subset of JSON, and for it gives exactly the values JSON.parse would:
 * - the line is one object, with JSON whitespace anywhere between tokens;
 * - every byte is ASCII (a line with any other byte, a byte-order mark say, is left to the decoder);
 * - keys have no escapes; no known field (the ones normalizeRow reads) appears twice, and no key of
 *   `features` does (JSON.parse keeps the last value but the first position); no `features` key is
 *   all digits (an object lists such keys first, in numeric order);
 * - values are numbers, strings, true, false and null, and `features` is an object of those or null;
 * - no top-level key starts with `features.` (flat feature columns).
 * Anything else — other shapes, and invalid JSON too — returns undefined, and the line goes the
 * JSON.parse way (jsonl.ts), so that each line ends as the same record, or the same reason, either
 * way. test/telemetry/logs/jsonlScan.test.ts checks that on many generated lines.
 *
 * Numbers: a JSON number is also a JavaScript numeric literal with the same value, so Number() of
 * its text is exact; the common short ones are converted digit by digit (Clinger's fast path: an
 * integer below 2^53 times or over a power of ten up to 1e22, both exact, is one correctly rounded
 * operation). Strings: keys and short values are kept in a small cache keyed by their bytes, so a
 * log's repeated names and categories cost no new string per line; a string with escapes is
 * decoded by JSON.parse of just that string.
 *
 * What else a line costs is kept small too, each step after a profile of the drift bench: the line
 * is read in place in the chunk read from the file; keys are checked against the last line's, four
 * bytes at a time; `features` values go unboxed into shared arenas (jsonlParts.ts), not into an
 * array and an object per line; and a `ts` of the common ISO shape is read as a time from its bytes
 * (timestamps.ts), its text made only if something asks for it.
 */
import { ARENA_VALUES, ascii, asBuffer, FeatureArena, hashStep, Key, matches, MAX_FEATURE_KEYS, StringCache } from "./jsonlParts";
import { FeatureEntries, ScannedRow } from "./records";
import { isoUtcBytes } from "./timestamps";

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const BACKSLASH = 0x5c;
const LOWER_E = 0x65;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const PLUS = 0x2b;

/** A position meaning "not in the subset": the line goes the JSON.parse way. */
const OUT = -1;

/** The fields normalizeRow reads, by the bit that marks them seen in a line. */
const FIELDS = ["ts", "model", "version", "event", "unit", "experiment", "arm", "latency_ms", "error", "outcome", "prediction", "features"] as const;
const fieldIndex = (name: (typeof FIELDS)[number]): number => FIELDS.indexOf(name);
const FEATURES = fieldIndex("features");
const F_TS = fieldIndex("ts");
const F_MODEL = fieldIndex("model");
const F_VERSION = fieldIndex("version");
const F_EVENT = fieldIndex("event");
const F_UNIT = fieldIndex("unit");
const F_EXPERIMENT = fieldIndex("experiment");
const F_ARM = fieldIndex("arm");
const F_LATENCY_MS = fieldIndex("latency_ms");
const F_ERROR = fieldIndex("error");
const F_OUTCOME = fieldIndex("outcome");
/** What readValue makes of a string: nothing (the value is not wanted), a new string, or one from the cache. */
const SKIP = 0;
const FRESH = 1;
const CACHED = 2;
/** For ts: an ISO text of the common shape is read as a time (into `time`) without making the string; any other, FRESH. */
const TIME = 3;
/** fieldOf for a key normalizeRow does not read, and for a flat `features.<name>` key. */
const OTHER = -1;
const FLAT = -2;
const FEATURE_PREFIX = "features.";

/** 10^0 … 10^22: the powers of ten a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Significant digits below which an integer mantissa is exact (10^15 < 2^53). */
const MAX_FAST_DIGITS = 15;

const isWhitespace = (c: number): boolean => c === SPACE || c === TAB || c === CR || c === LF;

/**
 * Bytes that end the quick loop over a string: the quote, a backslash, control characters, and
 * non-ASCII ones, which leave the line to the decoder. Outside strings, only JSON's ASCII tokens
 * are taken, so every line the fast path takes is ASCII without a separate check.
 */
const STRING_STOP = new Uint8Array(256).map((_, c) => (c === QUOTE || c === BACKSLASH || c < SPACE || c >= 0x80 ? 1 : 0));

const TRUE = ascii("true");
const FALSE = ascii("false");
const NULL = ascii("null");

/** The field a top-level key names: its index in FIELDS, OTHER or FLAT. */
const FIELD_BYTES = FIELDS.map(ascii);
const FEATURE_PREFIX_BYTES = ascii(FEATURE_PREFIX);
function fieldOf(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len > FEATURE_PREFIX.length && matches(b, start, FEATURE_PREFIX_BYTES)) return FLAT;
  for (let f = 0; f < FIELDS.length; f++) if (FIELD_BYTES[f]!.length === len && matches(b, start, FIELD_BYTES[f]!)) return f;
  return OTHER;
}

/** row[FIELDS[field]] = value for fields but ts and features, as a switch: a store by computed name was 2% of a drift scan. */
function setField(row: ScannedRow, field: number, value: unknown): void {
  switch (field) {
    case F_MODEL:
      row.model = value;
      break;
    case F_VERSION:
      row.version = value;
      break;
    case F_EVENT:
      row.event = value;
      break;
    case F_UNIT:
      row.unit = value;
      break;
    case F_EXPERIMENT:
      row.experiment = value;
      break;
    case F_ARM:
      row.arm = value;
      break;
    case F_LATENCY_MS:
      row.latency_ms = value;
      break;
    case F_ERROR:
      row.error = value;
      break;
    case F_OUTCOME:
      row.outcome = value;
      break;
    default: // prediction
      row.prediction = value;
  }
}

export class JsonlLineScanner {
  /** The bytes being read, as given and as a Buffer; `n` is where the line ends in them. */
  private bytes: Uint8Array | undefined = undefined;
  private b: Buffer = asBuffer(new Uint8Array(0));
  private n = 0;
  /** The line's bytes as 32-bit words, for matchKey: a view of the whole ArrayBuffer, from `offset`. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private offset = 0;
  /** The value the last read* call produced, when it was asked for; a number read is also in `num`, unboxed. */
  private value: unknown = undefined;
  private num = 0;
  /** What readString made of a TIME: its ms, or NaN when it made the string (in `value`) instead. */
  private time = NaN;
  /** The last key read by readKey: its string (for features) or field (top level). */
  private key: Key | undefined = undefined;
  private readonly strings = new StringCache();
  /** The keys of the last line's top level and `features`, by place. */
  private readonly topKeys: Key[] = [];
  private featureKeys: Key[] = [];
  /** The names of the last `features` object, shared by the next rows that list the same ones. */
  private names: readonly string[] = [];
  private readonly scratchNames: string[] = [];
  /** Where rows' feature values go (FeatureEntries): numbers unboxed, other values beside them. */
  private arena = new FeatureArena();

  /**
   * The row the line bytes[start, end) holds, or undefined when it is outside the subset and
   * JSON.parse must read it. Positions are kept in `bytes` (a chunk of many lines, say); every
   * token must end before `end`, and a line is taken only when its object ends exactly there, so
   * what follows the line never changes what it gives.
   */
  scan(bytes: Uint8Array, start = 0, end = bytes.length): ScannedRow | undefined {
    if (bytes !== this.bytes) {
      // once per chunk read
      this.bytes = bytes;
      this.b = asBuffer(bytes);
      if (bytes.buffer !== this.view.buffer) this.view = new DataView(bytes.buffer);
      this.offset = bytes.byteOffset;
    }
    this.n = end;
    const row = new ScannedRow();
    const stop = this.readRow(row, start);
    this.value = undefined;
    return stop === end ? row : undefined;
  }

  private skipWhitespace(i: number): number {
    const { b, n } = this;
    // Never past the end: a comparison that once met undefined there is slow ever after.
    if (i < n && b[i]! > SPACE) return i; // compact JSON: one test
    while (i < n && isWhitespace(b[i]!)) i++;
    return i;
  }

  /** Whether the line holds `key`'s bytes at `i`. */
  private matchKey(key: Key, i: number): boolean {
    const { pattern, words } = key;
    const len = pattern.length;
    if (i + len > this.n) return false;
    const view = this.view;
    const at = this.offset + i;
    for (let w = 0; w < words.length; w++) if (view.getInt32(at + 4 * w, true) !== words[w]) return false;
    if ((len & 3) === 0) return true;
    if (len > 4) return view.getInt32(at + len - 4, true) === key.last; // the rest, in a word that overlaps the last
    for (let k = 0; k < len; k++) if (this.b[i + k] !== pattern[k]) return false; // `"":`
    return true;
  }

  /**
   * The key at `i` (a quote) and the colon after it, when it is not the last line's key at this
   * place: read and looked up, into `key`. Returns the position after the colon and any
   * whitespace, or OUT.
   */
  private readKey(i: number, topLevel: boolean): number {
    const b = this.b;
    if (b[i] !== QUOTE) return OUT;
    const start = i + 1;
    let digits = true;
    let hash = 0;
    let j = start;
    for (; j < this.n; j++) {
      const c = b[j]!;
      if (STRING_STOP[c] !== 0) break;
      if (c < ZERO || c > NINE) digits = false;
      hash = hashStep(hash, c);
    }
    if (j >= this.n || b[j] !== QUOTE) return OUT; // an escape, a control character or the end
    if (topLevel) {
      const field = fieldOf(b, start, j);
      if (field === FLAT) return OUT;
      this.key = new Key(b.toString("latin1", start, j), field);
    } else {
      if (digits && j > start) return OUT; // an index key: JSON.parse's object would list it first
      this.key = new Key(this.strings.get(b, start, j, hash), OTHER);
    }
    i = this.skipWhitespace(j + 1);
    if (b[i] !== COLON) return OUT;
    return this.skipWhitespace(i + 1);
  }

  /** Reads the top-level object into `row`; the position after it and any whitespace, or OUT. */
  private readRow(row: ScannedRow, start: number): number {
    const b = this.b;
    const keys = this.topKeys;
    let i = this.skipWhitespace(start);
    if (b[i] !== LBRACE) return OUT;
    i = this.skipWhitespace(i + 1);
    let seen = 0;
    let count = 0;
    if (b[i] === RBRACE) return this.skipWhitespace(i + 1);
    for (;;) {
      let key = keys[count];
      if (key !== undefined && this.matchKey(key, i)) i = this.skipWhitespace(i + key.pattern.length);
      else {
        i = this.readKey(i, true);
        if (i === OUT) return OUT;
        key = keys[count] = this.key!;
      }
      count++;
      const field = key.field;
      if (field === OTHER) i = this.readValue(i, SKIP);
      else {
        if ((seen & (1 << field)) !== 0) return OUT; // JSON.parse would keep the last one
        seen |= 1 << field;
        if (field !== FEATURES) {
          // ts and error messages are mostly new text on each line: kept out of the string cache
          if (field === F_TS) {
            this.time = NaN;
            const at = i + 1;
            i = this.readValue(i, TIME);
            if (Number.isNaN(this.time)) row.ts = this.value;
            else row.setTsText(this.time, b, at, i - 1);
          } else {
            i = this.readValue(i, field === F_ERROR ? FRESH : CACHED);
            setField(row, field, this.value);
          }
        } else if (b[i] === LBRACE) {
          i = this.readFeatures(i);
          row.features = this.value as FeatureEntries;
        } else {
          // null; a string of JSON or a wrong type is JSON.parse's way, rare enough
          if (!this.literal(i, NULL)) return OUT;
          i += 4;
          row.features = null;
        }
      }
      if (i === OUT) return OUT;
      i = this.skipWhitespace(i);
      if (b[i] === COMMA) i = this.skipWhitespace(i + 1);
      else if (b[i] === RBRACE) return this.skipWhitespace(i + 1);
      else return OUT;
    }
  }

  /**
   * Reads the `features` object at `i` into FeatureEntries (in `value`); the position after it, or
   * OUT. Its names array is the last row's when the names are the same, which also spares checking
   * them for duplicates again.
   */
  private readFeatures(i: number): number {
    const b = this.b;
    const names = this.scratchNames;
    let arena = this.arena;
    let { numbers, others } = arena;
    let base = arena.used;
    let otherBase = arena.usedOthers;
    let otherCount = 0;
    const keys = this.featureKeys;
    const last = this.names;
    let count = 0;
    let same = true;
    i = this.skipWhitespace(i + 1);
    if (b[i] !== RBRACE) {
      for (;;) {
        if (count === MAX_FEATURE_KEYS) return OUT;
        if (base + count === ARENA_VALUES) {
          // Out of room: the row moves to a new arena, and the old one stays with its rows.
          arena = this.arena = FeatureArena.moved(arena, base, count, otherBase, otherCount);
          ({ numbers, others } = arena);
          base = 0;
          otherBase = 0;
        }
        let key = keys[count];
        if (key !== undefined && this.matchKey(key, i)) i = this.skipWhitespace(i + key.pattern.length);
        else {
          i = this.readKey(i, false);
          if (i === OUT) return OUT;
          key = keys[count] = this.key!;
        }
        if (key.name !== last[count]) same = false;
        const c = i < this.n ? b[i]! : -1;
        if (c === MINUS || (c >= ZERO && c <= NINE)) {
          i = this.readNumber(i, true);
          numbers[base + count] = this.num;
        } else {
          i = this.readValue(i, CACHED);
          numbers[base + count] = NaN; // never a JSON number's value: the value is the next in `others`
          others[otherBase + otherCount++] = this.value; // at most at the end: the array stays dense
        }
        if (i === OUT) return OUT;
        names[count] = key.name;
        count++;
        i = this.skipWhitespace(i);
        if (b[i] === COMMA) i = this.skipWhitespace(i + 1);
        else if (b[i] === RBRACE) break;
        else return OUT;
      }
    }
    if (!same || count !== last.length) {
      const fresh = names.slice(0, count);
      if (new Set(fresh).size !== count) return OUT; // a duplicate key
      this.names = fresh;
    }
    this.value = new FeatureEntries(this.names, numbers, others, base, otherBase);
    arena.used = base + count;
    arena.usedOthers = otherBase + otherCount;
    return i + 1;
  }

  /** Reads a value other than an object or array at `i`; the position after it, or OUT. Sets `value` unless `strings` is SKIP. */
  private readValue(i: number, strings: number): number {
    const b = this.b;
    const c = b[i];
    if (c === QUOTE) return this.readString(i, strings);
    if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) {
      const j = this.readNumber(i, strings !== SKIP);
      this.value = this.num;
      return j;
    }
    if (this.literal(i, TRUE)) {
      this.value = true;
      return i + 4;
    }
    if (this.literal(i, FALSE)) {
      this.value = false;
      return i + 5;
    }
    if (this.literal(i, NULL)) {
      this.value = null;
      return i + 4;
    }
    return OUT;
  }

  private literal(i: number, word: Uint8Array): boolean {
    return i + word.length <= this.n && matches(this.b, i, word);
  }

  /** Reads the string at `i` (a quote); the position after it, or OUT. */
  private readString(i: number, strings: number): number {
    const { b, n } = this;
    let escaped = false;
    let hash = 0;
    let j = i + 1;
    while (j < n) {
      const c = b[j]!;
      if (STRING_STOP[c] === 0) {
        hash = hashStep(hash, c);
        j++;
      } else if (c === QUOTE) break;
      else if (c === BACKSLASH) {
        const e = b[j + 1];
        if (e === 0x75) {
          // \uXXXX
          for (let k = j + 2; k < j + 6; k++) if (!isHex(b[k])) return OUT;
          j += 6;
        } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          j += 2; // \" \\ \/ \b \f \n \r \t
        } else return OUT;
        escaped = true;
      } else return OUT; // a control character or non-ASCII
    }
    if (j >= n) return OUT;
    if (strings === SKIP) return j + 1;
    if (strings === TIME && !escaped) {
      this.time = isoUtcBytes(b, i + 1, j) ?? NaN;
      if (!Number.isNaN(this.time)) return j + 1;
    }
    if (escaped) this.value = JSON.parse(b.toString("latin1", i, j + 1)) as string;
    else this.value = strings === CACHED ? this.strings.get(b, i + 1, j, hash) : b.toString("latin1", i + 1, j); // FRESH, TIME
    return j + 1;
  }

  /** Reads the number at `i` (JSON's grammar: no "+", no leading zeros, digits around "."); the position after it, or OUT. */
  private readNumber(i: number, want: boolean): number {
    const { b, n } = this;
    let j = i;
    const negative = b[j] === MINUS;
    if (negative) j++;
    let mantissa = 0;
    let digits = 0; // significant digits in the mantissa
    let exponent = 0;
    let c = j < n ? b[j]! : -1;
    if (c === ZERO) {
      c = ++j < n ? b[j]! : -1;
      if (c >= ZERO && c <= NINE) return OUT; // a leading zero
    } else if (c > ZERO && c <= NINE) {
      do {
        if (digits < MAX_FAST_DIGITS + 1) {
          mantissa = mantissa * 10 + (c - ZERO);
          digits++;
        }
        c = ++j < n ? b[j]! : -1;
      } while (c >= ZERO && c <= NINE);
    } else return OUT;
    if (c === DOT) {
      c = ++j < n ? b[j]! : -1;
      if (!(c >= ZERO && c <= NINE)) return OUT;
      do {
        if (digits < MAX_FAST_DIGITS + 1) {
          mantissa = mantissa * 10 + (c - ZERO);
          if (mantissa !== 0) digits++;
          exponent--;
        }
        c = ++j < n ? b[j]! : -1;
      } while (c >= ZERO && c <= NINE);
    }
    if (c === LOWER_E || c === UPPER_E) {
      c = ++j < n ? b[j]! : -1;
      let sign = 1;
      if (c === MINUS || c === PLUS) {
        if (c === MINUS) sign = -1;
        c = ++j < n ? b[j]! : -1;
      }
      if (!(c >= ZERO && c <= NINE)) return OUT;
      let e = 0;
      do {
        if (e < 100_000) e = e * 10 + (c - ZERO);
        c = ++j < n ? b[j]! : -1;
      } while (c >= ZERO && c <= NINE);
      exponent += sign * e;
    }
    if (want) {
      let v: number;
      if (digits <= MAX_FAST_DIGITS && exponent >= -22 && exponent <= 22) {
        v = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
        if (negative) v = -v;
      } else v = Number(b.toString("latin1", i, j));
      this.num = v;
    }
    return j;
  }
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
