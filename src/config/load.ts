/**
 * Reads prodinsights.yaml (yamlFile.ts): YAML syntax, then the schema, then the names that refer to
 * other entries. Every problem comes back at once, each with its line and column (1-based) and, for
 * a misspelt name, a suggestion; a file with any error gives no Config.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { checkReferences, experiment, toConfig, type RawExperiment, type RawFile, type RawPolicy } from "./build";
import { CONFIG_SCHEMA, SchemaValidator } from "./schema";
import type { Config, ExperimentConfig } from "./types";
import { checkYaml, ConfigError, type ConfigIssue } from "./yamlFile";

export { ConfigError, formatIssues, type ConfigIssue } from "./yamlFile";

export const CONFIG_FILE_NAME = "prodinsights.yaml";

export interface ParsedConfig {
  /** Present when the file has no errors. */
  readonly config?: Config;
  readonly issues: readonly ConfigIssue[];
}

const validator = new SchemaValidator(CONFIG_SCHEMA);

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 12);

/** Parses and checks the text of a prodinsights.yaml. Never throws for bad input. */
export function parseConfig(text: string): ParsedConfig {
  const { data, issues } = checkYaml(text, {
    validator,
    emptyMessage: "the file is empty: it needs at least 'backends:'; 'prodinsights init' writes a starter file",
    more: (d) => checkReferences(d as RawFile),
  });
  if (data === undefined) return { issues };
  const policyDefaults = validator.withDefaults({}, { $ref: "#/definitions/policy" }) as RawPolicy;
  return { config: toConfig(data as RawFile, policyDefaults, sha256(text)), issues: [] };
}

/** Reads and checks a prodinsights.yaml; throws ConfigError listing every problem, under `shownAs`. */
export async function loadConfigFile(file: string, shownAs = file): Promise<Config> {
  const text = await readFile(file, "utf8");
  const parsed = parseConfig(text);
  if (!parsed.config) throw new ConfigError(shownAs, parsed.issues);
  return parsed.config;
}

/**
 * The experiment as the file configures it, or, when the file does not list it, with the schema's
 * defaults: experiments found in the telemetry work without an entry.
 */
export function experimentNamed(config: Config, name: string): ExperimentConfig {
  const known = config.experiments.get(name);
  if (known) return known;
  const defaults = validator.withDefaults({}, { $ref: "#/definitions/experiment" }) as RawExperiment;
  return experiment(name, defaults, config.defaultBackend);
}
