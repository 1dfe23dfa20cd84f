/**
 * `POST /outcomes`: what happened after a prediction, told later. The three telemetry strategies
 * (Google's "Rules of ML" and Hulten's "Building Intelligent Systems"): waiting for the ground
 * truth, asking the user (a rating, a complaint), and watching the user's reaction (a conversion).
 *
 * Two shapes, one object or an array of up to MAX_OUTCOMES:
 * - `{"request_id": "…", "outcome": 1, "metric": "conversion"}`: an outcome of one prediction (a
 *   label, a rating, whether the user converted). It is credited to the version that made it in
 *   `model_outcome_total`, and to the request's experiment arms: an outcome of 1 in
 *   `experiment_conversions_total{metric}`, other numbers in the `experiment_value_*` sums. It is
 *   written to `outcomes.jsonl` (`outcomes-<metric>.jsonl` when a metric is named) with the
 *   request's model, version, unit and arm, one row per prediction, so that an A/B test over that
 *   log has every exposure's outcome. The gateway remembers the latest RECENT requests.
 * - `{"unit": "…", "metric": "conversion"}` (optionally `"value": 12.5` for a mean metric such as
 *   revenue): a unit's conversion, credited to every experiment arm the unit is in. Only counters
 *   see it: a log of conversions alone has no denominator.
 */
import type { IncomingMessage } from "node:http";
import { assignExperiments } from "./assign";
import { HttpError, isObject, parseJson, readBody } from "./http";
import type { PredictionLogWriter } from "./logWriter";
import type { Served } from "./proxy";
import type { GatewayCore } from "./server";

export const MAX_OUTCOMES = 10_000;
/** Outcome values that become a label of model_outcome_total as they are; others count as "other". */
const LABELLED_OUTCOMES = new Set([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

type Remembered = Pick<Served, "model" | "version" | "unit" | "assignments">;

/** The latest requests by id, the oldest forgotten first once there are `capacity`. */
export class RecentRequests {
  private readonly byId = new Map<string, Remembered>();
  constructor(private readonly capacity: number) {}

  remember(s: Served): void {
    if (this.byId.size >= this.capacity) this.byId.delete(this.byId.keys().next().value!);
    this.byId.set(s.requestId, { model: s.model, version: s.version, unit: s.unit, assignments: s.assignments });
  }

  get(id: string): Remembered | undefined {
    return this.byId.get(id);
  }
}

export interface OutcomesAnswer {
  readonly accepted: number;
  /** Request ids the gateway does not remember (too old, or never seen). */
  readonly unknown: number;
}

function outcomeValue(v: unknown, at: string): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  throw new HttpError(400, `${at}: 'outcome' must be a number or a boolean, got ${JSON.stringify(v)}`);
}

/** Checks every item first, so that a bad batch is refused whole and nothing is half-counted. */
export async function handleOutcomes(gw: GatewayCore, req: IncomingMessage): Promise<OutcomesAnswer> {
  const body = parseJson(await readBody(req, 16 * 1024 * 1024), "outcomes");
  const items = Array.isArray(body) ? body : [body];
  if (items.length > MAX_OUTCOMES) throw new HttpError(413, `outcomes: at most ${MAX_OUTCOMES} in one request, got ${items.length}`);
  const actions: Array<() => boolean> = items.map((item, i) => {
    const at = `outcomes[${i}]`;
    if (!isObject(item)) throw new HttpError(400, `${at}: must be an object with request_id and outcome, or unit and metric`);
    if (item["request_id"] !== undefined) {
      const id = item["request_id"];
      if (typeof id !== "string" || id === "") throw new HttpError(400, `${at}: 'request_id' must be a non-empty string`);
      const outcome = outcomeValue(item["outcome"], at);
      const metric = item["metric"];
      if (metric !== undefined && (typeof metric !== "string" || !NAME.test(metric))) throw new HttpError(400, `${at}: 'metric' must be a name (letters, digits, _ . -), got ${JSON.stringify(metric)}`);
      const log = gw.outcomeLog(metric);
      return () => credit(gw, log, id, outcome, metric ?? "outcome");
    }
    if (item["unit"] !== undefined) {
      const { unit, metric = "conversion", value } = item;
      if (typeof unit !== "string" || unit === "") throw new HttpError(400, `${at}: 'unit' must be a non-empty string`);
      if (typeof metric !== "string" || !NAME.test(metric)) throw new HttpError(400, `${at}: 'metric' must be a name (letters, digits, _ . -), got ${JSON.stringify(metric)}`);
      if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) throw new HttpError(400, `${at}: 'value' must be a number >= 0, got ${JSON.stringify(value)}`);
      return () => convert(gw, unit, metric, value as number | undefined);
    }
    throw new HttpError(400, `${at}: needs 'request_id' (an outcome of a prediction) or 'unit' (a conversion)`);
  });
  let accepted = 0;
  for (const act of actions) if (act()) accepted++;
  return { accepted, unknown: items.length - accepted };
}

function credit(gw: GatewayCore, log: PredictionLogWriter, requestId: string, outcome: number, metric: string): boolean {
  const r = gw.recent.get(requestId);
  if (!r) return false;
  gw.metrics.outcomeSeen(r.model, r.version, LABELLED_OUTCOMES.has(outcome) ? String(outcome) : "other");
  const ts = new Date(gw.now()).toISOString();
  for (const a of r.assignments) {
    if (outcome === 1) gw.metrics.converted(a.experiment, a.arm, metric);
    else if (outcome !== 0 && outcome >= 0) gw.metrics.converted(a.experiment, a.arm, metric, outcome);
  }
  const rows = r.assignments.length > 0 ? r.assignments : [undefined];
  for (const a of rows) {
    log.write({ ts, request_id: requestId, model: r.model, version: r.version, unit: r.unit, ...(a ? { experiment: a.experiment, arm: a.arm } : {}), outcome });
  }
  return true;
}

function convert(gw: GatewayCore, unit: string, metric: string, value: number | undefined): boolean {
  const ts = new Date(gw.now()).toISOString();
  for (const a of assignExperiments(gw.config.layers, unit)) {
    gw.metrics.converted(a.experiment, a.arm, metric, value);
    gw.outcomeLog(undefined).write({ ts, event: "conversion", unit, experiment: a.experiment, arm: a.arm, metric, ...(value !== undefined ? { value } : {}) });
  }
  return true;
}
