// Lint config. Its main job is the layer rules of DESIGN.md §3 (imports point down only), enforced
// with the core `no-restricted-imports` rule per directory. ESLint replaces a rule's options when a
// later config object matches, so every directory below gets its complete list of restrictions.
// The rule sees import specifiers, not resolved paths, so "climbs out of a directory" is expressed
// per file depth: a file N folders below `dir` leaves `dir` with N+1 `../`.
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

const SOURCE = "{ts,mts,cts,js,mjs,cjs}";
const MAX_DEPTH = 5;

const NODE_BUILTINS = [
  "fs", "path", "http", "https", "http2", "net", "dgram", "dns", "tls", "child_process", "cluster",
  "os", "crypto", "url", "stream", "worker_threads", "zlib", "readline", "util", "events", "buffer",
  "process", "timers", "vm", "perf_hooks", "async_hooks", "module", "inspector", "v8", "assert",
  "test",
];
const builtin = `(?:node:.*|(?:${NODE_BUILTINS.join("|")})(?:/.*)?)$`;

const noVscode = {
  group: ["vscode"],
  message: "Only src/extension imports `vscode` (DESIGN.md §3).",
};
const noNodeBuiltins = (who) => ({
  regex: `^${builtin}`,
  message: `${who} must not use Node APIs: no node:* or builtin modules (DESIGN.md §3).`,
});

/** Regex source for a specifier that climbs `depth + 1` levels, i.e. out of the directory. */
const leave = (depth) => `^(\\.\\./){${depth}}\\.\\.(/|$)`;
/** A specifier that climbs out of a src/<layer> directory into one of the named sibling layers. */
const intoLayers = (depth, layers, who) => ({
  regex: `^(\\.\\./){${depth}}\\.\\./(${layers.join("|")})(/|$)`,
  message: `${who} must not import ${layers.map((l) => `src/${l}`).join(", ")}: imports point down only (DESIGN.md §3).`,
});

/** Config objects for `dir`, one per file depth, with `patternsAt(depth)` as the restrictions. */
function layer(dir, patternsAt) {
  const rule = (depth) => ["error", { patterns: patternsAt(depth) }];
  return [
    // Deeper than MAX_DEPTH (not expected): reuse the deepest rule, an approximation.
    { name: `layers/${dir}/**`, files: [`${dir}/**/*.${SOURCE}`], rules: { "no-restricted-imports": rule(MAX_DEPTH) } },
    ...Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
      name: `layers/${dir}/depth-${depth}`,
      files: [`${dir}/${"*/".repeat(depth)}*.${SOURCE}`],
      rules: { "no-restricted-imports": rule(depth) },
    })),
  ];
}

const core = layer("src/core", (depth) => [
  noVscode,
  noNodeBuiltins("src/core"),
  {
    // Any other bare package: core keeps to jstat and tslib.
    regex: `^(?!\\.|/|(?:jstat|tslib)(?:/|$)|vscode$|${builtin})`,
    message: "src/core may import only itself, jstat and tslib (DESIGN.md §3).",
  },
  { regex: leave(depth), message: "src/core imports nothing outside src/core (DESIGN.md §3)." },
]);

const lowerLayers = ["telemetry", "rollout", "config"].flatMap((name) =>
  layer(`src/${name}`, (depth) => [noVscode, intoLayers(depth, ["cli", "extension", "gateway"], `src/${name}`)]),
);
const gateway = layer("src/gateway", (depth) => [noVscode, intoLayers(depth, ["extension", "cli"], "src/gateway")]);
const cli = layer("src/cli", (depth) => [noVscode, intoLayers(depth, ["extension"], "src/cli")]);

const webview = layer("webview", (depth) => [
  noVscode,
  noNodeBuiltins("webview/"),
  {
    regex: `^(\\.\\./){${depth}}\\.\\./src/core/results(/|$)`,
    allowTypeImports: true,
    message: "webview/ may import only types from src/core/results: use `import type` (DESIGN.md §3).",
  },
  {
    // src/core/format.ts too: it is pure and imports nothing, and numbers must read the same in a
    // report as in the CLI.
    regex: `${leave(depth)}(?!src/core/results(/|$)|src/core/format$)`,
    message: "webview/ may import nothing outside webview/ except types from src/core/results and src/core/format (DESIGN.md §3).",
  },
]);

export default defineConfig([
  globalIgnores(["dist/", "bench/.data/", "node_modules/", ".vscode-test/", "coverage/", ".cache/", "**/*.vsix"]),
  tseslint.configs.recommended,
  {
    name: "project/typescript",
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    name: "layers/no-vscode-outside-extension",
    files: [`src/**/*.${SOURCE}`, `test/**/*.${SOURCE}`, `bench/**/*.${SOURCE}`, `scripts/**/*.${SOURCE}`],
    rules: { "no-restricted-imports": ["error", { patterns: [noVscode] }] },
  },
  core,
  lowerLayers,
  gateway,
  cli,
  webview,
  {
    name: "layers/extension",
    files: [`src/extension/**/*.${SOURCE}`],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // Dynamic import() and require() would slip past no-restricted-imports; core has no use for them.
    name: "layers/src/core-static-imports-only",
    files: [`src/core/**/*.${SOURCE}`],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "ImportExpression", message: "src/core is pure: no dynamic import()." },
        { selector: "CallExpression[callee.name='require']", message: "src/core is pure: no require()." },
      ],
    },
  },
]);
