/**
 * What a report panel shows, and the typed messages between a panel (or the notebook renderer)
 * and the extension host. Types only: webview/ imports them (DESIGN.md §3), the host builds them.
 */
import type { AbArmInput } from "../ab/armStats";
import type { AbResult } from "./ab";
import type { CanaryResult } from "./canary";
import type { DriftResult } from "./drift";
import type { JumpsResult } from "./jumps";

/** Where a document's numbers came from, so that it can be reproduced (the CLI's `source` stamp). */
export type SourceStamp = Readonly<Record<string, unknown>>;

/** One series of a `timeseries` document (the CLI's `query --json`). */
export interface TimeseriesSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly { readonly t: number; readonly v: number }[];
}

export interface TimeseriesResult {
  readonly kind: "timeseries";
  readonly query: string;
  readonly series: readonly TimeseriesSeries[];
  /** Release markers to draw over the series, when the host knows them. */
  readonly releases?: readonly { readonly t: number; readonly label: string }[];
  readonly source?: SourceStamp;
}

/** One proportion or mean metric of a `compare` document: the two versions as an A/B test, the baseline first. */
export interface CompareMetric {
  readonly metric: string;
  /** Per version, the baseline first: the counts (or sums) the result was computed from. */
  readonly arms: readonly AbArmInput[];
  readonly result: AbResult;
  readonly warnings: readonly string[];
}

/** A quantile metric of a `compare` document: each version's quantile, and Mann-Whitney over the whole histograms. */
export interface CompareDistribution {
  readonly metric: string;
  readonly quantile: number;
  readonly baseline: { readonly version: string; readonly n: number; readonly value: number };
  readonly candidate: { readonly version: string; readonly n: number; readonly value: number };
  /** The chance that a candidate value exceeds a baseline one, ties counting half. */
  readonly probabilityHigher: number;
  readonly pValue: number;
  readonly verdict: "better" | "worse" | "no significant difference";
  readonly sentence: string;
}

/** `compare MODEL CANDIDATE BASELINE --json`: each metric of two versions side by side. */
export interface CompareResult {
  readonly kind: "compare";
  readonly model: string;
  readonly baseline: string;
  readonly candidate: string;
  readonly metrics: readonly CompareMetric[];
  readonly distributions?: readonly CompareDistribution[];
  readonly skipped?: readonly { readonly metric: string; readonly reason: string }[];
  readonly source?: SourceStamp;
}

/**
 * The figures `sample-size --json` prints: units per arm for a two-sided two-proportion test
 * (R's power.prop.test). The CLI prints them without `kind`; a host adds it to make the document.
 */
export interface SampleSizeFigures {
  /** Units per arm, unrounded. */
  readonly n: number;
  readonly perArm: number;
  readonly total: number;
  /** The baseline rate and the rate to detect. */
  readonly p1: number;
  readonly p2: number;
  readonly alpha: number;
  readonly power: number;
}

/** `sample-size --json`, with its kind. */
export interface SampleSizeResult extends SampleSizeFigures {
  readonly kind: "samplesize";
}

/** The relative lift of one arm against the baseline, cumulative up to each time. */
export interface AbLiftSeries {
  readonly arm: string;
  readonly points: readonly { readonly t: number; readonly estimate: number; readonly ci: readonly [number, number] }[];
}

/**
 * An `ab` document as a report shows it: when the host has the experiment's history it adds the
 * cumulative lift over time (`series`); without it the report skips that chart.
 */
export type AbReportDocument = AbResult & { readonly series?: readonly AbLiftSeries[] };

/** A model's rollout on its provider: routing now, and the running (or last) canary. */
export interface RolloutReport {
  readonly kind: "rollout";
  readonly model: string;
  readonly provider: "gateway" | "unleash" | "argo";
  /** The version a rollback returns to. */
  readonly stable: string;
  /** Percent of traffic per version, in release order. */
  readonly weights: readonly { readonly version: string; readonly weight: number }[];
  readonly shadow?: { readonly version: string; readonly share: number };
  readonly canary?: {
    readonly version: string;
    readonly baseline: string;
    /** The policy's step weights, percent. */
    readonly steps: readonly number[];
    /** true while it runs; false for the last one that ended. */
    readonly active: boolean;
    readonly result: CanaryResult;
  };
}

/**
 * What reproduces a notebook output: the notebook adds it to the document as `stamp`, and to the
 * output's metadata.
 */
export interface ResultStamp {
  /**
   * The range the command ran with, as written (`-1d..now`: the cell's own or the notebook's),
   * and what it meant when the cell ran; absent for commands that take none (`--logs`, `--counts`, sample-size).
   */
  readonly range?: string;
  readonly start?: string;
  readonly end?: string;
  readonly backend?: string;
  /** The first 12 hex digits of prodinsights.yaml's SHA-256, as in every `source`. */
  readonly configHash?: string;
  /** `git rev-parse HEAD` of the notebook's folder (12 digits), `-dirty` with uncommitted changes to tracked files. */
  readonly commit?: string;
  readonly ranAt: string;
  /** The command the cell ran, as the CLI would take it. */
  readonly command: string;
}

export type ReportDocument = AbReportDocument | DriftResult | JumpsResult | CanaryResult | TimeseriesResult | CompareResult | SampleSizeResult | RolloutReport;
export type ReportKind = ReportDocument["kind"];

/** The actions a rollout report offers as buttons; the host confirms each before it acts. */
export type RolloutAction = "promote" | "abort" | "rollback";

/** How the host makes a report again (the panel's Refresh, and a panel restored after a reload). */
export type ReportOrigin =
  | { readonly kind: "insights"; readonly argv: readonly string[] }
  | { readonly kind: "rollout"; readonly model: string };

/** One report: a document, its title, and how to reproduce it. */
export interface Report {
  readonly title: string;
  readonly document: ReportDocument;
  /** The CLI command that gives the same document, shown under the title. */
  readonly command?: string;
  /** When the host made it, ms since the epoch. */
  readonly at: number;
  /** Rollout actions the host allows here (none in an untrusted workspace). */
  readonly actions?: readonly RolloutAction[];
  /** Why actions are missing, when they are: "the workspace is not trusted". */
  readonly actionsDisabledReason?: string;
  readonly origin?: ReportOrigin;
}

/** Host → panel. */
export type HostMessage =
  | { readonly type: "show"; readonly report: Report }
  | { readonly type: "loading"; readonly text: string }
  | { readonly type: "error"; readonly message: string };

/**
 * Panel → host. `ready` is the handshake: the host sends nothing before it (a message posted to a
 * webview that has not loaded yet is lost). `rendered` tells the host (and the bench) that the
 * chart is drawn.
 */
export type PanelMessage =
  | { readonly type: "ready" }
  | { readonly type: "rendered"; readonly kind: ReportKind | "unknown"; readonly ms: number }
  | { readonly type: "action"; readonly action: RolloutAction | "refresh" }
  | { readonly type: "error"; readonly message: string };

/** What a panel keeps with `setState`, so that a reload (WebviewPanelSerializer) shows the same report. */
export interface PanelState {
  readonly report?: Report;
}
