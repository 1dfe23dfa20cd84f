/**
 * A mistake in what the user gave (arguments, stdin, a field): printed as one line on stderr,
 * exit code 2. Anything else that escapes a command is a bug and exits 1.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Core functions name themselves ("welchTTest: ..."); a field mistake is still the user's. */
export function asUsageError(err: unknown): unknown {
  if (err instanceof Error && !(err instanceof UsageError) && /^[a-zA-Z]+: /.test(err.message)) {
    return new UsageError(err.message);
  }
  return err;
}
