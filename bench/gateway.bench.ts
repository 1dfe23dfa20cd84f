/**
 * `npm run bench` (fourth part; `npm run bench -- gateway` alone) — the gateway's added latency and
 * throughput, against nginx as a plain reverse proxy in front of the same model server, in the
 * same run.
 *
 * 1. The model server is nginx answering `{"prediction":0.5}` with `return 200` (one worker): far
 *    faster than either proxy, so it is never the bottleneck, and the same for every path.
 * 2. Four paths to it: direct (the baseline); nginx as a reverse proxy (one worker, `proxy_pass`
 *    with upstream keep-alive, no access log); our gateway as `prodinsights gateway` runs it
 *    (bundled from src/ into a temp dir, prediction log on with the default sample_rate 1); the
 *    same gateway with a 100% shadow to v2 turned on through the admin API.
 * 3. After a 2 s unpaced warm-up of each path (so that the gateway's hot code is optimized), wrk
 *    holds each fixed load (BENCH_GATEWAY_LOADS req/s) on each path in turn, after a 1 s warm-up,
 *    through bench/gateway/load.lua, which paces the sends to a schedule (wrk2's method; plain
 *    wrk has no rate option and wrk2 is not in Debian). The loads and paths take turns,
 *    BENCH_GATEWAY_RUNS rounds, so that a slow spell of a shared machine hits all; the table shows
 *    each path's median p50 and p99, and the added latency: a path's median minus direct's at the
 *    same load. Then wrk without pacing measures each path's throughput.
 * 4. The proxy's CPU time per request is read from /proc around each run (nginx's worker; the
 *    gateway's process, all threads).
 *
 * Target: the gateway's added p99 ≤ 1.5 × nginx's added p99 at 2,000 req/s. Also printed: what
 * turning the shadow on costs.
 * Exit code 1 for a missing nginx or wrk, a wrong answer, a failed request or a crash; a missed
 * target is reported as "misses" only.
 *
 * Environment: BENCH_GATEWAY_LOADS (req/s, comma-separated, default 500,1000,2000),
 * BENCH_GATEWAY_RUNS (rounds, default 3), BENCH_GATEWAY_SECONDS (each measured run, default 3),
 * BENCH_GATEWAY_CONNECTIONS (wrk's connections, default 64), BENCH_NGINX, BENCH_WRK (binaries),
 * BENCH_GATEWAY_PIN=1 (the proxy under test alone on CPU 1, wrk and the model server on CPU 0),
 * BENCH_GATEWAY_CPU_PROF=1 (an unminified gateway, its .cpuprofile in bench/.data/profiles/).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { cpuSeconds, findBinary, startGateway, startNginx, type Child, type GatewayProcess, type Nginx } from "./gateway/servers";
import { errorCount, ratePerSecond, runWrk, type WrkResult } from "./gateway/wrk";

const RATIO_TARGET = 1.5;
const TARGET_LOAD = 2000;
const WARM_UP_SECONDS = 1;
/** Once at the start, each path unpaced, so that the gateway's hot code is optimized before any load. */
const FIRST_WARM_UP_SECONDS = 2;
const THROUGHPUT_SECONDS = 2;
const PREDICTION = `{"prediction":0.5}`;
const BODY = JSON.stringify({ features: { tenure_months: 14, monthly_spend: 42.5, plan: "pro", region: "eu-west", seats: 5, support_tickets: 2, logins_30d: 17, discount: 0.1, autopay: true, nps: 8 } });
const UNIT = "customer-4711";

const BENCH_DIR = typeof __dirname === "string" ? __dirname : path.resolve("bench");
const ROOT = path.resolve(BENCH_DIR, "..");
const DATA_DIR = path.join(BENCH_DIR, ".data");

type PathName = "direct" | "nginx" | "gateway" | "gateway + shadow";
const PATHS: readonly PathName[] = ["direct", "nginx", "gateway", "gateway + shadow"];

interface Target {
  readonly name: PathName;
  readonly url: string;
  /** The process whose CPU time is the proxy's (none for direct). */
  readonly cpuPid: () => number | undefined;
  readonly before?: () => Promise<void>;
  readonly after?: () => Promise<void>;
}

interface Measured {
  readonly wrk: WrkResult;
  /** Proxy CPU µs per request, if /proc could tell. */
  readonly cpuUsPerRequest: number | undefined;
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const signed = (n: number): string => `${n >= 0 ? "+" : "−"}${fmt(Math.abs(n))}`;
const pad = (s: string, w: number): string => s.padEnd(w);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const medianOrUndefined = (xs: readonly (number | undefined)[]): number | undefined => (xs.every((x) => x !== undefined) && xs.length > 0 ? median(xs as number[]) : undefined);

function numberEnv(name: string, fallback: string, ok: (n: number) => boolean, what: string): number[] {
  const env = process.env[name] ?? fallback;
  const ns = env.split(",").map((s) => Number(s.trim()));
  if (!ns.every(ok)) {
    console.error(`bench: ${name} must be ${what}; got '${env}'`);
    process.exit(1);
  }
  return ns;
}
const wholeAtLeast = (min: number) => (n: number) => Number.isInteger(n) && n >= min;

/**
 * Bundles the CLI into `dir` as scripts/build.mjs does, so the gateway runs as `node dist/cli.js`
 * would; unminified for a CPU profile, so that it names functions.
 */
function bundleCli(dir: string, minify: boolean): string {
  const outfile = path.join(dir, "cli.js");
  esbuild.buildSync({ absWorkingDir: ROOT, entryPoints: ["src/cli/main.ts"], outfile, bundle: true, minify, platform: "node", format: "cjs", target: "node20", legalComments: "none", logLevel: "warning" });
  return outfile;
}

interface Load {
  readonly wrk: string;
  readonly connections: number;
  /** wrk's CPUs when the bench pins (BENCH_GATEWAY_PIN). */
  readonly cpus?: string;
}

const wrkRun = (target: Target, load: Load, rate: number, seconds: number) =>
  runWrk({ wrk: load.wrk, url: target.url, seconds, connections: load.connections, rate, body: BODY, unit: UNIT, ...(load.cpus !== undefined ? { cpus: load.cpus } : {}) });

async function measure(target: Target, load: Load, rate: number, seconds: number): Promise<Measured> {
  const pid = target.cpuPid();
  const cpu0 = cpuSeconds(pid);
  const r = await wrkRun(target, load, rate, seconds);
  const cpu1 = cpuSeconds(pid);
  return { wrk: r, cpuUsPerRequest: cpu0 !== undefined && cpu1 !== undefined && r.requests > 0 ? ((cpu1 - cpu0) * 1e6) / r.requests : undefined };
}

/** Each path answers the model server's prediction, through the proxies too. */
async function checkAnswers(targets: readonly Target[]): Promise<string[]> {
  const problems: string[] = [];
  for (const t of targets) {
    const res = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json", "x-unit-id": UNIT }, body: BODY });
    const text = await res.text();
    if (res.status !== 200 || text.trim() !== PREDICTION) problems.push(`${t.name}: ${res.status} ${text.slice(0, 200)}`);
    if (t.name.startsWith("gateway") && res.headers.get("x-model-version") !== "v1") problems.push(`${t.name}: x-model-version ${res.headers.get("x-model-version")}, expected v1`);
  }
  return problems;
}

async function admin(gw: GatewayProcess, method: string, p: string, body?: unknown): Promise<void> {
  const res = await fetch(`${gw.adminUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${gw.token}`, "x-actor": "bench", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status !== 200) throw new Error(`admin ${method} ${p}: ${res.status} ${await res.text()}`);
}

/** The gateway's shadow comparisons by `agree` label, from /metrics. */
async function shadowComparisons(gw: GatewayProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^model_shadow_comparisons_total\{[^}]*agree="(\w+)"[^}]*\} (\S+)/gm)) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  return out;
}

/** Records and bytes of the gateway's prediction logs (all files, rotated ones too). */
function logVolume(dir: string): { records: number; bytes: number } {
  let records = 0;
  let bytes = 0;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith("predictions") || !f.endsWith(".jsonl")) continue;
    const buf = readFileSync(path.join(dir, f));
    bytes += buf.length;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) records++;
  }
  return { records, bytes };
}

function versionOf(bin: string, args: string[], pattern: RegExp): string {
  const r = spawnSync(bin, args, { encoding: "utf8" });
  return pattern.exec(`${r.stdout ?? ""}${r.stderr ?? ""}`)?.[1] ?? "?";
}

interface Cell {
  p50: number;
  p99: number;
  rate: number;
  cpu: number | undefined;
  late: number;
  runs: Measured[];
}

function summarize(runs: Measured[]): Cell {
  return {
    p50: median(runs.map((r) => r.wrk.p50Us)),
    p99: median(runs.map((r) => r.wrk.p99Us)),
    rate: median(runs.map((r) => ratePerSecond(r.wrk))),
    cpu: medianOrUndefined(runs.map((r) => r.cpuUsPerRequest)),
    late: runs.reduce((n, r) => n + r.wrk.late, 0) / Math.max(1, runs.reduce((n, r) => n + r.wrk.paced, 0)),
    runs,
  };
}

function printLatencyTable(loads: readonly number[], cells: Map<string, Cell>): void {
  const head = [
    ["load (req/s)", 14],
    ["path", 18],
    ["done (req/s)", 14],
    ["p50 (µs)", 10],
    ["p99 (µs)", 10],
    ["added p50 (µs)", 16],
    ["added p99 (µs)", 16],
    ["÷ nginx added p99", 19],
    [`target ≤ ${RATIO_TARGET}`, 14],
    ["proxy CPU (µs/req)", 20],
    ["late sends", 0],
  ] as const;
  console.log(head.map(([h, w]) => pad(h, w)).join(""));
  for (const load of loads) {
    const direct = cells.get(`${load}|direct`)!;
    const nginxAdded = cells.get(`${load}|nginx`)!.p99 - direct.p99;
    for (const name of PATHS) {
      const c = cells.get(`${load}|${name}`)!;
      const isGateway = name.startsWith("gateway");
      const added99 = c.p99 - direct.p99;
      const ratio = isGateway && nginxAdded > 0 ? added99 / nginxAdded : undefined;
      const cells_ = [
        fmt(load),
        name,
        fmt(c.rate),
        fmt(c.p50),
        fmt(c.p99),
        name === "direct" ? "" : signed(c.p50 - direct.p50),
        name === "direct" ? "" : signed(added99),
        ratio !== undefined ? ratio.toFixed(2) : isGateway ? "n/a" : "",
        name === "gateway" && load === TARGET_LOAD ? (ratio !== undefined && ratio <= RATIO_TARGET ? "meets" : "misses") : "",
        c.cpu !== undefined && name !== "direct" ? c.cpu.toFixed(0) : "",
        `${(c.late * 100).toFixed(1)}%`,
      ];
      console.log(cells_.map((s, i) => pad(s, head[i]![1])).join(""));
    }
  }
}

function printThroughputTable(cells: Map<PathName, Cell>): void {
  const head = [
    ["path", 18],
    ["max req/s", 12],
    ["runs (req/s)", 26],
    ["p50 (µs)", 10],
    ["p99 (µs)", 10],
    ["proxy CPU (µs/req)", 0],
  ] as const;
  console.log(head.map(([h, w]) => pad(h, w)).join(""));
  for (const name of PATHS) {
    const c = cells.get(name)!;
    const row = [name, fmt(c.rate), c.runs.map((r) => fmt(ratePerSecond(r.wrk))).join(", "), fmt(c.p50), fmt(c.p99), c.cpu !== undefined && name !== "direct" ? c.cpu.toFixed(0) : ""];
    console.log(row.map((s, i) => pad(s, head[i]![1])).join(""));
  }
}

async function main(): Promise<void> {
  const nginxBin = findBinary("nginx", [process.env.BENCH_NGINX ?? "", "/usr/sbin/nginx"]);
  const wrkBin = findBinary("wrk", [process.env.BENCH_WRK ?? ""]);
  if (!nginxBin || !wrkBin) {
    console.error(`bench: the gateway bench needs ${[!nginxBin && "nginx", !wrkBin && "wrk"].filter(Boolean).join(" and ")}: apt-get install nginx-light wrk (or set BENCH_NGINX / BENCH_WRK)`);
    process.exit(1);
  }
  const loads = numberEnv("BENCH_GATEWAY_LOADS", `500,1000,${TARGET_LOAD}`, wholeAtLeast(1), "whole numbers >= 1 (req/s), comma-separated");
  const [runs] = numberEnv("BENCH_GATEWAY_RUNS", "3", wholeAtLeast(1), "a whole number >= 1") as [number];
  const [seconds] = numberEnv("BENCH_GATEWAY_SECONDS", "3", wholeAtLeast(1), "a whole number of seconds >= 1") as [number];
  const [connections] = numberEnv("BENCH_GATEWAY_CONNECTIONS", "64", wholeAtLeast(1), "a whole number >= 1") as [number];
  // Pinned: the proxy under test alone on CPU 1, wrk and the model server on CPU 0.
  const pin = process.env.BENCH_GATEWAY_PIN === "1" && os.cpus().length >= 2;
  const proxyCpus = pin ? "1" : undefined;
  const loadGen: Load = { wrk: wrkBin, connections, ...(pin ? { cpus: "0" } : {}) };

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`\ngateway added latency and throughput: direct, nginx and our gateway in front of the same model server, wrk at fixed loads`);
  console.log(`machine: ${cpu} (${os.cpus().length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB), ${os.platform()} ${os.release()}`);
  console.log(`node ${process.version}; nginx ${versionOf(nginxBin, ["-v"], /nginx\/(\S+)/)}; wrk ${versionOf(wrkBin, ["-v"], /wrk (\S+)/)}`);
  console.log(
    `method: POST of a ${BODY.length}-byte JSON body with x-unit-id, ${connections} keep-alive connections, one wrk thread paced to a schedule; ` +
      `${WARM_UP_SECONDS} s warm-up then ${seconds} s measured per path and load, ${runs} round${runs === 1 ? "" : "s"} with the paths taking turns, medians shown; ` +
      `added = a path's median minus direct's at the same load`,
  );
  console.log(`${pin ? "pinned: the proxy on CPU 1, wrk and the model server on CPU 0" : "not pinned: wrk, the proxy and the model server share all CPUs"}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min) before the run\n`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), "prodinsights-gateway-bench-"));
  const children: Child[] = [];
  let failed = false;
  const fail = (msg: string): void => {
    console.error(`bench: ${msg}`);
    failed = true;
  };
  try {
    const cli = bundleCli(tmp, !process.env.BENCH_GATEWAY_CPU_PROF);
    const model = await startNginx(nginxBin, "model server (nginx)", path.join(tmp, "model"), `default_type application/json;\n    location / { return 200 '${PREDICTION}'; }`, "", pin ? "0" : undefined);
    children.push(model);
    const proxy: Nginx = await startNginx(
      nginxBin,
      "nginx reverse proxy",
      path.join(tmp, "proxy"),
      `location / {\n      proxy_pass http://model;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n    }`,
      `upstream model {\n    server 127.0.0.1:${model.port};\n    keepalive 64;\n    keepalive_requests 1000000;\n  }`,
      proxyCpus,
    );
    children.push(proxy);
    const profDir = path.join(DATA_DIR, "profiles");
    if (process.env.BENCH_GATEWAY_CPU_PROF) mkdirSync(profDir, { recursive: true });
    const gw = await startGateway(cli, path.join(tmp, "gateway"), model.url, process.env.BENCH_GATEWAY_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", profDir] : [], proxyCpus);
    children.push(gw);

    const gwPid = (): number | undefined => gw.proc.pid;
    const shadowOn = (): Promise<void> => admin(gw, "PUT", "/models/churn/shadow", { version: "v2", share: 100 });
    const shadowOff = (): Promise<void> => admin(gw, "DELETE", "/models/churn/shadow");
    const targets: Target[] = [
      { name: "direct", url: `${model.url}/v1/predict`, cpuPid: () => undefined },
      { name: "nginx", url: `${proxy.url}/v1/predict`, cpuPid: () => proxy.workerPid() },
      { name: "gateway", url: `${gw.url}/models/churn/predict`, cpuPid: gwPid },
      { name: "gateway + shadow", url: `${gw.url}/models/churn/predict`, cpuPid: gwPid, before: shadowOn, after: shadowOff },
    ];
    const problems = await checkAnswers(targets);
    if (problems.length > 0) throw new Error(`wrong answers:\n  ${problems.join("\n  ")}`);
    console.log(`model server ${model.url}, nginx ${proxy.url}, gateway ${gw.url} (logs in ${gw.logsDir}): all answer ${PREDICTION}`);

    const report = (label: string, m: Measured): void => {
      const errors = errorCount(m.wrk);
      const late = m.wrk.paced > 0 && m.wrk.late > 0 ? `, ${m.wrk.late} late sends` : "";
      console.log(
        `${label}: p50 ${fmt(m.wrk.p50Us)} µs, p99 ${fmt(m.wrk.p99Us)} µs, max ${fmt(m.wrk.maxUs)} µs, ${fmt(ratePerSecond(m.wrk))} req/s` +
          `${m.cpuUsPerRequest !== undefined ? `, proxy CPU ${m.cpuUsPerRequest.toFixed(0)} µs/req` : ""}${late}${errors > 0 ? `, ERRORS ${JSON.stringify(m.wrk.errors)}` : ""}`,
      );
      if (m.wrk.errors.status + m.wrk.errors.connect > 0) fail(`${label}: ${m.wrk.errors.status} non-2xx answers, ${m.wrk.errors.connect} connect errors`);
    };

    for (const t of targets) {
      await t.before?.();
      try {
        await wrkRun(t, loadGen, 0, FIRST_WARM_UP_SECONDS);
      } finally {
        await t.after?.();
      }
    }

    // Fixed loads: the loads, and within a load the rounds, and within a round the paths, in turn.
    const latency = new Map<string, Cell>();
    for (const load of loads) {
      const byPath = new Map<PathName, Measured[]>(PATHS.map((p) => [p, []]));
      for (let run = 1; run <= runs; run++) {
        for (const t of targets) {
          await t.before?.();
          try {
            await wrkRun(t, loadGen, load, WARM_UP_SECONDS);
            const m = await measure(t, loadGen, load, seconds);
            byPath.get(t.name)!.push(m);
            report(`${fmt(load)} req/s, ${pad(t.name, 16)} run ${run}/${runs}`, m);
          } finally {
            await t.after?.();
          }
        }
      }
      for (const [name, ms] of byPath) latency.set(`${load}|${name}`, summarize(ms));
    }

    // Throughput: no pacing, as fast as the connections go.
    const throughput = new Map<PathName, Measured[]>(PATHS.map((p) => [p, []]));
    for (let run = 1; run <= runs; run++) {
      for (const t of targets) {
        await t.before?.();
        try {
          const m = await measure(t, loadGen, 0, THROUGHPUT_SECONDS);
          throughput.get(t.name)!.push(m);
          report(`unpaced, ${pad(t.name, 16)} run ${run}/${runs}`, m);
        } finally {
          await t.after?.();
        }
      }
    }

    const shadow = await shadowComparisons(gw);
    const compared = Object.values(shadow).reduce((a, b) => a + b, 0);
    if (!(shadow["true"]! > 0) || compared !== shadow["true"]) fail(`shadow comparisons by agreement: ${JSON.stringify(shadow)}; expected all to agree`);
    const logs = logVolume(gw.logsDir);
    console.log(`gateway: ${fmt(compared)} shadow comparisons, all agreeing; prediction log (sample_rate 1, the default): ${fmt(logs.records)} records, ${(logs.bytes / 1e6).toFixed(0)} MB`);

    console.log(`\nfixed loads (done: requests answered per second; µs; added = minus direct's at the same load; late sends: sends over 1 ms behind schedule)`);
    printLatencyTable(loads, latency);

    const tp = new Map<PathName, Cell>([...throughput].map(([k, v]) => [k, summarize(v)]));
    console.log(`\nthroughput: unpaced, ${connections} connections, ${THROUGHPUT_SECONDS} s, median of ${runs}`);
    printThroughputTable(tp);

    console.log(`\ncost of turning the shadow on (PUT /models/churn/shadow {"version":"v2","share":100}: every request is also sent to v2 after its answer):`);
    for (const load of loads) {
      const off = latency.get(`${load}|gateway`)!;
      const on = latency.get(`${load}|gateway + shadow`)!;
      const cpuDelta = off.cpu !== undefined && on.cpu !== undefined ? `, gateway CPU ${signed(on.cpu - off.cpu)} µs/req (${off.cpu.toFixed(0)} → ${on.cpu.toFixed(0)})` : "";
      console.log(`  at ${fmt(load)} req/s: p50 ${signed(on.p50 - off.p50)} µs, p99 ${signed(on.p99 - off.p99)} µs${cpuDelta}`);
    }
    const tpOff = tp.get("gateway")!.rate;
    const tpOn = tp.get("gateway + shadow")!.rate;
    console.log(`  throughput: ${fmt(tpOff)} → ${fmt(tpOn)} req/s (${signed(((tpOn - tpOff) / tpOff) * 100)}%)`);

    const at = latency.get(`${TARGET_LOAD}|gateway`);
    if (at) {
      const direct = latency.get(`${TARGET_LOAD}|direct`)!;
      const nginxAdded = latency.get(`${TARGET_LOAD}|nginx`)!.p99 - direct.p99;
      const gwAdded = at.p99 - direct.p99;
      const ratio = nginxAdded > 0 ? gwAdded / nginxAdded : undefined;
      console.log(
        `\ntarget: gateway added p99 ≤ ${RATIO_TARGET} × nginx added p99 at ${fmt(TARGET_LOAD)} req/s: gateway ${signed(gwAdded)} µs, nginx ${signed(nginxAdded)} µs, ` +
          `ratio ${ratio !== undefined ? ratio.toFixed(2) : "n/a (nginx added nothing measurable)"}: ${ratio !== undefined && ratio <= RATIO_TARGET ? "meets" : "misses"}`,
      );
    } else console.log(`\ntarget: not measured (${fmt(TARGET_LOAD)} req/s is not among BENCH_GATEWAY_LOADS)`);
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min) after the run`);
  } catch (err) {
    fail((err as Error).message);
  } finally {
    for (const c of children.reverse()) await c.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failed) {
    console.error("\nbench: the gateway bench failed (see above)");
    process.exitCode = 1;
  }
}

void main();
