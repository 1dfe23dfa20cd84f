// A real Unleash OSS for the rollout provider's tests: unleash-server 7.5.1 from npm (8.x needs
// Node 22), installed once into a cache folder, on a private PostgreSQL cluster (Debian's
// `postgresql`, never its main cluster), both on 127.0.0.1. See shared/recipes/backends.
//   node scripts/unleash.mjs install   installs unleash-server (about a minute the first time)
// startUnleash() (for tests) makes a fresh cluster and database, starts Unleash, and returns its URL,
// an admin token, a client token for SDKs, and stop(). Only the processes it started are stopped.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const UNLEASH_VERSION = "7.5.1";
export const ADMIN_TOKEN = "*:*.prodinsights-test-admin-token";
/** For applications' SDKs (the client API), in the production environment. */
export const CLIENT_TOKEN = "*:production.prodinsights-test-client-token";

export const defaultCacheDir = () => path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "prodinsights", "unleash");
const serverPackage = (cache) => path.join(cache, "node_modules", "unleash-server", "package.json");

/** PostgreSQL's binaries (the newest installed), or undefined. */
export function postgresBin() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(a) - Number(b));
  return versions.length > 0 ? path.join(root, versions.at(-1), "bin") : undefined;
}

/** What is missing to run Unleash here, as install hints ("" when nothing is). */
export function missingUnleashParts(cache = defaultCacheDir()) {
  return [
    !postgresBin() && "PostgreSQL (apt-get install postgresql)",
    !existsSync(serverPackage(cache)) && `unleash-server ${UNLEASH_VERSION} (node scripts/unleash.mjs install)`,
  ]
    .filter(Boolean)
    .join(" and ");
}

export function installUnleash(cache = defaultCacheDir(), log = console.log) {
  if (existsSync(serverPackage(cache))) return;
  mkdirSync(cache, { recursive: true });
  if (!existsSync(path.join(cache, "package.json"))) writeFileSync(path.join(cache, "package.json"), '{ "private": true }\n');
  log(`Installing unleash-server ${UNLEASH_VERSION} into ${cache} (once)…`);
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `unleash-server@${UNLEASH_VERSION}`], { cwd: cache, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`npm install unleash-server@${UNLEASH_VERSION} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const isRoot = () => process.getuid?.() === 0;
/** initdb and postgres refuse to run as root: run them as the `postgres` user the package creates. */
const asPostgres = (bin, args) => (isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args]);

function runChecked(command, args, what) {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${what} failed: ${(r.stderr || r.stdout || r.error?.message || "").trim()}`);
  return r.stdout;
}

/** A private PostgreSQL cluster in `dir` on `port`, with user and database `unleash`; returns stop(). */
export function startPostgres(dir, port) {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  mkdirSync(dir, { recursive: true });
  if (isRoot()) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  runChecked(...asPostgres(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]), "initdb");
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  runChecked(...asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "pg.log"), "-w", "-o", options, "start"]), "pg_ctl start");
  runChecked(path.join(bin, "psql"), ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE USER unleash PASSWORD 'unleash'", "-c", "CREATE DATABASE unleash OWNER unleash"], "creating the unleash database");
  return {
    stop() {
      spawnSync(...asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]), { stdio: "ignore" });
    },
  };
}

function postgresIds() {
  const line = runChecked("getent", ["passwd", "postgres"], "finding the postgres user").split(":");
  return { uid: Number(line[2]), gid: Number(line[3]) };
}

/** The script the Unleash process runs: unleash.start with the tokens, on the private database. */
const START = `'use strict';
// Resolved from the cache folder: the package has "exports" only, so its folder cannot be required.
const unleash = require('module').createRequire(process.env.UNLEASH_CACHE + '/package.json')('unleash-server');
const port = Number(process.env.UNLEASH_PORT);
unleash.start({
  db: { host: '127.0.0.1', port: Number(process.env.PGPORT), user: 'unleash', password: 'unleash', database: 'unleash', ssl: false },
  server: { host: '127.0.0.1', port, unleashUrl: 'http://127.0.0.1:' + port },
  authentication: {
    initApiTokens: [
      { secret: process.env.ADMIN_TOKEN, type: 'admin', environment: '*', projects: ['*'], tokenName: 'admin' },
      { secret: process.env.CLIENT_TOKEN, type: 'backend', environment: 'production', projects: ['*'], tokenName: 'client' },
    ],
  },
  versionCheck: { enable: false },
  telemetry: false,
  logLevel: 'warn',
}).then(() => console.log('{"ready":true}')).catch((e) => { console.error('START FAILED', e); process.exit(1); });
`;

/**
 * A fresh PostgreSQL cluster and Unleash on it: { url, adminToken, stop() }. About 10 s, most of it
 * Unleash's migrations.
 */
export async function startUnleash({ cache = defaultCacheDir(), dir = mkdtempSync(path.join(os.tmpdir(), "prodinsights-unleash-")) } = {}) {
  const missing = missingUnleashParts(cache);
  if (missing) throw new Error(`Unleash cannot run: install ${missing}`);
  const [pgPort, port] = [await freePort(), await freePort()];
  // mkdtemp's folder is the caller's alone; the postgres user must be able to pass through it.
  if (isRoot()) chmodSync(dir, 0o711);
  let pg;
  try {
    pg = startPostgres(path.join(dir, "pg"), pgPort);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const script = path.join(dir, "start.cjs");
  writeFileSync(script, START);
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, UNLEASH_CACHE: cache, UNLEASH_PORT: String(port), PGPORT: String(pgPort), ADMIN_TOKEN, CLIENT_TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 120_000;
    while (!output.includes('"ready":true')) {
      if (child.exitCode !== null) throw new Error(`Unleash exited (${child.exitCode}): ${output.trim().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`Unleash did not start in 120 s: ${output.trim().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const url = `http://127.0.0.1:${port}`;
    const res = await fetch(`${url}/health`);
    if (!res.ok) throw new Error(`Unleash is not healthy: ${res.status}`);
    // For tests that set up what no API can, such as events dated in the past: one statement, its rows as text.
    const sql = (statement) => runChecked(path.join(postgresBin(), "psql"), ["-h", "127.0.0.1", "-p", String(pgPort), "-U", "postgres", "-d", "unleash", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement], "psql").trim();
    return { url, adminToken: ADMIN_TOKEN, clientToken: CLIENT_TOKEN, pid: child.pid, stop, log: () => output, sql };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Unleash's Node SDK (unleash-client, installed with the server), for tests that play an application. */
export function unleashClient(cache = defaultCacheDir()) {
  return createRequire(path.join(cache, "package.json"))("unleash-client");
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname) && process.argv[2] === "install") {
  installUnleash();
  const missing = missingUnleashParts();
  if (missing) console.log(`Also needed: ${missing}`);
}
