/**
 * Where `jumps MODEL --config …` finds its releases: the model's traffic-weight series in the
 * metrics backend, or the history of the rollout provider that moved the traffic (Unleash's event
 * log, Argo's revisions, the gateway's audit log). A model on Unleash or Argo has no
 * `model_traffic_weight` series unless its application exports one, so its provider is asked first.
 */
import path from "node:path";
import type { ReleaseEvent } from "../core/jumps/inputs";
import { environmentSecrets, MissingSecretError } from "../config/secrets";
import { DEFAULT_RELEASES_QUERY } from "../config/builtins";
import { readReleases, releaseStepMs } from "../telemetry/metrics/jumpsInputs";
import { ProviderError } from "../rollout/provider";
import { providerFor } from "../rollout/providers";
import { releasesFromHistory } from "../rollout/releases";
import type { FlagSpec, ParsedArgs } from "./command";
import { UsageError } from "./errors";
import type { CliIo } from "./io";
import type { MetricsSession } from "./metricsSource";
import { stringFlag } from "./parse";
import type { TimeRange } from "./timeRange";

const SOURCES = ["auto", "rollout", "metrics"] as const;
export type ReleaseSource = (typeof SOURCES)[number];

export const RELEASES_FLAG: FlagSpec = {
  type: "string",
  description: "where releases come from, the history of the model's rollout provider or the model's releases query over the metrics: auto, rollout or metrics",
  default: "auto: rollout for Unleash and Argo models without a releases query of their own, else metrics",
};

export interface Releases {
  readonly events: ReleaseEvent[];
  /** `metrics`, or the provider whose history gave them: `unleash`, `argo`, `gateway`. */
  readonly from: string;
  /** Why auto fell back to the metrics, for people. */
  readonly note?: string;
}

/** `--releases`, checked before any backend is asked. */
export function releaseSourceOf(args: ParsedArgs): ReleaseSource {
  const given = stringFlag(args, "releases") ?? "auto";
  if (!(SOURCES as readonly string[]).includes(given)) throw new UsageError(`--releases must be one of ${SOURCES.join(", ")}, got '${given}'`);
  return given as ReleaseSource;
}

export async function readModelReleases(source: ReleaseSource, io: CliIo, session: MetricsSession, model: string, range: TimeRange, bucketMs: number): Promise<Releases> {
  const { config, file } = session.workspace;
  const m = config.models.get(model);
  const fromMetrics = async (note?: string): Promise<Releases> => ({
    events: await readReleases(session.api, { model, window: range, stepMs: releaseStepMs(bucketMs), query: m?.releases }),
    from: "metrics",
    ...(note ? { note } : {}),
  });
  const ownQuery = m !== undefined && m.releases !== DEFAULT_RELEASES_QUERY;
  if (source === "metrics" || (source === "auto" && (m === undefined || m.rollout === "gateway" || ownQuery))) return fromMetrics();
  const kind = m?.rollout ?? "gateway";
  try {
    const provider = await providerFor(config, model, io.secrets ?? environmentSecrets(), {
      actor: "prodinsights jumps",
      baseDir: path.dirname(path.resolve(io.cwd ?? process.cwd(), file)),
      ...(io.trusted === false ? { trusted: false } : {}),
    });
    // The whole history: the events before the range say which versions were already serving.
    const history = await provider.history(model, 0, io.signal);
    return { events: releasesFromHistory(model, history, range), from: provider.kind };
  } catch (err) {
    if (!(err instanceof ProviderError || err instanceof MissingSecretError)) throw err;
    const why = `${kind}'s history could not be read: ${err.message}`;
    if (source === "rollout") throw new UsageError(why);
    return fromMetrics(`${why}; releases are read from the metrics instead`);
  }
}
