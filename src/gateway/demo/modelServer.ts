/**
 * The demo's model server: one small node:http server that serves every churn version under its
 * own path prefix (`POST /v1/predict`, `/v2/predict`, `/v3/predict`), so that gateway.yaml can give
 * each version its URL (`${url}/v1`) while the demo runs one process. Answers are deterministic
 * (models.ts): the same request id and features get the same score or the same 500.
 *
 * It also stands in for a real model server in the gateway's latency benchmark, so a request costs
 * a JSON parse and a few multiplications: no artificial latency unless asked for.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { normalQuantile } from "../../core/stats/distributions";
import { hashString, toUniform } from "./hash";
import { CHURN_VERSIONS, ERROR_RATES, failsRequest, isChurnVersion, parseChurnFeatures, scoreChurn, type ChurnVersion } from "./models";

export interface ModelServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /**
   * Median latency added per version, in ms; each request's own is log-normal around it (sigma
   * 0.3), from a hash of the request's key. Default none: answers go out at once.
   */
  readonly latencyMs?: Partial<Record<ChurnVersion, number>>;
  /** Share of requests each version fails with a 500. Default ERROR_RATES (v3 ten times v1, v2). */
  readonly errorRates?: Partial<Record<ChurnVersion, number>>;
}

export interface ModelServer {
  /** `http://host:port`; a version's URL is `${url}/${version}`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Bodies above this are refused: a churn request is a few hundred bytes. */
const MAX_BODY_BYTES = 1 << 20;
const ROUTE = /^\/([^/?]+)\/predict(?:\?.*)?$/;
const HEALTH = JSON.stringify({ status: "ok", versions: CHURN_VERSIONS });

function send(res: ServerResponse, status: number, body: string, headers?: Record<string, string>): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

const errorBody = (message: string): string => JSON.stringify({ error: message });

/** Starts the server; resolves once it listens. */
export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  const rates: Record<ChurnVersion, number> = { ...ERROR_RATES, ...options.errorRates };
  const latency = options.latencyMs ?? {};
  const timers = new Set<NodeJS.Timeout>();

  const answer = (version: ChurnVersion, req: IncomingMessage, res: ServerResponse, text: string): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return send(res, 400, errorBody("the body is not JSON"));
    }
    const features = parseChurnFeatures(typeof parsed === "object" && parsed !== null ? (parsed as { features?: unknown }).features : undefined);
    if (typeof features === "string") return send(res, 400, errorBody(features));
    const id = req.headers["x-request-id"];
    const key = typeof id === "string" && id !== "" ? id : text;
    const fails = failsRequest(version, key, rates);
    const status = fails ? 500 : 200;
    const body = fails ? errorBody(`churn ${version} failed on this request (simulated)`) : `{"prediction":${scoreChurn(version, features)}}`;
    const median = latency[version];
    if (median === undefined || median <= 0) return send(res, status, body);
    const u = Math.min(1 - 1e-9, Math.max(1e-9, toUniform(hashString(key, 0x5eed))));
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, status, body);
    }, median * Math.exp(0.3 * normalQuantile(u)));
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/healthz") {
      req.resume();
      return req.method === "GET" || req.method === "HEAD" ? send(res, 200, HEALTH) : send(res, 405, errorBody("use GET"), { allow: "GET" });
    }
    const version = ROUTE.exec(url)?.[1];
    if (version === undefined || !isChurnVersion(version)) {
      req.resume();
      return send(res, 404, errorBody(`no route ${url}: POST /<version>/predict with version one of ${CHURN_VERSIONS.join(", ")}`));
    }
    if (req.method !== "POST") {
      req.resume();
      return send(res, 405, errorBody("use POST"), { allow: "POST" });
    }
    let text = "";
    let tooLarge = false;
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      if (tooLarge) return;
      text += chunk;
      if (text.length > MAX_BODY_BYTES) {
        tooLarge = true;
        send(res, 413, errorBody(`the body is over ${MAX_BODY_BYTES} bytes`));
      }
    });
    req.on("end", () => {
      if (!tooLarge) answer(version, req, res, text);
    });
    req.on("error", () => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive connections from the gateway would hold close() open: end them too.
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
