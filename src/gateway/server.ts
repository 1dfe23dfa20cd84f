/**
 * The gateway process: two listeners (model traffic with /metrics and /outcomes; the admin API on
 * its own address, 127.0.0.1 by default), the routing state and the telemetry around them.
 *
 * Every routing change, from an admin call or the canary host, goes through `change`: the new
 * state is written to the state file before it takes effect (so after `kill -9` and a restart,
 * routing is exactly what the last answered call left), then audited, then counted in
 * `model_traffic_weight`, and a version whose weight rises from zero gets a release event in the
 * prediction log.
 */
import { readdirSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { environmentSecrets, resolveSecret } from "../config/secrets";
import { handleAdmin } from "./admin";
import type { AssertionViolation } from "./assertions";
import { AuditLog } from "./audit";
import { CanaryHost } from "./canaryHost";
import type { GatewayConfig } from "./config";
import { HttpError, sendError, sendJson } from "./http";
import { PredictionLogWriter } from "./logWriter";
import { GatewayMetrics } from "./metrics";
import { handleOutcomes, RecentRequests } from "./outcomes";
import { proxyRequest, type Served } from "./proxy";
import { initialRouting, reconcile, type RoutingState } from "./routing";
import { readStateFile, StateFileError, writeStateFile } from "./stateFile";
import { callUpstream, upstreamTarget } from "./upstream";
import { VersionStats } from "./versionStats";

export interface GatewayOptions {
  /** Relative paths of gateway.yaml (state, logs) are resolved against this folder: the file's own. */
  readonly baseDir: string;
  /** Where `${env:…}` references are looked up. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The time, ms; a simulated clock (the demo) also stamps /metrics samples with it. */
  readonly clock?: () => number;
  readonly random?: () => number;
  /** How often the canary host looks at running canaries, real ms. Default 1000. */
  readonly canaryTickMs?: number;
  /** Where operational messages go (a canary's decisions, a bad shadow). Default: nowhere. */
  readonly log?: (line: string) => void;
}

/** What the request handlers need of the gateway. */
export interface GatewayCore {
  readonly config: GatewayConfig;
  readonly routing: RoutingState;
  readonly random: () => number;
  readonly metrics: GatewayMetrics;
  readonly stats: VersionStats;
  readonly recent: RecentRequests;
  readonly audit: AuditLog;
  readonly canaries: CanaryHost;
  /** The outcomes log of `metric` (outcomes.jsonl without one); an HttpError past MAX_OUTCOME_LOGS metrics. */
  outcomeLog(metric: string | undefined): PredictionLogWriter;
  now(): number;
  served(s: Served, violations: readonly AssertionViolation[]): void;
  shadowCall(primary: Served, shadowVersion: string, rest: string, method: string, headers: Record<string, string | string[]>, body: Buffer): Promise<void>;
  change(who: string, action: string, model: string, details: unknown, update: (s: RoutingState) => RoutingState): RoutingState;
}

/** Shadow calls waiting for an answer at most; more would let a slow shadow version exhaust sockets. */
export const MAX_SHADOWS_IN_FLIGHT = 64;

/** Outcome metrics with a log of their own; a bound, since the names come from clients. */
export const MAX_OUTCOME_LOGS = 20;

const listen = (server: http.Server, host: string, port: number): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });

const urlOf = (a: AddressInfo): string => `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;

export class Gateway implements GatewayCore {
  readonly metrics: GatewayMetrics;
  readonly stats = new VersionStats();
  readonly recent = new RecentRequests(100_000);
  readonly predictionsLog: PredictionLogWriter;
  private readonly outcomeLogs = new Map<string, PredictionLogWriter>();
  private readonly logOptions: { dir: string; maxBytes: number; keep: number; redact: Readonly<Record<string, "drop" | "hash">>; salt?: string; onError: (err: Error, dropped: number) => void };
  private lastLogTrouble = 0;
  private shadowsInFlight = 0;
  readonly audit: AuditLog;
  readonly canaries: CanaryHost;
  readonly random: () => number;
  readonly statePath: string;
  url = "";
  adminUrl = "";
  private readonly publicServer: http.Server;
  private readonly adminServer: http.Server;
  private readonly flushTimer: NodeJS.Timeout;
  private closed = false;

  private constructor(
    readonly config: GatewayConfig,
    public routing: RoutingState,
    readonly token: string,
    private readonly options: GatewayOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.statePath = path.resolve(options.baseDir, config.state);
    this.audit = new AuditLog(path.join(path.dirname(this.statePath), "gateway-audit.jsonl"));
    this.metrics = new GatewayMetrics(
      [...config.models.values()].map((m) => ({ name: m.name, ...(m.assertions.features ? { features: m.assertions.features } : {}) })),
      options.clock,
    );
    const logs = { dir: path.resolve(options.baseDir, config.logs.dir), maxBytes: config.logs.maxBytes, keep: config.logs.keep, redact: config.logs.redact, ...(config.logs.salt !== undefined ? { salt: config.logs.salt } : {}) };
    this.logOptions = { ...logs, onError: (err: Error, dropped: number) => this.logTrouble(err, dropped) };
    this.predictionsLog = new PredictionLogWriter({ ...this.logOptions, prefix: "predictions", sampleRate: config.logs.sampleRate, random: this.random, now: () => this.now() });
    for (const [model, route] of Object.entries(routing.models)) this.metrics.weights(model, route.versions);
    this.canaries = new CanaryHost(this, options.canaryTickMs ?? 1000, options.log ?? (() => {}));
    this.flushTimer = setInterval(() => this.flushLogs(), 1000);
    this.flushTimer.unref();
    this.publicServer = http.createServer((req, res) => void this.onPublic(req, res));
    this.adminServer = http.createServer((req, res) => void handleAdmin(this, req, res));
    this.publicServer.keepAliveTimeout = 65_000;
  }

  /** Starts a gateway: its state from the state file if there is one, else from gateway.yaml. */
  static async start(given: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
    const secrets = environmentSecrets(options.env ?? process.env);
    const token = await resolveSecret(given.admin.token, secrets, "gateway.yaml admin.token");
    // The salt of redacted log fields is a secret too: hashes made with a known salt can be looked up.
    const config: GatewayConfig = given.logs.salt === undefined ? given : { ...given, logs: { ...given.logs, salt: await resolveSecret(given.logs.salt, secrets, "gateway.yaml logs.salt") } };
    const statePath = path.resolve(options.baseDir, config.state);
    removeLeftoverTempFiles(statePath);
    const saved = readStateFile(statePath);
    let routing: RoutingState;
    try {
      routing = saved === undefined ? initialRouting(config) : reconcile(saved, config);
    } catch (err) {
      throw new StateFileError(`the gateway state ${statePath} cannot be used: ${(err as Error).message}; move it aside to start from gateway.yaml`);
    }
    writeStateFile(statePath, routing);
    const gw = new Gateway(config, routing, token, options);
    try {
      gw.url = urlOf(await listen(gw.publicServer, config.listen.host, config.listen.port));
      gw.adminUrl = urlOf(await listen(gw.adminServer, config.admin.host, config.admin.port));
    } catch (err) {
      await gw.close();
      throw err;
    }
    gw.canaries.start();
    return gw;
  }

  now(): number {
    return (this.options.clock ?? Date.now)();
  }

  outcomeLog(metric: string | undefined): PredictionLogWriter {
    const prefix = metric === undefined ? "outcomes" : `outcomes-${metric}`;
    let log = this.outcomeLogs.get(prefix);
    if (!log) {
      if (this.outcomeLogs.size >= MAX_OUTCOME_LOGS) throw new HttpError(400, `outcomes: at most ${MAX_OUTCOME_LOGS} outcome metrics, each with its own log; '${metric}' would be one more`);
      // Outcomes are few and each one matters: never sampled.
      log = new PredictionLogWriter({ ...this.logOptions, prefix, now: () => this.now() });
      this.outcomeLogs.set(prefix, log);
    }
    return log;
  }

  /** A log that cannot be written (a full disk) costs its lines, never the service; said once a minute. */
  private logTrouble(err: Error, dropped: number): void {
    const now = Date.now();
    if (now - this.lastLogTrouble < 60_000) return;
    this.lastLogTrouble = now;
    (this.options.log ?? (() => {}))(`prediction log: ${dropped} lines not written (${err.message}); the gateway goes on serving`);
  }

  /** Writes what the logs hold in memory. */
  flushLogs(): void {
    this.predictionsLog.flush();
    for (const log of this.outcomeLogs.values()) log.flush();
  }

  private async onPublic(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const target = req.url ?? "/";
      // Model requests first and without a URL parse: they are nearly all the traffic.
      if (target.startsWith("/models/")) return await proxyRequest(this, req, res, target.slice("/models/".length));
      const url = new URL(target, "http://gateway");
      if (url.pathname === "/metrics" && req.method === "GET") {
        const text = await this.metrics.text();
        res.writeHead(200, { "content-type": this.metrics.contentType });
        res.end(text);
        return;
      }
      if (url.pathname === "/outcomes") {
        if (req.method !== "POST") throw new HttpError(405, "POST outcomes as JSON");
        return sendJson(res, 202, await handleOutcomes(this, req));
      }
      if (url.pathname === "/healthz") return sendJson(res, 200, { ok: true });
      throw new HttpError(404, `no route ${url.pathname}: models are at /models/<model>/…, telemetry at /metrics and /outcomes`);
    } catch (err) {
      sendError(res, err);
    }
  }

  served(s: Served, violations: readonly AssertionViolation[]): void {
    this.metrics.request(s.model, s.version, s.seconds, s.failed);
    this.stats.record(s.model, s.version, s.seconds, s.failed);
    if (s.features) this.metrics.features(s.model, s.version, s.features);
    if (!s.failed) this.metrics.predicted(s.model, s.version, s.prediction);
    for (const a of s.assignments) this.metrics.exposed(a.experiment, a.arm);
    for (const v of violations) this.metrics.violated(s.model, s.version, v.assertion);
    this.recent.remember(s);
    const first = s.assignments[0];
    this.predictionsLog.write({
      ts: new Date(this.now()).toISOString(),
      request_id: s.requestId,
      model: s.model,
      version: s.version,
      unit: s.unit,
      ...(first ? { experiment: first.experiment, arm: first.arm } : {}),
      ...(s.assignments.length > 1 ? { experiments: Object.fromEntries(s.assignments.map((a) => [a.experiment, a.arm])) } : {}),
      ...(s.features ? { features: s.features } : {}),
      ...(s.prediction !== undefined ? { prediction: s.prediction } : {}),
      latency_ms: Math.round(s.seconds * 1e6) / 1e3,
      error: s.failed,
      ...(violations.length > 0 ? { violations: violations.map((v) => v.detail) } : {}),
    });
  }

  async shadowCall(primary: Served, shadowVersion: string, rest: string, method: string, headers: Record<string, string | string[]>, body: Buffer): Promise<void> {
    // A slow shadow must not pile up calls: past the cap, requests are simply not mirrored.
    if (this.shadowsInFlight >= MAX_SHADOWS_IN_FLIGHT || this.closed) return;
    this.shadowsInFlight++;
    try {
      await this.mirror(primary, shadowVersion, rest, method, headers, body);
    } catch (err) {
      this.options.log?.(`shadow of ${primary.model} ${shadowVersion}: ${(err as Error).message}`);
    } finally {
      this.shadowsInFlight--;
    }
  }

  private async mirror(primary: Served, shadowVersion: string, rest: string, method: string, headers: Record<string, string | string[]>, body: Buffer): Promise<void> {
    const model = this.config.models.get(primary.model)!;
    const target = model.versions.find((v) => v.name === shadowVersion)!;
    let prediction: unknown;
    let agree: boolean | "error";
    try {
      const up = await callUpstream({ target: upstreamTarget(target.url), path: rest, method, headers: { ...headers, "x-model-version": shadowVersion, "x-shadow-of": primary.version }, body, timeoutMs: model.timeoutMs });
      if (up.status >= 500) throw new Error(`status ${up.status}`);
      prediction = (JSON.parse(up.body.toString("utf8")) as { prediction?: unknown }).prediction;
      agree = agrees(primary.prediction, prediction, model.agreement);
    } catch {
      agree = "error";
    }
    this.metrics.shadowCompared(primary.model, primary.version, shadowVersion, agree === true);
    this.predictionsLog.write({
      ts: new Date(this.now()).toISOString(),
      event: "shadow",
      request_id: primary.requestId,
      model: primary.model,
      version: primary.version,
      shadow: shadowVersion,
      prediction: primary.prediction,
      shadow_prediction: prediction,
      agree,
    });
  }

  change(who: string, action: string, model: string, details: unknown, update: (s: RoutingState) => RoutingState): RoutingState {
    const before = this.routing.models[model];
    const next = update(this.routing);
    writeStateFile(this.statePath, next);
    this.routing = next;
    const after = next.models[model];
    try {
      this.audit.append({ ts: new Date(this.now()).toISOString(), who, action, model, ...(details !== undefined ? { details } : {}), before: summary(before), after: summary(after) });
    } catch (err) {
      // The change is made and persisted; failing the call now would misreport it.
      (this.options.log ?? (() => {}))(`audit log: ${action} of ${model} by ${who} not recorded (${(err as Error).message})`);
    }
    if (after) {
      this.metrics.weights(model, after.versions);
      for (const v of after.versions) {
        const was = before?.versions.find((b) => b.name === v.name)?.weight ?? 0;
        if (was === 0 && v.weight > 0) this.predictionsLog.write({ ts: new Date(this.now()).toISOString(), event: "release", model, version: v.name });
      }
    }
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.canaries.stop();
    clearInterval(this.flushTimer);
    const stop = (s: http.Server): Promise<void> =>
      new Promise((resolve) => {
        if (!s.listening) return resolve();
        s.close(() => resolve());
        s.closeAllConnections();
      });
    await Promise.all([stop(this.publicServer), stop(this.adminServer)]);
    this.predictionsLog.close();
    for (const log of this.outcomeLogs.values()) log.close();
  }
}

/** A model's routing as the audit log shows it: weights, stable version, shadow, canary step. */
function summary(route: RoutingState["models"][string] | undefined): unknown {
  if (!route) return undefined;
  return {
    weights: Object.fromEntries(route.versions.map((v) => [v.name, v.weight])),
    stable: route.stable,
    ...(route.shadow ? { shadow: route.shadow } : {}),
    ...(route.canary ? { canary: { version: route.canary.version, status: route.canary.state.status, step: route.canary.state.step } } : {}),
    ...(route.chaos.length > 0 ? { chaos: route.chaos.map((c) => c.id) } : {}),
  };
}

/** Numbers agree within `tolerance`; anything else when equal as JSON. */
export function agrees(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= tolerance;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Temporary files a crash left beside the state file (stateFile.ts writes through them). */
function removeLeftoverTempFiles(statePath: string): void {
  const dir = path.dirname(statePath);
  const prefix = `.${path.basename(statePath)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix) && name.endsWith(".tmp")) rmSync(path.join(dir, name), { force: true });
}
