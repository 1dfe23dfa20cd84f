/**
 * splitWords: a notebook cell's command line split the way a POSIX shell quotes it, with each
 * word's place in the text, so that the CLI's complaints can point at a line and column.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { lineAndColumn, splitWords, wordAt, WordsError, type Word } from "../../src/cli/words";

const texts = (source: string): string[] => splitWords(source).map((w) => w.text);

/** The WordsError `source` throws, for its message and offset. */
function refusal(source: string): WordsError {
  try {
    splitWords(source);
  } catch (error) {
    assert.ok(error instanceof WordsError, `not a WordsError: ${String(error)}`);
    return error;
  }
  assert.fail(`${JSON.stringify(source)} split without an error`);
}

/** A word as the tests quote it: single quotes, and `'` as `'\''`. */
const singleQuoted = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;
/** A word in double quotes, with the four characters that take a backslash there escaped. */
const doubleQuoted = (w: string): string => `"${w.replace(/[\\"$`]/g, "\\$&")}"`;

describe("quoting", () => {
  test("plain words are split on any whitespace, newlines included", () => {
    assert.deepEqual(texts("ab --counts x=1/2"), ["ab", "--counts", "x=1/2"]);
    assert.deepEqual(texts("  a \t b\n\n c\r\n"), ["a", "b", "c"]);
    assert.deepEqual(texts(""), []);
    assert.deepEqual(texts(" \n\t "), []);
  });

  test("single quotes keep everything literally, backslashes and double quotes included", () => {
    assert.deepEqual(texts(`'a b'`), ["a b"]);
    assert.deepEqual(texts(`'a\\b "c" $d \`e\`'`), [`a\\b "c" $d \`e\``]);
    assert.deepEqual(texts(`'line one\nline two'`), ["line one\nline two"]);
    assert.deepEqual(texts(`'#not a comment'`), ["#not a comment"]);
    assert.deepEqual(texts(`''`), [""], "an empty quoted word is a word");
  });

  test("a single quote inside single quotes is written '\\'' and reads back as one word", () => {
    assert.deepEqual(texts(`'it'\\''s'`), ["it's"]);
    assert.deepEqual(texts(`'a'"'"'b'`), ["a'b"]);
  });

  test("double quotes take backslash escapes of \" \\ $ ` only, and keep any other backslash", () => {
    assert.deepEqual(texts(`"a \\"b\\" c"`), [`a "b" c`]);
    assert.deepEqual(texts(`"\\\\ \\$ \\\`"`), ["\\ $ `"]);
    assert.deepEqual(texts(`"\\n \\t \\a"`), ["\\n \\t \\a"]);
    assert.deepEqual(texts(`"it's"`), ["it's"]);
    assert.deepEqual(texts(`"a  b\nc"`), ["a  b\nc"]);
    assert.deepEqual(texts(`""`), [""]);
  });

  test("a backslash and a newline inside double quotes join the lines", () => {
    assert.deepEqual(texts(`"a\\\nb"`), ["ab"]);
  });

  test("a backslash outside quotes escapes the next character", () => {
    assert.deepEqual(texts(`a\\ b`), ["a b"]);
    assert.deepEqual(texts(`\\'x\\"`), [`'x"`]);
    assert.deepEqual(texts(`\\\\`), ["\\"]);
    assert.deepEqual(texts(`\\#x`), ["#x"], "an escaped # starts no comment");
  });

  test("a backslash before a newline continues the line, between words or inside one", () => {
    assert.deepEqual(texts("ab --counts x=1/2 \\\n  --mde 0.01"), ["ab", "--counts", "x=1/2", "--mde", "0.01"]);
    assert.deepEqual(texts("a\\\nb"), ["ab"]);
    assert.deepEqual(texts("\\\na"), ["a"]);
    assert.deepEqual(texts("a \\\n"), ["a"]);
  });

  test("# starts a comment only at the start of a word, and the comment ends with its line", () => {
    assert.deepEqual(texts("# a comment\nab x # another\n  # and one more\ny"), ["ab", "x", "y"]);
    assert.deepEqual(texts("a#b c#"), ["a#b", "c#"]);
    assert.deepEqual(texts("'a'#b"), ["a#b"], "after a quoted part # is inside the word");
    assert.deepEqual(texts("#only a comment"), []);
    assert.deepEqual(texts("a #'unclosed quote in a comment"), ["a"]);
  });

  test("adjacent quoted and unquoted parts join into one word", () => {
    assert.deepEqual(texts(`--a="b c"`), ["--a=b c"]);
    assert.deepEqual(texts(`--counts='A=1/2,B b=3/4' x`), ["--counts=A=1/2,B b=3/4", "x"]);
    assert.deepEqual(texts(`a'b'"c"d\\ e`), ["abcd e"]);
    assert.deepEqual(texts(`''""`), [""]);
  });
});

describe("offsets", () => {
  test("each word's start and end are where it stands in the source, quotes included", () => {
    const source = `ab  --counts "A=1/2,B=3/4"\n  --mde=0.01 'x'`;
    const words = splitWords(source);
    assert.deepEqual(words, [
      { text: "ab", start: 0, end: 2 },
      { text: "--counts", start: 4, end: 12 },
      { text: "A=1/2,B=3/4", start: 13, end: 26 },
      { text: "--mde=0.01", start: 29, end: 39 },
      { text: "x", start: 40, end: 43 },
    ]);
    for (const w of words) assert.equal(source.slice(w.start, w.end).replace(/["']/g, ""), w.text);
  });

  test("a word joined over a line continuation spans the continuation", () => {
    assert.deepEqual(splitWords("a\\\nb c"), [
      { text: "ab", start: 0, end: 4 },
      { text: "c", start: 5, end: 6 },
    ]);
  });

  test("a comment moves the next word's offset, not its text", () => {
    assert.deepEqual(splitWords("# x\ny"), [{ text: "y", start: 4, end: 5 }]);
  });
});

describe("unterminated quotes and trailing backslashes", () => {
  test("a single quote never closed is refused at the quote", () => {
    const e = refusal("ab --counts 'A=1/2");
    assert.equal(e.name, "WordsError");
    assert.equal(e.message, "this single quote is never closed");
    assert.equal(e.offset, 12);
  });

  test("a double quote never closed is refused at the opening quote, however far the text goes", () => {
    const e = refusal(`ab "x\ny\\"`);
    assert.equal(e.message, "this double quote is never closed");
    assert.equal(e.offset, 3);
    assert.equal(refusal(`"x' y`).offset, 0, "a single quote inside double quotes closes nothing");
  });

  test("the quote that fails is the one left open, after words that closed theirs", () => {
    assert.equal(refusal(`'a' "b" 'c`).offset, 8);
    assert.equal(refusal(`x="a`).offset, 2);
  });

  test("a backslash at the very end escapes nothing and is refused there", () => {
    const e = refusal("ab \\");
    assert.equal(e.message, "a backslash at the end escapes nothing");
    assert.equal(e.offset, 3);
  });

  test("WordsError is an Error", () => {
    assert.ok(refusal("'") instanceof Error);
  });
});

describe("lineAndColumn", () => {
  const source = "ab\ncd\n\nef";
  test("is 1-based, and a newline belongs to the line it ends", () => {
    assert.deepEqual(lineAndColumn(source, 0), { line: 1, column: 1 });
    assert.deepEqual(lineAndColumn(source, 2), { line: 1, column: 3 });
    assert.deepEqual(lineAndColumn(source, 3), { line: 2, column: 1 });
    assert.deepEqual(lineAndColumn(source, 4), { line: 2, column: 2 });
    assert.deepEqual(lineAndColumn(source, 6), { line: 3, column: 1 });
    assert.deepEqual(lineAndColumn(source, 8), { line: 4, column: 2 });
  });

  test("an offset outside the source is clamped to it", () => {
    assert.deepEqual(lineAndColumn(source, -5), { line: 1, column: 1 });
    assert.deepEqual(lineAndColumn(source, 99), { line: 4, column: 3 });
    assert.deepEqual(lineAndColumn("", 0), { line: 1, column: 1 });
  });
});

describe("wordAt", () => {
  const words = splitWords("ab  'c d' e");
  const at = (offset: number): string | undefined => wordAt(words, offset)?.text;

  test("finds the word a cursor is in, at its start or just after its end", () => {
    assert.deepEqual([0, 1, 2].map(at), ["ab", "ab", "ab"]);
    assert.deepEqual([4, 6, 9].map(at), ["c d", "c d", "c d"]);
    assert.equal(at(10), "e");
    assert.equal(at(11), "e");
  });

  test("is undefined between words and past the last one", () => {
    assert.equal(at(3), undefined);
    assert.equal(at(12), undefined);
    assert.equal(wordAt([], 0), undefined);
  });

  test("a cursor where one word ends and the next starts is in the first", () => {
    const touching: Word[] = [
      { text: "a", start: 0, end: 1 },
      { text: "b", start: 1, end: 2 },
    ];
    assert.equal(wordAt(touching, 1)?.text, "a");
  });
});

describe("properties", () => {
  const params = { seed: 42, numRuns: 300 };
  const words = fc.array(fc.string({ unit: "binary", maxLength: 12 }), { maxLength: 8 });
  const awkward = fc.array(fc.string({ unit: fc.constantFrom("'", '"', "\\", "$", "`", "#", " ", "\n", "\t", "a", "="), maxLength: 12 }), { maxLength: 8 });

  test("any words, single-quoted ('\\'' for a quote) and joined with spaces, split back to the same words", () => {
    for (const arbitrary of [words, awkward]) {
      fc.assert(
        fc.property(arbitrary, (ws) => {
          assert.deepEqual(texts(ws.map(singleQuoted).join(" ")), ws);
        }),
        params,
      );
    }
  });

  test("any words, double-quoted with their escapes, split back to the same words", () => {
    for (const arbitrary of [words, awkward]) {
      fc.assert(
        fc.property(arbitrary, (ws) => {
          assert.deepEqual(texts(ws.map(doubleQuoted).join(" ")), ws);
        }),
        params,
      );
    }
  });

  test("each quoted word's start and end are those of its quoted text in the line", () => {
    fc.assert(
      fc.property(awkward, (ws) => {
        const quoted = ws.map(singleQuoted);
        const source = quoted.join(" \n ");
        let at = 0;
        const expected = quoted.map((q, i) => {
          const word = { text: ws[i]!, start: at, end: at + q.length };
          at += q.length + 3;
          return word;
        });
        assert.deepEqual(splitWords(source), expected);
      }),
      params,
    );
  });
});
