/**
 * The request path: `/models/<model>/<rest>` goes to `<url of the unit's version>/<rest>`.
 *
 * 1. The unit id (header, else a field of the JSON body, else the request id: no stickiness)
 *    picks the version by weight and the experiment arms by layer (assign.ts).
 * 2. Chaos rules for that version may fail, slow, bias or corrupt the request (chaos.ts).
 * 3. The model server answers; the client gets its answer with `x-request-id`,
 *    `x-model-version` and `x-experiments`. A server that is down or slow is a 502 or 504,
 *    counted as an error of that version; the gateway stays up.
 * 4. Then, once the answer is handed to the socket: telemetry (metrics never sampled, the log
 *    maybe) and model assertions; and the shadow call, which starts only once the answer is sent.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { assignExperiments, assignVersion, type Assignment } from "./assign";
import { checkAssertions } from "./assertions";
import { corruptFeatures, faultsFor } from "./chaos";
import { HttpError, isObject, readBody } from "./http";
import type { GatewayCore } from "./server";
import { callUpstream, HOP_BY_HOP, UpstreamError, upstreamTarget, type UpstreamResponse } from "./upstream";

export const MAX_REQUEST_BYTES = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Everything known of one proxied request, for telemetry and outcomes. */
export interface Served {
  readonly requestId: string;
  readonly model: string;
  readonly version: string;
  readonly unit: string;
  readonly assignments: readonly Assignment[];
  readonly features?: Record<string, unknown>;
  readonly prediction?: unknown;
  readonly seconds: number;
  readonly failed: boolean;
}

function forwardHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/** The prediction in a model server's JSON answer: its `prediction` field, else undefined. */
function predictionOf(res: UpstreamResponse): { body?: Record<string, unknown>; prediction?: unknown } {
  if (!String(res.headers["content-type"] ?? "").includes("json") || res.body.length === 0) return {};
  try {
    const body = JSON.parse(res.body.toString("utf8")) as unknown;
    return isObject(body) ? { body, prediction: body["prediction"] } : {};
  } catch {
    return {};
  }
}

/** `path` is the request's path after `/models/`, query included: `churn/predict?x=1`. */
export async function proxyRequest(gw: GatewayCore, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const started = performance.now();
  const slash = path.search(/[/?]/);
  let model: string;
  try {
    model = decodeURIComponent(slash === -1 ? path : path.slice(0, slash));
  } catch {
    throw new HttpError(400, `the model name in /models/${path.slice(0, 80)} is not valid percent-encoding`);
  }
  // What follows the model's name goes to the version's URL as it came: "/predict?x=1".
  const rest = slash === -1 ? "" : path.slice(slash);
  const config = gw.config.models.get(model);
  if (!config) throw new HttpError(404, `no model '${model}': the gateway routes ${[...gw.config.models.keys()].join(", ")}`);
  const route = gw.routing.models[model]!;
  const rawBody = await readBody(req, MAX_REQUEST_BYTES);
  let json: Record<string, unknown> | undefined;
  if (rawBody.length > 0 && (String(req.headers["content-type"] ?? "").includes("json") || rawBody[0] === 0x7b)) {
    try {
      const parsed = JSON.parse(rawBody.toString("utf8")) as unknown;
      if (!isObject(parsed)) throw new Error("it is not an object");
      json = parsed;
    } catch (err) {
      throw new HttpError(400, `model '${model}': the request body is not a JSON object (${(err as Error).message})`);
    }
  }
  const requestIdHeader = req.headers["x-request-id"];
  const requestId = typeof requestIdHeader === "string" && requestIdHeader !== "" && requestIdHeader.length <= 128 ? requestIdHeader : randomUUID();
  const unitHeader = req.headers[config.unitHeader];
  const unitField = config.unitField !== undefined ? json?.[config.unitField] : undefined;
  const unit = typeof unitHeader === "string" && unitHeader !== "" ? unitHeader : typeof unitField === "string" || typeof unitField === "number" ? String(unitField) : requestId;

  const version = assignVersion(model, route.versions, unit).name;
  const target = config.versions.find((v) => v.name === version)!;
  const assignments = gw.config.layers.length > 0 ? assignExperiments(gw.config.layers, unit) : [];
  const now = gw.now();
  const faults = route.chaos.length > 0 ? faultsFor(route.chaos, version, now, gw.random) : [];
  let features = isObject(json?.["features"]) ? (json!["features"] as Record<string, unknown>) : undefined;
  let body = rawBody;
  if (features && faults.some((f) => f.kind === "corrupt")) {
    features = corruptFeatures(features);
    body = Buffer.from(JSON.stringify({ ...json, features }));
  }
  const experiments = assignments.map((a) => `${a.experiment}=${a.arm}`).join(";");
  const headers = forwardHeaders(req);
  headers["x-request-id"] = requestId;
  headers["x-model-version"] = version;
  if (experiments !== "") headers["x-experiments"] = experiments;

  const delay = faults.reduce((ms, f) => (f.kind === "latency" ? ms + f.ms : ms), 0);
  if (delay > 0) await sleep(delay);
  let status: number;
  let answer: { headers: Record<string, string | string[]>; body: Buffer };
  let prediction: unknown;
  if (faults.some((f) => f.kind === "error")) {
    status = 503;
    answer = { headers: { "content-type": "application/json; charset=utf-8" }, body: Buffer.from(JSON.stringify({ error: "chaos: an injected error" })) };
  } else {
    try {
      const up = await callUpstream({ target: upstreamTarget(target.url), path: rest, method: req.method ?? "POST", headers, body, timeoutMs: config.timeoutMs });
      status = up.status;
      const parsed = predictionOf(up);
      prediction = parsed.prediction;
      let upBody = up.body;
      const bias = faults.reduce((b, f) => (f.kind === "bias" ? b + f.amount : b), 0);
      if (bias !== 0 && typeof prediction === "number" && parsed.body) {
        prediction += bias;
        upBody = Buffer.from(JSON.stringify({ ...parsed.body, prediction }));
      }
      const upHeaders: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) upHeaders[k] = v;
      answer = { headers: upHeaders, body: upBody };
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      status = err.kind === "timeout" ? 504 : 502;
      answer = { headers: { "content-type": "application/json; charset=utf-8" }, body: Buffer.from(JSON.stringify({ error: `model '${model}' version ${version}: ${err.message}` })) };
    }
  }
  res.writeHead(status, { ...answer.headers, "content-length": String(answer.body.length), "x-request-id": requestId, "x-model-version": version, ...(experiments !== "" ? { "x-experiments": experiments } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const served: Served = { requestId, model, version, unit, assignments, seconds, failed: status >= 500, ...(features ? { features } : {}), ...(prediction !== undefined ? { prediction } : {}) };
  const shadow = route.shadow;
  const mirrored = shadow !== undefined && shadow.version !== version && gw.random() * 100 < shadow.share;
  // The shadow call starts once the answer is written out, so it can never delay it.
  res.end(answer.body, mirrored ? () => void gw.shadowCall(served, shadow.version, rest, req.method ?? "POST", headers, body) : undefined);
  // Telemetry after the answer is handed to the socket, and whether or not the client stayed.
  const checked = !served.failed && (config.assertions.prediction !== undefined || config.assertions.features !== undefined);
  gw.served(served, checked ? checkAssertions(config.assertions, features, prediction) : []);
}
