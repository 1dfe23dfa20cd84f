// `npm test`: typecheck, lint, build, then every test/**/*.test.ts with Node's test runner.
// Stops at the first failing stage with its exit code.
// Usage: node scripts/test.mjs [--quick] [path ...]
//   path     run only test files under these files/directories (default: test/)
//   --quick  skip typecheck, lint and build
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const roots = argv.filter((a) => a !== "--quick");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

function stage(title, command, args) {
  console.log(`\n=== ${title} ===`);
  const started = performance.now();
  // Local bins are shell scripts on POSIX; on Windows they are .cmd files and need a shell.
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  const code = result.status ?? 1;
  if (result.error) console.error(result.error.message);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`--- ${title}: ${code === 0 ? "ok" : `failed (exit ${code})`} in ${seconds} s`);
  if (code !== 0) process.exit(code);
}

/** Sorted test files under `entry` (a file or a directory). Node 20's --test has no glob. */
function findTests(entry) {
  const absolute = path.resolve(root, entry);
  let isFile;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    console.error(`no such test path: ${entry}`);
    process.exit(1);
  }
  if (isFile) return [absolute];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".test.ts"))
    .map((d) => path.join(d.parentPath ?? d.path, d.name))
    .sort();
}

if (!quick) {
  stage("typecheck (src, test, bench)", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  stage("typecheck (webview)", bin("tsc"), ["--noEmit", "-p", "webview/tsconfig.json"]);
  stage("lint", bin("eslint"), ["."]);
  stage("build", process.execPath, ["scripts/build.mjs"]);
}

const files = [...new Set((roots.length > 0 ? roots : ["test"]).flatMap(findTests))].sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(", ") || "test"}`);
  process.exit(1);
}
console.log(`\n=== tests (${files.length} files) ===`);
const runner = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-reporter-destination=stdout", ...files.map((f) => path.relative(root, f))],
  { cwd: root, stdio: ["inherit", "pipe", "inherit"] },
);
// Stream the output live, and keep the runner's "ℹ tests N / ℹ pass N / ℹ fail N" summary. On
// failure the spec reporter lists the failing tests after it; repeat the summary so it stays last.
let output = "";
runner.stdout.setEncoding("utf8"); // decode whole characters: "ℹ" may straddle chunks
runner.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
});
runner.on("close", (code, signal) => {
  const lines = output.trimEnd().split("\n");
  const summary = lines.filter((line) => /^ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(line));
  if (summary.length > 0 && !/^ℹ duration_ms /.test(lines.at(-1) ?? "")) console.log(`\n${summary.join("\n")}`);
  process.exit(code ?? (signal ? 1 : 0));
});
