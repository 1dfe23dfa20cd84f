/**
 * The CLI as scripts and people use it: the built dist/cli.js in a child process, with real
 * stdin, stdout, stderr and exit codes. `npm test` builds before it runs the tests.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { before, test } from "node:test";

const cli = path.resolve(__dirname, "../../dist/cli.js");

function run(args: readonly string[], stdin?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input: stdin ?? "", encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A usage mistake: exit 2, nothing on stdout, exactly one line on stderr that matches. */
function assertUsageError(r: ReturnType<typeof run>, message: RegExp): void {
  assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, `one line on stderr, got: ${r.stderr}`);
  assert.match(r.stderr, message);
}

before(() => {
  assert.ok(existsSync(cli), `${cli} is missing: run 'npm run build' (npm test does)`);
});

test("ab prints the readable table of the README example", () => {
  const r = run(["ab", "--counts", "Original Page=378/3662,Test it out=462/3568"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  const baseline = lines.find((l) => l.startsWith("Original Page"));
  const variant = lines.find((l) => l.startsWith("Test it out"));
  assert.match(baseline ?? "", /3,662\s+378\s+10\.3% ±1\.0%\s+baseline/);
  assert.match(variant ?? "", /3,568\s+462\s+12\.9% ±1\.1%\s+\+25\.4%\s+\+2\.63 pp\s+0\.00049\s+100\.0%\s+winner/);
  assert.match(r.stdout, /Verdict: Test it out wins\./);
});

test("ab --json prints the ab document", () => {
  const r = run(["ab", "--counts", "A=378/3662,B=462/3568", "--json", "--mde", "0.02"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.kind, "ab");
  assert.equal(doc.comparisons[0].verdict, "winner");
  assert.equal(doc.power.status, "ok");
});

test("ab refuses malformed counts and impossible arms", () => {
  assertUsageError(run(["ab", "--counts", "A=378/3662,B=462"]), /arm 2 'B=462' is not name=conversions\/units/);
  assertUsageError(run(["ab", "--counts", "A=10/5,B=1/5"]), /'arms\[0\]\.successes' must be a whole number from 0 to trials/);
  assertUsageError(run(["ab"]), /name the experiment \(prodinsights ab checkout --config prodinsights.yaml\), or give --counts .* or --logs GLOB/);
  assertUsageError(run(["ab", "--counts", "A=1/5,B=1/5", "--logs", "x.jsonl"]), /give either --counts .* or --logs GLOB, not both/);
  assertUsageError(run(["ab", "--counts", "A=1/5,B=1/5", "--correction", "bonferroni"]), /--correction must be one of none, holm, bh/);
  assertUsageError(run(["ab", "--counts", "A=1/5,B=1/5", "--bogus"]), /Unknown option '--bogus'/);
});

test("sample-size matches power.prop.test, rounded up", () => {
  const r = run(["sample-size", "--baseline", "0.10", "--mde", "0.01"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^14,751 units per arm \(29,502 in all\)/);
  const j = JSON.parse(run(["sample-size", "--baseline", "0.10", "--mde", "0.10", "--relative", "--json"]).stdout);
  assert.equal(j.perArm, 14751);
  assert.ok(Math.abs(j.n - 14750.790469045) < 1e-6);
});

test("sample-size explains a missing or impossible effect", () => {
  assertUsageError(run(["sample-size", "--baseline", "0.10"]), /--mde is required/);
  assertUsageError(run(["sample-size", "--baseline", "0.95", "--mde", "0.1"]), /gives 1\.05, which is not a rate/);
  assertUsageError(run(["sample-size", "--baseline", "ten", "--mde", "0.1"]), /--baseline must be a number, got 'ten'/);
});

test("stats writes exactly the contract's fields", () => {
  const r = run(["stats", "welch"], JSON.stringify({ x: [5.1, 4.9, 5.6, 5.8], y: [6.2, 6.4, 5.9, 6.8] }));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out).sort(), ["ci", "df", "estimate", "pValue", "statistic"]);
  assert.deepEqual(Object.keys(JSON.parse(run(["stats", "ks"], '{"x":[1,2,3],"y":[4,5,6,7]}').stdout)).sort(), ["pValue", "statistic"]);
  assert.deepEqual(JSON.parse(run(["stats", "power"], '{"kind":"means","delta":1,"sd":1}').stdout).n.toFixed(4), "16.7148");
});

test("stats computes the drift measures", () => {
  assert.deepEqual(JSON.parse(run(["stats", "psi"], '{"expected":[50,50],"actual":[40,60]}').stdout).value.toFixed(8), "0.04054651");
  assert.deepEqual(Object.keys(JSON.parse(run(["stats", "wasserstein"], '{"x":[0,1,3],"y":[5,6,8]}').stdout)).sort(), ["normed", "value"]);
  assert.equal(JSON.parse(run(["stats", "jsdistance"], '{"p":[1,0],"q":[0,1]}').stdout).value.toFixed(12), Math.sqrt(Math.LN2).toFixed(12));
  assertUsageError(run(["stats", "wasserstein"], '{"x":[2,2,2],"y":[1,2,3]}'), /wassersteinDistance: 'x' is constant/);
});

test("stats names the bad field, with exit code 2", () => {
  assertUsageError(run(["stats", "welch"], '{"x":[1,2,null],"y":[1,2,3]}'), /field 'x\[2\]' must be a number, got null/);
  assertUsageError(run(["stats", "welch"], '{"x":[1,2,3]}'), /missing field 'y'/);
  assertUsageError(run(["stats", "proportions"], '{"successes":[1,2,3],"trials":[10,10]}'), /field 'successes' must have 2 numbers/);
  assertUsageError(run(["stats", "proportions"], '{"successes":[11,2],"trials":[10,10]}'), /'successes\[0\]' must be a whole number from 0 to 10/);
  assertUsageError(run(["stats", "power"], '{"kind":"odds"}'), /field 'kind' must be "proportions" or "means"/);
  assertUsageError(run(["stats", "welch"], '{"x":[1,1,1],"y":[1,1,1]}'), /essentially constant/);
  assertUsageError(run(["stats", "welch"], "{not json"), /stdin is not valid JSON/);
  assertUsageError(run(["stats", "welch"], "[1,2]"), /must be one JSON object, got an array/);
  assertUsageError(run(["stats", "welch"], ""), /reads one JSON object on stdin/);
  assertUsageError(run(["stats", "anova"], "{}"), /unknown test 'anova'/);
  assertUsageError(run(["stats"], "{}"), /name a test/);
});

test("every command has --help with an example", () => {
  for (const command of ["ab", "sample-size", "stats"]) {
    const r = run([command, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Usage: prodinsights ${command}`));
    assert.match(r.stdout, /Examples:\n {2}(echo .*\| )?prodinsights /);
  }
  const top = run(["--help"]);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /ab\s+Did my experiment win\?/);
  assert.equal(run([]).code, 2, "no command is a usage mistake");
  assertUsageError(run(["frobnicate"]), /unknown command 'frobnicate'/);
});
