/**
 * Deterministic prediction logs for the drift bench: JSONL in the format of
 * docs/prediction-logs.md, `rows` records evenly spread (with jitter, in time order) over 14 days
 * from 2026-10-01Z, model `churn`, version v1 then v2 from day 10, 16 numeric and 4 categorical
 * features, a prediction, a latency and an error flag. Same rows and seed, same bytes.
 *
 * Planted: some features drift in the last 7 days (tenure_months +6, days_since_login ×1.3,
 * score_b +0.02, plan and country mixes), the rest do not; cart_value is null on ~10% of rows;
 * integer features (age, sessions_7d, support_tickets, …) have heavy ties and zeros, balance and
 * temperature_delta are negative about half the time.
 *
 * Files are cached in bench/.data/ with a manifest (rows, seed, generator version, bytes): an
 * existing file is reused when all four still match.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { seededOpenUniform } from "../../src/core/stats/random";
import { DAYS, GENERATOR_VERSION, MID, SEED, START } from "./spec";

const DAY = 86_400_000;

const PLANS = ["basic", "plus", "pro", "enterprise"];
const PLAN_BASELINE = [0.5, 0.3, 0.15, 0.05];
const PLAN_CURRENT = [0.42, 0.3, 0.22, 0.06];
const REGIONS = ["us-east", "us-west", "eu-west", "eu-central", "ap-south", "ap-northeast", "sa-east", "af-south"];
const REGION_WEIGHTS = [0.28, 0.17, 0.18, 0.12, 0.1, 0.08, 0.05, 0.02];
const DEVICES = ["ios", "android", "web", "other"];
const DEVICE_WEIGHTS = [0.35, 0.4, 0.22, 0.03];
// 40 countries with Zipf-like weights; the current window moves some weight to the tail.
const COUNTRIES = [
  "US", "DE", "GB", "FR", "IN", "BR", "JP", "CA", "IT", "ES", "NL", "SE", "PL", "MX", "AU", "KR", "TR", "AR", "BE", "CH",
  "AT", "NO", "DK", "FI", "IE", "PT", "CZ", "RO", "HU", "GR", "ZA", "NG", "EG", "KE", "ID", "PH", "VN", "TH", "MY", "SG",
];
const COUNTRY_BASELINE = COUNTRIES.map((_, i) => 1 / (i + 1));
const COUNTRY_CURRENT = COUNTRIES.map((_, i) => 1 / (i + 1) ** 0.9);

function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((s, w) => s + w, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w / total;
    out[i] = acc;
  });
  out[out.length - 1] = 1;
  return out;
}

function pick(values: readonly string[], cum: Float64Array, u: number): string {
  let i = 0;
  while (i < cum.length - 1 && u > cum[i]!) i++;
  return values[i]!;
}

const CUM = {
  planB: cumulative(PLAN_BASELINE),
  planC: cumulative(PLAN_CURRENT),
  region: cumulative(REGION_WEIGHTS),
  device: cumulative(DEVICE_WEIGHTS),
  countryB: cumulative(COUNTRY_BASELINE),
  countryC: cumulative(COUNTRY_CURRENT),
};

const r2 = (v: number): number => Math.round(v * 100) / 100;
const r1 = (v: number): number => Math.round(v * 10) / 10;
const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
const r6 = (v: number): number => Math.round(v * 1e6) / 1e6;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Writes the log file; returns its size in bytes. */
function writeLogs(file: string, rows: number, seed: number): number {
  const u = seededOpenUniform(seed);
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(u()));
    const th = 2 * Math.PI * u();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  const expo = (mean: number): number => -mean * Math.log(u());

  const fd = openSync(file, "w");
  let bytes = 0;
  let buf: string[] = [];
  const flush = (): void => {
    const b = Buffer.from(buf.join(""), "utf8");
    writeSync(fd, b);
    bytes += b.length;
    buf = [];
  };
  const step = (DAYS * DAY) / rows;
  const v2From = START + 10 * DAY;
  try {
    for (let i = 0; i < rows; i++) {
      const t = START + Math.floor((i + u()) * step);
      const cur = t >= MID;
      const age = Math.round(clamp(40 + 12 * normal(), 18, 90));
      const tenure = Math.min(72, Math.round(expo(20))) + (cur ? 6 : 0);
      const monthly = r2(70 + 20 * normal());
      const total = r2(Math.exp(7 + 0.9 * normal()));
      const sessions = Math.floor(expo(5));
      const avgSession = r3(Math.exp(2 + 0.6 * normal()));
      const balance = r2(1000 * normal());
      const credit = Math.round(clamp(680 + 60 * normal(), 300, 850));
      const discount = u() < 0.3 ? 0 : r1(30 * u());
      const tickets = Math.floor(expo(0.8));
      const sinceLogin = r1(expo(cur ? 13 : 10));
      const pages = r1(Math.exp(1.2 + 0.5 * normal()));
      const cart = u() < 0.1 ? null : r2(Math.exp(4 + normal()));
      const tempDelta = r6(normal());
      const scoreA = r6(u());
      const scoreB = r4(0.5 + (cur ? 0.02 : 0) + 0.15 * normal());
      const plan = pick(PLANS, cur ? CUM.planC : CUM.planB, u());
      const region = pick(REGIONS, CUM.region, u());
      const device = pick(DEVICES, CUM.device, u());
      const country = pick(COUNTRIES, cur ? CUM.countryC : CUM.countryB, u());
      const z = -1.5 + 0.03 * (30 - Math.min(tenure, 60)) + 0.01 * (monthly - 70) + 0.3 * tickets + 0.5 * normal();
      const prediction = r6(1 / (1 + Math.exp(-z)));
      const latency = r2(Math.exp(3 + 0.5 * normal()));
      const error = u() < 0.02;
      buf.push(
        `{"ts":"${new Date(t).toISOString()}","model":"churn","version":"${t >= v2From ? "v2" : "v1"}","features":{` +
          `"age":${age},"tenure_months":${tenure},"monthly_charges":${monthly},"total_charges":${total},` +
          `"sessions_7d":${sessions},"avg_session_min":${avgSession},"balance":${balance},"credit_score":${credit},` +
          `"discount_pct":${discount},"support_tickets":${tickets},"days_since_login":${sinceLogin},` +
          `"pages_per_visit":${pages},"cart_value":${cart},"temperature_delta":${tempDelta},"score_a":${scoreA},` +
          `"score_b":${scoreB},"plan":"${plan}","region":"${region}","device":"${device}","country":"${country}"},` +
          `"prediction":${prediction},"latency_ms":${latency},"error":${error}}\n`,
      );
      if (buf.length === 20_000) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return bytes;
}

interface ManifestEntry {
  rows: number;
  seed: number;
  generatorVersion: number;
  bytes: number;
}
type Manifest = Record<string, ManifestEntry>;

export interface LogsFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  /** Set when the file was written in this run. */
  readonly generatedMs?: number;
}

/** The log file of `rows` rows in `dir`, written unless the manifest says an identical one exists. */
export function ensureLogs(dir: string, rows: number): LogsFile {
  mkdirSync(dir, { recursive: true });
  const name = `drift-${rows}.jsonl`;
  const file = path.join(dir, name);
  const manifestPath = path.join(dir, "drift-manifest.json");
  let manifest: Manifest = {};
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  } catch {
    // no manifest yet, or a broken one: start over
  }
  const entry = manifest[name];
  if (entry && entry.rows === rows && entry.seed === SEED && entry.generatorVersion === GENERATOR_VERSION && existsSync(file) && statSync(file).size === entry.bytes) {
    return { path: file, rows, bytes: entry.bytes };
  }
  const t0 = performance.now();
  const tmp = `${file}.partial`;
  const bytes = writeLogs(tmp, rows, SEED + rows);
  renameSync(tmp, file);
  manifest[name] = { rows, seed: SEED, generatorVersion: GENERATOR_VERSION, bytes };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { path: file, rows, bytes, generatedMs: performance.now() - t0 };
}
