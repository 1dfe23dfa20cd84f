/**
 * The little HTTP plumbing the gateway's two listeners share: bounded bodies, JSON answers, and
 * errors that carry their status to the client.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A request the gateway refuses, with the status and the message the client gets. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The request body, refused with a 413 past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `the request body is over ${limit} bytes`));
        req.resume();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

/** A body that must be a JSON object (or, with `arrays`, an array). */
export function parseJson(body: Buffer, what: string): unknown {
  if (body.length === 0) throw new HttpError(400, `${what}: the body is empty; send a JSON object`);
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch (err) {
    throw new HttpError(400, `${what}: the body is not valid JSON (${(err as Error).message})`);
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Answers an error thrown while handling a request: its own status for an HttpError, else 500. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = err instanceof HttpError ? err.status : typeof (err as { status?: unknown }).status === "number" ? (err as { status: number }).status : 500;
  const message = status === 500 ? `internal error: ${(err as Error).message ?? String(err)}` : (err as Error).message;
  sendJson(res, status, { error: message });
}
