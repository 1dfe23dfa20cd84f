/**
 * A gateway in the test's process, in front of a model stub, with its files in a temporary folder:
 * real HTTP on 127.0.0.1 and free ports, so that each test talks to it as a client would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseGatewayConfig } from "../../src/gateway/config";
import { Gateway, type GatewayOptions } from "../../src/gateway/server";
import { startModelStub, type ModelStub } from "./modelStub";

export const TOKEN = "test-admin-token";

export interface Harness {
  readonly gw: Gateway;
  readonly stub: ModelStub;
  readonly dir: string;
  /** A model request through the gateway. */
  predict(body: unknown, headers?: Record<string, string>, model?: string): Promise<Response>;
  /** An admin call with the token (or `token`), JSON in and out. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON that each test asserts on
  admin(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** gateway.yaml for a `churn` model over the stub's versions; `extra` is appended to the model entry. */
export function harnessYaml(stubUrl: string, weights: Record<string, number>, more = ""): string {
  const versions = Object.entries(weights)
    .map(([v, w]) => `      ${v}: {url: "${stubUrl}/${v}", weight: ${w}}`)
    .join("\n");
  return `admin: {token: "\${env:GW_TEST_TOKEN}", port: 0}\nlisten: {port: 0}\nmodels:\n  churn:\n    timeout: 2s\n    versions:\n${versions}\n${more}`;
}

export async function startHarness(weights: Record<string, number> = { v1: 100, v2: 0 }, more = "", options: Partial<GatewayOptions> = {}, dir?: string): Promise<Harness> {
  const stub = await startModelStub();
  const root = dir ?? mkdtempSync(path.join(tmpdir(), "prodinsights-gw-"));
  const parsed = parseGatewayConfig(harnessYaml(stub.url, weights, more));
  if (!parsed.config) throw new Error(`bad test gateway.yaml: ${JSON.stringify(parsed.issues)}`);
  const gw = await Gateway.start(parsed.config, { baseDir: root, env: { GW_TEST_TOKEN: TOKEN }, ...options });
  return {
    gw,
    stub,
    dir: root,
    predict: (body, headers = {}, model = "churn") =>
      fetch(`${gw.url}/models/${model}/predict`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) }),
    async admin(method, p, body, token = TOKEN) {
      const res = await fetch(`${gw.adminUrl}${p}`, {
        method,
        headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}), "x-actor": "tester" },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      return { status: res.status, json: await res.json() };
    },
    async close() {
      await gw.close();
      await stub.close();
      if (!dir) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Sends requests from distinct units, 20 at a time, until `done` says stop; returns how many. */
export async function sendTraffic(h: Harness, done: () => boolean): Promise<number> {
  let sent = 0;
  while (!done()) {
    await Promise.all(Array.from({ length: 20 }, () => h.predict({ features: { tenure: (sent % 30) + 1 } }, { "x-unit-id": `unit-${sent++}` }).then((r) => r.arrayBuffer())));
  }
  return sent;
}

/** Polls `probe` until it returns a value; the test's own timeout bounds it. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> {
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The `error` of a JSON error answer. */
export const errorOf = async (res: Response): Promise<string> => ((await res.json()) as { error: string }).error;
