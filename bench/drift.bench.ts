/**
 * `npm run bench` (second part) — drift over JSONL prediction logs against DuckDB, in the same run.
 *
 * 1. Logs of 1M and 5M rows (20 features) are generated with a seeded PRNG into bench/.data/
 *    (bench/drift/generate.ts) and reused while their manifest entry matches.
 * 2. Each side runs in its own child process, one after the other, on a file already in the page
 *    cache, so that peak RSS (`process.resourceUsage().maxRSS`) is that side's alone:
 *    - ours: `readPredictionLogs` (first 7 days vs last 7) then `analyzeDrift` (bench/drift/ours.ts);
 *    - DuckDB, one thread: `read_ndjson` with an explicit schema into a table, then the baseline's
 *      deciles and the counts per bin, category and window in SQL (bench/drift/duckdb.ts).
 *    Both children are bundled with esbuild first, as the CLI is, so neither pays for a TypeScript
 *    loader. Wall time is measured inside each child around the whole job; the sides take turns,
 *    three runs each by default, and the table shows each side's median run.
 * 3. Counts must agree exactly: rows per window, values per numeric column, counts per category,
 *    and DuckDB's counts over our bin edges against ours.
 *
 * Targets: ours ≤ 1.5 × DuckDB's wall time; our peak RSS ≤ 300 MB at every size.
 * Exit code 1 for a disagreement or a crash; a missed target is reported as "misses" only.
 *
 * Environment: BENCH_DRIFT_ROWS (comma-separated row counts, default 1000000,5000000),
 * BENCH_DRIFT_RUNS (runs per side and size, default 3),
 * BENCH_DUCKDB_QUANTILE=exact (quantile_cont instead of approx_quantile),
 * BENCH_DRIFT_CPU_PROF=1 (write a .cpuprofile of our child to bench/.data/profiles/).
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as esbuild from "esbuild";
import { ensureLogs, type LogsFile } from "./drift/generate";
import { CATEGORICAL_FEATURES, NUMERIC_FEATURES, PREDICTION, type SideResult } from "./drift/spec";

const TIME_TARGET = 1.5;
const RSS_TARGET_MB = 300;
const DEFAULT_ROWS = [1_000_000, 5_000_000];

// tsx runs this file as CommonJS, so __dirname is defined; otherwise assume npm's cwd (the package root).
const BENCH_DIR = typeof __dirname === "string" ? __dirname : path.resolve("bench");
const ROOT = path.resolve(BENCH_DIR, "..");
const DATA_DIR = path.join(BENCH_DIR, ".data");

const MB = (bytes: number): number => bytes / 1e6;
const rssMB = (kb: number): number => MB(kb * 1024);
const fmtRows = (n: number): string => (n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n.toLocaleString("en-US"));
const pad = (s: string, w: number): string => s.padEnd(w);

function rowCounts(): number[] {
  const env = process.env.BENCH_DRIFT_ROWS;
  if (!env) return DEFAULT_ROWS;
  const rows = env.split(",").map((s) => Number(s.trim()));
  if (!rows.every((n) => Number.isInteger(n) && n >= 1000)) {
    console.error(`bench: BENCH_DRIFT_ROWS must be whole numbers >= 1000, comma-separated; got '${env}'`);
    process.exit(1);
  }
  return rows;
}

/**
 * Bundles both children into `dir` as the CLI is bundled. @duckdb/node-api stays external and
 * resolves through NODE_PATH (runChild), so nothing JavaScript is written inside the repository.
 */
function bundleChildren(dir: string): { ours: string; duckdb: string } {
  const out = { ours: path.join(dir, "drift-ours.cjs"), duckdb: path.join(dir, "drift-duckdb.cjs") };
  for (const [name, outfile] of Object.entries(out)) {
    esbuild.buildSync({
      absWorkingDir: ROOT,
      entryPoints: [path.join(BENCH_DIR, "drift", `${name}.ts`)],
      outfile,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["@duckdb/node-api"],
      logLevel: "warning",
    });
  }
  return out;
}

/** Reads the file once so that both sides find it in the page cache. */
function warmPageCache(file: string): number {
  const t0 = performance.now();
  const fd = openSync(file, "r");
  const buf = Buffer.allocUnsafe(4 << 20);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
  return performance.now() - t0;
}

function runChild(script: string, args: string[], out: string, nodeArgs: string[] = []): SideResult {
  const env = { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") };
  const r = spawnSync(process.execPath, [...nodeArgs, script, ...args], { stdio: ["ignore", "inherit", "inherit"], cwd: ROOT, env });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${path.basename(script)} exited with ${r.signal ?? `status ${r.status}`}`);
  return JSON.parse(readFileSync(out, "utf8")) as SideResult;
}

function sameArray(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Every disagreement between the two sides' counts, as sentences. */
function compare(ours: SideResult, duck: SideResult): { problems: string[]; checked: string[] } {
  const problems: string[] = [];
  const checked: string[] = [];
  if (!sameArray(ours.rows, duck.rows)) problems.push(`rows per window: ours ${ours.rows.join("/")}, duckdb ${duck.rows.join("/")}`);
  else checked.push(`rows per window ${ours.rows.map((n) => n.toLocaleString("en-US")).join(" / ")}`);

  const numeric = [PREDICTION, ...NUMERIC_FEATURES];
  let nOk = 0;
  let binsOk = 0;
  let binned = 0;
  for (const f of numeric) {
    const o = ours.numeric[f];
    const d = duck.numeric[f];
    if (!o || !d) {
      problems.push(`${f}: missing on ${o ? "duckdb's" : "our"} side`);
      continue;
    }
    if (!sameArray(o.n, d.n)) problems.push(`${f}: values per window: ours ${o.n.join("/")}, duckdb ${d.n.join("/")}`);
    else nOk++;
    if (o.edges.length === 0) continue;
    binned++;
    const x = duck.binsOverOurEdges?.[f];
    if (!x) problems.push(`${f}: duckdb did not count over our edges`);
    else if (!sameArray(o.baseline, x.baseline) || !sameArray(o.current, x.current)) {
      problems.push(`${f}: counts over our edges: ours ${o.baseline.join(",")} | ${o.current.join(",")}; duckdb ${x.baseline.join(",")} | ${x.current.join(",")}`);
    } else binsOk++;
  }
  checked.push(`values per window of ${nOk}/${numeric.length} numeric columns`);
  checked.push(`bin counts over our edges of ${binsOk}/${binned} binned columns`);

  let catOk = 0;
  let cats = 0;
  for (const f of CATEGORICAL_FEATURES) {
    const o = ours.categorical[f]?.counts ?? {};
    const d = duck.categorical[f]?.counts ?? {};
    let ok = true;
    for (const c of new Set([...Object.keys(o), ...Object.keys(d)])) {
      cats++;
      const a = o[c] ?? [0, 0];
      const b = d[c] ?? [0, 0];
      if (!sameArray(a, b)) {
        ok = false;
        problems.push(`${f}=${JSON.stringify(c)}: ours ${a.join("/")}, duckdb ${b.join("/")}`);
      }
    }
    if (ok) catOk++;
  }
  checked.push(`counts per window of ${cats} categories in ${catOk}/${CATEGORICAL_FEATURES.length} categorical columns`);
  return { problems, checked };
}

interface Row {
  file: LogsFile;
  ours: SideResult;
  duck: SideResult;
}

function printTable(results: Row[]): void {
  const head = [
    ["rows", 8],
    ["file (MB)", 11],
    ["ours (s)", 10],
    ["duckdb (s)", 12],
    ["ratio", 7],
    [`target ≤ ${TIME_TARGET}`, 14],
    ["ours peak RSS (MB)", 20],
    [`target ≤ ${RSS_TARGET_MB}`, 14],
    ["duckdb peak RSS (MB)", 22],
    ["ours MB/s", 11],
    ["duckdb MB/s", 0],
  ] as const;
  console.log(head.map(([h, w]) => pad(h, w)).join(""));
  for (const { file, ours, duck } of results) {
    const ratio = ours.wallMs / duck.wallMs;
    const rss = rssMB(ours.maxRssKb);
    const cells = [
      fmtRows(file.rows),
      MB(file.bytes).toFixed(0),
      (ours.wallMs / 1000).toFixed(2),
      (duck.wallMs / 1000).toFixed(2),
      ratio.toFixed(2),
      ratio <= TIME_TARGET ? "meets" : "misses",
      rss.toFixed(0),
      rss <= RSS_TARGET_MB ? "meets" : "misses",
      rssMB(duck.maxRssKb).toFixed(0),
      (MB(file.bytes) / (ours.wallMs / 1000)).toFixed(1),
      (MB(file.bytes) / (duck.wallMs / 1000)).toFixed(1),
    ];
    console.log(cells.map((c, i) => pad(c, head[i]![1])).join(""));
  }
}

const fmtPhases = (p: Record<string, number>): string =>
  Object.entries(p)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
    .join(", ");

/** The run with the median wall time, carrying the highest peak RSS of all runs. */
function median(runs: readonly SideResult[]): SideResult {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return { ...sorted[(sorted.length - 1) >> 1]!, maxRssKb: Math.max(...runs.map((r) => r.maxRssKb)) };
}

function runCount(): number {
  const env = process.env.BENCH_DRIFT_RUNS ?? "3";
  const n = Number(env);
  if (!(Number.isInteger(n) && n >= 1)) {
    console.error(`bench: BENCH_DRIFT_RUNS must be a whole number >= 1; got '${env}'`);
    process.exit(1);
  }
  return n;
}

function main(): void {
  let duckdbVersion: string;
  try {
    duckdbVersion = (JSON.parse(readFileSync(path.join(ROOT, "node_modules", "@duckdb", "node-api", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    console.error("bench: @duckdb/node-api is not installed; run npm install (it is a dev dependency)");
    process.exit(1);
  }
  const sizes = rowCounts();
  const runs = runCount();
  mkdirSync(DATA_DIR, { recursive: true });
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`\ndrift over JSONL prediction logs (20 features + prediction): ours vs DuckDB, one thread`);
  console.log(`machine: ${cpu} (${os.cpus().length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB), ${os.platform()} ${os.release()}`);
  console.log(`node ${process.version}; @duckdb/node-api ${duckdbVersion}`);
  console.log(`timing: wall time of the whole job inside a fresh child process, the median of ${runs} run${runs === 1 ? "" : "s"} per side and size, the sides taking turns; MB = 10^6 bytes\n`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), "prodinsights-drift-bench-"));
  const results: Row[] = [];
  let failed = false;
  try {
    const children = bundleChildren(tmp);
    for (const rows of sizes) {
      const label = `${fmtRows(rows)} rows`;
      process.stdout.write(`${label}: logs ...`);
      const file = ensureLogs(DATA_DIR, rows);
      const where = path.relative(ROOT, file.path);
      process.stdout.write(
        file.generatedMs === undefined
          ? ` reusing ${where} (${MB(file.bytes).toFixed(0)} MB)`
          : ` generated ${where} (${MB(file.bytes).toFixed(0)} MB) in ${(file.generatedMs / 1000).toFixed(1)} s`,
      );
      process.stdout.write(`; page cache warmed in ${(warmPageCache(file.path) / 1000).toFixed(1)} s\n`);

      const oursOut = path.join(tmp, `ours-${rows}.json`);
      const duckOut = path.join(tmp, `duckdb-${rows}.json`);
      const prof = process.env.BENCH_DRIFT_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", path.join(DATA_DIR, "profiles")] : [];
      let ours: SideResult;
      let duck: SideResult;
      try {
        // The sides take turns, so that a slow spell of a shared machine hits both alike.
        const oursRuns: SideResult[] = [];
        const duckRuns: SideResult[] = [];
        for (let run = 1; run <= runs; run++) {
          const of = runs > 1 ? ` (run ${run} of ${runs})` : "";
          process.stdout.write(`${label}: ours${of} ...`);
          const o = runChild(children.ours, [file.path, oursOut], oursOut, run === 1 ? prof : []);
          oursRuns.push(o);
          process.stdout.write(` ${(o.wallMs / 1000).toFixed(2)} s (${fmtPhases(o.phasesMs)})\n`);
          process.stdout.write(`${label}: duckdb${of} ...`);
          const d = runChild(children.duckdb, [file.path, duckOut, oursOut], duckOut);
          duckRuns.push(d);
          process.stdout.write(` ${(d.wallMs / 1000).toFixed(2)} s (${fmtPhases(d.phasesMs)})\n`);
        }
        ours = median(oursRuns);
        duck = median(duckRuns);
      } catch (err) {
        process.stdout.write("\n");
        console.error(`bench: ${label}: ${(err as Error).message}`);
        failed = true;
        continue;
      }
      for (const n of [...ours.notes.map((n) => `ours: ${n}`), ...duck.notes.map((n) => `duckdb: ${n}`)]) console.log(`  ${n}`);
      const { problems, checked } = compare(ours, duck);
      if (problems.length === 0) console.log(`  agree exactly: ${checked.join("; ")}`);
      else {
        failed = true;
        console.log(`  DISAGREE (${problems.length}):`);
        for (const p of problems.slice(0, 20)) console.log(`    ${p}`);
      }
      results.push({ file, ours, duck });
    }
    if (results.length > 0) {
      console.log("");
      printTable(results);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failed) {
    console.error("\nbench: the drift bench failed (a disagreement in counts or a crash; see above)");
    process.exitCode = 1;
  }
}

main();
