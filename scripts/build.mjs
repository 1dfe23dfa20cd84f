// The one build script (STYLE §10): four esbuild entries, type checking stays with `tsc --noEmit`.
// Usage: node scripts/build.mjs [--dev] [--watch]
import * as esbuild from "esbuild";
import { chmod, copyFile, mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const watch = args.has("--watch");
const dev = args.has("--dev") || watch;

/** @type {import("esbuild").BuildOptions} */
const common = {
  absWorkingDir: root,
  bundle: true,
  minify: !dev,
  sourcemap: dev,
  logLevel: "warning",
  legalComments: "none",
};

const node = { ...common, platform: "node", format: "cjs", target: "node20" };
const browser = { ...common, platform: "browser", format: "esm", target: "es2022" };

/** @type {Record<string, import("esbuild").BuildOptions>} */
const entries = {
  extension: {
    ...node,
    entryPoints: ["src/extension/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"], // provided by the extension host
  },
  // The extension's engine, loaded on first use (src/extension/loadEngine.ts) to keep activation small.
  engine: {
    ...node,
    entryPoints: ["src/extension/engine.ts"],
    outfile: "dist/engine.js",
  },
  cli: {
    ...node,
    entryPoints: ["src/cli/main.ts"],
    outfile: "dist/cli.js",
    banner: { js: "#!/usr/bin/env node" },
  },
  // The report panel app and the notebook renderer (loaded as an ES module that exports
  // `activate`), built together so that they share chunks: plotly is imported dynamically and
  // lands in a chunk of its own, which loads after the report's shell has painted.
  webview: {
    ...browser,
    entryPoints: { panel: "webview/panel/main.ts", renderer: "webview/notebook/renderer.ts" },
    outdir: "dist/webview",
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
  },
};

async function report(name, outfile) {
  const { size } = await stat(path.join(root, outfile));
  console.log(`  ${name.padEnd(10)} ${outfile.padEnd(32)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}

async function afterBuild(name, options, result) {
  if (name === "cli") await chmod(path.join(root, options.outfile), 0o755);
  if (options.outfile) return report(name, options.outfile);
  // A split build: each entry and chunk it wrote.
  for (const file of Object.keys(result?.metafile?.outputs ?? {})) {
    if (file.endsWith(".js")) await report(file.includes("/chunks/") ? (file.includes("plotly") ? "plotly" : "chunk") : path.basename(file, ".js"), file);
  }
}

// The JSON Schema of prodinsights.yaml ships as a file, for editors (package.json yamlValidation).
const SCHEMA_OUT = "dist/prodinsights.schema.json";
async function copySchema() {
  await mkdir(path.join(root, "dist"), { recursive: true });
  await copyFile(path.join(root, "src/config/prodinsights.schema.json"), path.join(root, SCHEMA_OUT));
}

if (watch) {
  await copySchema();
  // Rebuild each entry on change and reprint its size.
  for (const [name, options] of Object.entries(entries)) {
    const plugin = {
      name: "report",
      setup(build) {
        build.onEnd(async (result) => {
          if (result.errors.length === 0) await afterBuild(name, options, result);
        });
      },
    };
    const ctx = await esbuild.context({ ...options, plugins: [plugin] });
    await ctx.watch();
  }
  console.log("watching for changes (Ctrl+C to stop)");
} else {
  const started = performance.now();
  // Start clean so that source maps from an earlier --dev build cannot end up in the .vsix.
  await rm(path.join(root, "dist"), { recursive: true, force: true });
  let results;
  try {
    results = await Promise.all(Object.entries(entries).map(([, options]) => esbuild.build(options)));
  } catch {
    // esbuild already printed the errors (logLevel "warning").
    process.exit(1);
  }
  await copySchema();
  console.log(`built (${dev ? "dev" : "production"}):`);
  for (const [i, [name, options]] of Object.entries(entries).entries()) await afterBuild(name, options, results[i]);
  await report("schema", SCHEMA_OUT);
  console.log(`  in ${Math.round(performance.now() - started)} ms`);
}
