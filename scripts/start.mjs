// `npm start`: install if needed, build, run the demo production (`prodinsights demo`) in ./demo,
// and open VS Code in the browser (code-server) on it with the extension loaded. The first run
// installs code-server into a cache folder (about 3 minutes); later runs reuse it.
// `npm start -- --no-editor` runs the demo only; other arguments go to the demo
// (`npm start -- --scenario canary-rollback --speed 5000`).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const args = process.argv.slice(2);
const noEditor = args.includes("--no-editor");
const editorPortAt = args.indexOf("--editor-port");
const editorPort = editorPortAt === -1 ? 8088 : Number(args[editorPortAt + 1]);
const demoArgs = args.filter((a, i) => a !== "--no-editor" && i !== editorPortAt && i !== editorPortAt + 1);

function run(command, argv) {
  console.log(`$ ${[command, ...argv].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
  // npm is a .cmd on Windows and needs a shell there; node itself never does.
  const result = spawnSync(command, argv, { cwd: root, stdio: "inherit", shell: command === npm && process.platform === "win32" });
  if (result.error) console.error(result.error.message);
  return result.status ?? 1;
}

function runOrExit(command, argv) {
  const code = run(command, argv);
  if (code !== 0) process.exit(code);
}

console.log("Production Insights: `npm start` builds the product, runs the demo production in ./demo" + (noEditor ? ".\n" : " and opens VS Code in the browser on it.\n"));

if (!existsSync(path.join(root, "node_modules"))) runOrExit(npm, ["install"]);
runOrExit(process.execPath, ["scripts/build.mjs"]);

const demo = spawn(process.execPath, ["dist/cli.js", "demo", "--dir", "demo", ...demoArgs], { cwd: root, stdio: "inherit" });
let editor;
const stop = () => {
  editor?.kill("SIGTERM");
  demo.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
demo.on("exit", (code) => {
  editor?.kill("SIGTERM");
  process.exit(code ?? 0);
});

if (!noEditor) {
  try {
    const { installEditor, startEditor } = await import("./editor.mjs");
    installEditor();
    if (demo.exitCode === null) {
      const started = await startEditor({ port: editorPort, folder: path.join(root, "demo"), extensionRoot: root, runDir: path.join(root, "demo", ".editor") });
      editor = started.child;
      console.log(`\nVS Code with Production Insights: ${started.url}\n(the demo's workspace; Ctrl-C stops both)\n`);
    }
  } catch (err) {
    console.error(`\nThe editor did not start: ${err.message}\nThe demo runs on; \`npm start -- --no-editor\` skips the editor, and the README explains installing the .vsix in desktop VS Code.\n`);
  }
}
