/**
 * Counting what a report costs on the network, the same way for both sides:
 *
 * - `countingFetch`: a `fetch` for `new PrometheusClient({ url, fetch })` that counts requests and
 *   the response body bytes actually read, after fetch's own decompression (Node's fetch asks for
 *   gzip and Prometheus compresses its API answers): the JSON the client parses.
 * - `startWireCounter`: a TCP relay in front of the server that counts every byte the server
 *   sends back (status lines, headers, compressed bodies): what crosses the network. It adds a
 *   hop, so it is used for counting runs only, never for timed ones.
 */
import { connect, createServer, type Socket } from "node:net";

export interface Traffic {
  requests: number;
  /** Response body bytes as read by the client (decompressed). */
  bodyBytes: number;
}

export const newTraffic = (): Traffic => ({ requests: 0, bodyBytes: 0 });

/** `inner`, counting into `traffic`: the body is read whole, counted, and handed on as a new Response. */
export function countingFetch(traffic: Traffic, inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    traffic.requests++;
    const response = await inner(input, init);
    const body = new Uint8Array(await response.arrayBuffer());
    traffic.bodyBytes += body.byteLength;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

export interface WireCounter {
  /** Base URL of the relay, to give the client instead of the server's. */
  readonly url: string;
  /** Bytes sent by the server to clients of the relay so far. */
  received(): number;
  close(): Promise<void>;
}

export async function startWireCounter(target: string): Promise<WireCounter> {
  const { hostname, port } = new URL(target);
  let received = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    upstream.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on("error", end);
      s.on("close", end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("wire counter: no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
