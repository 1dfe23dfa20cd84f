/**
 * What the editor shows of production at one moment: the views, code lenses, hovers and the
 * status bar all read one snapshot, gathered by production/snapshot.ts. No `vscode` here, so that
 * gathering is tested with plain node against a real gateway and Prometheus.
 */
import type { AbResult } from "../../core/results/ab";
import type { CanaryResult } from "../../core/results/canary";
import type { DriftLevel } from "../../core/results/drift";

/** A part that could not be read, in words the user can act on ("the gateway … is unreachable"). */
export interface Problem {
  readonly message: string;
}

export interface VersionSnapshot {
  readonly name: string;
  /** Percent of the model's traffic now (the rollout provider's routing). */
  readonly weight: number;
  readonly requests?: number;
  readonly errors?: number;
  /** errors / requests; undefined with no requests. */
  readonly errorRate?: number;
  /** Against the stable version: rate difference (this − stable) and the two-proportion p-value. */
  readonly vsStable?: { readonly stable: string; readonly difference: number; readonly pValue: number };
  /** The last 24 hours of the error rate, hourly, NaN where there was no traffic (hover sparkline). */
  readonly errorRateSeries?: readonly number[];
  readonly role: "stable" | "canary" | "shadow" | "other";
}

export interface ModelSnapshot {
  readonly name: string;
  readonly provider: "gateway" | "unleash" | "argo";
  readonly stable?: string;
  readonly versions: readonly VersionSnapshot[];
  /**
   * Where the versions' requests and errors come from: the gateway's counts since it started, or,
   * for the other providers, the model's metrics backend over the last `hours`. Absent when they
   * could not be read.
   */
  readonly totalsFrom?: { readonly source: "gateway" } | { readonly source: "backend"; readonly backend: string; readonly hours: number };
  readonly shadow?: { readonly version: string; readonly share: number };
  /** What the provider itself says of the rollout (Argo's phase, step and analysis runs), for people. */
  readonly notes?: readonly string[];
  /** The running canary, or the last one that ended. */
  readonly canary?: { readonly version: string; readonly baseline: string; readonly steps: readonly number[]; readonly active: boolean; readonly result: CanaryResult };
  /** From the model's drift monitor (or a drift check over its default windows). */
  readonly drift?: { readonly level: DriftLevel | "insufficient-data"; readonly drifted: readonly string[] };
  readonly problems: readonly Problem[];
}

export interface ExperimentSnapshot {
  readonly name: string;
  readonly metric: string;
  /** Exposures (units) per arm, in arm order, baseline first. */
  readonly arms: readonly { readonly name: string; readonly units: number; readonly share: number }[];
  /** The `ab` document for the experiment's first metric; undefined when it could not be read. */
  readonly result?: AbResult;
  /** The CLI command that shows the report (without "prodinsights" and --json); absent when the backend cannot give the metric. */
  readonly command?: readonly string[];
  readonly problems: readonly Problem[];
}

export type MonitorState = "ok" | "firing" | "insufficient-data" | "error";

export interface MonitorSnapshot {
  readonly name: string;
  readonly kind: "drift" | "jump" | "threshold";
  readonly model: string;
  readonly metric?: string;
  readonly state: MonitorState;
  /** One line: "tenure_months, contract drifted" or "error_rate +3.9 pp at v3 (p = 1e-8)". */
  readonly detail: string;
  /** The CLI command that shows the monitor's evidence (also how the report is opened). */
  readonly command: readonly string[];
}

export interface ProductionSnapshot {
  /** When it was gathered, ms. */
  readonly at: number;
  readonly configFile: string;
  /** Whether the rollout provider (the gateway) answered. */
  readonly connected: boolean;
  readonly models: readonly ModelSnapshot[];
  readonly experiments: readonly ExperimentSnapshot[];
  readonly monitors: readonly MonitorSnapshot[];
  /** Problems that are not one model's or experiment's (no gateway token, backend down). */
  readonly problems: readonly Problem[];
}
