/**
 * Turns the API's JSON into typed results. Throws `ShapeError` when the JSON is not what the API
 * promises; the client turns that into a PrometheusError of kind `body`.
 */
import type { InstantResult, InstantSample, Labels, RangePoint, RangeSeries } from "./types";

export class ShapeError extends Error {
  override name = "ShapeError";
}

type Json = unknown;

const isObject = (x: Json): x is Record<string, Json> => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * A sample value as the API sends it: a string such as "12", "1e3", "NaN", "+Inf". Undefined for
 * anything that is not a finite number: that is "no data".
 */
export function finiteValue(raw: Json): number | undefined {
  if (typeof raw !== "string") throw new ShapeError(`a sample value should be a string, got ${typeof raw}`);
  const value = Number(raw);
  return Number.isFinite(value) && raw.trim() !== "" ? value : undefined;
}

function labelsOf(metric: Json): Labels {
  if (metric === undefined) return {};
  if (!isObject(metric)) throw new ShapeError("a series' metric should be an object of labels");
  for (const value of Object.values(metric)) if (typeof value !== "string") throw new ShapeError("label values should be strings");
  return metric as Labels;
}

/** `[<unix seconds>, "<value>"]` to a time in ms and a finite value or undefined. */
function pair(raw: Json): { t: number; v: number | undefined } {
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== "number") {
    throw new ShapeError("a sample should be [<unix time>, \"<value>\"]");
  }
  // Seconds with up to ms precision; round away float noise such as 1736899200.0000002.
  return { t: Math.round(raw[0] * 1000), v: finiteValue(raw[1]) };
}

function vectorSamples(result: Json): InstantSample[] {
  if (!Array.isArray(result)) throw new ShapeError("a vector result should be an array");
  const samples: InstantSample[] = [];
  for (const item of result) {
    if (!isObject(item)) throw new ShapeError("a vector sample should be an object");
    const { t, v } = pair(item.value);
    if (v !== undefined) samples.push({ labels: labelsOf(item.metric), value: v, timeMs: t });
  }
  return samples;
}

function matrixSeries(result: Json): RangeSeries[] {
  if (!Array.isArray(result)) throw new ShapeError("a matrix result should be an array");
  const series: RangeSeries[] = [];
  for (const item of result) {
    if (!isObject(item)) throw new ShapeError("a matrix series should be an object");
    const values = item.values ?? [];
    if (!Array.isArray(values)) throw new ShapeError("a matrix series' values should be an array");
    const points: RangePoint[] = [];
    for (const raw of values) {
      const { t, v } = pair(raw);
      if (v !== undefined) points.push({ t, v });
    }
    if (points.length > 0) series.push({ labels: labelsOf(item.metric), points });
  }
  return series;
}

/** The `data` of a query or query_range answer. */
export function parseQueryData(data: Json): InstantResult {
  if (!isObject(data)) throw new ShapeError("'data' should be an object");
  switch (data.resultType) {
    case "vector":
      return { resultType: "vector", samples: vectorSamples(data.result) };
    case "matrix":
      return { resultType: "matrix", series: matrixSeries(data.result) };
    case "scalar": {
      const { t, v } = pair(data.result);
      return { resultType: "scalar", sample: v === undefined ? undefined : { labels: {}, value: v, timeMs: t } };
    }
    case "string": {
      const raw = data.result;
      if (!Array.isArray(raw) || typeof raw[0] !== "number" || typeof raw[1] !== "string") throw new ShapeError("a string result should be [<time>, \"<text>\"]");
      return { resultType: "string", value: raw[1], timeMs: Math.round(raw[0] * 1000) };
    }
    default:
      throw new ShapeError(`unknown resultType ${JSON.stringify(data.resultType)}`);
  }
}

export function parseStringList(data: Json): string[] {
  if (data === null) return []; // VictoriaMetrics and old Prometheus send null for "none"
  if (!Array.isArray(data) || data.some((x) => typeof x !== "string")) throw new ShapeError("'data' should be an array of strings");
  return data as string[];
}

export function parseSeriesList(data: Json): Labels[] {
  if (data === null) return [];
  if (!Array.isArray(data)) throw new ShapeError("'data' should be an array of label sets");
  return data.map(labelsOf);
}

/** The envelope: `{status, data, warnings}` or `{status: "error", errorType, error}`. */
export type Envelope =
  | { readonly ok: true; readonly data: Json; readonly warnings: string[] }
  | { readonly ok: false; readonly errorType: string; readonly error: string };

export function parseEnvelope(body: Json): Envelope {
  if (!isObject(body)) throw new ShapeError("the answer should be a JSON object");
  if (body.status === "success") {
    const warnings = Array.isArray(body.warnings) ? body.warnings.filter((w): w is string => typeof w === "string") : [];
    return { ok: true, data: body.data, warnings };
  }
  if (body.status === "error") {
    return {
      ok: false,
      errorType: typeof body.errorType === "string" ? body.errorType : "unknown",
      error: typeof body.error === "string" ? body.error : "(no message)",
    };
  }
  throw new ShapeError("the answer has no 'status' of success or error");
}
