/** A value that is legitimately undefined for the data at hand, with the reason in words. */
export interface InsufficientData {
  readonly status: "insufficient-data";
  readonly reason: string;
}

/** An estimate with its interval at the document's confidence. */
export interface Estimate {
  readonly estimate: number;
  readonly ci: readonly [number, number];
}

/** Builds the insufficient-data value. */
export function insufficient(reason: string): InsufficientData {
  return { status: "insufficient-data", reason };
}

/** The MIME type of a result document of the given kind (DESIGN.md §2). */
export function resultMime(kind: string): string {
  return `application/vnd.prodinsights.${kind}+json`;
}
