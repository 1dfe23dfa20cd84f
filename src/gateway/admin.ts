/**
 * The admin API, on its own listener (127.0.0.1 by default) and with `Authorization: Bearer
 * <token>` on every call, compared in constant time. `x-actor` names who calls, for the audit log.
 *
 *   GET    /state                      routing of every model, canaries with their documents
 *   GET    /audit?limit=N              the newest audit entries
 *   GET    /models/M/totals            requests, errors, latency bins per version since start
 *   PUT    /models/M/weights           {"weights": {"v1": 90, "v2": 10}}
 *   POST   /models/M/canary            {"version": "v2", "policy": {…}}   (canaryHost.ts)
 *   DELETE /models/M/canary            abort: traffic back to the stable version
 *   POST   /models/M/promote           {"version": "v2"}, or the canary's candidate
 *   POST   /models/M/rollback          to the last stable version; harmless when repeated
 *   PUT    /models/M/shadow            {"version": "v3", "share": 20}
 *   DELETE /models/M/shadow
 *   POST   /models/M/chaos             {"version", "kind", "share", "duration", …} (chaos.ts)
 *   DELETE /models/M/chaos             ends every chaos rule of the model
 */
import { randomUUID, timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { newCanary } from "../core/canary/canary";
import { parseGatewayPolicy } from "./canaryHost";
import { activeRules, parseChaosRule } from "./chaos";
import { HttpError, isObject, parseJson, readBody, sendError, sendJson } from "./http";
import { checkVersion, modelRoute, promote, rollback, RoutingError, setChaos, setShadow, setWeights, startCanary, type RoutingState } from "./routing";
import type { GatewayCore } from "./server";

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

/** Whether the request carries the token; hashing first makes the comparison's time independent of the lengths. */
function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const m = /^Bearer (.+)$/.exec(header);
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

async function jsonBody(req: IncomingMessage, what: string, optional = false): Promise<Record<string, unknown>> {
  const raw = await readBody(req, 64 * 1024);
  if (optional && raw.length === 0) return {};
  const body = parseJson(raw, what);
  if (!isObject(body)) throw new HttpError(400, `${what}: the body must be a JSON object`);
  return body;
}

/** The routing as the API shows it: weights by name, canaries with their documents. */
export function stateView(routing: RoutingState): unknown {
  return {
    models: Object.fromEntries(
      Object.entries(routing.models).map(([name, r]) => [
        name,
        {
          weights: Object.fromEntries(r.versions.map((v) => [v.name, v.weight])),
          stable: r.stable,
          ...(r.shadow ? { shadow: r.shadow } : {}),
          ...(r.canary ? { canary: { version: r.canary.version, baseline: r.canary.baseline, policy: r.canary.policy, result: r.canary.state } } : {}),
          ...(r.lastCanary ? { lastCanary: { version: r.lastCanary.version, baseline: r.lastCanary.baseline, policy: r.lastCanary.policy, result: r.lastCanary.state } } : {}),
          chaos: r.chaos,
        },
      ]),
    ),
  };
}

export async function handleAdmin(gw: GatewayCore & { readonly token: string }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (!authorized(req, gw.token)) {
      req.resume();
      return sendJson(res, 401, { error: "the admin API needs 'Authorization: Bearer <token>' with the gateway's admin token" }, { "www-authenticate": 'Bearer realm="prodinsights-gateway"' });
    }
    const url = new URL(req.url ?? "/", "http://admin");
    const method = req.method ?? "GET";
    const who = typeof req.headers["x-actor"] === "string" && req.headers["x-actor"] !== "" ? req.headers["x-actor"].slice(0, 100) : "admin";
    if (url.pathname === "/state" && method === "GET") return sendJson(res, 200, stateView(gw.routing));
    if (url.pathname === "/audit" && method === "GET") {
      const limit = Math.min(10_000, Math.max(1, Number(url.searchParams.get("limit") ?? 100) || 100));
      return sendJson(res, 200, { entries: gw.audit.tail(limit) });
    }
    const m = /^\/models\/([^/]+)\/([a-z]+)$/.exec(url.pathname);
    if (!m) throw new HttpError(404, `no admin route ${method} ${url.pathname}`);
    const model = decodeURIComponent(m[1]!);
    const route = modelRoute(gw.routing, model);
    const reply = (): void => sendJson(res, 200, stateView({ version: 1, models: { [model]: gw.routing.models[model]! } }));
    const change = (action: string, details: unknown, update: (s: RoutingState) => RoutingState): void => {
      gw.change(who, action, model, details, update);
      reply();
    };
    switch (`${method} ${m[2]}`) {
      case "GET totals":
        return sendJson(res, 200, { model, versions: Object.fromEntries(route.versions.map((v) => [v.name, gw.stats.of(model, v.name)])) });
      case "PUT weights": {
        const body = await jsonBody(req, "weights");
        if (!isObject(body["weights"])) throw new HttpError(400, 'weights: send {"weights": {"<version>": <percent>, …}}');
        return change("set weights", body, (s) => setWeights(s, model, body["weights"] as Record<string, number>));
      }
      case "POST canary": {
        const body = await jsonBody(req, "canary");
        const version = checkVersion(route, model, body["version"]);
        const policy = parseGatewayPolicy(body["policy"]);
        gw.change(who, "start canary", model, { version, policy }, (s) => startCanary(s, model, version, policy, newCanary()));
        // The first step's weight is set now, not at the next tick, so the answer shows it.
        gw.canaries.tick();
        return reply();
      }
      case "DELETE canary":
        if (!route.canary) throw new RoutingError(`model '${model}' has no canary in progress to abort`, 409);
        return change("abort canary", undefined, (s) => rollback(s, model));
      case "POST promote": {
        const body = await jsonBody(req, "promote", true);
        const version = body["version"];
        if (version !== undefined && typeof version !== "string") throw new HttpError(400, "promote: 'version' must be a version name");
        return change("promote", { version }, (s) => promote(s, model, version));
      }
      case "POST rollback":
        req.resume();
        return change("rollback", undefined, (s) => rollback(s, model));
      case "PUT shadow": {
        const body = await jsonBody(req, "shadow");
        return change("start shadow", body, (s) => setShadow(s, model, { version: body["version"] as string, share: body["share"] as number }));
      }
      case "DELETE shadow":
        return change("stop shadow", undefined, (s) => setShadow(s, model, undefined));
      case "POST chaos": {
        const body = await jsonBody(req, "chaos");
        const rule = parseChaosRule(body, gw.now(), randomUUID().slice(0, 8));
        checkVersion(route, model, rule.version);
        return change("start chaos", rule, (s) => setChaos(s, model, [...activeRules(route.chaos, gw.now()), rule]));
      }
      case "DELETE chaos":
        return change("stop chaos", undefined, (s) => setChaos(s, model, []));
      default:
        throw new HttpError(404, `no admin route ${method} ${url.pathname}`);
    }
  } catch (err) {
    sendError(res, err);
  }
}
