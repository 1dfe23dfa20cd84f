/**
 * Release events: explicit `event: "release"` records, and the first appearance of each version.
 *
 * First appearances are taken over every row of the model (whatever the version, experiment and
 * time filters), so that a version already live before a time range does not look released at
 * its start. The earliest version of each model in the logs is not a release (its first row is only
 * where the logs begin). An explicit event wins over the first appearance of the same version.
 */
import type { ReleaseEvent } from "../../core/jumps/inputs";
import type { EventRecord, PredictionRecord } from "./types";

export interface LogReleaseEvent extends ReleaseEvent {
  /** "event" for an explicit record, "first-seen" for a version's first row. */
  readonly source: "event" | "first-seen";
}

/** Counts and time span of one version of one model among the matched rows. */
export interface VersionSummary {
  readonly model?: string;
  readonly version?: string;
  readonly rows: number;
  readonly first: number;
  readonly last: number;
}

interface Seen {
  model?: string;
  version: string;
  first: number;
}

const keyOf = (model: string | undefined, version: string | undefined): string => `${model ?? ""}\u0000${version ?? ""}`;

export class ReleaseTracker {
  private readonly firstSeen = new Map<string, Seen>();
  private readonly modelStart = new Map<string, number>();
  private readonly explicit = new Map<string, ReleaseEvent>();
  /** Versions or events beyond `maxVersions`, left out. */
  dropped = 0;
  /** Event records of other kinds than "release". */
  otherEvents = 0;

  constructor(private readonly maxVersions: number) {}

  /** The size of the largest of its maps, each capped at `maxVersions`. */
  get tracked(): number {
    return Math.max(this.firstSeen.size, this.explicit.size, this.modelStart.size);
  }

  /** A row of the model (before the version, experiment and time filters). */
  seeRow(r: PredictionRecord): void {
    const model = r.model ?? "";
    const start = this.modelStart.get(model);
    if (start === undefined || r.t < start) {
      if (start !== undefined || this.modelStart.size < this.maxVersions) this.modelStart.set(model, r.t);
    }
    if (r.version === undefined) return;
    const key = keyOf(r.model, r.version);
    const seen = this.firstSeen.get(key);
    if (seen) {
      if (r.t < seen.first) seen.first = r.t;
    } else if (this.firstSeen.size < this.maxVersions) this.firstSeen.set(key, { model: r.model, version: r.version, first: r.t });
    else this.dropped++;
  }

  seeEvent(e: EventRecord): void {
    if (e.event !== "release") {
      this.otherEvents++;
      return;
    }
    if (e.version === undefined) return;
    const key = keyOf(e.model, e.version);
    const known = this.explicit.get(key);
    if (known) {
      // The same release logged twice: keep the earliest.
      if (e.t < known.t) this.explicit.set(key, { t: e.t, version: e.version, model: e.model });
    } else if (this.explicit.size < this.maxVersions) this.explicit.set(key, { t: e.t, version: e.version, model: e.model });
    else this.dropped++;
  }

  /** Releases sorted by time, within `range` and of `versions` when given. */
  finish(range: { start: number; end: number } | undefined, versions: readonly string[] | undefined): LogReleaseEvent[] {
    const out: LogReleaseEvent[] = [];
    for (const [key, e] of this.explicit) {
      out.push({ t: e.t, version: e.version, ...(e.model !== undefined ? { model: e.model } : {}), source: "event" });
      this.firstSeen.delete(key);
    }
    for (const s of this.firstSeen.values()) {
      // An event without a model names the version for every model.
      if (this.explicit.has(keyOf(undefined, s.version))) continue;
      if (s.first <= (this.modelStart.get(s.model ?? "") ?? -Infinity)) continue;
      out.push({ t: s.first, version: s.version, ...(s.model !== undefined ? { model: s.model } : {}), source: "first-seen" });
    }
    return out
      .filter((e) => !range || (e.t >= range.start && e.t < range.end))
      .filter((e) => !versions || versions.includes(e.version))
      .sort((a, b) => a.t - b.t || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  }
}

interface Entry {
  model?: string;
  version?: string;
  rows: number;
  first: number;
  last: number;
}

/** Rows and time span per (model, version) of the matched rows, at most `max` pairs. */
export class VersionCounter {
  private readonly versions = new Map<string, Entry>();
  dropped = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.versions.size;
  }

  /** The entry of the last row: rows of one version come in runs, and a key string per row cost 1-2% of a scan. */
  private last: Entry | undefined;

  add(r: PredictionRecord): void {
    let v = this.last;
    if (v === undefined || v.model !== r.model || v.version !== r.version) {
      const key = keyOf(r.model, r.version);
      v = this.versions.get(key);
      if (v === undefined) {
        if (this.versions.size >= this.max) {
          this.dropped++;
          return;
        }
        v = { model: r.model, version: r.version, rows: 0, first: r.t, last: r.t };
        this.versions.set(key, v);
      }
      this.last = v;
    }
    v.rows++;
    if (r.t < v.first) v.first = r.t;
    if (r.t > v.last) v.last = r.t;
  }

  /** By model, then by first row. */
  finish(): VersionSummary[] {
    return [...this.versions.values()]
      .map((v) => ({ ...(v.model !== undefined ? { model: v.model } : {}), ...(v.version !== undefined ? { version: v.version } : {}), rows: v.rows, first: v.first, last: v.last }))
      .sort((a, b) => ((a.model ?? "") < (b.model ?? "") ? -1 : (a.model ?? "") > (b.model ?? "") ? 1 : a.first - b.first));
  }
}
