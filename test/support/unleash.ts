/**
 * A real Unleash for tests (scripts/unleash.mjs: unleash-server 7.5.1 on a private PostgreSQL
 * cluster), and whether a suite can have one: missing parts skip a suite locally and fail it
 * under CI, as for the metric stores (servers.ts).
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";

export interface RunningUnleash {
  readonly url: string;
  readonly adminToken: string;
  /** A backend token for SDKs (the client API), production environment. */
  readonly clientToken: string;
  stop(): Promise<void>;
  /** Runs one SQL statement on Unleash's database, for what no API can set up (events dated in the past); the rows, `|`-separated. */
  sql(statement: string): string;
}

export interface UnleashSdk {
  getVariant(flag: string, context: { userId: string }): { name: string; enabled: boolean };
  destroy(): void;
}

interface UnleashScript {
  missingUnleashParts(): string;
  startUnleash(): Promise<RunningUnleash>;
  unleashClient(): { startUnleash(options: Record<string, unknown>): Promise<UnleashSdk>; InMemStorageProvider: new () => unknown };
}

const loadScript = async (): Promise<UnleashScript> => (await import(path.resolve(__dirname, "../../scripts/unleash.mjs"))) as UnleashScript;

/**
 * For a suite, inside its `describe`: `skip` (a reason, or false) and `failed` (CI is set and a part
 * is missing: a failing test was added, and the suite should add no more). `also` names other
 * missing parts the suite needs.
 */
export async function unleashOrSkip(also = ""): Promise<{ readonly skip: string | false; readonly failed: boolean; start(): Promise<RunningUnleash>; sdk: UnleashScript["unleashClient"] }> {
  const script = await loadScript();
  const missing = [script.missingUnleashParts() && `install ${script.missingUnleashParts()}`, also].filter(Boolean).join("; ");
  if (missing && process.env["CI"]) {
    test("the parts of the suite are installed", () => assert.fail(`CI is set and the suite cannot run: ${missing}`));
    return { skip: missing, failed: true, start: script.startUnleash, sdk: script.unleashClient };
  }
  return { skip: missing || false, failed: false, start: script.startUnleash, sdk: script.unleashClient };
}
