// Agreement with the references: test/fixtures/trend/mannkendall.json (base R cor.test, from
// scripts/fixtures/generate-trend.R) against mannKendall, and test/fixtures/trend/theilslopes.json
// (scipy 1.10 theilslopes, from scripts/fixtures/generate-trend.py) against theilSen. Every
// numeric leaf of `expected` must match ours to 1e-9 relative or 1e-12 absolute. Two more tests
// regenerate the files and check that the committed ones are reproduced byte for byte.
import { after, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mannKendall } from "../../../src/core/jumps/mannKendall";
import { theilSen } from "../../../src/core/jumps/theilSen";

const RELATIVE_TOLERANCE = 1e-9;
const ABSOLUTE_TOLERANCE = 1e-12;

const repoRoot = path.resolve(__dirname, "..", "..", "..");
const fixtureDir = path.join(repoRoot, "test", "fixtures", "trend");
/** Debian's interpreter: the fixtures were made with its python3-scipy (1.10.1). */
const PYTHON = process.env.PRODINSIGHTS_PYTHON ?? "/usr/bin/python3";

interface FixtureCase {
  name: string;
  input: Record<string, unknown>;
  expected: unknown;
}

const tally = { values: 0, within: 0, cases: 0 };

function withinTolerance(ours: number, reference: number): boolean {
  const diff = Math.abs(ours - reference);
  return diff <= RELATIVE_TOLERANCE * Math.abs(reference) || diff <= ABSOLUTE_TOLERANCE;
}

/** Compares each numeric leaf of the reference with the same path in ours; returns the leaf count. */
function compareLeaves(expected: unknown, ours: unknown, at: string, mismatches: string[]): number {
  if (typeof expected === "number") {
    if (typeof ours !== "number" || !withinTolerance(ours, expected)) {
      mismatches.push(`${at}: ours ${typeof ours === "number" ? ours.toPrecision(17) : String(ours)}, reference ${expected.toPrecision(17)}`);
    }
    return 1;
  }
  let leaves = 0;
  if (Array.isArray(expected)) {
    const list = Array.isArray(ours) ? (ours as unknown[]) : [];
    expected.forEach((item, i) => (leaves += compareLeaves(item, list[i], `${at}[${i}]`, mismatches)));
  } else if (expected !== null && typeof expected === "object") {
    const record = (ours ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(expected)) leaves += compareLeaves(value, record[key], `${at}.${key}`, mismatches);
  }
  return leaves;
}

function load(file: string): FixtureCase[] {
  const parsed: unknown = JSON.parse(readFileSync(path.join(fixtureDir, file), "utf8"));
  assert.ok(Array.isArray(parsed), `${file} must hold a JSON array of cases`);
  return parsed as FixtureCase[];
}

const runners: Record<string, (input: Record<string, unknown>) => unknown> = {
  "mannkendall.json": (input) => mannKendall(input.values as number[]),
  "theilslopes.json": (input) => theilSen(input.t as number[], input.y as number[], input.confidence as number),
};

for (const [file, run] of Object.entries(runners)) {
  for (const c of load(file)) {
    test(`${file}: ${c.name}`, () => {
      const mismatches: string[] = [];
      const leaves = compareLeaves(c.expected, run(c.input), "expected", mismatches);
      tally.cases += 1;
      tally.values += leaves;
      tally.within += leaves - mismatches.length;
      if (mismatches.length > 0) assert.fail(`${file}: ${c.name}: ${mismatches.length} of ${leaves} values outside 1e-9 relative / 1e-12 absolute\n  ${mismatches.join("\n  ")}`);
    });
  }
}

after(() => {
  console.log(`trend reference agreement: ${tally.within} of ${tally.values} values within tolerance across ${tally.cases} cases`);
});

/** Whether `command args` runs and exits 0; false when the program is missing or fails. */
function runs(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** Runs a generator into a temporary folder and compares its file with the committed one. */
function regenerate(t: TestContext, ok: boolean, missing: string, debianPackage: string, command: string, args: string[], file: string): void {
  if (!ok) {
    if (process.env.CI) assert.fail(`${missing} but CI is set: .ci/run must install the Debian package ${debianPackage} so that ${file} can be regenerated and checked`);
    t.skip(missing);
    return;
  }
  const outDir = mkdtempSync(path.join(tmpdir(), "trend-fixtures-"));
  try {
    execFileSync(command, [...args, outDir], { stdio: ["ignore", "ignore", "pipe"], timeout: 5 * 60_000 });
    const same = readFileSync(path.join(outDir, file)).equals(readFileSync(path.join(fixtureDir, file)));
    assert.ok(same, `regenerated ${file} differs from the committed one: run ${command} ${args.join(" ")} and review the diff`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

test("generate-trend.R regenerates mannkendall.json identically", (t) => {
  regenerate(t, runs("Rscript", ["--version"]), "Rscript is not on PATH", "r-base-core", "Rscript", [path.join(repoRoot, "scripts", "fixtures", "generate-trend.R")], "mannkendall.json");
});

test("generate-trend.py regenerates theilslopes.json identically", (t) => {
  regenerate(
    t,
    runs(PYTHON, ["-c", "import scipy.stats"]),
    `${PYTHON} with scipy is not available`,
    "python3-scipy",
    PYTHON,
    [path.join(repoRoot, "scripts", "fixtures", "generate-trend.py")],
    "theilslopes.json",
  );
});
