/**
 * "Did you mean …?" for names typed by hand: the closest candidate by edit distance, when it is
 * close enough to be a typo rather than a different word.
 */

/** Levenshtein distance with adjacent transpositions counted as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * The candidate closest to `word`, case aside, if it is within a third of the word's length (at
 * least 1, at most 3 edits); undefined otherwise.
 *
 * @example suggest("bakends", ["backends", "models"]) // "backends"
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = editDistance(lower, c.toLowerCase());
    if (distance < bestDistance && distance <= limit) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}

/** "no metric named 'x'." with a suggestion for a typo, or else the names there are. */
export function noSuch(what: string, name: string, known: Iterable<string>): string {
  const all = [...known];
  return `no ${what} named '${name}'.${didYouMean(name, all) || (all.length > 0 ? ` Known: ${all.join(", ")}.` : "")}`;
}

/** " Did you mean 'x'?" or "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s === undefined ? "" : ` Did you mean '${s}'?`;
}
