// Interim `npm start`: install if needed, build, run the CLI on the example A/B test.
// The demo production environment and VS Code in the browser replace this in later work.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(command, args) {
  console.log(`$ ${[command, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
  // npm is a .cmd on Windows and needs a shell there; node itself never does.
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", shell: command === npm && process.platform === "win32" });
  if (result.error) console.error(result.error.message);
  return result.status ?? 1;
}

function runOrExit(command, args) {
  const code = run(command, args);
  if (code !== 0) process.exit(code);
}

console.log("Production Insights: interim `npm start` (builds and runs the CLI on an example A/B test;");
console.log("the demo production and VS Code in the browser arrive with later work).\n");

if (!existsSync(path.join(root, "node_modules"))) runOrExit(npm, ["install"]);
runOrExit(process.execPath, ["scripts/build.mjs"]);
process.exit(run(process.execPath, ["dist/cli.js", "ab", "--counts", "Original Page=378/3662,Test it out=462/3568"]));
