/**
 * The demo's traffic: requests from the simulated population sent through the gateway at
 * simulated times, conversions for the A/B experiment with a known true lift, and the delayed
 * ground truth of each prediction, all posted back to the gateway's /outcomes.
 *
 * Determinism: request `i`'s arrival gap, user and conversion draw come from a generator seeded by
 * a hash of the seed and `i`, and its id is `prefix + i`; the arm comes from the gateway's sticky
 * assignment and the label from the user. So with a fixed seed the same requests, labels and
 * conversion decisions go out in the same order, whatever the timing of the responses (only the
 * batching of outcomes depends on timing). Errors of the gateway are counted, never thrown:
 * a demo keeps running while the gateway restarts.
 */
import { seededOpenUniform } from "../../core/stats/random";
import type { Clock } from "./clock";
import { mix } from "./hash";
import { createPopulation, type Population, type User } from "./population";

export interface TrafficExperiment {
  /** The experiment's name, as the gateway's `x-experiments` header names it. */
  readonly name: string;
  /**
   * The control arm's true conversion rate per exposure. An exposure is a response whose
   * `x-experiments` names an arm of the experiment, answered or failed.
   */
  readonly baselineConversion: number;
  /** The true relative lift of every other arm: its rate is baselineConversion × (1 + lift). */
  readonly lift: number;
  /** Default "control". */
  readonly control?: string;
}

export interface TrafficOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:8080. */
  readonly gateway: string;
  /** Default "churn". */
  readonly model?: string;
  /** The path after /models/<model>/. Default "predict". */
  readonly path?: string;
  readonly clock: Clock;
  readonly seed: number;
  /** Default createPopulation({ seed, driftAt }). */
  readonly population?: Population;
  /** When the population drifts, if it is made here. Default never. */
  readonly driftAt?: number;
  /** The mean request rate in simulated time. */
  readonly requestsPerSimHour: number;
  /** The daily swing of the rate in [0, 1): rate × (1 + swing × sin), highest at 15:00 UTC. Default 0.3. */
  readonly dailySwing?: number;
  /** Simulated time of the run's start, ms since the epoch. */
  readonly from: number;
  /** No request at or after this simulated time. Default: until aborted. */
  readonly until?: number;
  /** Requests in flight at most. Default 16. */
  readonly concurrency?: number;
  readonly experiment?: TrafficExperiment;
  /** Simulated time from a prediction to its ground-truth label. Default one day; Infinity sends none. */
  readonly outcomeDelayMs?: number;
  /** Simulated time from an exposure to its conversion. Default 10 minutes. */
  readonly conversionDelayMs?: number;
  /**
   * At the end, also wait (in simulated time) for the labels and conversions due after `until`.
   * Default false: those are left pending and counted.
   */
  readonly drain?: boolean;
  /** Outcomes per POST to /outcomes, at most. Default 500. */
  readonly batchSize?: number;
  /** Real time allowed for one request. Default 10 s. */
  readonly timeoutMs?: number;
  /** Request ids are this plus the request's index. Default `sim-<seed>-<from in base 36>-`. */
  readonly requestIdPrefix?: string;
  readonly signal?: AbortSignal;
  /** Called with a copy of the counts each `progressEveryMs` of simulated time, and at the end. */
  readonly onProgress?: (stats: TrafficStats) => void;
  /** Default one simulated hour. */
  readonly progressEveryMs?: number;
}

export interface TrafficStats {
  /** Requests sent (answered or not). */
  sent: number;
  /** Answered with a 2xx. */
  ok: number;
  /** Failed requests by HTTP status ("500", "502"), "network" (refused, reset) or "timeout". */
  errors: Record<string, number>;
  /** Answered requests by the `x-model-version` that served them. */
  versions: Record<string, number>;
  /** The experiment's exposures by arm, from `x-experiments`. */
  exposures: Record<string, number>;
  /** The conversions decided by arm (posted when due). */
  conversions: Record<string, number>;
  /** Ground-truth labels and conversions the gateway accepted (a 2xx reply to their POST). */
  labelsPosted: number;
  conversionsPosted: number;
  /** POSTs to /outcomes that failed, and the outcomes in them. */
  outcomeFailures: number;
  outcomesLost: number;
  /** Labels and conversions decided but not posted when the run ended. */
  outcomesPending: number;
  /** The simulated time of the last request sent; `from` before the first. */
  simTime: number;
  aborted: boolean;
  /** The last failure, for a log line: `POST /outcomes: 400 {...}` or `network: fetch failed`. */
  lastError?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Outcome {
  readonly due: number;
  /** Undefined until the response settles, and after it when there is nothing to post. */
  item: object | undefined;
  settled: boolean;
  readonly done: Promise<void>;
}

/** A FIFO of outcomes in request order, which is also due order (the delay is constant). */
class OutcomeQueue {
  private items: Outcome[] = [];
  private head = 0;

  push(o: Outcome): void {
    this.items.push(o);
  }

  front(): Outcome | undefined {
    return this.items[this.head];
  }

  shift(): void {
    this.head++;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Entries left that hold (or may yet hold) something to post. */
  remaining(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (!this.items[i]!.settled || this.items[i]!.item) n++;
    return n;
  }
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`runTraffic: ${message}`);
}

const inc = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** The arm of `experiment` in an `x-experiments` header (`exp=arm;exp2=arm`). */
export function armOf(header: string | null, experiment: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === experiment) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Sends the traffic; resolves with the counts when `until` is reached or the signal aborts. */
export async function runTraffic(options: TrafficOptions): Promise<TrafficStats> {
  const { clock, seed, from, requestsPerSimHour } = options;
  const until = options.until ?? Infinity;
  const swing = options.dailySwing ?? 0.3;
  const concurrency = options.concurrency ?? 16;
  const labelDelay = options.outcomeDelayMs ?? DAY;
  const conversionDelay = options.conversionDelayMs ?? 10 * 60_000;
  const batchSize = options.batchSize ?? 500;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const progressEvery = options.progressEveryMs ?? HOUR;
  const experiment = options.experiment;
  check(Number.isFinite(from), `from must be a time in ms, got ${from}`);
  check(!(until < from), `until ${until} is before from ${from}`);
  check(Number.isFinite(requestsPerSimHour) && requestsPerSimHour > 0, `requestsPerSimHour must be above 0, got ${requestsPerSimHour}`);
  check(swing >= 0 && swing < 1, `dailySwing must be in [0, 1), got ${swing}`);
  check(Number.isInteger(concurrency) && concurrency >= 1, `concurrency must be a whole number >= 1, got ${concurrency}`);
  check(labelDelay >= 0 && conversionDelay >= 0 && conversionDelay < Infinity, "the delays must be >= 0 (outcomeDelayMs may be Infinity)");
  check(Number.isInteger(batchSize) && batchSize >= 1, `batchSize must be a whole number >= 1, got ${batchSize}`);
  if (experiment) {
    const { baselineConversion: p, lift } = experiment;
    check(p >= 0 && p <= 1 && p * (1 + lift) >= 0 && p * (1 + lift) <= 1, `experiment '${experiment.name}': the conversion rates ${p} and ${p * (1 + lift)} must be in [0, 1]`);
  }
  const base = options.gateway.replace(/\/+$/, "");
  const modelUrl = `${base}/models/${encodeURIComponent(options.model ?? "churn")}/${options.path ?? "predict"}`;
  const outcomesUrl = `${base}/outcomes`;
  const prefix = options.requestIdPrefix ?? `sim-${seed}-${from.toString(36)}-`;
  const population = options.population ?? createPopulation({ seed, ...(options.driftAt !== undefined ? { driftAt: options.driftAt } : {}) });
  const control = experiment?.control ?? "control";

  const stats: TrafficStats = {
    sent: 0, ok: 0, errors: {}, versions: {}, exposures: {}, conversions: {},
    labelsPosted: 0, conversionsPosted: 0, outcomeFailures: 0, outcomesLost: 0, outcomesPending: 0,
    simTime: from, aborted: false,
  };
  const snapshot = (): TrafficStats => structuredClone(stats);

  // One controller ends sleeps and requests in flight, whichever signal the caller gave.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) stop.abort(options.signal.reason);
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  /* Planning: request i's time, user and conversion draw, from its own generator. */
  const perMs = requestsPerSimHour / HOUR;
  interface Planned {
    readonly index: number;
    readonly time: number;
    readonly user: User;
    readonly convertU: number;
  }
  const plan = (index: number, after: number): Planned => {
    const next = seededOpenUniform(mix(seed, 0x7aff1c, index));
    const rate = perMs * (1 + swing * Math.sin((2 * Math.PI * ((after % DAY) - 9 * HOUR)) / DAY));
    const time = after - Math.log(next()) / rate;
    return { index, time, user: population.pick(time, next()), convertU: next() };
  };

  const labels = new OutcomeQueue();
  const conversions = new OutcomeQueue();
  const outcome = (due: number): { entry: Outcome; settle: (item: object | undefined) => void } => {
    let resolve!: () => void;
    const entry: Outcome = { due, item: undefined, settled: false, done: new Promise<void>((r) => (resolve = r)) };
    return {
      entry,
      settle: (item) => {
        entry.item = item;
        entry.settled = true;
        resolve();
      },
    };
  };

  /* Posting: one POST at a time, in order. */
  let posting: Promise<void> = Promise.resolve();
  const post = (kind: "labels" | "conversions", items: object[]): void => {
    posting = posting.then(async () => {
      if (stop.signal.aborted) {
        stats.outcomesPending += items.length;
        return;
      }
      try {
        const res = await fetch(outcomesUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(items),
          signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
        });
        const text = await res.text();
        if (res.ok) {
          if (kind === "labels") stats.labelsPosted += items.length;
          else stats.conversionsPosted += items.length;
          return;
        }
        stats.lastError = `POST /outcomes: ${res.status} ${text.slice(0, 200)}`;
      } catch (err) {
        if (stop.signal.aborted) {
          stats.outcomesPending += items.length;
          return;
        }
        stats.lastError = `POST /outcomes: ${err instanceof Error ? err.message : String(err)}`;
      }
      stats.outcomeFailures++;
      stats.outcomesLost += items.length;
    });
  };

  /**
   * Posts the outcomes of `queue` due by `limit`, in batches. Returns the first due entry whose
   * request is still in flight (the caller waits for it), or undefined.
   */
  const flush = (queue: OutcomeQueue, kind: "labels" | "conversions", limit: number): Promise<void> | undefined => {
    let batch: object[] = [];
    let blocked: Promise<void> | undefined;
    for (let o = queue.front(); o !== undefined && o.due <= limit; o = queue.front()) {
      if (!o.settled) {
        blocked = o.done;
        break;
      }
      queue.shift();
      if (o.item === undefined) continue;
      batch.push(o.item);
      if (batch.length === batchSize) {
        post(kind, batch);
        batch = [];
      }
    }
    if (batch.length > 0) post(kind, batch);
    return blocked;
  };

  /* Sending. */
  let inFlight = 0;
  const flights = new Set<Promise<void>>();
  let slotFreed: (() => void) | undefined;

  const send = async (p: Planned, label: (item: object | undefined) => void, conversion?: (item: object | undefined) => void): Promise<void> => {
    const id = `${prefix}${p.index}`;
    let labelItem: object | undefined;
    let conversionItem: object | undefined;
    try {
      const res = await fetch(modelUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "x-unit-id": p.user.id, "x-request-id": id },
        body: p.user.body,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await res.arrayBuffer(); // read to the end, so the connection is kept for the next request
      if (res.ok) {
        stats.ok++;
        labelItem = { request_id: res.headers.get("x-request-id") ?? id, outcome: p.user.churned ? 1 : 0 };
      } else {
        inc(stats.errors, String(res.status));
        stats.lastError = `POST ${modelUrl}: ${res.status}`;
      }
      const version = res.headers.get("x-model-version");
      if (version) inc(stats.versions, version);
      if (experiment) {
        const arm = armOf(res.headers.get("x-experiments"), experiment.name);
        if (arm !== undefined) {
          inc(stats.exposures, arm);
          const rate = arm === control ? experiment.baselineConversion : experiment.baselineConversion * (1 + experiment.lift);
          const converted = p.convertU < rate;
          if (converted) inc(stats.conversions, arm);
          // Every exposure's outcome, 0 or 1: a log of them has the A/B test's denominators too.
          conversionItem = { request_id: res.headers.get("x-request-id") ?? id, metric: "conversion", outcome: converted ? 1 : 0 };
        }
      }
    } catch (err) {
      if (!stop.signal.aborted) {
        const timeout = err instanceof Error && err.name === "TimeoutError";
        inc(stats.errors, timeout ? "timeout" : "network");
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
        stats.lastError = `POST ${modelUrl}: ${err instanceof Error ? err.message : String(err)}${cause}`;
      }
    }
    label(labelItem);
    conversion?.(conversionItem);
  };

  const issue = (p: Planned): void => {
    stats.sent++;
    stats.simTime = p.time;
    const l = outcome(p.time + labelDelay);
    if (Number.isFinite(labelDelay)) labels.push(l.entry);
    const c = experiment ? outcome(p.time + conversionDelay) : undefined;
    if (c) conversions.push(c.entry);
    inFlight++;
    const flight = send(p, l.settle, c?.settle).finally(() => {
      inFlight--;
      flights.delete(flight);
      slotFreed?.();
    });
    flights.add(flight);
  };

  const outcomeLimit = options.drain ? Infinity : until;
  const dueOf = (q: OutcomeQueue): number => {
    const d = q.front()?.due ?? Infinity;
    return d <= outcomeLimit ? d : Infinity;
  };

  let nextProgress = from + progressEvery;
  let next = plan(0, from);
  while (!stop.signal.aborted) {
    clock.hold?.(next.time < until ? next.time : Infinity);
    if (inFlight >= concurrency) {
      // Wait for a free slot before time moves on (a VirtualClock jumps when slept on).
      await new Promise<void>((resolve) => (slotFreed = resolve));
      slotFreed = undefined;
      continue;
    }
    const requestDue = next.time < until ? next.time : Infinity;
    const wake = Math.min(requestDue, dueOf(labels), dueOf(conversions));
    if (wake === Infinity) break;
    if (clock.now() < wake) {
      try {
        await clock.sleepUntil(wake, stop.signal);
      } catch {
        break; // only an abort ends a sleep early
      }
    }
    const now = clock.now();
    const blocked = flush(labels, "labels", Math.min(now, outcomeLimit)) ?? flush(conversions, "conversions", Math.min(now, outcomeLimit));
    if (blocked) {
      await blocked;
      continue;
    }
    if (requestDue <= now) {
      issue(next);
      next = plan(next.index + 1, next.time);
      if (options.onProgress && next.time >= nextProgress) {
        nextProgress = Math.floor((next.time - from) / progressEvery + 1) * progressEvery + from;
        options.onProgress(snapshot());
      }
    }
  }

  clock.hold?.(Infinity);
  await Promise.allSettled([...flights]);
  if (!stop.signal.aborted) {
    // Outcomes of the last requests that came due while they were in flight.
    const limit = Math.min(clock.now(), outcomeLimit);
    flush(labels, "labels", limit);
    flush(conversions, "conversions", limit);
  }
  await posting;
  stats.aborted = stop.signal.aborted;
  stats.outcomesPending += labels.remaining() + conversions.remaining();
  options.signal?.removeEventListener("abort", onAbort);
  options.onProgress?.(snapshot());
  return stats;
}
