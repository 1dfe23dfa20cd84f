/**
 * A notebook output item as a report: titled after its kind (the MIME type's, when the JSON has
 * none), with the notebook's stamp (src/extension/notebook/runCell.ts) as its subtitle. Pure, so
 * that it is tested without a DOM.
 */
import type { Report, ReportDocument, ResultStamp } from "../../src/core/results/report";
import { withKind } from "../render/build";

const MIME = /^application\/vnd\.prodinsights\.([a-z0-9-]+)\+json$/;

const TITLES: Record<string, string> = {
  ab: "Experiment",
  drift: "Drift",
  jumps: "Release timeline",
  canary: "Canary",
  timeseries: "Time series",
  compare: "Version comparison",
  samplesize: "Sample size",
  rollout: "Rollout",
};

/** The stamp a notebook run adds (runCell.ts), as the report's subtitle: what reproduces it. */
function stampOf(document: unknown): ResultStamp | undefined {
  const stamp = typeof document === "object" && document !== null ? (document as { stamp?: unknown }).stamp : undefined;
  return typeof stamp === "object" && stamp !== null && typeof (stamp as ResultStamp).command === "string" ? (stamp as ResultStamp) : undefined;
}

function stampText(stamp: ResultStamp): string {
  const window = stamp.start && stamp.end ? ` (${stamp.start.replace(/:\d\d\.\d+Z$/, "Z")} → ${stamp.end.replace(/:\d\d\.\d+Z$/, "Z")})` : "";
  return [
    stamp.command,
    stamp.range !== undefined ? `range ${stamp.range}${window}` : undefined,
    stamp.backend ? `backend ${stamp.backend}` : undefined,
    stamp.configHash ? `config ${stamp.configHash}` : undefined,
    stamp.commit ? `commit ${stamp.commit}` : undefined,
  ]
    .filter((s) => s !== undefined)
    .join(" · ");
}

/** The output's document as a report titled after its kind (the MIME type's, when the JSON has none). */
export function reportOf(mime: string, json: unknown): Report {
  const kind = MIME.exec(mime)?.[1];
  const document = withKind(json, kind) as ReportDocument;
  const docKind = typeof document === "object" && document !== null && "kind" in document ? String(document.kind) : (kind ?? "result");
  const stamp = stampOf(document);
  const at = stamp ? Date.parse(stamp.ranAt) : Number.NaN;
  return { title: TITLES[docKind] ?? `Production Insights ${docKind}`, document, at, ...(stamp ? { command: stampText(stamp) } : {}) };
}
