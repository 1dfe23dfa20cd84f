/**
 * The config file for commands that take `--config`: found, loaded and checked, with a backend
 * picked by `--backend` or the file's default. A broken file lists all its problems (ConfigError);
 * a wrong flag is a one-line usage error.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { CONFIG_FILE_NAME, loadConfigFile } from "../config/load";
import { noSuch } from "../config/suggest";
import type { Backend, Config, MetricConfig } from "../config/types";
import type { FlagSpec, ParsedArgs } from "./command";
import { UsageError } from "./errors";
import { stringFlag } from "./parse";

export const CONFIG_FLAGS: Readonly<Record<string, FlagSpec>> = {
  config: { type: "string", description: "the workspace file", default: `${CONFIG_FILE_NAME} in this folder or the nearest one above` },
  backend: { type: "string", description: "a backend of the file by name", default: "the file's default backend" },
};

/** The nearest prodinsights.yaml from `dir` upwards, as git finds its folder; undefined if none. */
export function findConfigFile(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}

export interface LoadedWorkspace {
  readonly file: string;
  /** The file as the user would type it from the working directory: relative when inside it. */
  readonly shown: string;
  readonly config: Config;
}

/** Loads `--config` (or the nearest prodinsights.yaml); throws ConfigError for a broken file. */
export async function loadWorkspace(configFlag: string | undefined, cwd = process.cwd()): Promise<LoadedWorkspace> {
  const file = configFlag ?? findConfigFile(cwd);
  if (file === undefined) throw new UsageError(`no ${CONFIG_FILE_NAME} here or in a folder above: pass --config FILE (write one with 'prodinsights init'), or read prediction logs with --logs GLOB`);
  if (!existsSync(path.resolve(cwd, file))) throw new UsageError(`--config ${file}: no such file`);
  // Problems are shown against the path as the user would type it from here, as compilers do.
  const relative = path.relative(cwd, path.resolve(cwd, file));
  const shown = relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
  return { file, shown, config: await loadConfigFile(path.resolve(cwd, file), shown) };
}

/** The metric of the file (or a built-in one) by name; a typo gets a suggestion. */
export function metricNamed(config: Config, name: string): MetricConfig {
  const metric = config.metrics.get(name);
  if (!metric) throw new UsageError(noSuch("metric", name, config.metrics.keys()));
  return metric;
}

/** The model named as the first argument or by --model; one at most. */
export function modelArgument(args: ParsedArgs): string | undefined {
  if (args.positionals.length > 1) throw new UsageError(`one model at a time; got ${args.positionals.join(", ")}`);
  const [positional] = args.positionals;
  const flag = stringFlag(args, "model");
  if (positional !== undefined && flag !== undefined && positional !== flag) throw new UsageError(`the model is named twice: '${positional}' and --model ${flag}; give it once`);
  return positional ?? flag;
}

/** The backend `--backend` names, or `fallback` (a model's or the default), with a suggestion for a typo. */
export function pickBackend(config: Config, name: string | undefined, fallback = config.defaultBackend): Backend {
  const wanted = name ?? fallback;
  const backend = config.backends.get(wanted);
  if (!backend) throw new UsageError(noSuch("backend", wanted, config.backends.keys()));
  return backend;
}
