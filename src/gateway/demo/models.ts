/**
 * The demo's churn model: a true churn probability, known only to the simulation, and three
 * deterministic scorers of it, so that every quality fact of the demo is planted, not hoped for.
 * - v1, the model in production: a linear logistic model on tenure, contract and support calls
 *   only. It misses the high churn of new customers, so it gets worse when they arrive (drift).
 * - v2, the better one: nearly the true function (it misses only the region and one interaction).
 * - v3, the buggy release: v2's scores, but it fails on 5% of requests instead of 0.5%.
 * Whether a version fails on a request is a hash of the request's key (its id), not a dice roll.
 */
import { hashString, toUniform } from "./hash";

export const CHURN_VERSIONS = ["v1", "v2", "v3"] as const;
export type ChurnVersion = (typeof CHURN_VERSIONS)[number];

export const CONTRACTS = ["month-to-month", "one-year", "two-year"] as const;
export const REGIONS = ["north", "south", "east", "west"] as const;
export const PLANS = ["basic", "plus", "pro"] as const;
export type Contract = (typeof CONTRACTS)[number];
export type Region = (typeof REGIONS)[number];
export type Plan = (typeof PLANS)[number];

export interface ChurnFeatures {
  /** Whole months as a customer, 0 to 72. */
  readonly tenure_months: number;
  readonly monthly_charges: number;
  /** Calls to support in the last quarter. */
  readonly support_calls: number;
  readonly contract: Contract;
  readonly region: Region;
  readonly plan: Plan;
}

export const NUMERIC_FEATURES = ["tenure_months", "monthly_charges", "support_calls"] as const;
export const CATEGORICAL_FEATURES = ["contract", "region", "plan"] as const;

/** The share of requests each version fails with a 500: v1 and v2 alike, v3 ten times as many. */
export const ERROR_RATES: Readonly<Record<ChurnVersion, number>> = { v1: 0.005, v2: 0.005, v3: 0.05 };

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

const TRUE_CONTRACT: Readonly<Record<string, number>> = { "month-to-month": 0.8, "one-year": -0.5, "two-year": -1.5 };
const TRUE_REGION: Readonly<Record<string, number>> = { north: 0, south: 0.2, east: -0.15, west: 0.1 };
const V1_CONTRACT: Readonly<Record<string, number>> = { "month-to-month": 0.9, "one-year": -0.4, "two-year": -1.2 };

/** The part of the true log-odds that v2 learnt too. */
function sharedLogit(f: ChurnFeatures): number {
  const calls = f.support_calls;
  return (
    -1.4 +
    1.6 * Math.exp(-f.tenure_months / 8) - // new customers churn most
    0.025 * f.tenure_months +
    (TRUE_CONTRACT[f.contract] ?? 0) +
    0.018 * (f.monthly_charges - 65) +
    0.15 * calls +
    0.25 * Math.max(0, calls - 3)
  );
}

/** The churn probability the simulation draws labels from. */
export function trueChurnProbability(f: ChurnFeatures): number {
  const interaction = f.contract === "month-to-month" && f.support_calls >= 3 ? 0.3 : 0;
  return sigmoid(sharedLogit(f) + (TRUE_REGION[f.region] ?? 0) + interaction);
}

/** The score of `version`; unknown categories count as the reference category. */
export function scoreChurn(version: ChurnVersion, f: ChurnFeatures): number {
  if (version === "v1") {
    return sigmoid(-0.9 - 0.035 * f.tenure_months + (V1_CONTRACT[f.contract] ?? 0) + 0.25 * f.support_calls);
  }
  return sigmoid(sharedLogit(f) + 0.05);
}

const VERSION_SALT: Readonly<Record<ChurnVersion, number>> = { v1: 0x1f3d5b79, v2: 0x2e4c6a88, v3: 0x3b5d7f91 };

/**
 * Whether `version` fails on the request with this key (its request id, or its body), at
 * `rates[version]`: the same key always gets the same answer, and different versions fail on
 * different keys.
 */
export function failsRequest(version: ChurnVersion, key: string, rates: Readonly<Record<ChurnVersion, number>> = ERROR_RATES): boolean {
  return toUniform(hashString(key, VERSION_SALT[version])) < rates[version];
}

export function isChurnVersion(v: string): v is ChurnVersion {
  return (CHURN_VERSIONS as readonly string[]).includes(v);
}

/**
 * The features of a request body's `features` object, or why they cannot be scored: numbers must
 * be finite numbers and categories strings. Values out of range are scored as they are (the
 * gateway's assertions are there to notice them).
 */
export function parseChurnFeatures(value: unknown): ChurnFeatures | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "the body needs a 'features' object";
  const f = value as Record<string, unknown>;
  for (const name of NUMERIC_FEATURES) {
    const v = f[name];
    if (typeof v !== "number" || !Number.isFinite(v)) return `features.${name} must be a finite number`;
  }
  for (const name of CATEGORICAL_FEATURES) {
    if (typeof f[name] !== "string") return `features.${name} must be a string`;
  }
  return f as unknown as ChurnFeatures;
}
