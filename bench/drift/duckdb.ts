/**
 * Child process of bench/drift.bench.ts: DuckDB's side, on one thread. The timed job reads the
 * JSONL once with `read_ndjson` and an explicit column schema (no sampling) into a temporary table
 * of the window and the 21 columns, then computes with SQL what our reader hands to the drift
 * analysis: per numeric column the baseline's deciles (`approx_quantile`, or `quantile_cont` with
 * BENCH_DUCKDB_QUANTILE=exact) and the counts per bin of each window over them, per categorical
 * column the counts per category and window, and the rows per window.
 *
 * After the timed job (and after reading the peak RSS), when given our result, it also counts each
 * window over *our* bin edges, so that the bench can check that both sides bin the same values.
 *
 * Usage: node duckdb.js <log.jsonl> <out.json> [ours.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import {
  BASELINE,
  CATEGORICAL_FEATURES,
  CURRENT,
  edgeIn,
  edgeOut,
  NUMERIC_FEATURES,
  PREDICTION,
  type CategoricalResult,
  type NumericResult,
  type Pair,
  type SideResult,
  type Window,
} from "./spec";

const NUMERIC = [PREDICTION, ...NUMERIC_FEATURES];
const QUANTILE = process.env.BENCH_DUCKDB_QUANTILE === "exact" ? "quantile_cont" : "approx_quantile";
const DECILES = "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]";

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;
/** A double as SQL: text cast to DOUBLE, so that DuckDB gets exactly this double (a bare 1.5 is a DECIMAL). */
const dbl = (v: number): string => `${str(String(v))}::DOUBLE`;
const ts = (ms: number): string => `TIMESTAMP ${str(new Date(ms).toISOString().replace("T", " ").replace("Z", ""))}`;
const inWindow = (w: Window): string => `(ts >= ${ts(w.start)} AND ts < ${ts(w.end)})`;

async function rows(con: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await con.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** Counts per window and bin of every numeric column, bin i = (edges[i - 1], edges[i]] over the inner edges. */
async function binCounts(con: DuckDBConnection, innerEdges: Record<string, number[]>): Promise<Record<string, { baseline: number[]; current: number[] }>> {
  const parts = Object.entries(innerEdges).map(([name, edges]) => {
    const col = ident(name);
    const bin = edges.length === 0 ? "0" : `CASE ${edges.map((e, i) => `WHEN ${col} <= ${dbl(e)} THEN ${i}`).join(" ")} ELSE ${edges.length} END`;
    return `SELECT ${str(name)} AS f, w, ${bin} AS b, count(*) AS n FROM t WHERE ${col} IS NOT NULL GROUP BY ALL`;
  });
  const out: Record<string, { baseline: number[]; current: number[] }> = {};
  for (const [name, edges] of Object.entries(innerEdges)) out[name] = { baseline: new Array<number>(edges.length + 1).fill(0), current: new Array<number>(edges.length + 1).fill(0) };
  for (const r of await rows(con, parts.join("\nUNION ALL\n"))) {
    const h = out[r.f as string]!;
    (Number(r.w) === 0 ? h.baseline : h.current)[Number(r.b)] = Number(r.n);
  }
  return out;
}

async function main(): Promise<void> {
  const [file, out, oursPath] = process.argv.slice(2);
  if (!file || !out) throw new Error("usage: duckdb <log.jsonl> <out.json> [ours.json]");
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    phases[name] = now - mark;
    mark = now;
  };

  const t0 = performance.now();
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const con = await instance.connect();
  await con.run("SET threads = 1");
  const version = String((await rows(con, "SELECT version() AS v"))[0]!.v);
  const threads = String((await rows(con, "SELECT current_setting('threads') AS t"))[0]!.t);
  phase("start");

  const struct = [
    ...NUMERIC_FEATURES.map((f) => `${ident(f)} DOUBLE`),
    ...CATEGORICAL_FEATURES.map((f) => `${ident(f)} VARCHAR`),
  ].join(", ");
  const columns = `{ts: 'TIMESTAMP', features: ${str(`STRUCT(${struct})`)}, prediction: 'DOUBLE'}`;
  const select = [
    `CASE WHEN ${inWindow(BASELINE)} THEN 0 WHEN ${inWindow(CURRENT)} THEN 1 END::TINYINT AS w`,
    `prediction`,
    ...[...NUMERIC_FEATURES, ...CATEGORICAL_FEATURES].map((f) => `features.${ident(f)} AS ${ident(f)}`),
  ].join(", ");
  await con.run(
    `CREATE TEMP TABLE t AS SELECT ${select} FROM read_ndjson(${str(file)}, columns = ${columns}, format = 'newline_delimited') ` +
      `WHERE ${inWindow(BASELINE)} OR ${inWindow(CURRENT)}`,
  );
  phase("read_ndjson into a table");

  const q = (await rows(con, `SELECT ${NUMERIC.map((f) => `${QUANTILE}(${ident(f)}, ${DECILES}) AS ${ident(f)}`).join(", ")} FROM t WHERE w = 0`))[0]!;
  const deciles: Record<string, number[]> = {};
  for (const f of NUMERIC) {
    // Ties fold bins together, as in our reader: keep each edge once.
    const values = (q[f] as unknown[] | null ?? []).map(Number);
    deciles[f] = [...new Set(values)].sort((a, b) => a - b);
  }
  phase(`${QUANTILE} deciles`);

  const bins = await binCounts(con, deciles);
  phase("bin counts");

  const categorical: Record<string, CategoricalResult> = {};
  const catSql = CATEGORICAL_FEATURES.map((f) => `SELECT ${str(f)} AS f, w, ${ident(f)} AS v, count(*) AS n FROM t WHERE ${ident(f)} IS NOT NULL GROUP BY ALL`).join("\nUNION ALL\n");
  for (const f of CATEGORICAL_FEATURES) categorical[f] = { counts: {} };
  for (const r of await rows(con, catSql)) {
    const counts = categorical[r.f as string]!.counts;
    const c = (counts[r.v as string] ??= [0, 0]);
    c[Number(r.w)] = Number(r.n);
  }
  const windowRows: Pair = [0, 0];
  for (const r of await rows(con, "SELECT w, count(*) AS n FROM t GROUP BY w")) windowRows[Number(r.w)] = Number(r.n);
  phase("category and row counts");

  const wallMs = performance.now() - t0;
  const maxRssKb = process.resourceUsage().maxRSS;

  const numeric: Record<string, NumericResult> = {};
  for (const f of NUMERIC) {
    const h = bins[f]!;
    const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
    numeric[f] = { n: [sum(h.baseline), sum(h.current)], edges: [-Infinity, ...deciles[f]!, Infinity].map(edgeOut), ...h };
  }

  // Untimed: the same counts over our edges (inner ones; our outer edges hold every value).
  let binsOverOurEdges: SideResult["binsOverOurEdges"];
  if (oursPath) {
    const ours = JSON.parse(readFileSync(oursPath, "utf8")) as SideResult;
    const inner: Record<string, number[]> = {};
    for (const [f, h] of Object.entries(ours.numeric)) if (h.edges.length >= 2) inner[f] = h.edges.slice(1, -1).map(edgeIn);
    binsOverOurEdges = await binCounts(con, inner);
  }

  const result: SideResult = {
    side: "duckdb",
    wallMs,
    maxRssKb,
    phasesMs: phases,
    rows: windowRows,
    numeric,
    categorical,
    notes: [`DuckDB ${version}, threads = ${threads}, deciles by ${QUANTILE}`],
    version,
    ...(binsOverOurEdges ? { binsOverOurEdges } : {}),
  };
  writeFileSync(out, JSON.stringify(result));
  con.closeSync();
  instance.closeSync();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
