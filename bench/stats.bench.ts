/**
 * `npm run bench` — wall-time of our statistics vs scipy on identical data, in the same run.
 *
 * 1. Data are generated here with a seeded PRNG (mulberry32 + Box-Muller) and written as raw
 *    little-endian float64 to a temp dir; bench/scipyStats.py loads them with numpy.fromfile.
 * 2. Both sides time only the statistical call: 1 warm-up, then the median of 5 runs, with
 *    fresh input copies made before (never inside) each timed call.
 * 3. Statistics must agree (relative difference < 1e-9); p-values are printed side by side.
 *
 * Exit code: 0 when every statistic agrees and no input was mutated (a missed speed target is
 * reported as "misses" but does not fail the run); 1 otherwise or when numpy/scipy is missing.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { seededOpenUniform } from "../src/core/stats/random";

type Sample = Float64Array;
interface StatResult {
  statistic: number;
  pValue: number;
  df?: number;
}
type StatFn = (x: Sample, y: Sample) => StatResult;

const WARMUP = 1;
const RUNS = 5;
const TARGET_RATIO = 1.0;
const STAT_REL_TOL = 1e-9;

// tsx runs this file as CommonJS, so __dirname is defined; otherwise assume npm's cwd (the package root).
const SCIPY_SCRIPT = path.join(typeof __dirname === "string" ? __dirname : path.resolve("bench"), "scipyStats.py");

// ---------------------------------------------------------------------------------------------
// Deterministic data
// ---------------------------------------------------------------------------------------------


/** n standard normals (Box-Muller, both outputs used), mapped through `f`. */
function normals(n: number, seed: number, f: (z: number) => number): Float64Array {
  const rand = seededOpenUniform(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rand()));
    const theta = 2 * Math.PI * rand();
    out[i] = f(r * Math.cos(theta));
    if (i + 1 < n) out[i + 1] = f(r * Math.sin(theta));
  }
  return out;
}

/** Latency-like data in ms: lognormal around e^mu ≈ 20 ms, rounded to 2 decimals (=> many ties). */
function latencyMs(n: number, seed: number, mu: number, sigma: number): Float64Array {
  return normals(n, seed, (z) => Math.round(Math.exp(mu + sigma * z) * 100) / 100);
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

interface Case {
  id: "mannWhitney" | "ks" | "welch";
  label: string;
  nLabel: string;
  fn: StatFn;
  make: () => { x: Float64Array; y: Float64Array };
}

interface Impl {
  mannWhitneyU: StatFn;
  ksTwoSample: StatFn;
  welchTTest: StatFn;
}

async function loadImpl(): Promise<Impl> {
  // BENCH_IMPL_DIR lets the harness be exercised against another implementation (a directory
  // containing mannWhitneyU.ts, ksTwoSample.ts and welchTTest.ts); the default is src/core/stats.
  const dir = process.env.BENCH_IMPL_DIR;
  try {
    if (dir) {
      const base = path.resolve(dir);
      const mw = (await import(path.join(base, "mannWhitneyU"))) as { mannWhitneyU: StatFn };
      const ks = (await import(path.join(base, "ksTwoSample"))) as { ksTwoSample: StatFn };
      const wt = (await import(path.join(base, "welchTTest"))) as { welchTTest: StatFn };
      console.log(`NOTE: using implementation from BENCH_IMPL_DIR=${base}, not src/core/stats`);
      return { mannWhitneyU: mw.mannWhitneyU, ksTwoSample: ks.ksTwoSample, welchTTest: wt.welchTTest };
    }
    const mw = await import("../src/core/stats/mannWhitneyU");
    const ks = await import("../src/core/stats/ksTwoSample");
    const wt = await import("../src/core/stats/welchTTest");
    return { mannWhitneyU: mw.mannWhitneyU, ksTwoSample: ks.ksTwoSample, welchTTest: wt.welchTTest };
  } catch (err) {
    console.error(`bench: cannot load the statistics modules: ${(err as Error).message}`);
    process.exit(1);
  }
}

function cases(impl: Impl): Case[] {
  const M = 1_000_000;
  return [
    {
      id: "mannWhitney",
      label: "mann-whitney U",
      nLabel: "1M vs 1M",
      fn: impl.mannWhitneyU,
      // ~20 ms latencies, 2-decimal resolution: heavy ties; a 0.2% multiplicative shift.
      make: () => ({ x: latencyMs(M, 0x1001, 3.0, 0.5), y: latencyMs(M, 0x1002, 3.002, 0.5) }),
    },
    {
      id: "ks",
      label: "KS two-sample",
      nLabel: "1M vs 1M",
      fn: impl.ksTwoSample,
      // Continuous normals, small location shift plus a slight scale difference.
      make: () => ({ x: normals(M, 0x2001, (z) => z), y: normals(M, 0x2002, (z) => 0.004 + 1.002 * z) }),
    },
    {
      id: "welch",
      label: "welch t-test",
      nLabel: "5M vs 5M",
      fn: impl.welchTTest,
      // Unequal variances, small mean shift.
      make: () => ({ x: normals(5 * M, 0x3001, (z) => z), y: normals(5 * M, 0x3002, (z) => 0.0025 + 1.2 * z) }),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------------

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function sameContents(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

interface Timing {
  timesMs: number[];
  medianMs: number;
  result: StatResult;
  mutated: boolean;
}

function timeOurs(fn: StatFn, x: Float64Array, y: Float64Array): Timing {
  let mutated = false;
  for (let w = 0; w < WARMUP; w++) {
    const xc = x.slice();
    const yc = y.slice();
    fn(xc, yc);
    if (!sameContents(xc, x) || !sameContents(yc, y)) mutated = true;
  }
  const timesMs: number[] = [];
  let result: StatResult | undefined;
  for (let r = 0; r < RUNS; r++) {
    const xc = x.slice(); // fresh copies, made outside the timing
    const yc = y.slice();
    const t0 = performance.now();
    result = fn(xc, yc);
    timesMs.push(performance.now() - t0);
  }
  return { timesMs, medianMs: median(timesMs), result: result!, mutated };
}

// ---------------------------------------------------------------------------------------------
// scipy
// ---------------------------------------------------------------------------------------------

function pickPython(): string {
  if (process.env.BENCH_PYTHON) return process.env.BENCH_PYTHON;
  // Debian's interpreter carries python3-numpy/python3-scipy; a pyenv python3 on PATH may not.
  return fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

function scipyMissing(python: string, detail: string): never {
  console.error(`bench: numpy/scipy are not available to ${python}${detail ? ` (${detail})` : ""}.`);
  console.error("Install them with: apt-get install python3-scipy");
  process.exit(1);
}

interface ScipyVersions {
  python: string;
  numpy: string;
  scipy: string;
}

function probeScipy(python: string): ScipyVersions {
  const r = spawnSync(python, [SCIPY_SCRIPT, "--probe"], { encoding: "utf8" });
  if (r.error) scipyMissing(python, r.error.message);
  if (r.status !== 0) scipyMissing(python, r.stderr.trim());
  return JSON.parse(r.stdout) as ScipyVersions;
}

interface ScipyCaseResult {
  timesMs: number[];
  medianMs: number;
  statistic: number;
  pValue: number;
  df?: number;
}

function runScipy(python: string, manifestPath: string): Record<string, ScipyCaseResult> {
  const r = spawnSync(python, [SCIPY_SCRIPT, manifestPath], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status === 3) scipyMissing(python, "import failed");
  if (r.status !== 0) throw new Error(`${python} ${SCIPY_SCRIPT} exited with status ${r.status}`);
  return (JSON.parse(r.stdout) as { results: Record<string, ScipyCaseResult> }).results;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

const fmtMs = (ms: number) => ms.toFixed(1);
const fmtNum = (v: number | undefined) => (v === undefined ? "-" : Number.isFinite(v) ? v.toPrecision(12) : String(v));
const fmtP = (v: number) => v.toExponential(6);
const pad = (s: string, w: number) => s.padEnd(w);

async function main(): Promise<void> {
  const python = pickPython();
  const versions = probeScipy(python);
  const impl = await loadImpl();

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`machine: ${cpu} (${os.cpus().length} logical CPUs), ${os.platform()} ${os.release()}`);
  console.log(
    `node ${process.version}; python ${versions.python} (${python}), numpy ${versions.numpy}, scipy ${versions.scipy}`,
  );
  console.log(`timing: ${WARMUP} warm-up + median of ${RUNS} runs, statistical call only\n`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "prodinsights-bench-"));
  try {
    const all = cases(impl);
    const data = new Map<string, { x: Float64Array; y: Float64Array }>();
    const manifest = { warmup: WARMUP, runs: RUNS, cases: [] as { id: string; x: string; y: string }[] };
    for (const c of all) {
      const d = c.make();
      data.set(c.id, d);
      const xPath = path.join(tmp, `${c.id}_x.f64`);
      const yPath = path.join(tmp, `${c.id}_y.f64`);
      // Float64Array is host-endian; every platform Node supports in practice is little-endian.
      if (os.endianness() !== "LE") throw new Error("big-endian host: raw float64 files would not match '<f8'");
      fs.writeFileSync(xPath, new Uint8Array(d.x.buffer, d.x.byteOffset, d.x.byteLength));
      fs.writeFileSync(yPath, new Uint8Array(d.y.buffer, d.y.byteOffset, d.y.byteLength));
      manifest.cases.push({ id: c.id, x: xPath, y: yPath });
    }
    const manifestPath = path.join(tmp, "manifest.json");
    fs.writeFileSync(manifestPath, JSON.stringify(manifest));

    const ours = new Map<string, Timing>();
    for (const c of all) {
      const d = data.get(c.id)!;
      process.stdout.write(`ours:  ${c.label} ...`);
      const t = timeOurs(c.fn, d.x, d.y);
      ours.set(c.id, t);
      process.stdout.write(` ${fmtMs(t.medianMs)} ms\n`);
    }
    process.stdout.write("scipy: running bench/scipyStats.py ...");
    const sc = runScipy(python, manifestPath);
    process.stdout.write(" done\n\n");

    let ok = true;
    const W = [21, 13, 11, 12, 7];
    console.log(pad("test", W[0]!) + pad("n", W[1]!) + pad("ours (ms)", W[2]!) + pad("scipy (ms)", W[3]!) + pad("ratio", W[4]!) + "target");
    for (const c of all) {
      const o = ours.get(c.id)!;
      const s = sc[c.id]!;
      const ratio = o.medianMs / s.medianMs;
      const verdict = ratio <= TARGET_RATIO ? "meets" : "misses";
      console.log(
        pad(c.label, W[0]!) + pad(c.nLabel, W[1]!) + pad(fmtMs(o.medianMs), W[2]!) + pad(fmtMs(s.medianMs), W[3]!) +
          pad(ratio.toFixed(2), W[4]!) + `≤ ${TARGET_RATIO.toFixed(1)} ${verdict}`,
      );
    }

    console.log("\nagreement (statistic must match to rel. diff < 1e-9; p-values shown side by side)");
    const V = [21, 21, 21, 10, 7, 15, 15, 9];
    console.log(
      pad("test", V[0]!) + pad("statistic (ours)", V[1]!) + pad("statistic (scipy)", V[2]!) + pad("rel diff", V[3]!) +
        pad("check", V[4]!) + pad("p (ours)", V[5]!) + pad("p (scipy)", V[6]!) + pad("p rel diff", V[7]!),
    );
    for (const c of all) {
      const o = ours.get(c.id)!;
      const s = sc[c.id]!;
      const d = relDiff(o.result.statistic, s.statistic);
      const agree = d < STAT_REL_TOL;
      if (!agree || o.mutated) ok = false;
      console.log(
        pad(c.label, V[0]!) + pad(fmtNum(o.result.statistic), V[1]!) + pad(fmtNum(s.statistic), V[2]!) +
          pad(d.toExponential(1), V[3]!) + pad(agree ? "ok" : "FAIL", V[4]!) + pad(fmtP(o.result.pValue), V[5]!) +
          pad(fmtP(s.pValue), V[6]!) + relDiff(o.result.pValue, s.pValue).toExponential(1),
      );
      if (c.id === "mannWhitney" && !agree) {
        const n = data.get(c.id)!.x.length * data.get(c.id)!.y.length;
        if (relDiff(o.result.statistic, n - s.statistic) < STAT_REL_TOL)
          console.log("  note: ours equals n1*n2 - U1 (U of y); scipy reports U1 = U of x");
      }
      if (o.mutated) console.log(`  FAIL: ${c.label} mutated its input arrays`);
    }
    if (!ok) {
      console.error("\nbench: statistics disagree with scipy or inputs were mutated (see above)");
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
