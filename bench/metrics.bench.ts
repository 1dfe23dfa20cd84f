/**
 * `npm run bench` (third part; `npm run bench -- metrics` alone) — the metrics reports over a
 * local Prometheus holding 14 days at 1-minute resolution (test/support/promHistory.ts), against
 * a naive client that downloads the raw per-minute series and aggregates in Node, in the same run.
 *
 * 1. A private Prometheus is started with the backfilled history (test/support/servers.ts).
 * 2. Six reports (bench/metrics/reports.ts): A/B conversion, A/B mean revenue, drift, jumps of
 *    error_rate and of latency_p95 with releases, and a version comparison. Each runs two ways:
 *    ours (src/telemetry/metrics readers, then the analysis) and naive (raw range queries at a
 *    60 s step in chunks under Prometheus's 11,000-point cap, inputs computed in Node, then the
 *    same analysis).
 * 3. A counting run of each side goes through a TCP relay that counts the bytes the server sends
 *    (wire bytes, gzip-compressed bodies and headers); its answers are compared: counts within
 *    0.5% (or 1) and the same verdicts, or the run fails.
 * 4. Timed runs: BENCH_METRICS_RUNS (default 5) per side, straight to the server, the sides taking
 *    turns; the table shows each side's median wall time, requests and body bytes as read by the
 *    client (decompressed JSON), counted by a wrapping fetch.
 *
 * Targets per report: ≥ 10× fewer bytes and ≥ 3× faster than naive; ≤ 6 requests.
 * Exit code 1 for a disagreement or a crash; a missed target is reported as "misses" only.
 */
import * as os from "node:os";
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { PrometheusClient } from "../src/telemetry/prometheus/client";
import { promHistory } from "../test/support/promHistory";
import { findBinary, missingBinaries, startServer, type RunningServer } from "../test/support/servers";
import { compareOutcomes } from "./metrics/outcome";
import { buildReports, type Report } from "./metrics/reports";
import { countingFetch, newTraffic, startWireCounter, type Traffic, type WireCounter } from "./metrics/traffic";

const BYTES_TARGET = 10;
const SPEED_TARGET = 3;
const REQUESTS_TARGET = 6;

type SideName = "ours" | "naive";

interface Run {
  readonly ms: number;
  readonly traffic: Traffic;
}

interface SideSummary {
  readonly ms: number;
  readonly requests: number;
  readonly bodyBytes: number;
  readonly wireBytes: number;
}

interface Row {
  readonly report: string;
  readonly ours: SideSummary;
  readonly naive: SideSummary;
}

function runCount(): number {
  const env = process.env.BENCH_METRICS_RUNS ?? "5";
  const n = Number(env);
  if (!(Number.isInteger(n) && n >= 1)) {
    console.error(`bench: BENCH_METRICS_RUNS must be a whole number >= 1; got '${env}'`);
    process.exit(1);
  }
  return n;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const KB = (bytes: number): string => (bytes / 1000).toFixed(bytes < 10_000 ? 1 : 0);

async function timed(report: Report, side: SideName, url: string): Promise<Run> {
  const traffic = newTraffic();
  const client = new PrometheusClient({ url, fetch: countingFetch(traffic) });
  const t0 = performance.now();
  await report[side](client);
  return { ms: performance.now() - t0, traffic };
}

function printTable(rows: readonly Row[]): void {
  const head = [
    ["report", 36],
    ["ours ms", 9],
    ["req", 5],
    ["KB", 8],
    ["wire KB", 9],
    ["naive ms", 10],
    ["req", 5],
    ["KB", 9],
    ["wire KB", 9],
    ["bytes ratio", 13],
    [`≥ ${BYTES_TARGET}`, 8],
    ["wire ratio", 12],
    ["speed ratio", 13],
    [`≥ ${SPEED_TARGET}`, 8],
    [`req ≤ ${REQUESTS_TARGET}`, 0],
  ] as const;
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(head[i]![1])).join("").trimEnd();
  console.log(line(head.map(([h]) => h)));
  for (const { report, ours, naive } of rows) {
    const bytes = naive.bodyBytes / ours.bodyBytes;
    const wire = naive.wireBytes / ours.wireBytes;
    const speed = naive.ms / ours.ms;
    console.log(
      line([
        report,
        ours.ms.toFixed(1),
        String(ours.requests),
        KB(ours.bodyBytes),
        KB(ours.wireBytes),
        naive.ms.toFixed(1),
        String(naive.requests),
        KB(naive.bodyBytes),
        KB(naive.wireBytes),
        bytes.toFixed(0),
        bytes >= BYTES_TARGET ? "meets" : "misses",
        wire.toFixed(0),
        speed.toFixed(1),
        speed >= SPEED_TARGET ? "meets" : "misses",
        ours.requests <= REQUESTS_TARGET ? "meets" : "misses",
      ]),
    );
  }
}

async function main(): Promise<void> {
  const missing = missingBinaries("prometheus");
  if (missing) {
    console.error(`bench: ${missing}`);
    process.exit(1);
  }
  const runs = runCount();
  const version = spawnSync(findBinary("prometheus")!, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "prometheus";
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`\nmetrics reports over 14 days at 1-minute resolution: ours vs downloading raw per-minute series`);
  console.log(`machine: ${cpu} (${os.cpus().length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB), ${os.platform()} ${os.release()}`);
  console.log(`node ${process.version}; ${version}`);
  console.log(
    `timing: wall time of the whole report (queries, parsing, inputs, analysis), the median of ${runs} run${runs === 1 ? "" : "s"} per side, ` +
      `the sides taking turns; KB = 10^3 bytes of response bodies as read (decompressed); wire KB = bytes the server sent (gzip, headers), from a separate counting run\n`,
  );

  const t0 = performance.now();
  process.stdout.write("starting Prometheus with the history ...");
  const facts = promHistory().facts;
  let server: RunningServer | undefined;
  let relay: WireCounter | undefined;
  const rows: Row[] = [];
  let failed = false;
  try {
    server = await startServer("prometheus");
    relay = await startWireCounter(server.url);
    process.stdout.write(` ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${facts.seriesCount} series, ${facts.sampleCount.toLocaleString("en-US")} samples)\n\n`);
    for (const report of buildReports(facts, server.url)) {
      try {
        // Counting run (also the warm-up): through the relay, for wire bytes and the answers.
        const counted = {} as Record<SideName, { wireBytes: number; traffic: Traffic; outcome: Awaited<ReturnType<Report["ours"]>> }>;
        for (const side of ["ours", "naive"] as const) {
          const traffic = newTraffic();
          const before = relay.received();
          const outcome = await report[side](new PrometheusClient({ url: relay.url, fetch: countingFetch(traffic) }));
          counted[side] = { wireBytes: relay.received() - before, traffic, outcome };
        }
        const { problems, checked, shown } = compareOutcomes(counted.ours.outcome, counted.naive.outcome);
        console.log(`${report.name}`);
        console.log(`  naive downloads: ${report.naiveSelectors.join(", ")}`);
        console.log(`  ${shown.join("; ")}`);
        if (problems.length === 0) console.log(`  agree: ${checked}`);
        else {
          failed = true;
          console.log(`  DISAGREE (${problems.length}; compared ${checked}):`);
          for (const p of problems.slice(0, 20)) console.log(`    ${p}`);
        }

        const times: Record<SideName, Run[]> = { ours: [], naive: [] };
        for (let run = 0; run < runs; run++) {
          const order: SideName[] = run % 2 === 0 ? ["ours", "naive"] : ["naive", "ours"];
          for (const side of order) times[side].push(await timed(report, side, server.url));
        }
        const summary = (side: SideName): SideSummary => {
          const rs = times[side];
          const c = counted[side];
          const odd = rs.find((r) => r.traffic.requests !== c.traffic.requests || r.traffic.bodyBytes !== c.traffic.bodyBytes);
          if (odd) console.log(`  note: ${side}: a timed run made ${odd.traffic.requests} requests for ${odd.traffic.bodyBytes} bytes, the counting run ${c.traffic.requests} for ${c.traffic.bodyBytes}`);
          return { ms: median(rs.map((r) => r.ms)), requests: c.traffic.requests, bodyBytes: c.traffic.bodyBytes, wireBytes: c.wireBytes };
        };
        const row = { report: report.name, ours: summary("ours"), naive: summary("naive") };
        const fmt = (side: SideName): string => times[side].map((r) => r.ms.toFixed(0)).join(" ");
        console.log(`  ms per run: ours ${fmt("ours")}; naive ${fmt("naive")}\n`);
        rows.push(row);
      } catch (err) {
        failed = true;
        console.error(`bench: ${report.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      }
    }
  } finally {
    await relay?.close();
    await server?.stop();
  }
  if (rows.length > 0) printTable(rows);
  if (failed) {
    console.error("\nbench: the metrics bench failed (a disagreement or a crash; see above)");
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
