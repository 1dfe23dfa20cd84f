/**
 * gateway.yaml, read like prodinsights.yaml (config/yamlFile.ts): every problem at its line and
 * column, then checks the schema cannot express: each model's weights sum to 100, its stable
 * version exists, and the layers can split traffic (assign.ts).
 */
import { readFile } from "node:fs/promises";
import { durationMs } from "../config/build";
import type { SchemaIssue, SchemaNode } from "../config/schema";
import { SchemaValidator } from "../config/schema";
import { noSuch } from "../config/suggest";
import { checkYaml, ConfigError, type ConfigIssue } from "../config/yamlFile";
import type { ModelAssertions } from "./assertions";
import { checkLayers, checkWeights, type Layer, type Weighted } from "./assign";
import schemaJson from "./gateway.schema.json";

export const GATEWAY_SCHEMA = schemaJson as SchemaNode;
const validator = new SchemaValidator(GATEWAY_SCHEMA);

export interface GatewayModel {
  readonly name: string;
  readonly unitHeader: string;
  readonly unitField?: string;
  /** In the file's order, which is the order of their bucket ranges (assign.ts). */
  readonly versions: ReadonlyArray<Weighted & { readonly url: string }>;
  readonly stable: string;
  readonly timeoutMs: number;
  /** Two numeric predictions (primary and shadow) agree when they differ by at most this. */
  readonly agreement: number;
  readonly assertions: ModelAssertions;
}

export interface GatewayConfig {
  readonly listen: { readonly host: string; readonly port: number };
  /** The token stays a reference (`${env:NAME}`) until the server starts. */
  readonly admin: { readonly host: string; readonly port: number; readonly token: string };
  readonly state: string;
  readonly models: ReadonlyMap<string, GatewayModel>;
  readonly layers: readonly Layer[];
  readonly logs: {
    readonly dir: string;
    readonly maxBytes: number;
    readonly keep: number;
    readonly sampleRate: number;
    readonly redact: Readonly<Record<string, "drop" | "hash">>;
    readonly salt?: string;
  };
}

/* The file after the schema, defaults filled. */
interface RawGateway {
  listen: { host: string; port: number };
  admin: { host: string; port: number; token: string };
  state: string;
  models: Record<string, { unit: { header: string; field?: string }; versions: Record<string, { url: string; weight: number }>; stable?: string; timeout: string; agreement: number; assertions: ModelAssertions }>;
  layers: Record<string, { experiments: Record<string, { share: number; arms: Record<string, number> }> }>;
  logs: { dir: string; max_bytes: number; keep: number; sample_rate: number; redact: Record<string, "drop" | "hash">; salt?: string };
}

const weighted = (entries: Record<string, number>): Weighted[] => Object.entries(entries).map(([name, weight]) => ({ name, weight }));

const layersOf = (raw: RawGateway): Layer[] =>
  Object.entries(raw.layers).map(([name, l]) => ({
    name,
    experiments: Object.entries(l.experiments).map(([e, x]) => ({ name: e, share: x.share, arms: weighted(x.arms) })),
  }));

/** The checks beyond the schema, each at the path of what it is about. */
function checkRouting(raw: RawGateway): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const at = (path: Array<string | number>, run: () => void): void => {
    try {
      run();
    } catch (err) {
      issues.push({ path, at: "value", message: err instanceof Error ? err.message : String(err) });
    }
  };
  for (const [name, m] of Object.entries(raw.models)) {
    const versions = Object.entries(m.versions).map(([v, x]) => ({ name: v, weight: x.weight }));
    at(["models", name, "versions"], () => checkWeights(`model '${name}' versions`, versions));
    if (m.stable !== undefined && !(m.stable in m.versions)) {
      issues.push({ path: ["models", name, "stable"], at: "value", message: noSuch("version", m.stable, Object.keys(m.versions)) });
    }
  }
  at(["layers"], () => checkLayers(layersOf(raw)));
  return issues;
}

export interface ParsedGatewayConfig {
  readonly config?: GatewayConfig;
  readonly issues: readonly ConfigIssue[];
}

/** Parses and checks the text of a gateway.yaml. Never throws for bad input. */
export function parseGatewayConfig(text: string): ParsedGatewayConfig {
  const { data, issues } = checkYaml(text, {
    validator,
    emptyMessage: "the file is empty: it needs at least 'admin:' with a token and 'models:'",
    more: (d) => checkRouting(d as RawGateway),
  });
  if (data === undefined) return { issues };
  const raw = data as RawGateway;
  const models = new Map<string, GatewayModel>(
    Object.entries(raw.models).map(([name, m]) => {
      const versions = Object.entries(m.versions).map(([v, x]) => ({ name: v, weight: x.weight, url: x.url }));
      return [
        name,
        {
          name,
          unitHeader: m.unit.header.toLowerCase(),
          ...(m.unit.field !== undefined ? { unitField: m.unit.field } : {}),
          versions,
          stable: m.stable ?? versions[0]!.name,
          timeoutMs: durationMs(m.timeout),
          agreement: m.agreement,
          assertions: m.assertions,
        },
      ];
    }),
  );
  const { dir, max_bytes, keep, sample_rate, redact, salt } = raw.logs;
  return {
    config: {
      listen: raw.listen,
      admin: raw.admin,
      state: raw.state,
      models,
      layers: layersOf(raw),
      logs: { dir, maxBytes: max_bytes, keep, sampleRate: sample_rate, redact, ...(salt !== undefined ? { salt } : {}) },
    },
    issues: [],
  };
}

/** Reads and checks a gateway.yaml; throws ConfigError listing every problem. */
export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  const parsed = parseGatewayConfig(await readFile(file, "utf8"));
  if (!parsed.config) throw new ConfigError(file, parsed.issues);
  return parsed.config;
}
