/**
 * One call to a model server, over keep-alive connections (a new TCP connection per request would
 * cost more than the proxying itself). The whole response is read, since the gateway needs the
 * prediction in it; model endpoints answer small JSON, and a body past MAX_RESPONSE_BYTES is an
 * error rather than a memory hazard.
 */
import http from "node:http";
import https from "node:https";

export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Headers that belong to one connection and must not be forwarded (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"]);

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  constructor(
    message: string,
    /** timeout: 504 to the client; the rest 502. */
    readonly kind: "timeout" | "unreachable" | "too-large" | "broken",
  ) {
    super(message);
  }
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) };

/** A model server's address, parsed once: a request adds only its path. */
export interface UpstreamTarget {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** The URL's path without a trailing slash ("" for the root). */
  readonly basePath: string;
  readonly origin: string;
}

const targets = new Map<string, UpstreamTarget>();

/** The target of a model server URL from gateway.yaml, cached by its text. */
export function upstreamTarget(url: string): UpstreamTarget {
  let t = targets.get(url);
  if (!t) {
    const u = new URL(url);
    const secure = u.protocol === "https:";
    t = { secure, hostname: u.hostname.replace(/^\[|\]$/g, ""), port: u.port === "" ? (secure ? 443 : 80) : Number(u.port), basePath: u.pathname.replace(/\/+$/, ""), origin: u.origin };
    targets.set(url, t);
  }
  return t;
}

export interface UpstreamRequest {
  readonly target: UpstreamTarget;
  /** Appended to the target's base path: "/predict?x=1". */
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export function callUpstream(req: UpstreamRequest): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const { secure, hostname, port, basePath } = req.target;
    const out = (secure ? https : http).request({
      hostname,
      port,
      path: basePath + req.path,
      method: req.method,
      headers: { ...req.headers, "content-length": String(req.body.length) },
      agent: secure ? agents.https : agents.http,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const fail = (err: UpstreamError): void => {
      clearTimeout(timer);
      out.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new UpstreamError(`the model server did not answer within ${req.timeoutMs} ms`, "timeout")), req.timeoutMs);
    out.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) fail(new UpstreamError(`the model server's response is over ${MAX_RESPONSE_BYTES} bytes`, "too-large"));
        else chunks.push(chunk);
      });
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks, size) });
      });
      res.on("error", (err) => {
        clearTimeout(timer);
        reject(new UpstreamError(`the model server's response broke off: ${err.message}`, "broken"));
      });
    });
    out.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof UpstreamError) return reject(err);
      reject(new UpstreamError(`the model server at ${req.target.origin} is unreachable (${err.code ?? err.message})`, "unreachable"));
    });
    out.end(req.body);
  });
}
