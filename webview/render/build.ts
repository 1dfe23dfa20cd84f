/**
 * Report → view model, by the document's kind. Pure (no DOM), so the tests run it in Node; draw.ts
 * draws the result. A kind nobody knows, or a document a builder cannot read, shows its JSON.
 */
import type { Report, ReportDocument, SampleSizeResult } from "../../src/core/results/report";
import { buildAbView } from "./ab";
import { buildCanaryView } from "./canary";
import { buildCompareView } from "./compare";
import { buildDriftView } from "./drift";
import { time } from "./format";
import { buildJumpsView } from "./jumps";
import type { KindView } from "./kinds";
import type { Block, ReportView, Theme } from "./model";
import { buildRolloutView } from "./rollout";
import { buildSampleSizeView } from "./sampleSize";
import { buildTimeseriesView } from "./timeseries";

const KNOWN = new Set(["ab", "drift", "jumps", "canary", "timeseries", "compare", "samplesize", "rollout"]);

function kindView(report: Report, doc: ReportDocument, theme: Theme): KindView {
  switch (doc.kind) {
    case "ab":
      return buildAbView(doc, theme);
    case "drift":
      return buildDriftView(doc, theme);
    case "jumps":
      return buildJumpsView(doc, theme);
    case "canary":
      return buildCanaryView(doc, theme);
    case "timeseries":
      return buildTimeseriesView(doc, theme);
    case "compare":
      return buildCompareView(doc, theme);
    case "samplesize":
      return buildSampleSizeView(doc);
    case "rollout":
      return buildRolloutView(doc, report, theme);
  }
}

/** The document's JSON, for a <pre> (drawn with textContent). */
export function documentJson(doc: unknown): string {
  try {
    return JSON.stringify(doc, null, 2) ?? String(doc);
  } catch (error) {
    return `(cannot show the document: ${String(error)})`;
  }
}

/**
 * `sample-size --json` prints its figures without a kind; a document that has them and no kind is
 * read as `samplesize`, so a host (or a notebook output of that MIME type) may pass it as printed.
 */
export function withKind(doc: unknown, kind?: string): unknown {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return doc;
  if ("kind" in doc) return doc;
  if (kind !== undefined) return { ...doc, kind };
  if ("perArm" in doc && "p1" in doc && "p2" in doc) return { ...doc, kind: "samplesize" satisfies SampleSizeResult["kind"] };
  return doc;
}

export function buildReportView(report: Report, theme: Theme): ReportView {
  const doc = withKind(report.document) as ReportDocument | undefined;
  const subtitle = [report.command, Number.isFinite(report.at) ? `as of ${time(report.at)}` : undefined].filter((s) => s).join(" · ");
  const head = { title: report.title, ...(subtitle ? { subtitle } : {}) };
  const kind = typeof doc === "object" && doc !== null ? (doc as { kind?: unknown }).kind : undefined;
  if (typeof kind !== "string" || !KNOWN.has(kind)) {
    const blocks: Block[] = [
      { type: "text", text: `No report for a document of kind ${typeof kind === "string" ? `'${kind}'` : "(none)"}; its JSON follows.`, tone: "neutral" },
      { type: "pre", text: documentJson(report.document) },
    ];
    return { ...head, kind: "unknown", blocks };
  }
  try {
    const view = kindView(report, doc!, theme);
    return { ...head, kind: doc!.kind, ...(view.status ? { status: view.status } : {}), blocks: view.blocks };
  } catch (error) {
    // A document from another version of the CLI may lack a field a builder reads.
    return {
      ...head,
      kind: doc!.kind,
      blocks: [
        { type: "banner", tone: "bad", title: "Cannot draw this report", text: `The ${doc!.kind} document is not in the expected shape: ${error instanceof Error ? error.message : String(error)}` },
        { type: "pre", text: documentJson(report.document) },
      ],
    };
  }
}
