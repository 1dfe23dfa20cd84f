/**
 * The demo's customers: a seeded population whose feature distribution drifts at a known time.
 * Each user keeps the same id, features and churn label for the whole run. The drift is a cohort
 * of newcomers (a signup campaign) who start sending requests at `driftAt`: they are new
 * (`tenure_months` low) and mostly on month-to-month contracts, while their charges, support
 * calls, region and plan follow the same distributions as everyone else's. So exactly two input
 * features drift, and the predictions (which depend on them) drift with them.
 *
 * Randomness: each user's features come from a generator seeded by a hash of the seed and the
 * user's index, so a user does not change when the population grows.
 */
import { seededOpenUniform } from "../../core/stats/random";
import { mix } from "./hash";
import { trueChurnProbability, type ChurnFeatures, type Contract, type Plan, type Region } from "./models";

/** The features whose distribution changes at the drift time, and those that do not. */
export const DRIFTING_FEATURES = ["tenure_months", "contract"] as const;
export const STABLE_FEATURES = ["monthly_charges", "support_calls", "region", "plan"] as const;

export interface User {
  /** `u` and six digits: u000123. */
  readonly id: string;
  readonly index: number;
  /** Newcomers send requests only from the drift time on. */
  readonly newcomer: boolean;
  readonly features: ChurnFeatures;
  /** The true probability that the user churns (models.ts). */
  readonly churnProbability: number;
  /** The delayed ground truth: whether the user churns. Drawn once, from churnProbability. */
  readonly churned: boolean;
  /** The request body for the model, `{"features":{...}}`, made once. */
  readonly body: string;
}

export interface PopulationOptions {
  readonly seed: number;
  /** Users before the drift. Default 5,000. */
  readonly size?: number;
  /** Newcomers, who arrive at driftAt. Default size / 2. */
  readonly newcomers?: number;
  /** When the newcomers arrive, ms since the epoch. Default never. */
  readonly driftAt?: number;
  /** The newcomers' share of requests from driftAt on, in [0, 1). Default 0.4. */
  readonly newcomerShare?: number;
}

export interface Population {
  readonly users: readonly User[];
  /** The first `size` users; the newcomers follow. */
  readonly size: number;
  readonly driftAt: number;
  readonly newcomerShare: number;
  /** The user who sends a request at `time`, from a uniform `u` in [0, 1). */
  pick(time: number, u: number): User;
}

type Table<T> = readonly (readonly [T, number])[];

const CONTRACT_MIX: Table<Contract> = [["month-to-month", 0.45], ["one-year", 0.3], ["two-year", 0.25]];
const NEWCOMER_CONTRACT_MIX: Table<Contract> = [["month-to-month", 0.8], ["one-year", 0.15], ["two-year", 0.05]];
const REGION_MIX: Table<Region> = [["north", 0.3], ["south", 0.25], ["east", 0.25], ["west", 0.2]];
const PLAN_MIX: Table<Plan> = [["basic", 0.5], ["plus", 0.3], ["pro", 0.2]];
const PLAN_PRICE: Readonly<Record<Plan, number>> = { basic: 35, plus: 65, pro: 95 };
/** Mean tenure in months of the customers there are, and of the newcomers. */
const TENURE_MEAN = 24;
const NEWCOMER_TENURE_MEAN = 3;
const SUPPORT_CALLS_MEAN = 1.5;

function pickFrom<T>(u: number, table: Table<T>): T {
  let acc = 0;
  for (const [value, p] of table) {
    acc += p;
    if (u < acc) return value;
  }
  return table[table.length - 1]![0];
}

/** Poisson by inversion (Knuth), capped: small means only. */
function poisson(u: number, mean: number, cap: number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u > cdf && k < cap) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function makeUser(seed: number, index: number, newcomer: boolean): User {
  const next = seededOpenUniform(mix(seed, 0x5e7a, index));
  const tenure = Math.min(72, Math.floor(-(newcomer ? NEWCOMER_TENURE_MEAN : TENURE_MEAN) * Math.log(next())));
  const contract = pickFrom(next(), newcomer ? NEWCOMER_CONTRACT_MIX : CONTRACT_MIX);
  const plan = pickFrom(next(), PLAN_MIX);
  // Box-Muller: a normal from two open uniforms.
  const normal = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  const charges = round2(Math.max(18, PLAN_PRICE[plan] + 10 * normal));
  const features: ChurnFeatures = {
    tenure_months: tenure,
    monthly_charges: charges,
    support_calls: poisson(next(), SUPPORT_CALLS_MEAN, 12),
    contract,
    region: pickFrom(next(), REGION_MIX),
    plan,
  };
  const churnProbability = trueChurnProbability(features);
  const churned = next() < churnProbability;
  const id = `u${String(index).padStart(6, "0")}`;
  return { id, index, newcomer, features, churnProbability, churned, body: JSON.stringify({ features }) };
}

export function createPopulation(options: PopulationOptions): Population {
  const size = options.size ?? 5000;
  const newcomers = options.newcomers ?? Math.floor(size / 2);
  const driftAt = options.driftAt ?? Infinity;
  const newcomerShare = options.newcomerShare ?? 0.4;
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`createPopulation: size must be a whole number >= 1, got ${size}`);
  if (!(Number.isInteger(newcomers) && newcomers >= 0)) throw new Error(`createPopulation: newcomers must be a whole number >= 0, got ${newcomers}`);
  if (!(newcomerShare >= 0 && newcomerShare < 1)) throw new Error(`createPopulation: newcomerShare must be in [0, 1), got ${newcomerShare}`);
  if (Number.isNaN(driftAt)) throw new Error("createPopulation: driftAt must be a time in ms, got NaN");
  const seed = options.seed >>> 0;
  const users: User[] = [];
  for (let i = 0; i < size; i++) users.push(makeUser(seed, i, false));
  for (let i = 0; i < newcomers; i++) users.push(makeUser(seed, size + i, true));
  const share = newcomers > 0 ? newcomerShare : 0;
  return {
    users,
    size,
    driftAt,
    newcomerShare: share,
    pick(time: number, u: number): User {
      // min(): a uniform a hair below 1 must not round up to one past the end.
      if (time < driftAt || share === 0) return users[Math.min(size - 1, Math.floor(u * size))]!;
      if (u < share) return users[size + Math.min(newcomers - 1, Math.floor((u / share) * newcomers))]!;
      return users[Math.min(size - 1, Math.floor(((u - share) / (1 - share)) * size))]!;
    },
  };
}
