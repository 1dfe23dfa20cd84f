/**
 * A command line written as text (a notebook cell) split into words the way a POSIX shell quotes
 * them, keeping where each word stands so that a mistake can be shown at its line and column.
 * Supported: whitespace and newlines between words, '…' (literal), "…" (backslash escapes \" \\
 * \$ \`), a backslash outside quotes (escapes the next character; before a newline it joins lines),
 * and `#` comments from the start of a word to the end of the line. No variables, globs or pipes:
 * the words go to the CLI's parser as they are.
 */

export interface Word {
  /** The word with its quotes removed. */
  readonly text: string;
  /** Offset of its first character in the source (its opening quote, if it starts with one). */
  readonly start: number;
  /** Offset just past its last character. */
  readonly end: number;
}

/** A quote that is never closed, or a backslash at the very end. */
export class WordsError extends Error {
  constructor(
    message: string,
    /** Where the problem starts in the source. */
    readonly offset: number,
  ) {
    super(message);
    this.name = "WordsError";
  }
}

const SPACE = /\s/;
const DOUBLE_QUOTE_ESCAPES = new Set(['"', "\\", "$", "`"]);

export function splitWords(source: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    if (c === "\\" && source[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const start = i;
    let text = "";
    while (i < source.length && !SPACE.test(source[i]!)) {
      const ch = source[i]!;
      if (ch === "'") {
        const close = source.indexOf("'", i + 1);
        if (close < 0) throw new WordsError("this single quote is never closed", i);
        text += source.slice(i + 1, close);
        i = close + 1;
      } else if (ch === '"') {
        const open = i++;
        for (;;) {
          if (i >= source.length) throw new WordsError("this double quote is never closed", open);
          const q = source[i]!;
          if (q === '"') break;
          if (q === "\\" && i + 1 < source.length && DOUBLE_QUOTE_ESCAPES.has(source[i + 1]!)) {
            text += source[i + 1];
            i += 2;
          } else if (q === "\\" && source[i + 1] === "\n") {
            i += 2;
          } else {
            text += q;
            i++;
          }
        }
        i++;
      } else if (ch === "\\") {
        if (i + 1 >= source.length) throw new WordsError("a backslash at the end escapes nothing", i);
        if (source[i + 1] !== "\n") text += source[i + 1];
        i += 2;
      } else {
        text += ch;
        i++;
      }
    }
    words.push({ text, start, end: i });
  }
  return words;
}

/** The 1-based line and column of `offset` in `source`. */
export function lineAndColumn(source: string, offset: number): { readonly line: number; readonly column: number } {
  const before = source.slice(0, Math.max(0, Math.min(offset, source.length)));
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: before.length - lineStart + 1 };
}

/** The word at `offset` (a cursor inside it or just after its end), if any. */
export function wordAt(words: readonly Word[], offset: number): Word | undefined {
  return words.find((w) => w.start <= offset && offset <= w.end);
}
