/**
 * `jumps MODEL --config …` with releases from the rollout provider's history: a real Prometheus
 * holding the known history (test/support/promHistory.ts: v2 released at START + 5 d with an
 * error-rate jump, v3 at START + 10 d without one) and a real Unleash whose flag went through the
 * same releases. Unleash stamps its events with the present, so after each step of the rollout its
 * new events are dated back to the history's times in Unleash's own database (no API can date an
 * event); everything else is the provider's and the CLI's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { UnleashProvider } from "../../src/rollout/unleash";
import { runBuiltCli } from "../support/builtCli";
import { promHistory } from "../support/promHistory";
import { missingBinaries, startServer, type RunningServer } from "../support/servers";
import { type RunningUnleash, unleashOrSkip } from "../support/unleash";

const HOUR = 3_600_000;
const facts = promHistory().facts;
const iso = (ms: number): string => new Date(ms).toISOString();
const RANGE = `${iso(facts.startMs)}..${iso(facts.endMs)}`;
const releasedAt = (version: string): number => facts.releases.find((r) => r.version === version)!.atMs;

describe("jumps with releases from Unleash's event log", async () => {
  const { skip, failed, start } = await unleashOrSkip(missingBinaries("prometheus") ?? "");
  if (failed) return;
  let unleash: RunningUnleash | undefined;
  let prometheus: RunningServer | undefined;
  let dir: string;
  let config: string;
  const env = (token: string): NodeJS.ProcessEnv => ({ ...process.env, UNLEASH_ADMIN_TOKEN: token });

  before(async () => {
    if (skip) return;
    [unleash, prometheus] = await Promise.all([start(), startServer("prometheus")]);
    dir = mkdtempSync(path.join(tmpdir(), "prodinsights-jumps-unleash-"));
    config = path.join(dir, "prodinsights.yaml");
    writeFileSync(config, ["backends:", `  local: {url: '${prometheus.url}'}`, "unleash:", `  url: '${unleash.url}'`, "models:", "  churn: {rollout: unleash, flag: model-churn}", ""].join("\n"));

    const provider = new UnleashProvider({ url: unleash.url, token: unleash.adminToken, project: "default", environment: "production", flags: () => ({ flag: "model-churn", stickiness: "userId" }) });
    const sql = unleash.sql;
    let seen = Number(sql("SELECT coalesce(max(id), 0) FROM events"));
    /** Dates the events since the last call at `t`. */
    const datedAt = (t: number): void => {
      sql(`UPDATE events SET created_at = to_timestamp(${t / 1000}) WHERE id > ${seen}`);
      seen = Number(sql("SELECT max(id) FROM events"));
    };
    await provider.init("churn", "v1");
    datedAt(facts.startMs - 24 * HOUR);
    await provider.setWeight("churn", "v2", 10);
    datedAt(releasedAt("v2"));
    await provider.promote("churn", "v2");
    datedAt(releasedAt("v2") + HOUR);
    await provider.setWeight("churn", "v3", 10);
    datedAt(releasedAt("v3"));
    await provider.promote("churn", "v3");
    datedAt(releasedAt("v3") + HOUR);
  });
  after(async () => {
    await Promise.all([unleash?.stop(), prometheus?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the canaries' starts are the releases: v2 made errors jump, v3 did not, as with the traffic-weight series", { skip }, async () => {
    const r = await runBuiltCli(["jumps", "churn", "--config", config, "--range", RANGE, "--now", iso(facts.endMs), "--json"], env(unleash!.adminToken));
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.source.releasesFrom, "unleash");
    assert.deepEqual(doc.source.releases, [
      { t: releasedAt("v2"), version: "v2", model: "churn" },
      { t: releasedAt("v3"), version: "v3", model: "churn" },
    ]);
    const jumps = Object.fromEntries(doc.jumps.map((j: { version: string; significant?: boolean; direction?: string }) => [j.version, [j.significant, j.direction]]));
    assert.deepEqual(jumps, { v2: [true, "worse"], v3: [false, "none"] });
    // No query for model_traffic_weight: the releases did not come from the metrics.
    assert.ok(doc.source.queries.every((q: { query: string }) => !q.query.includes("model_traffic_weight")), JSON.stringify(doc.source.queries));

    const text = await runBuiltCli(["jumps", "churn", "--config", config, "--range", RANGE, "--now", iso(facts.endMs)], env(unleash!.adminToken));
    assert.match(text.stdout, /releases \(from unleash's history\): v2, v3/);
  });

  test("a range after v2's canary began: only v3 is released in it", { skip }, async () => {
    const r = await runBuiltCli(["jumps", "churn", "--config", config, "--range", `${iso(releasedAt("v2") + 2 * HOUR)}..${iso(facts.endMs)}`, "--now", iso(facts.endMs), "--json"], env(unleash!.adminToken));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).source.releases.map((e: { version: string }) => e.version), ["v3"]);
  });

  test("a wrong token: auto falls back to the metrics and says why; --releases rollout is an error", { skip }, async () => {
    const auto = await runBuiltCli(["jumps", "churn", "--config", config, "--range", RANGE, "--now", iso(facts.endMs), "--json"], env("wrong-token"));
    assert.equal(auto.status, 0, auto.stderr);
    assert.match(auto.stderr, /^unleash's history could not be read: .*; releases are read from the metrics instead\n$/);
    const doc = JSON.parse(auto.stdout);
    assert.equal(doc.source.releasesFrom, "metrics");
    assert.match(doc.source.releasesNote, /could not be read/);
    assert.deepEqual(doc.source.releases.map((e: { version: string }) => e.version), ["v2", "v3"]);

    const strict = await runBuiltCli(["jumps", "churn", "--config", config, "--range", RANGE, "--now", iso(facts.endMs), "--releases", "rollout"], env("wrong-token"));
    assert.equal(strict.status, 2);
    assert.match(strict.stderr, /^prodinsights jumps: unleash's history could not be read: .*\n$/);

    const metrics = await runBuiltCli(["jumps", "churn", "--config", config, "--range", RANGE, "--now", iso(facts.endMs), "--releases", "metrics", "--json"], env("wrong-token"));
    assert.equal(metrics.status, 0, metrics.stderr);
    assert.equal(metrics.stderr, "");
    assert.equal(JSON.parse(metrics.stdout).source.releasesFrom, "metrics");
  });
});
