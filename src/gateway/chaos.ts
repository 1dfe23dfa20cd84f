/**
 * Chaos experiments: faults the gateway injects on purpose into a share of one version's traffic,
 * for a bounded time, to see that alerts fire and canaries roll back. A rule is one fault:
 * - `latency`: the response waits `ms` more;
 * - `error`: the request is answered with a 503 without reaching the model server;
 * - `bias`: `amount` is added to a numeric prediction;
 * - `corrupt`: the features sent to the model are corrupted (numbers negated and scaled, strings
 *   replaced), as a broken upstream pipeline would.
 * Every rule expires: an experiment left running by mistake ends on its own.
 */
import { durationMs } from "../config/build";
import { RoutingError } from "./routing";

export type ChaosFault =
  | { readonly kind: "latency"; readonly ms: number }
  | { readonly kind: "error" }
  | { readonly kind: "bias"; readonly amount: number }
  | { readonly kind: "corrupt" };

export type ChaosRule = ChaosFault & {
  readonly id: string;
  readonly version: string;
  /** Percent of the version's requests affected. */
  readonly share: number;
  /** When the rule ends, ms since the epoch (the gateway's clock). */
  readonly until: number;
};

/** The longest a rule may run: chaos is an experiment, not a state. */
export const MAX_CHAOS_MS = 24 * 3_600_000;

const KINDS = ["latency", "error", "bias", "corrupt"] as const;

/** A rule from the admin API's JSON body; throws RoutingError naming the field at fault. */
export function parseChaosRule(body: Record<string, unknown>, now: number, id: string): ChaosRule {
  const { kind, version, share, duration } = body;
  if (typeof version !== "string") throw new RoutingError("chaos: 'version' is required: the version whose traffic gets the fault");
  if (!KINDS.includes(kind as (typeof KINDS)[number])) throw new RoutingError(`chaos: 'kind' must be one of ${KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  if (!(typeof share === "number" && share > 0 && share <= 100)) throw new RoutingError(`chaos: 'share' must be a percentage in (0, 100], got ${JSON.stringify(share)}`);
  let ms: number;
  try {
    ms = durationMs(typeof duration === "string" ? duration : "");
  } catch {
    throw new RoutingError(`chaos: 'duration' must be a duration such as 30s or 5m, got ${JSON.stringify(duration)}`);
  }
  if (!(ms > 0 && ms <= MAX_CHAOS_MS)) throw new RoutingError(`chaos: 'duration' must be above 0 and at most 24h, got ${JSON.stringify(duration)}`);
  const base = { id, version, share, until: now + ms };
  switch (kind as (typeof KINDS)[number]) {
    case "latency": {
      const v = body["ms"];
      if (!(typeof v === "number" && v > 0 && v <= 60_000)) throw new RoutingError(`chaos: a latency fault needs 'ms' in (0, 60000], got ${JSON.stringify(v)}`);
      return { ...base, kind: "latency", ms: v };
    }
    case "bias": {
      const v = body["amount"];
      if (!(typeof v === "number" && Number.isFinite(v) && v !== 0)) throw new RoutingError(`chaos: a bias fault needs a non-zero number 'amount', got ${JSON.stringify(v)}`);
      return { ...base, kind: "bias", amount: v };
    }
    case "error":
      return { ...base, kind: "error" };
    case "corrupt":
      return { ...base, kind: "corrupt" };
  }
}

/** The rules still running at `now`. */
export const activeRules = (rules: readonly ChaosRule[], now: number): ChaosRule[] => rules.filter((r) => r.until > now);

/** The faults that hit one request of `version`: each rule independently, by its share. */
export function faultsFor(rules: readonly ChaosRule[], version: string, now: number, random: () => number): ChaosRule[] {
  const out: ChaosRule[] = [];
  for (const r of rules) if (r.version === version && r.until > now && random() * 100 < r.share) out.push(r);
  return out;
}

/** Features as a broken pipeline would send them: numbers negated and scaled, strings garbled. */
export function corruptFeatures(features: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(features)) out[k] = typeof v === "number" ? -v * 1000 - 1 : typeof v === "string" ? "\uFFFD" : v === null ? 0 : null;
  return out;
}
