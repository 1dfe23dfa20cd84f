/**
 * A version's counts in words, for the Models view's tooltip. Apart from modelsView.ts and without
 * `vscode`, so that plain-node tests read the wording.
 */
import type { ModelSnapshot, VersionSnapshot } from "../production/types";

/** Where the counts come from: the gateway's own since it started, or the metrics backend's window. */
function whence(from: ModelSnapshot["totalsFrom"]): string {
  if (from?.source === "gateway") return " since the gateway started";
  if (from?.source === "backend") return ` in the last ${from.hours} h from ${from.backend}`;
  return "";
}

/**
 * `12,345 requests, 67 errors in the last 24 h from prom`. A version the backend has no series of
 * has no counts, which is not the same as 0 requests.
 */
export function versionCounts(model: Pick<ModelSnapshot, "totalsFrom">, v: Pick<VersionSnapshot, "requests" | "errors">): string {
  if (v.requests === undefined) return `no request counts${whence(model.totalsFrom)}`;
  return `${v.requests.toLocaleString("en-US")} requests, ${(v.errors ?? 0).toLocaleString("en-US")} errors${whence(model.totalsFrom)}`;
}
