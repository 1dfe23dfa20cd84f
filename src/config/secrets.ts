/**
 * Secrets are named in prodinsights.yaml and looked up only when a request needs them:
 * `${env:NAME}` from the environment (CLI and editor), `${secret:NAME}` from the editor's
 * SecretStorage. Values never enter a Config, a message or a log.
 */
import type { Auth, PrometheusBackend } from "./types";

export interface SecretRefParts {
  readonly store: "env" | "secret";
  readonly name: string;
}

const REF = /^\$\{(env|secret):([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The parts of a reference, or undefined for plain text (a header value may be either). */
export function parseSecretRef(text: string): SecretRefParts | undefined {
  const m = REF.exec(text);
  return m ? { store: m[1] as SecretRefParts["store"], name: m[2]! } : undefined;
}

/** Looks a secret up; undefined when it is not set. */
export type SecretLookup = (ref: SecretRefParts) => Promise<string | undefined> | string | undefined;

/** A secret that is named but not set, with where to set it. */
export class MissingSecretError extends Error {
  override readonly name = "MissingSecretError";
  constructor(
    readonly ref: SecretRefParts,
    where: string,
  ) {
    super(
      ref.store === "env"
        ? `${where} names the environment variable ${ref.name}, which is not set`
        : `${where} names the secret '${ref.name}', which is not in the editor's secret storage: run "Production Insights: Connect Backend…"`,
    );
  }
}

/** The environment as a SecretLookup: `${secret:…}` exists only in the editor. */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>> = process.env): SecretLookup {
  return (ref) => (ref.store === "env" ? env[ref.name] : undefined);
}

/** `text` with its secret looked up when it is a reference; a reference to nothing is a MissingSecretError. */
export async function resolveSecret(text: string, lookup: SecretLookup, where: string): Promise<string> {
  const ref = parseSecretRef(text);
  if (!ref) return text;
  const value = await lookup(ref);
  if (value === undefined || value === "") throw new MissingSecretError(ref, where);
  return value;
}

/**
 * The HTTP headers a backend's requests carry, secrets resolved: Authorization for bearer or
 * basic auth, then the configured headers.
 */
export async function backendHeaders(backend: PrometheusBackend, lookup: SecretLookup): Promise<Record<string, string>> {
  const where = `backend '${backend.name}'`;
  const headers: Record<string, string> = {};
  const auth: Auth | undefined = backend.auth;
  if (auth?.kind === "bearer") headers["Authorization"] = `Bearer ${await resolveSecret(auth.token, lookup, `${where} (auth.bearer)`)}`;
  if (auth?.kind === "basic") {
    const password = await resolveSecret(auth.password, lookup, `${where} (auth.basic.password)`);
    headers["Authorization"] = `Basic ${Buffer.from(`${auth.username}:${password}`, "utf8").toString("base64")}`;
  }
  for (const [name, value] of Object.entries(backend.headers)) headers[name] = await resolveSecret(value, lookup, `${where} (headers.${name})`);
  return headers;
}
