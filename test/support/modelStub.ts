/**
 * A model server for the gateway's tests, over real HTTP on 127.0.0.1: every version at
 * `/<version>/…` answers `{"prediction": …}` from the features, and records what it got and when.
 * Tests steer a version's behaviour: fail with a 500, hang, or hold its answers until released
 * (to show that a shadow call never delays the primary response).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StubCall {
  readonly version: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
  /** performance.now() when the request arrived, and when the answer was written. */
  readonly arrived: number;
  answered?: number;
}

export interface VersionBehaviour {
  fail?: boolean;
  hang?: boolean;
  /** Answers wait for this promise. */
  hold?: Promise<void>;
  /** Added to every prediction. */
  offset?: number;
}

export interface ModelStub {
  readonly url: string;
  readonly calls: StubCall[];
  readonly behaviour: Map<string, VersionBehaviour>;
  close(): Promise<void>;
}

export async function startModelStub(): Promise<ModelStub> {
  const calls: StubCall[] = [];
  const behaviour = new Map<string, VersionBehaviour>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const [, version = "", ...rest] = (req.url ?? "/").split("/");
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = undefined;
      }
      const call: StubCall = { version, path: `/${rest.join("/")}`, headers: req.headers, body, arrived: performance.now() };
      calls.push(call);
      const b = behaviour.get(version) ?? {};
      if (b.hang) return;
      void (b.hold ?? Promise.resolve()).then(() => {
        const features = ((body as { features?: Record<string, unknown> } | undefined)?.features ?? {}) as Record<string, unknown>;
        const x = typeof features["tenure"] === "number" ? features["tenure"] : 0;
        const answer = b.fail ? { error: "model failed" } : { prediction: 1 / (1 + Math.exp(-(x - 12) / 6)) + (b.offset ?? 0), version };
        const text = JSON.stringify(answer);
        res.writeHead(b.fail ? 500 : 200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
        call.answered = performance.now();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    behaviour,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
