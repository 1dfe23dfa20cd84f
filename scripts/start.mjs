// `npm start`: install if needed, build, and run the demo production (`prodinsights demo`) in ./demo:
// the model servers, the gateway, Prometheus when it is installed, and two weeks of traffic replayed
// in minutes. Opening VS Code in the browser on it comes with the extension work.
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

console.log("Production Insights: `npm start` builds the product and runs the demo production in ./demo.\n");

if (!existsSync(path.join(root, "node_modules"))) runOrExit(npm, ["install"]);
runOrExit(process.execPath, ["scripts/build.mjs"]);
// Extra arguments go to the demo: npm start -- --scenario canary-rollback --speed 5000
process.exit(run(process.execPath, ["dist/cli.js", "demo", "--dir", "demo", ...process.argv.slice(2)]));
