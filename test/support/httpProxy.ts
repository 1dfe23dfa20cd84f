/**
 * Tiny local HTTP servers for the Prometheus client's tests: a proxy in front of a real server
 * (to require credentials, or to inject a fault before passing a request on), and a fake for the
 * faults a real server cannot be made to produce (hang, truncated body, 429 with Retry-After).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalServer {
  readonly url: string;
  /** Requests seen so far (method and path with query). */
  readonly requests: { readonly method: string; readonly url: string; readonly headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

/** What a handler does with a request: answer it itself, or `forward` it to the target. */
export type Handler = (req: IncomingMessage, res: ServerResponse, forward: () => void) => void;

export async function startLocal(handler: Handler, target?: string): Promise<LocalServer> {
  const requests: LocalServer["requests"][number][] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers });
    const forward = () => {
      if (!target) throw new Error("startLocal: no target to forward to");
      const upstream = request(new URL(req.url ?? "/", target), { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => {
        res.destroy();
      });
      req.pipe(upstream);
    };
    handler(req, res, forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A proxy that passes on only requests whose headers satisfy `authorized`; others get a plain-text 401. */
export function startAuthProxy(target: string, authorized: (headers: IncomingMessage["headers"]) => boolean): Promise<LocalServer> {
  return startLocal((req, res, forward) => {
    if (authorized(req.headers)) return forward();
    req.resume();
    res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' });
    res.end("unauthorized\n");
  }, target);
}
